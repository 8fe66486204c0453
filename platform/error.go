package platform

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes of ecommpay's Gate API that the sandbox answers with
// (docs/gate.md "Synchronous answers") and decline codes it puts into
// operations (docs/callbacks.md "Decline codes").
const (
	CodeInvalidJSON            = 2003
	CodeRequiredField          = 2004
	CodeProjectNotFound        = 2442
	CodeUnknownMethod          = 2541
	CodePaymentExists          = 3041
	CodeStatusForbids          = 3060
	CodeNotFound               = 3061
	CodeInvalidSignature       = 3261
	CodeEmptySignature         = 3262
	CodeRefundAmountMismatch   = 3283
	CodeRefundCurrencyMismatch = 3284

	// CodeInvalidRequest is the sandbox's own code for a malformed request to
	// its control API; it never reaches an emulated endpoint.
	CodeInvalidRequest = 1
)

// Decline codes carried by operations (operation.code, a string in callbacks).
const (
	DeclineGeneral           = 20000
	DeclineOverMaxLimit      = 20101
	DeclineInsufficientFunds = 20105
	DeclineByMerchant        = 30000
	DeclineMerchantNoAnswer  = 30302
)

// Messages of the codes above, exactly as ecommpay writes them.
var codeMessages = map[int]string{
	CodeInvalidJSON:            "Invalid JSON string",
	CodeRequiredField:          "Required field not provided",
	CodeProjectNotFound:        "Project ID not found",
	CodeUnknownMethod:          "Unknown Payment Method",
	CodePaymentExists:          "Payment ID already exists",
	CodeStatusForbids:          "Current payment or operation status does not allow this action",
	CodeNotFound:               "Transaction not found",
	CodeInvalidSignature:       "Invalid signature",
	CodeEmptySignature:         "Empty signature",
	CodeRefundAmountMismatch:   "Refund amount more than init amount",
	CodeRefundCurrencyMismatch: "Refund currency mismatched or empty",
	CodeInvalidRequest:         "Invalid request",
	DeclineGeneral:             "General decline",
	DeclineOverMaxLimit:        "Operation amount is great than max limit",
	DeclineInsufficientFunds:   "Insufficient funds on customer account",
	DeclineByMerchant:          "Operation was declined by merchant",
	DeclineMerchantNoAnswer:    "Merchant did not respond during the operation confirmation process",
}

// CodeMessage returns ecommpay's message for code, or "" for an unknown code.
func CodeMessage(code int) string { return codeMessages[code] }

// FieldError names one field of a request that is wrong and why.
type FieldError struct {
	Code    int    `json:"code"`
	Field   string `json:"field,omitempty"` // left out when no one field is at fault
	Message string `json:"message"`
}

// Error is the one error type of the sandbox that carries an ecommpay code.
// Adapters turn it into an HTTP answer in one place each; everything else
// wraps it with %w and matches it with errors.As.
type Error struct {
	Code    int          // ecommpay code, e.g. CodeRequiredField
	Message string       // ecommpay message for Code
	Detail  string       // what exactly is wrong and how to fix it
	Fields  []FieldError // the fields at fault, when there are any
	Err     error        // the cause, if any
}

// Errorf returns an *Error with code's message and a detail built from format.
func Errorf(code int, format string, args ...any) *Error {
	return &Error{Code: code, Message: CodeMessage(code), Detail: fmt.Sprintf(format, args...)}
}

// InvalidFields is the 2003 error (CodeInvalidJSON) of fields whose values
// are unusable, each field's code set to it: its message names the first
// field and says how many more the list holds.
func InvalidFields(fields []FieldError) *Error {
	for i := range fields {
		fields[i].Code = CodeInvalidJSON
	}
	first := fields[0].Field + " " + fields[0].Message
	msg := CodeMessage(CodeInvalidJSON) + ": " + first
	if len(fields) > 1 {
		msg += fmt.Sprintf(" (and %d more field(s), see errors)", len(fields)-1)
	}
	return &Error{Code: CodeInvalidJSON, Message: msg, Detail: first, Fields: fields}
}

// Error returns the message followed by the detail.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s", e.Code, e.Message)
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// ErrorCode returns the ecommpay code carried by err, or 0 when err carries none.
func ErrorCode(err error) int {
	var pe *Error
	if errors.As(err, &pe) {
		return pe.Code
	}
	return 0
}

// Sentinel errors of the store, matched with errors.Is.
var (
	ErrNotFound = errors.New("not found")
	ErrExists   = errors.New("already exists")
)

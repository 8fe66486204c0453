package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// Page is what every page has: its title, language and whose page it is.
// Every view model embeds it.
type Page struct {
	// Title names the page in the browser tab (" · ecommpay sandbox" follows).
	Title string
	// Lang is the page's BCP 47 language; "en" when empty.
	Lang string
	// Brand is the method the page belongs to (its provider's pages); the
	// zero Brand is the sandbox's own.
	Brand platform.Brand
}

// Link is a link a page offers.
type Link struct {
	Label string
	URL   string
}

// Alert is a message a page shows above its content: a refusal, a warning.
type Alert struct {
	Title   string
	Message string
	// Field is the id of the form field the alert is about, if any.
	Field string
	// Link is where to go from here, if anywhere.
	Link *Link
}

// VoucherState is where a voucher stands, as its page shows it.
type VoucherState string

// Voucher states.
const (
	VoucherUnpaid    VoucherState = "unpaid"    // payable at terminals and banks
	VoucherBankOnly  VoucherState = "bank_only" // terminals refuse it, a bank still accepts it
	VoucherPaid      VoucherState = "paid"
	VoucherExpired   VoucherState = "expired"
	VoucherCancelled VoucherState = "cancelled" // the provider declined the payment
)

// VoucherPage is a voucher as the customer sees it: what to pay, the
// reference and barcode to show at the counter, until when, and where it
// stands.
type VoucherPage struct {
	Page
	Reference   string // the digits, ungrouped
	Amount      platform.Sum
	Description string // the merchant's payment description
	Customer    string // the customer's full name
	ProjectID   int64
	PaymentID   string
	BarcodeURL  string
	// BarcodeWidth and BarcodeHeight are the barcode's size on the page,
	// in CSS pixels.
	BarcodeWidth, BarcodeHeight int
	TerminalURL                 string // the sandbox terminal, with the reference filled in
	ReturnURL                   string // back to the merchant, when the merchant gave one
	IssuedAt                    time.Time
	ValidUntil                  time.Time // terminals accept it until then
	BankUntil                   time.Time // a bank accepts it until then; zero: no bank window
	State                       VoucherState
	// StateAt is when it was paid, expired or was cancelled.
	StateAt time.Time
	// Channel says where it was paid: "at an OXXO store", "at a bank".
	Channel string
	// Reason is why the provider cancelled it (the decline message).
	Reason string
}

// Payable reports whether the customer can still pay the voucher somewhere.
func (v VoucherPage) Payable() bool { return v.State == VoucherUnpaid || v.State == VoucherBankOnly }

// TerminalPage is the sandbox's payment terminal (or bank counter) of a
// voucher provider: enter a reference, pay it, get a receipt.
type TerminalPage struct {
	Page
	Action    string // where the form posts
	Reference string // as entered
	Channel   string // "terminal" or "bank"
	// BankNote says until when banks accept vouchers, e.g. "until day 30".
	BankNote string
	Error    *Alert
	Receipt  *Receipt
	// Pending lists unpaid vouchers a tester may want to pay.
	Pending []PendingVoucher
}

// PendingVoucher is an unpaid voucher listed at the terminal.
type PendingVoucher struct {
	Reference  string
	Amount     platform.Sum
	ValidUntil time.Time
	URL        string // the terminal with this reference filled in
}

// Receipt is what a terminal prints once a voucher is paid.
type Receipt struct {
	Reference         string
	Amount            platform.Sum
	PaidAt            time.Time
	Channel           string // "at an OXXO store", "at a bank"
	ProviderPaymentID string
	ProjectID         int64
	PaymentID         string
	Description       string
	VoucherURL        string
}

// ErrorPage explains what went wrong: Title (in Page) is the headline,
// Message says what exactly and how to fix it, Details add the specifics,
// Status is the HTTP status it is served with.
type ErrorPage struct {
	Page
	Status  int
	Message string
	Details []string
	Back    *Link
}

// NewErrorPage returns an error page.
func NewErrorPage(status int, title, message string, details ...string) ErrorPage {
	return ErrorPage{Page: Page{Title: title}, Status: status, Message: message, Details: details}
}

// HTTPStatus is the HTTP status that answers err on the sandbox's pages and
// its control API (the Gate answers every refusal with 400, as ecommpay
// does): a *platform.Error about a payment or project that does not exist
// is 404, one that the payment's state or an earlier payment forbids is
// 409, any other is 400; an error that carries no code is the sandbox's
// own failure, 500.
func HTTPStatus(err error) int {
	var pe *platform.Error
	if !errors.As(err, &pe) {
		return http.StatusInternalServerError
	}
	switch pe.Code {
	case platform.CodeNotFound, platform.CodeProjectNotFound:
		return http.StatusNotFound
	case platform.CodeStatusForbids, platform.CodePaymentExists:
		return http.StatusConflict
	}
	return http.StatusBadRequest
}

// ErrorFrom turns an error into its page, the one way every page of the
// sandbox but the Payment Page (which speaks the customer's language)
// words a failure: a *platform.Error becomes a page with its message,
// detail and fields, served with HTTPStatus; any other error is a 500.
func ErrorFrom(err error) ErrorPage {
	var pe *platform.Error
	if !errors.As(err, &pe) {
		return NewErrorPage(http.StatusInternalServerError, "Something went wrong in the sandbox", err.Error())
	}
	msg := pe.Detail
	if msg == "" {
		msg = pe.Message
	}
	page := NewErrorPage(HTTPStatus(err), pe.Message, msg)
	for _, f := range pe.Fields {
		page.Details = append(page.Details, f.Field+": "+f.Message)
	}
	return page
}

// StatusText is the headline of an HTTP status for error pages.
func (e ErrorPage) StatusText() string { return http.StatusText(e.Status) }

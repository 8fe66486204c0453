package platform

import (
	"encoding/json"
	"fmt"
	"time"
)

// Status is the status of a payment or of an operation, exactly as ecommpay
// writes it.
type Status string

// Statuses of payments and operations (docs/gate.md "Refund").
const (
	StatusProcessing            Status = "processing"
	StatusAwaitingRedirect      Status = "awaiting redirect result"
	StatusAwaitingClarification Status = "awaiting clarification"
	StatusSuccess               Status = "success"
	StatusDecline               Status = "decline"
	StatusRefunded              Status = "refunded"
	StatusError                 Status = "error"
)

// Final reports whether an operation in status s has reached its end.
func (s Status) Final() bool {
	return s == StatusSuccess || s == StatusDecline || s == StatusRefunded || s == StatusError
}

// Interface says how a payment was started.
type Interface string

// The interfaces a payment can come through.
const (
	InterfaceGate        Interface = "gate"
	InterfacePaymentPage Interface = "payment_page"
)

// Operation types.
const (
	OperationSale   = "sale"
	OperationRefund = "refund"
)

// DateLayout is how ecommpay writes dates: UTC with a numeric zone.
const DateLayout = "2006-01-02T15:04:05-0700"

// FormatDate formats t as ecommpay does, in UTC.
func FormatDate(t time.Time) string { return t.UTC().Format(DateLayout) }

// Sum is an amount in minor units with its ISO 4217 currency.
type Sum struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// String formats s as "100.00 USD".
func (s Sum) String() string {
	sign := ""
	a := s.Amount
	if a < 0 {
		sign, a = "-", -a
	}
	return fmt.Sprintf("%s%d.%02d %s", sign, a/100, a%100, s.Currency)
}

// IsCurrencyCode reports whether s is written as an ISO 4217 alpha-3 code:
// three capital letters.
func IsCurrencyCode(s string) bool {
	if len(s) != 3 {
		return false
	}
	for _, c := range s {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

// MaxIDLength is the most characters a payment ID or a customer ID may have,
// at the Gate as on the Payment Page.
const MaxIDLength = 255

// MaxAmount is the largest amount, in minor units, a payment may have:
// 2^53-1, the largest whole number JavaScript reads exactly. The callbacks
// carry the amount as a JSON number, and the JS SDK, which parses it as a
// double, could not verify the signature of a larger one.
const MaxAmount = 1<<53 - 1

// PaymentKey identifies a payment: payment IDs are unique within a project.
type PaymentKey struct {
	ProjectID int64  `json:"project_id"`
	PaymentID string `json:"payment_id"`
}

// String formats k as "project/payment".
func (k PaymentKey) String() string { return fmt.Sprintf("%d/%s", k.ProjectID, k.PaymentID) }

// Customer is what the merchant said about the customer.
type Customer struct {
	ID        string `json:"id"`
	IPAddress string `json:"ip_address,omitempty"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
	Email     string `json:"email,omitempty"`
	Phone     string `json:"phone,omitempty"`
	DocNumber string `json:"doc_number,omitempty"`
	Country   string `json:"country,omitempty"`
}

// ReturnURLs are where the customer goes back to after the provider.
type ReturnURLs struct {
	Success string `json:"success,omitempty"`
	Decline string `json:"decline,omitempty"`
	Return  string `json:"return,omitempty"`
}

// CallbackOptions are the per-payment callback settings of a request.
type CallbackOptions struct {
	URL      string        `json:"url,omitempty"`      // overrides the project's callback URL
	Delay    time.Duration `json:"delay,omitempty"`    // callback.delay
	Disabled bool          `json:"disabled,omitempty"` // callback.force_disable
}

// CallbackURL is where p's callbacks go now: its own callback URL
// (merchant_callback_url), else its project's as the project has it now;
// "" when neither has one, and its callbacks wait in the delivery log. A
// new callback goes there, and so does a resent one; a retry keeps its
// first attempt's URL.
func (p *Payment) CallbackURL(project Project) string {
	if p.Callback.URL != "" {
		return p.Callback.URL
	}
	return project.CallbackURL
}

// Redirect is where the merchant must send the customer (redirect_data).
type Redirect struct {
	URL    string `json:"url"`
	Method string `json:"method"`
	// Body is the JSON of the request body to send: an object, or for some
	// providers an empty list when the method is GET.
	Body json.RawMessage `json:"body"`
}

// Voucher is a voucher issued by a voucher provider (Oxxo, Loterica, Rapipago).
type Voucher struct {
	Reference  string    `json:"reference"`
	Barcode    string    `json:"barcode"` // the digits the barcode encodes
	Amount     Sum       `json:"amount"`
	IssuedAt   time.Time `json:"issued_at"`
	ValidUntil time.Time `json:"valid_until"`
	// BankUntil is the end of the bank window, zero when the variant has none.
	BankUntil time.Time `json:"bank_until,omitzero"`
	PaidAt    time.Time `json:"paid_at,omitzero"`
	Channel   string    `json:"channel,omitempty"` // terminal or bank, once paid
}

// LastDay returns the last moment the voucher can be paid through any channel.
func (v *Voucher) LastDay() time.Time {
	if !v.BankUntil.IsZero() {
		return v.BankUntil
	}
	return v.ValidUntil
}

// OperationError is one entry of an operation's errors list.
type OperationError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// Operation is one operation of a payment: its sale, or its refund.
type Operation struct {
	ID        int64            `json:"id"`
	Type      string           `json:"type"`
	Status    Status           `json:"status"`
	RequestID string           `json:"request_id"`
	Sum       Sum              `json:"sum_initial"`
	Converted Sum              `json:"sum_converted"`
	Code      string           `json:"code"`
	Message   string           `json:"message"`
	Errors    []OperationError `json:"errors,omitempty"`
	// ProviderPaymentID is the mock provider's own reference.
	ProviderPaymentID string    `json:"provider_payment_id"`
	AuthCode          string    `json:"auth_code"`
	ProviderDate      time.Time `json:"provider_date,omitzero"`
	CreatedAt         time.Time `json:"created_at"`
	UpdatedAt         time.Time `json:"updated_at"`
}

// Payment is one payment of a project with its operations.
type Payment struct {
	ProjectID   int64           `json:"project_id"`
	ID          string          `json:"id"`
	Method      string          `json:"method"` // Method.Code of its provider
	Interface   Interface       `json:"interface"`
	Status      Status          `json:"status"`
	Amount      Sum             `json:"amount"` // what was asked for
	Sum         Sum             `json:"sum"`    // what remains captured: 0 after a full refund
	Description string          `json:"description"`
	Customer    Customer        `json:"customer"`
	ReturnURLs  ReturnURLs      `json:"return_urls"`
	Callback    CallbackOptions `json:"callback"`
	Language    string          `json:"language,omitempty"`
	// PageOptions are Payment Page parameters kept for the pages that follow.
	PageOptions map[string]string `json:"page_options,omitempty"`
	// Redirect is set while the customer must be sent to the provider.
	Redirect *Redirect `json:"redirect,omitempty"`
	// Clarification lists the missing fields while the payment awaits them.
	Clarification []string `json:"clarification,omitempty"`
	Voucher       *Voucher `json:"voucher,omitempty"`
	// ProviderData is the mock provider's private state, owned by its package.
	ProviderData json.RawMessage `json:"provider_data,omitempty"`
	Operations   []Operation     `json:"operations"`
	// Callbacks sums up how the payment's callbacks stand; the engine's
	// outbox keeps it current with every attempt.
	Callbacks CallbackSummary `json:"callbacks"`
	// Streams counts the random streams the payment has opened: the next
	// one is derived from it (see the engine's stream).
	Streams   uint64    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Key returns the payment's key.
func (p *Payment) Key() PaymentKey { return PaymentKey{ProjectID: p.ProjectID, PaymentID: p.ID} }

// Sale returns the payment's sale operation.
func (p *Payment) Sale() *Operation {
	for i := range p.Operations {
		if p.Operations[i].Type == OperationSale {
			return &p.Operations[i]
		}
	}
	return nil
}

// Last returns the payment's newest operation.
func (p *Payment) Last() *Operation {
	if len(p.Operations) == 0 {
		return nil
	}
	return &p.Operations[len(p.Operations)-1]
}

// Refund returns the payment's newest refund operation, or nil. A payment
// may have several: a declined refund leaves the payment success, and the
// merchant may ask again (docs/gate.md "Refund").
func (p *Payment) Refund() *Operation {
	for i := len(p.Operations) - 1; i >= 0; i-- {
		if p.Operations[i].Type == OperationRefund {
			return &p.Operations[i]
		}
	}
	return nil
}

// Refundable reports whether the payment may be asked for a refund now:
// it is success and no refund of it is still under way.
func (p *Payment) Refundable() bool {
	r := p.Refund()
	return p.Status == StatusSuccess && (r == nil || r.Status.Final())
}

// CallbackHealth says how a payment's callbacks stand, for lists and filters.
type CallbackHealth string

// Callback healths, from the payment's newest callback.
const (
	CallbacksNone    CallbackHealth = ""        // no callback yet
	CallbacksPending CallbackHealth = "pending" // waiting for its first attempt
	CallbacksOK      CallbackHealth = "ok"      // delivered: the merchant answered 200
	CallbacksFailing CallbackHealth = "failing" // the merchant refused or did not answer; retries follow
	CallbacksFailed  CallbackHealth = "failed"  // a callback ran out of attempts
	CallbacksHeld    CallbackHealth = "held"    // no callback URL, or suppressed: kept in the log only
)

// CallbackSummary is what a list shows of a payment's callbacks.
type CallbackSummary struct {
	Health CallbackHealth `json:"health,omitempty"`
	// Count is how many callbacks the payment caused; Attempts how many
	// times they were tried, all together.
	Count    int `json:"count,omitempty"`
	Attempts int `json:"attempts,omitempty"`
	// LastStatus is the HTTP status of the merchant's last answer (0: none
	// came); LastError says why the last attempt failed.
	LastStatus int       `json:"last_status,omitempty"`
	LastError  string    `json:"last_error,omitempty"`
	LastAt     time.Time `json:"last_at,omitzero"`
	// NextAttempt is when the next attempt is due, while one is.
	NextAttempt time.Time `json:"next_attempt,omitzero"`
}

// Project is what ecommpay gives a merchant at integration.
type Project struct {
	ID              int64  `json:"id" yaml:"id"`
	Secret          string `json:"secret" yaml:"secret"`
	CallbackURL     string `json:"callback_url" yaml:"callback_url"`
	CheckDepositURL string `json:"check_deposit_url" yaml:"check_deposit_url"`
	// Methods overrides the sandbox's method settings for this project.
	Methods map[string]MethodSettings `json:"methods,omitempty" yaml:"methods"`
}

// DemoProject is the project that exists out of the box (docs/control-api.md "Projects").
func DemoProject() Project { return Project{ID: 1, Secret: "secret"} }

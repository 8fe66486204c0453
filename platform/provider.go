package platform

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"
)

// Method describes a payment method as merchants see it.
type Method struct {
	Code          string   // the provider's folder and route name: "oxxo", "card-partner"
	Name          string   // what a person reads: "Oxxo"
	PaymentMethod string   // payment.method in callbacks: "oxxo", "Card partner"
	ProviderID    int      // operation.provider.id
	GatePath      string   // the Gate sale endpoint
	ForceCodes    []string // force_payment_method values that select it
	Currencies    []string
	// GateRequired lists the Gate body fields the method requires, as dotted
	// paths ("customer.identify.doc_number"), beyond general.project_id,
	// general.payment_id, general.signature, payment.amount and payment.currency.
	GateRequired []string
	// FieldHelp says what a Gate field holds for this method, where that is
	// the method's own (Oxxo's document number: "10 to 18 digits"): the 2004
	// answer naming the field missing says it instead of the Gate's words.
	FieldHelp map[string]string
	// ExampleSale is the body of a sale the method's Gate endpoint accepts,
	// with the fields its documentation asks for, without general
	// (project_id, payment_id and signature, which the sender fills in): a
	// JSON object.
	// GET /sandbox/methods lists it and a scenario's `sale:` step starts
	// from it. A method with a GatePath needs one; New checks that it is an
	// object.
	ExampleSale json.RawMessage
	// PageRequired lists Payment Page parameters the method needs beyond the
	// base ones; the page asks the customer for those that are missing.
	PageRequired []string
	// CheckField checks one Payment Page parameter the customer typed
	// ("identify_doc_number", "customer_email", …) with the method's own rule
	// and returns what is wrong with it, or "", in lang, the page's language
	// ("en", "es", "pt"; anything else is English). Nil: no rule beyond
	// presence.
	CheckField func(param, value, lang string) string
	// ZeroAmount says the amount may be 0 (the customer sets it at the provider).
	ZeroAmount bool
	// RedirectLink says the Payment Page shows the customer a link to the
	// provider's page, which they follow themselves, instead of sending
	// them on at once (Oxxo, Rapipago: their documentation shows this step).
	RedirectLink bool
	// RefundPath is the Gate refund endpoint of a provider that refunds
	// (a Refunder); "" for one that does not. The console names it beside
	// its refund button.
	RefundPath string
	// Refunds says the method refunds: the engine sets it from whether the
	// provider is a Refunder.
	Refunds bool
	// PayWith says what a pay without input pays with (the control API's
	// pay with no body, the console's pay button), for that button's label:
	// "test vouchers" makes it "Pay with test vouchers"; "" is "Pay". A
	// voucher is paid at a terminal or a bank instead, a button each.
	PayWith string
	// Settings names the method settings it takes besides min_amount,
	// max_amount and whole_units, which every method takes: "variant",
	// "timeout", "rates" (see MethodSettings). Settings that set another
	// are refused.
	Settings []string
	// Brand is how the method looks to customers: the tile the Payment Page
	// and the demo shop list it with, and the header of its own pages.
	Brand Brand
	// Hints say in a few words what paying with the method means, by
	// language ("en", "es", "pt": every language the Payment Page speaks),
	// under its name on the Payment Page: "Cash at any OXXO store in Mexico".
	Hints map[string]string
	// Callback is what the method's callbacks carry beyond the fields every
	// callback has.
	Callback CallbackShape
	// Location is the time of the method's country (Oxxo: Mexico City),
	// in which its customers' pages write moments; nil: UTC.
	Location *time.Location
	// Pages are the provider's own pages a person may open directly
	// (a terminal, a wallet), linked from the sandbox's front page.
	Pages    []PageLink
	Defaults MethodSettings
	// Jobs says what each of the provider's jobs does, by job name, in a
	// few words a developer reads in the console's timeline under a
	// payment's pending work: "lapse": "the voucher lapses if nobody paid
	// it".
	Jobs map[string]string
	// VoucherPages returns the pages of the voucher with reference ref, for
	// a method whose steps issue vouchers (Step.Voucher): the control API
	// and the console link them. Nil links none.
	VoucherPages func(ref string) VoucherPages
}

// Brand is how a payment method looks: its name, wordmarks and colours.
// Colours are CSS hex colours ("#c8102e"); pages drop anything else. Ink
// on Color must be readable: a contrast of at least 4.5:1 (WCAG AA), which
// a test checks for every registered method.
type Brand struct {
	Name string // "Oxxo"
	// Mark is the wordmark in the header of the method's pages: "OXXO".
	Mark string
	// Tile is the short wordmark of the method's tile on the Payment Page
	// and the demo shop ("OXXO", "eco"); "" draws a card instead.
	Tile   string
	Color  string // the header band and the tile
	Ink    string // text on Color
	Accent string // the stripe under the header band
	// Outlet is where customers pay a voucher: "OXXO store".
	Outlet string
	// Product names the payment product on the voucher: "OXXO Pay".
	Product string
}

// VoucherPages are the pages of one voucher, as paths on the sandbox.
type VoucherPages struct {
	Page     string // the voucher, as its customer prints it
	Barcode  string // the image of its barcode
	Terminal string // the terminal that takes it, its reference filled in
}

// PageLink is a page of a provider.
type PageLink struct {
	Label string
	URL   string // a path on the sandbox
}

// Supports reports whether the method accepts currency.
func (m Method) Supports(currency string) bool { return slices.Contains(m.Currencies, currency) }

// Env is what a provider may use while it decides: the moment of the
// operation, the sandbox's randomness, the method's settings and where the
// sandbox serves its pages.
type Env struct {
	Now      time.Time
	Rand     io.Reader
	Settings MethodSettings
	BaseURL  string // e.g. http://127.0.0.1:8080, no trailing slash
	Project  Project

	tx Tx // the transaction the decision is made in
}

// Step is what a provider decided: the next state of the payment's current
// operation and what it must do next. The engine applies it, emits the
// callback it implies and schedules its jobs, all in one transaction.
type Step struct {
	// Status is the new status of the current operation (and of the payment,
	// as the engine derives it); "" leaves it as it is.
	Status  Status
	Code    int // decline code, with Status decline
	Message string
	Errors  []OperationError
	// ProviderPaymentID is the provider's reference for the operation.
	ProviderPaymentID string
	AuthCode          string
	Redirect          *Redirect
	Clarification     []string
	Voucher           *Voucher
	// Amount replaces the payment's amount (EcoVoucher: the vouchers' sum).
	Amount *Sum
	// Converted is sum_converted when it differs from the amount.
	Converted *Sum
	// Data replaces the provider's private state of the payment.
	Data json.RawMessage
	// References are provider references (voucher numbers) under which the
	// payment can be found again; a reference belongs to one payment.
	References []string
	// Release gives up references of this payment (vouchers a merchant
	// refused), so that other payments may use them.
	Release []string
	// Jobs are provider jobs to run later, each at its due time.
	Jobs []ProviderJob
	// Notify sends a callback for a non-final status (Gate only: redirect,
	// clarification). Final statuses always notify.
	Notify bool
	// Platform says the platform made this step before any provider had the
	// operation (a currency or an amount the method does not take): the
	// operation gets no provider date.
	Platform bool
	// Confirm asks the merchant to confirm the amount with a check_deposit
	// request once this step is stored; the provider's Confirmed decides
	// what follows from the answer.
	Confirm bool
}

// ProviderJob asks the engine to call the provider's Job at Due.
type ProviderJob struct {
	Name string
	Due  time.Time
}

// Decline returns a Step that declines with code and its ecommpay message.
func Decline(code int, errs ...OperationError) Step {
	return Step{Status: StatusDecline, Code: code, Message: CodeMessage(code), Errors: errs}
}

// Provider is a mock payment provider: it decides what happens to a payment
// of its method. Its methods are pure decisions made inside a store
// transaction: they must not do I/O, and they read time and randomness only
// from env.
type Provider interface {
	Method() Method
	// Start hands an accepted sale to the provider after the synchronous
	// answer; the engine has already checked the currency and the settings'
	// amount limits.
	Start(p *Payment, env Env) (Step, error)
	// Pay is the customer paying (a terminal, a bank, a wallet, a card page).
	// in is how, in the provider's own terms: a JSON object the provider
	// decodes (DecodeInput) from the control API's pay body or from its own
	// pages; it is empty when the caller said nothing. A refusal that
	// changes nothing is an *Error with CodeStatusForbids; input the
	// provider cannot read is one with CodeInvalidRequest.
	Pay(p *Payment, in json.RawMessage, env Env) (Step, error)
	// Fail is the provider declining the payment on the customer's side.
	Fail(p *Payment, code int, env Env) (Step, error)
	// Expire lapses what the customer has not finished, now.
	Expire(p *Payment, env Env) (Step, error)
	// Job runs a provider job that fell due.
	Job(p *Payment, name string, env Env) (Step, error)
}

// Refunder is a Provider that refunds (card-partner).
type Refunder interface {
	Provider
	Refund(p *Payment, env Env) (Step, error)
}

// AmountChecker is a Provider whose amount rules go beyond the limits of
// MethodSettings (card-partner: limits per currency). The engine applies
// its CheckAmount before Start, as it applies the shared CheckAmount (a
// decline 20000 then carries the platform's reference), and Engine.Takes
// tells the Payment Page the same as the sale would.
type AmountChecker interface {
	Provider
	// CheckAmount returns the decline of a sale of sum under settings, and
	// true, when the provider refuses the amount.
	CheckAmount(sum Sum, settings MethodSettings) (Step, bool)
}

// DepositAnswer is what a merchant answered to a check_deposit request.
type DepositAnswer struct {
	Confirmed bool
	// Code is the decline code when not confirmed: DeclineByMerchant for a
	// refusal or an HTTP error, DeclineMerchantNoAnswer for no answer in time.
	Code   int
	Reason string // what happened, for people
}

// Confirmer is a Provider whose payments the merchant confirms (EcoVoucher).
type Confirmer interface {
	Provider
	// Confirmed decides what follows the merchant's answer.
	Confirmed(p *Payment, a DepositAnswer, env Env) (Step, error)
}

// DepositChecker sends check_deposit requests: platform/callback implements it.
type DepositChecker interface {
	CheckDeposit(ctx context.Context, now time.Time, project Project, body []byte) (Attempt, DepositAnswer)
}

// SettingsChecker is a Provider that refuses settings it cannot work with
// (an unknown voucher variant), so that a bad config fails when it is
// loaded rather than at the first sale.
type SettingsChecker interface {
	Provider
	CheckSettings(s MethodSettings) error
}

// Clarifier is a Provider that can continue a payment awaiting
// clarification once the missing fields arrive.
type Clarifier interface {
	Provider
	Clarify(p *Payment, env Env) (Step, error)
}

// ReferenceOwner returns the payment a reference of this method belongs to,
// read in the decision's own transaction; false when it belongs to none.
func (env Env) ReferenceOwner(method, ref string) (PaymentKey, bool, error) {
	if env.tx == nil {
		return PaymentKey{}, false, errors.New("platform: Env has no transaction")
	}
	k, err := env.tx.PaymentByReference(method, ref)
	if errors.Is(err, ErrNotFound) {
		return PaymentKey{}, false, nil
	}
	if err != nil {
		return PaymentKey{}, false, err
	}
	return k, true, nil
}

// checkExampleSale says what is wrong with m's ExampleSale: a method with
// a Gate endpoint needs one, a JSON object without general.
func checkExampleSale(m Method) error {
	if m.GatePath == "" && len(m.ExampleSale) == 0 {
		return nil
	}
	var body map[string]json.RawMessage
	if err := json.Unmarshal(m.ExampleSale, &body); err != nil || body == nil {
		return fmt.Errorf("platform: method %q: ExampleSale must be a JSON object, the body of a sale that %s accepts without general (got %q)", m.Code, m.GatePath, m.ExampleSale)
	}
	if _, ok := body["general"]; ok {
		return fmt.Errorf("platform: method %q: ExampleSale has general, which whoever sends the sale fills in: leave it out", m.Code)
	}
	return nil
}

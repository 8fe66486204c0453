package sandboxtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// Project is a project of the sandbox: its ID, secret, URLs and method
// settings. Left empty, CallbackURL and CheckDepositURL point at the
// built-in merchant.
type Project = platform.Project

// MethodSettings tune a payment method: limits, voucher variant, timeouts.
type MethodSettings = platform.MethodSettings

// PayInput is what a customer does to pay through the control API with the
// sandbox's methods: the body of POST /sandbox/payments/{project}/{id}/pay,
// which the payment's method reads (docs/control-api.md). Each field
// belongs to the methods that take it; a method refuses a field it does
// not take. Pay takes any other method's own input as well.
type PayInput struct {
	// Channel is where a voucher (Oxxo, Lotérica, Rapipago) is paid:
	// "terminal" (the default) or "bank".
	Channel string `json:"channel,omitempty"`
	// Vouchers are the EcoVoucher vouchers entered; none pays with test
	// vouchers worth the amount.
	Vouchers []Voucher `json:"vouchers,omitempty"`
	// Method is how the card partner's checkout is paid: "card", "mpesa",
	// "airtel", "equity", or "cancel".
	Method string `json:"method,omitempty"`
	// Card is the card number at the card partner's checkout.
	Card string `json:"card,omitempty"`
	// Phone is the mobile wallet's phone number at the card partner's
	// checkout.
	Phone string `json:"phone,omitempty"`
}

// Voucher is one EcoVoucher voucher a customer enters.
type Voucher struct {
	Number       string `json:"number"`
	SecurityCode string `json:"security_code"`
	Expiry       string `json:"expiry"`
}

// Method is a payment method as the sandbox lists it (GET /sandbox/methods):
// where its sales and refunds go, and a sale its Gate endpoint accepts.
type Method struct {
	Code         string   `json:"code"` // "oxxo"
	Name         string   `json:"name"` // "Oxxo"
	Currencies   []string `json:"currencies"`
	GatePath     string   `json:"gate_path"`   // "" for a method the Payment Page alone sells
	RefundPath   string   `json:"refund_path"` // "" for a method that does not refund
	GateRequired []string `json:"gate_required"`
	// ExampleSale is a Gate sale body the method accepts once general is
	// added (project_id, payment_id, signature): Sale makes one.
	ExampleSale json.RawMessage `json:"example_sale"`
}

// Sale returns a fresh copy of m's example sale with general.payment_id
// set (no general for ""), to send with Gate (which adds project_id and
// the signature) and to change as a test needs.
func (m Method) Sale(paymentID string) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(m.ExampleSale))
	dec.UseNumber()
	var body map[string]any
	if err := dec.Decode(&body); err != nil || body == nil {
		return nil, fmt.Errorf("sandboxtest: method %s: its example sale is no JSON object: %q", m.Code, m.ExampleSale)
	}
	if paymentID != "" {
		body["general"] = map[string]any{"payment_id": paymentID}
	}
	return body, nil
}

// Delivery is a callback or check_deposit request with its attempts, as the
// control API lists it.
type Delivery = platform.Delivery

// DefaultTime is where a sandbox's frozen clock starts unless WithTime
// says, in RFC 3339.
const DefaultTime = "2026-01-05T09:00:00Z"

// DefaultSeed seeds a sandbox's IDs and references unless WithSeed says.
const DefaultSeed = 1

// Option configures a sandbox.
type Option func(*options)

type options struct {
	projects        []Project
	methods         map[string]MethodSettings
	seed            uint64
	start           time.Time
	running         bool
	callbackTimeout time.Duration
	log             *slog.Logger
}

func newOptions(opts []Option) options {
	start, _ := time.Parse(time.RFC3339, DefaultTime) // a valid constant
	o := options{seed: DefaultSeed, start: start, methods: map[string]MethodSettings{}}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// WithProject adds a project (a later one with the same ID replaces it).
func WithProject(p Project) Option {
	return func(o *options) {
		for i := range o.projects {
			if o.projects[i].ID == p.ID {
				o.projects[i] = p
				return
			}
		}
		o.projects = append(o.projects, p)
	}
}

// WithMethodSettings tunes a payment method (its code, such as "oxxo") for
// every project; a project's own settings win. Against a running sandbox
// (Connect) they are added to each project the sandbox is given.
func WithMethodSettings(method string, s MethodSettings) Option {
	return func(o *options) { o.methods[method] = s }
}

// WithSeed seeds IDs and voucher references (default DefaultSeed).
func WithSeed(seed uint64) Option {
	return func(o *options) { o.seed = seed }
}

// WithTime starts the sandbox clock at t (default DefaultTime).
func WithTime(t time.Time) Option {
	return func(o *options) { o.start = t.UTC() }
}

// WithRunningClock lets the clock run at wall speed from its start instead
// of standing frozen.
func WithRunningClock() Option {
	return func(o *options) { o.running = true }
}

// WithCallbackTimeout bounds how long the sandbox waits for the merchant's
// answer to a callback or a check_deposit request (default 10 s).
func WithCallbackTimeout(d time.Duration) Option {
	return func(o *options) { o.callbackTimeout = d }
}

// WithLogger sends the sandbox's logs to log (default: discarded).
func WithLogger(log *slog.Logger) Option {
	return func(o *options) { o.log = log }
}

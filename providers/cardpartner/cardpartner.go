package cardpartner

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// Code is the method's code: its route name and force_payment_method value.
const Code = "card-partner"

// ProviderID is operation.provider.id of card-partner operations.
const ProviderID = 2377

// Provider jobs.
const (
	// JobPageTTL declines a payment whose customer did not finish at the
	// checkout within its ttl.
	JobPageTTL = "page_ttl"
	// JobClarificationTimeout declines a payment whose missing fields the
	// merchant did not send within ClarificationTimeout.
	JobClarificationTimeout = "clarification_timeout"
)

// DefaultTTL is how long the checkout stays open (the redirect body's ttl);
// the method's Timeout setting overrides it.
const DefaultTTL = 900 * time.Second

// ClarificationTimeout is how long a payment awaits its missing fields.
const ClarificationTimeout = 30 * time.Minute

// Fields a Gate sale should carry; without them the payment awaits
// clarification.
const (
	FieldPhone = "customer.phone"
	FieldEmail = "customer.email"
)

// Limits bounds a payment's amount in one currency, in minor units.
type Limits struct {
	Min, Max int64
}

// limits are the seed's amount limits per currency.
var limits = map[string]Limits{
	"KES": {Min: 10_00, Max: 200_000_00},
	"USD": {Min: 1_00, Max: 3_000_00},
}

// AmountLimits returns the limits of currency, false for a currency the
// method does not take.
func AmountLimits(currency string) (Limits, bool) {
	l, ok := limits[currency]
	return l, ok
}

// Method returns card-partner as merchants see it.
func Method() platform.Method {
	return platform.Method{
		Code:          Code,
		Name:          "Card partner",
		PaymentMethod: "Card partner",
		ProviderID:    ProviderID,
		GatePath:      "/v2/payment/card-partner/sale",
		ForceCodes:    []string{Code},
		Currencies:    []string{"KES", "USD"},
		GateRequired:  []string{"customer.id", "customer.ip_address"},
		ExampleSale: json.RawMessage(`{
			"customer": {"id": "customer-1", "ip_address": "198.51.100.7", "phone": "254712375678", "email": "customer@example.com"},
			"payment": {"amount": 150000, "currency": "KES"},
			"return_url": {"success": "https://shop.example/success", "decline": "https://shop.example/decline"}}`),
		PageRequired: []string{"customer_phone", "customer_email"},
		CheckField:   CheckField,
		RefundPath:   "/v2/payment/card-partner/refund",
		PayWith:      "the test card", // the first of the checkout's list
		// The partner's callbacks name the customer by phone only, and carry
		// no provider.date.
		Callback: platform.CallbackShape{Customer: []platform.CustomerField{platform.CustomerPhone}},
		Settings: []string{"timeout"}, // the checkout's ttl
		Defaults: platform.MethodSettings{Timeout: platform.Duration(DefaultTTL)},
		Brand:    Brand(),
		Jobs: map[string]string{
			JobPageTTL:              "the partner's checkout closes if the customer has not paid",
			JobClarificationTimeout: "declined if the merchant has not sent the missing fields",
		},
		Hints: map[string]string{
			"en": "Card or mobile money",
			"es": "Tarjeta o dinero móvil",
			"pt": "Cartão ou dinheiro móvel",
		},
	}
}

// CheckField checks the Payment Page parameters the partner needs, as the
// customer typed them: customer_phone must have 9 to 15 digits (spaces,
// dashes and a leading + aside), customer_email must look like an address.
// It returns what is wrong in lang, or "".
func CheckField(param, value, lang string) string {
	t := web.NewTranslator(lang).With(words)
	switch param {
	case "customer_phone":
		_, msg := checkPhone(value, t)
		return msg
	case "customer_email":
		v := strings.TrimSpace(value)
		local, domain, ok := strings.Cut(v, "@")
		if v == "" || !ok || local == "" || !strings.Contains(domain, ".") || strings.ContainsAny(v, " ,;<>") ||
			strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "@") {
			return t.T("cp.err.email")
		}
	}
	return ""
}

// Brand is how the card partner's pages look.
func Brand() platform.Brand {
	return platform.Brand{
		Name:    "Card partner",
		Mark:    "Card partner",
		Tile:    "", // a card is drawn
		Color:   "#0b5d4b",
		Ink:     "#ffffff",
		Accent:  "#f2b705",
		Product: "Hosted checkout",
	}
}

// Provider is the mock card partner: a hosted checkout where the customer
// pays by card or mobile wallet, and full refunds.
type Provider struct {
	method platform.Method
	script asset
}

var (
	_ platform.Refunder  = (*Provider)(nil)
	_ platform.Clarifier = (*Provider)(nil)
)

// New returns the mock card partner.
func New() *Provider {
	return &Provider{method: Method(), script: checkoutScript()}
}

// Method returns the method the provider serves.
func (p *Provider) Method() platform.Method { return p.method }

// Outcomes recorded in the provider's state of a payment.
const (
	outcomePaid      = "paid"
	outcomeDeclined  = "declined"
	outcomeCancelled = "cancelled"
	outcomeExpired   = "expired"   // the checkout's ttl ran out
	outcomeTimedOut  = "timed_out" // the merchant never clarified
)

// state is the provider's private state of a payment (Payment.ProviderData).
type state struct {
	// Inv is the checkout's invoice: the sale operation's ID.
	Inv string `json:"inv,omitempty"`
	// Deadline is when the checkout lapses.
	Deadline time.Time `json:"deadline,omitzero"`
	// Channels are the channels the checkout offers.
	Channels []string `json:"channels,omitempty"`
	Outcome  string   `json:"outcome,omitempty"`
	// Channel, CardLast4, CardBrand and Phone say how the customer paid or tried to.
	Channel   string `json:"channel,omitempty"`
	CardLast4 string `json:"card_last4,omitempty"`
	CardBrand string `json:"card_brand,omitempty"`
	Phone     string `json:"phone,omitempty"`
	// RefundDeclines makes the partner decline the payment's refunds: the
	// payment was made with a test card or phone that says so.
	RefundDeclines bool `json:"refund_declines,omitempty"`
}

// stateOf reads the state of pay; raw encodes it for Step.Data.
func stateOf(pay *platform.Payment) state { return platform.ProviderState[state](pay) }

func (s state) raw() json.RawMessage { return platform.MustJSON(s) }

// CheckLimits applies the method's per-currency amount limits: above the
// maximum declines with 20101 (also as an errors entry), below the minimum
// with 20000 and an errors entry naming payment.amount. A bound that the
// settings set (MinAmount, MaxAmount) replaces the method's own: the engine
// has checked it already. It returns the decline and true when the amount
// fails.
func CheckLimits(sum platform.Sum, settings platform.MethodSettings) (platform.Step, bool) {
	l, ok := AmountLimits(sum.Currency)
	if !ok {
		return platform.Step{}, false // the engine declines other currencies
	}
	switch {
	case settings.MaxAmount == 0 && sum.Amount > l.Max:
		return platform.Decline(platform.DeclineOverMaxLimit, platform.OperationError{
			Code: platform.DeclineOverMaxLimit, Message: platform.CodeMessage(platform.DeclineOverMaxLimit),
		}), true
	case settings.MinAmount == 0 && sum.Amount < l.Min:
		return platform.Decline(platform.DeclineGeneral, platform.OperationError{
			Code: platform.DeclineGeneral, Field: "payment.amount",
			Message: fmt.Sprintf("the amount is below the minimum of %s", platform.Sum{Amount: l.Min, Currency: sum.Currency}),
		}), true
	}
	return platform.Step{}, false
}

// CheckAmount applies CheckLimits, for the Payment Page to offer the
// method only for amounts it takes (platform.AmountChecker).
func (p *Provider) CheckAmount(sum platform.Sum, settings platform.MethodSettings) (platform.Step, bool) {
	return CheckLimits(sum, settings)
}

var _ platform.AmountChecker = (*Provider)(nil)

// Missing returns the paths of the customer fields the partner needs and
// the payment lacks: customer.phone, customer.email.
func Missing(c platform.Customer) []string {
	var out []string
	if strings.TrimSpace(c.Phone) == "" {
		out = append(out, FieldPhone)
	}
	if strings.TrimSpace(c.Email) == "" {
		out = append(out, FieldEmail)
	}
	return out
}

// CheckContact checks the phone and email a Gate request sent as the
// Payment Page checks what a customer types (CheckField): it returns an
// error for each the checkout cannot take, naming its Gate field. An absent
// (or blank) one passes: the payment asks for it by clarification (Missing).
func CheckContact(c platform.Customer) []platform.FieldError {
	var errs []platform.FieldError
	if strings.TrimSpace(c.Phone) != "" && CheckField("customer_phone", c.Phone, "en") != "" {
		errs = append(errs, platform.FieldError{Code: platform.DeclineGeneral, Field: FieldPhone,
			Message: fmt.Sprintf("must be a phone number of 9 to 15 digits with the country code, such as \"254708374149\", not %q", c.Phone)})
	}
	if strings.TrimSpace(c.Email) != "" && CheckField("customer_email", c.Email, "en") != "" {
		errs = append(errs, platform.FieldError{Code: platform.DeclineGeneral, Field: FieldEmail,
			Message: fmt.Sprintf("must be an email address such as \"jane@example.com\", not %q", c.Email)})
	}
	return errs
}

// Start checks the amount against the currency's limits, then either asks
// the merchant for the customer's missing phone or email (the payment
// awaits clarification for ClarificationTimeout) or opens the checkout: the
// payment awaits the customer, who is sent to the checkout with a signed
// POST body.
func (p *Provider) Start(pay *platform.Payment, env platform.Env) (platform.Step, error) {
	if s, declined := p.CheckAmount(pay.Amount, env.Settings); declined {
		return s, nil
	}
	if bad := CheckContact(pay.Customer); len(bad) > 0 {
		// The partner refuses it before it starts: no reference.
		errs := make([]platform.OperationError, len(bad))
		for i, e := range bad {
			errs[i] = platform.OperationError{Code: platform.DeclineGeneral, Field: e.Field, Message: e.Message}
		}
		return platform.Decline(platform.DeclineGeneral, errs...), nil
	}
	if missing := Missing(pay.Customer); len(missing) > 0 {
		return platform.Step{
			Status:        platform.StatusAwaitingClarification,
			Clarification: missing,
			Notify:        true,
			Jobs:          []platform.ProviderJob{{Name: JobClarificationTimeout, Due: env.Now.Add(ClarificationTimeout)}},
		}, nil
	}
	return p.checkout(pay, env)
}

// clarificationHelp says what each field Missing names holds.
var clarificationHelp = map[string]string{
	"customer.phone": "phone number, digits only, such as \"254708374149\"",
	"customer.email": "email address, such as \"jane@example.com\"",
}

// Clarify goes on with a payment whose missing fields the merchant sent:
// it opens the checkout as Start does, or answers 2004 naming the fields
// that are still missing (and changes nothing).
func (p *Provider) Clarify(pay *platform.Payment, env platform.Env) (platform.Step, error) {
	if missing := Missing(pay.Customer); len(missing) > 0 {
		e := &platform.Error{
			Code: platform.CodeRequiredField, Message: platform.CodeMessage(platform.CodeRequiredField),
			Detail: fmt.Sprintf("payment %s still lacks %s: send them in customer{} of the clarification request", pay.Key(), strings.Join(missing, " and ")),
		}
		for _, f := range missing {
			e.Fields = append(e.Fields, platform.FieldError{Code: platform.CodeRequiredField, Field: f,
				Message: f + " is required: the partner's checkout needs the customer's " + clarificationHelp[f]})
		}
		return platform.Step{}, e
	}
	if bad := CheckContact(pay.Customer); len(bad) > 0 {
		return platform.Step{}, platform.InvalidFields(bad)
	}
	return p.checkout(pay, env)
}

// ttl is how long the checkout stays open under settings.
func ttl(settings platform.MethodSettings) time.Duration {
	if d := time.Duration(settings.Timeout); d >= time.Second {
		return d.Truncate(time.Second)
	}
	return DefaultTTL
}

// checkout opens the checkout of pay: the redirect to it, the partner's
// reference, the invoice under which the checkout finds the payment, and
// the job that lapses it.
func (p *Provider) checkout(pay *platform.Payment, env platform.Env) (platform.Step, error) {
	sale := pay.Sale()
	if sale == nil {
		return platform.Step{}, fmt.Errorf("card-partner payment %s has no sale operation", pay.Key())
	}
	ppid, err := providerPaymentID(env, "A")
	if err != nil {
		return platform.Step{}, err
	}
	life := ttl(env.Settings)
	inv := strconv.FormatInt(sale.ID, 10)
	channels := Channels(pay.Amount.Currency)
	body := NewBody(pay, inv, life, channels, env.BaseURL, env.Project.Secret)
	raw, err := json.Marshal(body)
	if err != nil {
		return platform.Step{}, fmt.Errorf("card-partner redirect body: %w", err)
	}
	st := state{Inv: inv, Deadline: env.Now.Add(life), Channels: channels}
	return platform.Step{
		Status:            platform.StatusAwaitingRedirect,
		ProviderPaymentID: ppid,
		Redirect:          &platform.Redirect{URL: env.BaseURL + CheckoutPath, Method: "POST", Body: raw},
		References:        []string{InvReference(inv)},
		Jobs:              []platform.ProviderJob{{Name: JobPageTTL, Due: st.Deadline}},
		Data:              st.raw(),
		Notify:            true,
	}, nil
}

// InvReference is the reference under which a payment is found by its
// checkout's invoice.
func InvReference(inv string) string { return "inv:" + inv }

// Pay is the customer at the checkout: paying by card or mobile wallet,
// or cancelling (in.Method "cancel"). The test cards and phones decide the
// outcome (see TestCards, TestPhones); any other valid card or phone is
// approved. Malformed input is refused with a *platform.Error of code
// CodeInvalidRequest naming the field, a payment that is not at the
// checkout with CodeStatusForbids; neither changes anything. Paying after
// the checkout's ttl declines it with 20000.
func (p *Provider) Pay(pay *platform.Payment, raw json.RawMessage, env platform.Env) (platform.Step, error) {
	var in PayInput
	if err := platform.DecodeInput(p.method, raw, &in); err != nil {
		return platform.Step{}, err
	}
	switch pay.Status {
	case platform.StatusAwaitingRedirect:
	case platform.StatusAwaitingClarification:
		return platform.Step{}, platform.Errorf(platform.CodeStatusForbids,
			"payment %s awaits clarification of %s from the merchant: the customer has no checkout yet", pay.Key(), strings.Join(pay.Clarification, " and "))
	default:
		return platform.Step{}, platform.Errorf(platform.CodeStatusForbids, "payment %s is %s: the customer has no checkout to pay at", pay.Key(), pay.Status)
	}
	st := stateOf(pay)
	if !st.Deadline.IsZero() && !env.Now.Before(st.Deadline) {
		st.Outcome = outcomeExpired
		s := platform.Decline(platform.DeclineGeneral)
		s.Data = st.raw()
		return s, nil
	}
	channels := st.Channels
	if len(channels) == 0 {
		channels = Channels(pay.Amount.Currency)
	}
	d, err := Decide(in, channels)
	if err != nil {
		return platform.Step{}, err
	}
	st.Channel, st.CardLast4, st.CardBrand, st.Phone, st.RefundDeclines = d.Channel, d.CardLast4, d.CardBrand, d.Phone, d.RefundDeclines
	switch {
	case d.Cancelled:
		st.Outcome = outcomeCancelled
		s := platform.Decline(platform.DeclineGeneral)
		s.Data = st.raw()
		return s, nil
	case d.Code != 0:
		st.Outcome = outcomeDeclined
		s := platform.Decline(d.Code)
		s.Data = st.raw()
		return s, nil
	}
	// The partner gives ecommpay no approval code: auth_code stays "".
	st.Outcome = outcomePaid
	return platform.Step{Status: platform.StatusSuccess, Data: st.raw()}, nil
}

// open refuses an action on a payment whose sale has ended (the engine
// lets actions through while a refund is under way).
func open(pay *platform.Payment, what string) error {
	if sale := pay.Sale(); sale == nil || sale.Status.Final() {
		return platform.Errorf(platform.CodeStatusForbids, "payment %s is %s: there is nothing left to %s", pay.Key(), pay.Status, what)
	}
	return nil
}

// Fail is the partner declining the payment with code.
func (p *Provider) Fail(pay *platform.Payment, code int, _ platform.Env) (platform.Step, error) {
	if err := open(pay, "fail"); err != nil {
		return platform.Step{}, err
	}
	st := stateOf(pay)
	st.Outcome = outcomeDeclined
	s := platform.Decline(code)
	s.Data = st.raw()
	return s, nil
}

// Expire lapses the checkout (or the wait for clarification) now: the
// payment is declined with 20000.
func (p *Provider) Expire(pay *platform.Payment, _ platform.Env) (platform.Step, error) {
	if err := open(pay, "expire"); err != nil {
		return platform.Step{}, err
	}
	st := stateOf(pay)
	st.Outcome = outcomeExpired
	if pay.Status == platform.StatusAwaitingClarification {
		st.Outcome = outcomeTimedOut
	}
	s := platform.Decline(platform.DeclineGeneral)
	s.Data = st.raw()
	return s, nil
}

// Job runs the provider's jobs: page_ttl declines a checkout still open at
// its deadline, clarification_timeout a payment still awaiting
// clarification; each changes nothing once the payment has moved on.
func (p *Provider) Job(pay *platform.Payment, name string, env platform.Env) (platform.Step, error) {
	switch name {
	case JobPageTTL:
		st := stateOf(pay)
		if pay.Status != platform.StatusAwaitingRedirect || st.Deadline.IsZero() || env.Now.Before(st.Deadline) {
			return platform.Step{}, nil
		}
		return p.Expire(pay, env)
	case JobClarificationTimeout:
		if pay.Status != platform.StatusAwaitingClarification {
			return platform.Step{}, nil
		}
		return p.Expire(pay, env)
	}
	return platform.Step{}, fmt.Errorf("card-partner provider has no job %q", name)
}

// Refund refunds the whole payment at the partner. Payments made with a
// test card or phone whose refunds decline (4000 0000 0000 0077,
// 254700000077) have their refunds declined with 20000, and stay success.
// The partner's reference of a refund is its 13 digits alone when the
// refund succeeds ("1598455969395"), and ends in RF when it is declined
// ("1598516693232RF").
func (p *Provider) Refund(pay *platform.Payment, env platform.Env) (platform.Step, error) {
	if stateOf(pay).RefundDeclines {
		ppid, err := providerPaymentID(env, "RF")
		if err != nil {
			return platform.Step{}, err
		}
		s := platform.Decline(platform.DeclineGeneral)
		s.ProviderPaymentID = ppid
		return s, nil
	}
	ppid, err := providerPaymentID(env, "")
	if err != nil {
		return platform.Step{}, err
	}
	return platform.Step{Status: platform.StatusSuccess, ProviderPaymentID: ppid}, nil
}

// providerPaymentID is the partner's reference of an operation: 13 digits
// that read as a moment in milliseconds ("1598454195644"), then suffix (A
// for a sale). The milliseconds are drawn at random within the operation's
// second, so that references made in the same second (the sandbox clock
// may stand still) differ.
func providerPaymentID(env platform.Env, suffix string) (string, error) {
	n, err := randUint32(env.Rand)
	if err != nil {
		return "", fmt.Errorf("card-partner provider payment id: %w", err)
	}
	return fmt.Sprintf("%d%03d%s", env.Now.Unix(), n%1000, suffix), nil
}

func randUint32(r io.Reader) (uint32, error) {
	var b [4]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint32(b[:]), nil
}

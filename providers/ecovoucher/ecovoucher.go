package ecovoucher

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// Code is EcoVoucher's method code: its route name and payment.method.
const Code = "eco-voucher"

// Prefix is where the provider's pages live.
const Prefix = "/providers/" + Code

// Paths of the provider's pages.
const (
	// PayPath is the EcoVoucher page: redirect_data.url.
	PayPath = Prefix + "/pay"
	// CompletePath is where EcoVoucher sends the customer back
	// (OnSuccessUrl, OnFailureUrl): it forwards to the merchant's return
	// URL or shows the result.
	CompletePath = Prefix + "/complete"
	// NotifyPath is the platform's endpoint for EcoVoucher's notifications
	// (TransferUrl, CallbackUrl).
	NotifyPath = Prefix + "/callback"
)

// JobSessionTimeout is the provider job that declines a payment whose
// customer never finished at EcoVoucher, due when the session ends.
const JobSessionTimeout = "session_timeout"

// JobDepositTimeout declines a payment whose check_deposit never got an
// answer recorded, e.g. because the sandbox stopped while it waited: a
// payment is never left in processing for good.
const JobDepositTimeout = "deposit_timeout"

// depositGrace is how long after the vouchers arrive the deposit timeout
// falls: well past any callback timeout.
const depositGrace = 5 * time.Minute

// DefaultTimeout is how long a customer has at EcoVoucher [sandbox choice].
const DefaultTimeout = 30 * time.Minute

// Method returns EcoVoucher as merchants see it.
func Method() platform.Method {
	return platform.Method{
		Code:          Code,
		Name:          "EcoVoucher",
		PaymentMethod: "eco-voucher",
		ProviderID:    1109,
		GatePath:      "/v2/payment/voucher/eco-voucher/sale",
		ForceCodes:    []string{"ecoVoucher", "eco-voucher"},
		Currencies:    []string{"CAD", "GBP", "EUR", "USD"},
		GateRequired:  []string{"customer.id", "customer.ip_address", "return_url.success", "return_url.decline"},
		ExampleSale: json.RawMessage(`{"customer": {"id": "customer-1", "ip_address": "198.51.100.7"},
			"payment": {"amount": 5000, "currency": "EUR"},
			"return_url": {"success": "https://shop.example/success", "decline": "https://shop.example/decline"}}`),
		ZeroAmount: true,
		PayWith:    "test vouchers", // worth the amount, from the wallet
		Callback:   platform.CallbackShape{Customer: []platform.CustomerField{platform.CustomerID}, ProviderDate: true},
		Settings:   []string{"timeout", "rates"}, // the session; the conversions of sum_converted
		Defaults: platform.MethodSettings{
			Timeout:   platform.Duration(DefaultTimeout),
			MaxAmount: DefaultMaxAmount,
		},
		Brand: Brand(),
		Jobs: map[string]string{
			JobSessionTimeout: "the customer's session at EcoVoucher times out if they have not paid",
			JobDepositTimeout: "declined if no answer to check_deposit was recorded",
		},
		Hints: map[string]string{
			"en": "Prepaid ecoVoucher codes",
			"es": "Códigos prepago ecoVoucher",
			"pt": "Códigos pré-pagos ecoVoucher",
		},
	}
}

// Brand is how EcoVoucher's pages look.
func Brand() platform.Brand {
	return platform.Brand{
		Name:    "EcoVoucher",
		Mark:    "ecoVoucher",
		Tile:    "eco",
		Color:   "#0b5e3a",
		Ink:     "#ffffff",
		Accent:  "#9ccc3c",
		Product: "ecoVoucher",
	}
}

// Provider is the mock EcoVoucher: the customer pays with one or more
// prepaid vouchers, whose face values set the amount, and the merchant
// confirms it with check_deposit before the vouchers are redeemed.
type Provider struct {
	method platform.Method
	brand  platform.Brand
}

var _ platform.Confirmer = (*Provider)(nil)

// New returns the mock EcoVoucher provider.
func New() *Provider { return &Provider{method: Method(), brand: Brand()} }

// Method returns the method the provider serves.
func (p *Provider) Method() platform.Method { return p.method }

// usedVoucher is a voucher of a payment, as its provider data keeps it.
type usedVoucher struct {
	Number string       `json:"number"`
	Amount platform.Sum `json:"amount"`
	Expiry string       `json:"expiry"`
}

// state is the provider's private state of a payment (Payment.ProviderData).
type state struct {
	TxID      int64         `json:"tx_id"`
	Checksum  string        `json:"checksum"`
	ExpiresAt time.Time     `json:"expires_at"`
	Vouchers  []usedVoucher `json:"vouchers,omitempty"`
	// Outcome says how the payment ended at EcoVoucher: redeemed,
	// refused_by_merchant, merchant_did_not_answer, session_expired,
	// declined.
	Outcome string `json:"outcome,omitempty"`
}

// stateOf reads the state of pay; raw encodes it for Step.Data.
func stateOf(pay *platform.Payment) state { return platform.ProviderState[state](pay) }

func (s state) raw() json.RawMessage { return platform.MustJSON(s) }

// unredeemed returns a declined payment's vouchers: they were not redeemed,
// so the wallet may offer them again.
func (st state) unredeemed() []string {
	numbers := make([]string, len(st.Vouchers))
	for i, v := range st.Vouchers {
		numbers[i] = v.Number
	}
	return numbers
}

// decline declines with code, records the outcome and releases the vouchers.
func decline(st state, code int, outcome string) platform.Step {
	st.Outcome = outcome
	s := platform.Decline(code)
	s.Data = st.raw()
	s.Release = st.unredeemed()
	return s
}

// Outcomes of a payment (state.Outcome).
const (
	OutcomeRedeemed       = "redeemed"
	OutcomeMerchantRefuse = "refused_by_merchant"
	OutcomeMerchantSilent = "merchant_did_not_answer"
	OutcomeExpired        = "session_expired"
	OutcomeDeclined       = "declined"
)

// Start sends the customer to EcoVoucher: a POST redirect with the seed's
// fields, a session that times out after Settings.Timeout, and the payment
// awaiting the redirect's result. The engine has checked the currency, the
// limits and CheckAmount; Start checks the amount again for callers that
// did not.
func (p *Provider) Start(pay *platform.Payment, env platform.Env) (platform.Step, error) {
	if s, declined := p.CheckAmount(pay.Amount, env.Settings); declined {
		return s, nil
	}
	op := pay.Sale()
	if op == nil {
		return platform.Step{}, fmt.Errorf("payment %s has no sale operation", pay.Key())
	}
	timeout := time.Duration(env.Settings.Timeout)
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	body := p.redirectBody(pay, op.ID, env.BaseURL)
	raw, err := json.Marshal(body)
	if err != nil {
		return platform.Step{}, fmt.Errorf("eco-voucher redirect body: %w", err)
	}
	st := state{TxID: op.ID, Checksum: body.Checksum, ExpiresAt: env.Now.Add(timeout)}
	return platform.Step{
		Status:            platform.StatusAwaitingRedirect,
		ProviderPaymentID: ProviderPaymentID(op.ID),
		Redirect:          &platform.Redirect{URL: env.BaseURL + PayPath, Method: "POST", Body: raw},
		Data:              st.raw(),
		References:        []string{TxReference(op.ID)},
		Jobs:              []platform.ProviderJob{{Name: JobSessionTimeout, Due: st.ExpiresAt}},
		Notify:            true,
	}, nil
}

// CheckAmount declines an amount that vouchers cannot make: one that is
// neither 0 nor a sum of at most MaxVouchers face values. The engine
// applies it before Start, and Engine.Takes with it keeps the Payment Page
// from offering EcoVoucher for an amount its sale would decline at once
// (platform.AmountChecker).
func (p *Provider) CheckAmount(sum platform.Sum, _ platform.MethodSettings) (platform.Step, bool) {
	if errs := amountErrors(sum); len(errs) > 0 {
		return platform.Decline(platform.DeclineGeneral, errs...), true
	}
	return platform.Step{}, false
}

var _ platform.AmountChecker = (*Provider)(nil)

// redirectBody is the redirect_data.body of pay, whose sale has ID txID.
func (p *Provider) redirectBody(pay *platform.Payment, txID int64, baseURL string) RedirectBody {
	complete := fmt.Sprintf("%s%s?tx=%d", baseURL, CompletePath, txID)
	b := RedirectBody{
		PaymentPageID:         PaymentPageID,
		MerchantAccountNumber: MerchantAccountNumber(pay.ProjectID),
		CustomerIDAtMerchant:  pay.Customer.ID,
		OnSuccessURL:          complete,
		OnFailureURL:          complete,
		TxID:                  txID,
		Currency:              pay.Amount.Currency,
		TransferURL:           baseURL + NotifyPath,
		CallbackURL:           baseURL + NotifyPath,
	}
	b.Checksum = Checksum(b)
	return b
}

// amountErrors says why vouchers cannot make a requested amount: it must
// be 0 (the customer chooses) or a sum of at most MaxVouchers face values.
func amountErrors(s platform.Sum) []platform.OperationError {
	if s.Amount == 0 || Payable(s.Amount) {
		return nil
	}
	return []platform.OperationError{{Code: platform.DeclineGeneral, Field: "payment.amount", Message: fmt.Sprintf(
		"EcoVoucher vouchers are worth %s %s each and a payment takes at most %d of them, so the amount must be 0 or a multiple of 5.00 of at least 10.00; %s cannot be paid with them",
		faceList(), s.Currency, MaxVouchers, web.FormatMoney(s))}}
}

// faceList writes the face values for people: "10, 15, … or 250".
func faceList() string {
	parts := make([]string, len(faceValues))
	for i, f := range faceValues {
		parts[i] = fmt.Sprint(f)
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " or " + parts[len(parts)-1]
}

// Refusal says which of the vouchers a customer entered is refused, and
// why. It is the cause (Err) of the *platform.Error that Pay returns, so
// a page can point at the field at fault.
type Refusal struct {
	// Index is the voucher's position in what was entered, from 0; -1 when
	// the refusal is about them all (their sum, their count).
	Index int
	// Field is the field at fault: "number", "security_code", "expiry", or
	// "" for the whole voucher.
	Field string
	// Used says the voucher was already used by a payment.
	Used bool
	// Closed says the payment takes no vouchers any more: they were sent
	// already, it ended, or its session did.
	Closed bool
	// why is the reason in the pages' words, for a page to say it in the
	// customer's language (In); the *platform.Error's Detail is its English.
	why phrase
}

// In says why the vouchers were refused in t's language, as a sentence.
func (r *Refusal) In(t web.Translator) string { return r.why.In(t) }

// Error names the voucher and field refused; the *platform.Error's Detail
// says why.
func (r *Refusal) Error() string {
	if r.Index < 0 {
		return "vouchers refused"
	}
	if r.Field == "" {
		return fmt.Sprintf("voucher %d refused", r.Index+1)
	}
	return fmt.Sprintf("voucher %d refused: %s", r.Index+1, r.Field)
}

// refuse returns a refusal that changes nothing: CodeStatusForbids with a
// detail for the customer (the words key with args, in English) and the
// Refusal as its cause.
func refuse(r Refusal, key string, args ...any) *platform.Error {
	return refuseWhy(r, say(key, args...))
}

func refuseWhy(r Refusal, why phrase) *platform.Error {
	r.why = why
	e := platform.Errorf(platform.CodeStatusForbids, "%s", platform.Sentence(why.String()))
	e.Err = &r
	return e
}

// Pay takes the vouchers the customer entered. Their face values must add
// up to the amount the merchant asked for, unless it was 0, in which case
// they set it; without vouchers (the control API's pay with no body) the
// sandbox picks unused test vouchers worth the amount. The vouchers are
// then bound to the payment (references), and the engine asks the merchant
// to confirm the amount with check_deposit; Confirmed decides the rest. A
// refusal is a *platform.Error with CodeStatusForbids, caused by a
// *Refusal, and changes nothing.
func (p *Provider) Pay(pay *platform.Payment, raw json.RawMessage, env platform.Env) (platform.Step, error) {
	var in PayInput
	if err := platform.DecodeInput(p.method, raw, &in); err != nil {
		return platform.Step{}, err
	}
	st := stateOf(pay)
	closed := Refusal{Index: -1, Closed: true}
	switch pay.Status {
	case platform.StatusAwaitingRedirect:
	case platform.StatusProcessing:
		return platform.Step{}, refuse(closed, "eco.refuse.sent")
	case platform.StatusSuccess:
		return platform.Step{}, refuse(closed, "eco.refuse.paid")
	case platform.StatusDecline:
		return platform.Step{}, refuse(closed, "eco.refuse.declined")
	default:
		return platform.Step{}, refuse(closed, "eco.refuse.status", pay.Status)
	}
	if !st.ExpiresAt.IsZero() && !env.Now.Before(st.ExpiresAt) {
		return platform.Step{}, refuse(closed, "eco.refuse.session", st.ExpiresAt)
	}
	used := func(number string) (bool, error) {
		_, ok, err := env.ReferenceOwner(Code, number)
		return ok, err
	}
	entered := in.Vouchers
	if len(entered) == 0 {
		picked, err := Pick(pay.Amount.Currency, pay.Amount.Amount, used)
		if err != nil {
			return platform.Step{}, refuse(Refusal{Index: -1}, "eco.refuse.testvouchers", err)
		}
		for _, v := range picked {
			entered = append(entered, VoucherInput{Number: v.Number, SecurityCode: v.SecurityCode, Expiry: v.Expiry})
		}
	}
	vs, err := Check(entered, pay.Amount, env.Settings, used)
	if err != nil {
		return platform.Step{}, err
	}
	sum := platform.Sum{Currency: pay.Amount.Currency}
	refs := make([]string, len(vs))
	for i, v := range vs {
		sum.Amount += v.Face.Amount
		refs[i] = v.Number
		st.Vouchers = append(st.Vouchers, usedVoucher{Number: v.Number, Amount: v.Face, Expiry: v.Expiry})
	}
	return platform.Step{
		Status:     platform.StatusProcessing,
		Amount:     &sum,
		Converted:  Convert(sum, env.Settings.Rates),
		Data:       st.raw(),
		References: refs,
		Confirm:    true,
		Jobs:       []platform.ProviderJob{{Name: JobDepositTimeout, Due: env.Now.Add(depositGrace)}},
	}, nil
}

// PayInput is how a customer pays at EcoVoucher: the control API's pay
// body, and what the EcoVoucher page sends.
type PayInput struct {
	// Vouchers are the vouchers entered; none lets the sandbox pick test
	// vouchers that make the amount.
	Vouchers []VoucherInput `json:"vouchers,omitempty"`
}

// VoucherInput is one voucher a customer enters at EcoVoucher.
type VoucherInput struct {
	Number       string `json:"number"`
	SecurityCode string `json:"security_code"`
	Expiry       string `json:"expiry"`
}

// Check validates the vouchers a customer entered for a payment of amount
// (0: any sum) and returns them: each number must be a test voucher the
// sandbox issued, with its security code and expiry, in the payment's
// currency, entered once and not used yet (used says); together they must
// be at most MaxVouchers, add up to amount when it is not 0, and stay
// within the settings' limits. The first problem is returned as a
// *platform.Error caused by a *Refusal.
func Check(entered []VoucherInput, amount platform.Sum, s platform.MethodSettings, used UsedFunc) ([]TestVoucher, error) {
	if len(entered) == 0 {
		return nil, refuse(Refusal{Index: -1}, "eco.refuse.none")
	}
	if len(entered) > MaxVouchers {
		return nil, refuse(Refusal{Index: -1}, "eco.refuse.many", MaxVouchers, len(entered))
	}
	out := make([]TestVoucher, 0, len(entered))
	seen := map[string]int{}
	var sum int64
	for i, in := range entered {
		v, err := Lookup(in.Number)
		if err != nil {
			return nil, refuseWhy(Refusal{Index: i, Field: "number"}, whyNot(err))
		}
		shown := GroupNumber(v.Number)
		if j, ok := seen[v.Number]; ok {
			return nil, refuse(Refusal{Index: i, Field: "number"}, "eco.refuse.twice", shown, j+1, i+1)
		}
		seen[v.Number] = i
		code := strings.TrimSpace(in.SecurityCode)
		switch {
		case code == "":
			return nil, refuse(Refusal{Index: i, Field: "security_code"}, "eco.refuse.code.empty", shown)
		case code != v.SecurityCode:
			return nil, refuse(Refusal{Index: i, Field: "security_code"}, "eco.refuse.code.wrong", shown)
		}
		month, year, ok := platform.ParseExpiry(in.Expiry)
		switch {
		case strings.TrimSpace(in.Expiry) == "":
			return nil, refuse(Refusal{Index: i, Field: "expiry"}, "eco.refuse.expiry.empty", shown)
		case !ok:
			return nil, refuse(Refusal{Index: i, Field: "expiry"}, "eco.refuse.expiry.format", shown, TestExpiry, in.Expiry)
		case month != testExpiryMonth || year != testExpiryYear:
			return nil, refuse(Refusal{Index: i, Field: "expiry"}, "eco.refuse.expiry.wrong", shown)
		}
		if v.Face.Currency != amount.Currency {
			return nil, refuse(Refusal{Index: i, Field: "number"}, "eco.refuse.currency", shown, v.Face.Currency, amount.Currency, amount.Currency)
		}
		isUsed, err := used(v.Number)
		if err != nil {
			return nil, err
		}
		if isUsed {
			return nil, refuse(Refusal{Index: i, Field: "number", Used: true}, "eco.refuse.used", shown)
		}
		sum += v.Face.Amount
		out = append(out, v)
	}
	total := platform.Sum{Amount: sum, Currency: amount.Currency}
	switch {
	case amount.Amount > 0 && sum != amount.Amount:
		return nil, refuse(Refusal{Index: -1}, "eco.refuse.sum",
			web.FormatMoneySymbol(total), web.FormatMoneySymbol(amount), web.FormatMoneySymbol(amount))
	case s.MaxAmount > 0 && sum > s.MaxAmount:
		return nil, refuse(Refusal{Index: -1}, "eco.refuse.max",
			web.FormatMoneySymbol(total), web.FormatMoneySymbol(platform.Sum{Amount: s.MaxAmount, Currency: amount.Currency}))
	case s.MinAmount > 0 && sum < s.MinAmount:
		return nil, refuse(Refusal{Index: -1}, "eco.refuse.min",
			web.FormatMoneySymbol(total), web.FormatMoneySymbol(platform.Sum{Amount: s.MinAmount, Currency: amount.Currency}))
	}
	return out, nil
}

// Convert returns sum_converted of sum under rates: identity unless rates
// has a rate for the pair "<currency>/<settlement currency>" (e.g.
// "EUR/USD": 1085000, parts per million), the first such pair in key
// order. Amounts round half up.
func Convert(sum platform.Sum, rates map[string]int64) *platform.Sum {
	keys := make([]string, 0, len(rates))
	for k := range rates {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		from, to, ok := strings.Cut(k, "/")
		if !ok || from != sum.Currency || len(to) != 3 || rates[k] <= 0 {
			continue
		}
		return &platform.Sum{Amount: (sum.Amount*rates[k] + 500_000) / 1_000_000, Currency: to}
	}
	return &platform.Sum{Amount: sum.Amount, Currency: sum.Currency}
}

// Confirmed redeems the vouchers when the merchant confirmed the amount,
// and declines the payment otherwise, with the answer's code: 30000 when
// the merchant refused or failed, 30302 when it did not answer in time or
// has no check_deposit URL.
func (p *Provider) Confirmed(pay *platform.Payment, a platform.DepositAnswer, _ platform.Env) (platform.Step, error) {
	if last := pay.Last(); last == nil || last.Status.Final() {
		return platform.Step{}, nil // declined meanwhile (cancel, expire): nothing to redeem
	}
	st := stateOf(pay)
	if a.Confirmed {
		st.Outcome = OutcomeRedeemed
		return platform.Step{Status: platform.StatusSuccess, Data: st.raw()}, nil
	}
	if a.Code == platform.DeclineMerchantNoAnswer {
		return decline(st, a.Code, OutcomeMerchantSilent), nil
	}
	return decline(st, platform.DeclineByMerchant, OutcomeMerchantRefuse), nil
}

// Fail is EcoVoucher declining the payment with code, or the customer
// cancelling at EcoVoucher (20000).
func (p *Provider) Fail(pay *platform.Payment, code int, _ platform.Env) (platform.Step, error) {
	return decline(stateOf(pay), code, OutcomeDeclined), nil
}

// Expire ends the customer's session now: the payment is declined with 20000.
func (p *Provider) Expire(pay *platform.Payment, _ platform.Env) (platform.Step, error) {
	return expired(pay), nil
}

// Job runs the session timeout: a payment whose customer has not sent
// vouchers by then is declined with 20000; one that moved on is left alone.
func (p *Provider) Job(pay *platform.Payment, name string, _ platform.Env) (platform.Step, error) {
	switch name {
	case JobSessionTimeout:
		if pay.Status != platform.StatusAwaitingRedirect {
			return platform.Step{}, nil
		}
		return expired(pay), nil
	case JobDepositTimeout:
		if pay.Status != platform.StatusProcessing {
			return platform.Step{}, nil
		}
		return decline(stateOf(pay), platform.DeclineMerchantNoAnswer, OutcomeMerchantSilent), nil
	}
	return platform.Step{}, fmt.Errorf("%s provider has no job %q", Code, name)
}

func expired(pay *platform.Payment) platform.Step {
	return decline(stateOf(pay), platform.DeclineGeneral, OutcomeExpired)
}

// stamp formats a moment for refusals: "2026-03-02 09:30 UTC".
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

package voucher

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// Variants of a voucher method (platform.MethodSettings.Variant).
const (
	// VariantBank: valid Config.Validity at terminals, and at a bank until
	// Config.BankWindow after issue (Oxxo: 10 days, bank to day 30).
	VariantBank = "bank"
	// VariantShort: valid Config.ShortValidity everywhere, no bank window.
	VariantShort = "3days"
)

// Channels a voucher is paid through (platform.PayInput.Channel).
const (
	ChannelTerminal = "terminal"
	ChannelBank     = "bank"
)

// JobLapse is the provider job that declines a voucher nobody paid, due at
// its last day.
const JobLapse = "lapse"

// Config describes one voucher method.
type Config struct {
	Method platform.Method
	// Validity is how long terminals accept a voucher after issue.
	Validity time.Duration
	// BankWindow is how long after issue a bank still accepts it; 0: no
	// bank window.
	BankWindow time.Duration
	// ShortValidity is the validity of variant "3days", which has no bank
	// window; 0 means Validity.
	ShortValidity time.Duration
	// ReferenceDigits is the length of a voucher reference, its check digit
	// included.
	ReferenceDigits int
	// CheckCustomer checks the method's own formats (the document number);
	// any error declines the payment with 20000 and these errors.
	CheckCustomer func(p *platform.Payment) []platform.OperationError
	// Brand is how the method's pages look.
	Brand web.Brand
}

// Provider is a mock voucher provider: it issues a voucher with a reference
// and a barcode, takes payment at terminals and banks within the voucher's
// validity, and declines what lapses.
type Provider struct {
	cfg Config
}

var _ platform.Provider = (*Provider)(nil)

// New returns a voucher provider. The method's default variant is "bank"
// unless cfg.Method.Defaults says otherwise.
func New(cfg Config) *Provider {
	if cfg.Method.Defaults.Variant == "" {
		cfg.Method.Defaults.Variant = VariantBank
	}
	if cfg.ShortValidity == 0 {
		cfg.ShortValidity = cfg.Validity
	}
	if cfg.ReferenceDigits < 2 {
		cfg.ReferenceDigits = 14
	}
	if cfg.Brand.Name == "" {
		cfg.Brand.Name = cfg.Method.Name
	}
	return &Provider{cfg: cfg}
}

// Method returns the method the provider serves.
func (p *Provider) Method() platform.Method { return p.cfg.Method }

// Config returns the provider's configuration.
func (p *Provider) Config() Config { return p.cfg }

// Variants returns the variants the provider knows, for checking settings.
func (p *Provider) Variants() []string { return []string{VariantBank, VariantShort} }

// state is the provider's private state of a payment (Payment.ProviderData).
type state struct {
	// Lapsed says the voucher was declined because it lapsed (or was
	// lapsed by hand), not because the provider refused it.
	Lapsed bool `json:"lapsed,omitempty"`
}

func stateOf(pay *platform.Payment) state {
	var s state
	if len(pay.ProviderData) > 0 {
		_ = json.Unmarshal(pay.ProviderData, &s) // a foreign or old state reads as zero
	}
	return s
}

// lapsed declines a voucher that lapsed.
func lapsed() platform.Step {
	s := platform.Decline(platform.DeclineGeneral)
	s.Data = json.RawMessage(`{"lapsed":true}`)
	return s
}

// Start checks the customer's data and issues the voucher: a reference, its
// barcode and its validity; the payment awaits the customer's payment.
func (p *Provider) Start(pay *platform.Payment, env platform.Env) (platform.Step, error) {
	if p.cfg.CheckCustomer != nil {
		if errs := p.cfg.CheckCustomer(pay); len(errs) > 0 {
			return platform.Decline(platform.DeclineGeneral, errs...), nil
		}
	}
	validity, bank := p.cfg.Validity, p.cfg.BankWindow
	switch v := env.Settings.Variant; v {
	case "", VariantBank:
	case VariantShort:
		validity, bank = p.cfg.ShortValidity, 0
	default:
		return platform.Decline(platform.DeclineGeneral, platform.OperationError{
			Code:    platform.DeclineGeneral,
			Message: fmt.Sprintf("the sandbox is configured with %s variant %q, which does not exist: use %q or %q", p.cfg.Method.Name, v, VariantBank, VariantShort),
		}), nil
	}
	ref, err := NewReference(env.Rand, p.cfg.ReferenceDigits)
	if err != nil {
		return platform.Step{}, err
	}
	id := make([]byte, 6)
	if _, err := io.ReadFull(env.Rand, id); err != nil {
		return platform.Step{}, fmt.Errorf("%s provider payment id: %w", p.cfg.Method.Code, err)
	}
	v := &platform.Voucher{
		Reference:  ref,
		Barcode:    ref,
		Amount:     pay.Amount,
		IssuedAt:   env.Now,
		ValidUntil: env.Now.Add(validity),
	}
	if bank > validity {
		v.BankUntil = env.Now.Add(bank)
	}
	return platform.Step{
		Status:            platform.StatusAwaitingRedirect,
		ProviderPaymentID: hex.EncodeToString(id),
		Redirect: &platform.Redirect{
			URL:    env.BaseURL + p.VoucherPath(ref),
			Method: "GET",
			Body:   json.RawMessage(`[]`),
		},
		Voucher:    v,
		References: []string{ref},
		Jobs:       []platform.ProviderJob{{Name: JobLapse, Due: v.LastDay()}},
		Notify:     true,
	}, nil
}

// Pay is the customer paying the voucher at a terminal (the default) or at
// a bank. A terminal refuses it after its validity; a bank accepts it until
// the bank window closes. A refusal is a *platform.Error with
// CodeStatusForbids that says why, and changes nothing.
func (p *Provider) Pay(pay *platform.Payment, in platform.PayInput, env platform.Env) (platform.Step, error) {
	v := pay.Voucher
	if v == nil {
		return platform.Step{}, platform.Errorf(platform.CodeStatusForbids, "payment %s has no %s voucher yet: it is %s", pay.Key(), p.cfg.Method.Name, pay.Status)
	}
	if !v.PaidAt.IsZero() {
		return platform.Step{}, platform.Errorf(platform.CodeStatusForbids, "voucher %s was already paid %s on %s", web.GroupDigits(v.Reference, 4), p.ChannelName(v.Channel), stamp(v.PaidAt))
	}
	channel := in.Channel
	if channel == "" {
		channel = ChannelTerminal
	}
	if !slices.Contains([]string{ChannelTerminal, ChannelBank}, channel) {
		return platform.Step{}, platform.Errorf(platform.CodeInvalidRequest, "channel %q is not one a voucher is paid through: use %q or %q", in.Channel, ChannelTerminal, ChannelBank)
	}
	if err := p.Refusal(v, channel, env.Now); err != nil {
		return platform.Step{}, err
	}
	paid := *v
	paid.PaidAt = env.Now
	paid.Channel = channel
	return platform.Step{Status: platform.StatusSuccess, Voucher: &paid}, nil
}

// Refusal returns why channel refuses voucher v at now, or nil when it
// accepts it.
func (p *Provider) Refusal(v *platform.Voucher, channel string, now time.Time) *platform.Error {
	ref := web.GroupDigits(v.Reference, 4)
	last := v.LastDay()
	switch {
	case !now.Before(last) && !v.BankUntil.IsZero():
		return platform.Errorf(platform.CodeStatusForbids, "voucher %s lapsed on %s: neither terminals nor banks accept it any more (terminals stopped on %s)", ref, stamp(last), stamp(v.ValidUntil))
	case !now.Before(last):
		return platform.Errorf(platform.CodeStatusForbids, "voucher %s lapsed on %s: it can no longer be paid", ref, stamp(last))
	case channel == ChannelTerminal && !now.Before(v.ValidUntil):
		return platform.Errorf(platform.CodeStatusForbids, "voucher %s lapsed at terminals on %s; a bank accepts it until %s", ref, stamp(v.ValidUntil), stamp(v.BankUntil))
	}
	return nil
}

// Fail is the provider declining the payment with code.
func (p *Provider) Fail(_ *platform.Payment, code int, _ platform.Env) (platform.Step, error) {
	return platform.Decline(code), nil
}

// Expire lapses the voucher now: the payment is declined with 20000.
func (p *Provider) Expire(_ *platform.Payment, _ platform.Env) (platform.Step, error) {
	return lapsed(), nil
}

// Job runs the lapse job: at the voucher's last day an unpaid voucher is
// declined; earlier, nothing changes.
func (p *Provider) Job(pay *platform.Payment, name string, env platform.Env) (platform.Step, error) {
	if name != JobLapse {
		return platform.Step{}, fmt.Errorf("%s provider has no job %q", p.cfg.Method.Code, name)
	}
	if pay.Voucher == nil || !pay.Voucher.PaidAt.IsZero() || env.Now.Before(pay.Voucher.LastDay()) {
		return platform.Step{}, nil
	}
	return lapsed(), nil
}

// VoucherPath is the path of the page of the voucher with reference ref.
func (p *Provider) VoucherPath(ref string) string { return p.Prefix() + "/vouchers/" + ref }

// TerminalPath is the path of the provider's terminal.
func (p *Provider) TerminalPath() string { return p.Prefix() + "/terminal" }

// Prefix is where the provider's pages live: /providers/<code>.
func (p *Provider) Prefix() string { return "/providers/" + p.cfg.Method.Code }

// ChannelName says where a voucher was paid, for people: "at an OXXO
// store", "at a bank".
func (p *Provider) ChannelName(channel string) string {
	switch channel {
	case ChannelBank:
		return "at a bank"
	case ChannelTerminal, "":
		outlet := p.cfg.Brand.Outlet
		if outlet == "" {
			outlet = p.cfg.Method.Name + " store"
		}
		return "at " + web.Article(outlet)
	}
	return "through " + channel
}

// stamp formats a moment in refusals: "2026-12-02 14:00 UTC".
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// NewReference returns a voucher reference of n digits read from r: n-1
// random digits, the first not 0, and a Luhn check digit, so that a typo at
// the terminal is caught.
func NewReference(r io.Reader, n int) (string, error) {
	if n < 2 {
		return "", errors.New("a voucher reference needs at least 2 digits")
	}
	digits := make([]byte, 0, n)
	buf := make([]byte, 16)
	for len(digits) < n-1 {
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", fmt.Errorf("voucher reference: %w", err)
		}
		for _, b := range buf {
			if b >= 250 || (len(digits) == 0 && b%10 == 0) || len(digits) == n-1 {
				continue // unbiased digits; no leading zero
			}
			digits = append(digits, '0'+b%10)
		}
	}
	return string(digits) + string('0'+luhnDigit(string(digits))), nil
}

// ValidReference reports whether ref is all digits and its last digit is
// the Luhn check digit of the others.
func ValidReference(ref string) bool {
	if len(ref) < 2 {
		return false
	}
	for _, c := range ref {
		if c < '0' || c > '9' {
			return false
		}
	}
	return luhnDigit(ref[:len(ref)-1]) == ref[len(ref)-1]-'0'
}

// luhnDigit returns the Luhn check digit of digits.
func luhnDigit(digits string) byte {
	sum := 0
	double := true
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return byte((10 - sum%10) % 10)
}

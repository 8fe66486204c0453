package voucher

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strconv"
	"strings"
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

// Channels a voucher is paid through (PayInput.Channel).
const (
	ChannelTerminal = "terminal"
	ChannelBank     = "bank"
)

// JobLapse is the provider job that declines a voucher nobody paid, due at
// its last day.
const JobLapse = "lapse"

// Jobs says what the provider's jobs do (platform.Method.Jobs).
func Jobs() map[string]string {
	return map[string]string{JobLapse: "the voucher lapses if nobody paid it"}
}

// maxDraws bounds how many references Start draws before it gives up
// finding one that no other payment owns. A collision needs a sandbox that
// replays its seed over data it kept, and even then a few draws suffice.
const maxDraws = 1000

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
	// DocNumberLengths are the lengths a document number may have, all
	// digits (Oxxo: DigitsBetween(10, 18); Rapipago: 7, 8, 11); nil: the
	// method does not check it. A Gate sale with another declines with 20000
	// naming customer.identify.doc_number, and the Payment Page checks
	// identify_doc_number with the same rule (Method.CheckField).
	DocNumberLengths []int
	// CheckCustomer checks the method's other formats; any error declines
	// the payment with 20000 and these errors.
	CheckCustomer func(p *platform.Payment) []platform.OperationError
	// RedirectBody builds the JSON object the customer's browser posts to
	// the voucher page (redirect_data.body with method POST, as Lotérica
	// wants it). Nil: the redirect is a GET with an empty body (Oxxo,
	// Rapipago), see EmptyBody. It must return something that marshals to
	// a JSON object without null or floats (docs/gate.md "Signature").
	RedirectBody func(in RedirectInput) (any, error)
	// EmptyBody is redirect_data.body of a GET redirect, written as the
	// method's provider writes it: `[]` (Oxxo) or `{}` (Rapipago). Empty
	// means `{}`.
	EmptyBody string
	// Language is the language of the voucher page when the payment has
	// none (a Gate payment): "pt" for Lotérica; "" is English. A Payment
	// Page payment's page speaks the customer's language_code.
	Language string
	// Words are the method's own strings of the voucher page, per
	// language: "outlet" ("OXXO store") and "outlet.at" ("at an OXXO
	// store"), for every language the Payment Page speaks.
	Words web.Catalog
	// Money writes an amount as the method's country does ("US$ 25,00");
	// nil: web.FormatMoneySymbol ("$25.00").
	Money func(platform.Sum) string
	// VoucherPage renders the voucher page in the method's own words: it
	// returns the page (template) name and its view model, built from the
	// shared model (Lotérica: in Portuguese). Nil: the shared "voucher" page.
	// A page of the method's own is a template in Templates.
	VoucherPage func(pay *platform.Payment, page VoucherPage) (name string, data any)
	// Templates holds the method's own pages (<name>.html at its root),
	// besides the shared voucher and terminal pages; nil: none.
	Templates fs.FS
	// PaymentID draws the provider's reference of a sale
	// (operation.provider.payment_id) as the method's provider writes it;
	// nil: HexPaymentID (Oxxo's "9d7e3e16b6a5").
	PaymentID func(env platform.Env) (string, error)
}

// HexPaymentID is a provider reference of 12 lowercase hex digits, as
// Oxxo's ("9d7e3e16b6a5").
func HexPaymentID(env platform.Env) (string, error) {
	id := make([]byte, 6)
	if _, err := io.ReadFull(env.Rand, id); err != nil {
		return "", err
	}
	return hex.EncodeToString(id), nil
}

// TimePaymentID is a provider reference of 13 digits, the issue time in
// Unix seconds and three random digits, as Lotérica's ("1593156426371",
// the milliseconds of its provider.date).
func TimePaymentID(env platform.Env) (string, error) {
	var b [2]byte
	if _, err := io.ReadFull(env.Rand, b[:]); err != nil {
		return "", err
	}
	return fmt.Sprintf("%d%03d", env.Now.Unix(), binary.BigEndian.Uint16(b[:])%1000), nil
}

// NumberPaymentID is a provider reference that is a plain number of up to
// nine digits, as Rapipago's ("316").
func NumberPaymentID(env platform.Env) (string, error) {
	var b [4]byte
	if _, err := io.ReadFull(env.Rand, b[:]); err != nil {
		return "", err
	}
	return strconv.FormatUint(uint64(binary.BigEndian.Uint32(b[:])%999_999_999+1), 10), nil
}

// RedirectInput is what Config.RedirectBody builds the redirect body from.
type RedirectInput struct {
	Payment *platform.Payment
	Voucher *platform.Voucher
	// URL is the voucher page the customer is sent to (redirect_data.url).
	URL string
	// ProviderPaymentID is the provider's reference of the operation.
	ProviderPaymentID string
	Env               platform.Env
}

// Provider is a mock voucher provider: it issues a voucher with a reference
// and a barcode, takes payment at terminals and banks within the voucher's
// validity, and declines what lapses.
type Provider struct {
	cfg Config
	// owner finds the payment a reference belongs to: Env.ReferenceOwner,
	// replaced in tests that decide without a store.
	owner func(env platform.Env, method, ref string) (platform.PaymentKey, bool, error)
}

var _ platform.Provider = (*Provider)(nil)

// New returns a voucher provider. The method's default variant is "bank"
// unless cfg.Method.Defaults says otherwise.
func New(cfg Config) *Provider {
	if cfg.ShortValidity == 0 {
		cfg.ShortValidity = cfg.Validity
	}
	if cfg.ReferenceDigits < 2 {
		cfg.ReferenceDigits = 14
	}
	if cfg.PaymentID == nil {
		cfg.PaymentID = HexPaymentID
	}
	if cfg.Method.Brand.Name == "" {
		cfg.Method.Brand.Name = cfg.Method.Name
	}
	cfg.DocNumberLengths = slices.Clone(cfg.DocNumberLengths)
	slices.Sort(cfg.DocNumberLengths)
	cfg.DocNumberLengths = slices.Compact(cfg.DocNumberLengths)
	if len(cfg.Method.Pages) == 0 {
		cfg.Method.Pages = []platform.PageLink{{Label: cfg.Method.Brand.Name + " terminal", URL: "/providers/" + cfg.Method.Code + "/terminal"}}
	}
	p := &Provider{cfg: cfg, owner: platform.Env.ReferenceOwner}
	if p.cfg.Method.Defaults.Variant == "" {
		p.cfg.Method.Defaults.Variant = p.Variants()[0]
	}
	if p.cfg.Method.VoucherPages == nil {
		p.cfg.Method.VoucherPages = p.VoucherPages
	}
	if p.cfg.Method.CheckField == nil && (len(cfg.DocNumberLengths) > 0 || slices.Contains(cfg.Method.PageRequired, ParamEmail)) {
		p.cfg.Method.CheckField = p.CheckField
	}
	return p
}

// Method returns the method the provider serves.
func (p *Provider) Method() platform.Method { return p.cfg.Method }

// Config returns the provider's configuration.
func (p *Provider) Config() Config { return p.cfg }

// Variants returns the variants the provider knows, its default first:
// "bank" and "3days" for a method with a bank window (Oxxo, Rapipago),
// "3days" alone for one without (Lotérica).
func (p *Provider) Variants() []string {
	if p.cfg.BankWindow > p.cfg.Validity {
		return []string{VariantBank, VariantShort}
	}
	return []string{VariantShort}
}

// CheckSettings checks settings meant for this method (the sandbox's or a
// project's) before they are used, so that a config file naming a variant
// the method does not have is refused when it is loaded rather than
// declining every sale. The error says which variants exist.
func (p *Provider) CheckSettings(s platform.MethodSettings) error {
	if s.Variant != "" && !slices.Contains(p.Variants(), s.Variant) {
		return fmt.Errorf("%s has no variant %q: use %s", p.cfg.Method.Code, s.Variant, quoteList(p.Variants()))
	}
	return nil
}

// validity returns how long terminals and banks accept a voucher of
// variant v ("" is the default), or an error naming the known variants.
func (p *Provider) validity(v string) (validity, bank time.Duration, err error) {
	if v == "" {
		v = p.cfg.Method.Defaults.Variant
	}
	if !slices.Contains(p.Variants(), v) {
		return 0, 0, fmt.Errorf("the sandbox is configured with %s variant %q, which does not exist: use %s", p.cfg.Method.Name, v, quoteList(p.Variants()))
	}
	if v == VariantShort {
		return p.cfg.ShortValidity, 0, nil
	}
	return p.cfg.Validity, p.cfg.BankWindow, nil
}

// quoteList writes names for people: "bank" or "3days".
func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

// state is the provider's private state of a payment (Payment.ProviderData).
type state struct {
	// Lapsed says the voucher was declined because it lapsed (or was
	// lapsed by hand), not because the provider refused it.
	Lapsed bool `json:"lapsed,omitempty"`
}

// stateOf reads the state of pay.
func stateOf(pay *platform.Payment) state { return platform.ProviderState[state](pay) }

// lapsed declines a voucher that lapsed.
func lapsed() platform.Step {
	s := platform.Decline(platform.DeclineGeneral)
	s.Data = json.RawMessage(`{"lapsed":true}`)
	return s
}

// Start checks the customer's data and issues the voucher: a reference no
// other payment owns, its barcode and its validity; the payment awaits the
// customer's payment.
func (p *Provider) Start(pay *platform.Payment, env platform.Env) (platform.Step, error) {
	if errs := p.checkCustomer(pay); len(errs) > 0 {
		return platform.Decline(platform.DeclineGeneral, errs...), nil
	}
	validity, bank, err := p.validity(env.Settings.Variant)
	if err != nil {
		return platform.Decline(platform.DeclineGeneral, platform.OperationError{
			Code: platform.DeclineGeneral, Message: err.Error(),
		}), nil
	}
	ref, err := p.freeReference(pay, env)
	if err != nil {
		return platform.Step{}, err
	}
	ppid, err := p.cfg.PaymentID(env)
	if err != nil {
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
	redirect, err := p.redirect(RedirectInput{
		Payment: pay, Voucher: v, URL: env.BaseURL + p.VoucherPath(ref),
		ProviderPaymentID: ppid, Env: env,
	})
	if err != nil {
		return platform.Step{}, err
	}
	return platform.Step{
		Status:            platform.StatusAwaitingRedirect,
		ProviderPaymentID: ppid,
		Redirect:          redirect,
		Voucher:           v,
		References:        []string{ref},
		Jobs:              []platform.ProviderJob{{Name: JobLapse, Due: v.LastDay()}},
		Notify:            true,
	}, nil
}

// checkCustomer applies the method's format checks to the customer's data.
func (p *Provider) checkCustomer(pay *platform.Payment) []platform.OperationError {
	var errs []platform.OperationError
	if len(p.cfg.DocNumberLengths) > 0 {
		if e := CheckDigits(DocNumberField, pay.Customer.DocNumber, p.cfg.DocNumberLengths...); e != nil {
			errs = append(errs, *e)
		}
	}
	// The email the Payment Page checks (CheckField) is checked alike.
	if slices.Contains(p.cfg.Method.GateRequired, EmailField) {
		if e := CheckEmail(EmailField, pay.Customer.Email); e != nil {
			errs = append(errs, *e)
		}
	}
	if p.cfg.CheckCustomer != nil {
		errs = append(errs, p.cfg.CheckCustomer(pay)...)
	}
	return errs
}

// freeReference draws references until one belongs to no other payment: a
// sandbox restarted with the same seed over the data it kept replays the
// draws that issued its earlier vouchers.
func (p *Provider) freeReference(pay *platform.Payment, env platform.Env) (string, error) {
	for range maxDraws {
		ref, err := NewReference(env.Rand, p.cfg.ReferenceDigits)
		if err != nil {
			return "", err
		}
		k, taken, err := p.owner(env, p.cfg.Method.Code, ref)
		if err != nil {
			return "", fmt.Errorf("%s reference %s: %w", p.cfg.Method.Code, ref, err)
		}
		if !taken || k == pay.Key() {
			return ref, nil
		}
	}
	return "", fmt.Errorf("%s: no free %d-digit reference in %d draws", p.cfg.Method.Code, p.cfg.ReferenceDigits, maxDraws)
}

// redirect is where the merchant sends the customer: the voucher page, by
// GET with the method's empty body, or by POST with the method's body.
func (p *Provider) redirect(in RedirectInput) (*platform.Redirect, error) {
	if p.cfg.RedirectBody == nil {
		empty := p.cfg.EmptyBody
		if empty == "" {
			empty = `{}`
		}
		return &platform.Redirect{URL: in.URL, Method: "GET", Body: json.RawMessage(empty)}, nil
	}
	v, err := p.cfg.RedirectBody(in)
	if err != nil {
		return nil, fmt.Errorf("%s redirect body: %w", p.cfg.Method.Code, err)
	}
	body, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("%s redirect body: %w", p.cfg.Method.Code, err)
	}
	if !bytes.HasPrefix(body, []byte("{")) {
		return nil, fmt.Errorf("%s redirect body must be a JSON object, got %.40s", p.cfg.Method.Code, body)
	}
	return &platform.Redirect{URL: in.URL, Method: "POST", Body: body}, nil
}

// Pay is the customer paying the voucher at a terminal (the default) or at
// a bank. A terminal refuses it after its validity; a bank accepts it until
// the bank window closes. A refusal is a *platform.Error with
// CodeStatusForbids that says why, and changes nothing.
func (p *Provider) Pay(pay *platform.Payment, raw json.RawMessage, env platform.Env) (platform.Step, error) {
	var in PayInput
	if err := platform.DecodeInput(p.cfg.Method, raw, &in); err != nil {
		return platform.Step{}, err
	}
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
	if !slices.Contains(p.Channels(), channel) {
		if channel == ChannelBank {
			return platform.Step{}, platform.Errorf(platform.CodeInvalidRequest, "no bank takes %s vouchers: they are paid %s only; use channel %q, or leave it out", p.cfg.Method.Name, p.ChannelName(ChannelTerminal), ChannelTerminal)
		}
		return platform.Step{}, platform.Errorf(platform.CodeInvalidRequest, "channel %q is not one a voucher is paid through: use %s", in.Channel, quoteList(p.Channels()))
	}
	if err := p.Refusal(v, channel, env.Now); err != nil {
		return platform.Step{}, err
	}
	paid := *v
	paid.PaidAt = env.Now
	paid.Channel = channel
	return platform.Step{Status: platform.StatusSuccess, Voucher: &paid}, nil
}

// Channels returns where the method's vouchers are paid: at a terminal,
// and at a bank for a method with a bank window (Oxxo, Rapipago, in either
// variant); Lotérica's are paid at its terminals only.
func (p *Provider) Channels() []string {
	if p.cfg.BankWindow > 0 {
		return []string{ChannelTerminal, ChannelBank}
	}
	return []string{ChannelTerminal}
}

// PayInput is how a voucher is paid: the control API's pay body, and what
// the terminal page sends.
type PayInput struct {
	// Channel is where: ChannelTerminal (the default) or, for a method with
	// a bank window, ChannelBank.
	Channel string `json:"channel,omitempty"`
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

// VoucherPages returns the pages of the voucher with reference ref: its
// page, its barcode and the terminal with ref filled in.
func (p *Provider) VoucherPages(ref string) platform.VoucherPages {
	page := p.VoucherPath(ref)
	return platform.VoucherPages{Page: page, Barcode: page + "/barcode.png", Terminal: p.TerminalPath() + "?reference=" + ref}
}

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
		outlet := p.cfg.Method.Brand.Outlet
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
	return string(digits) + string('0'+LuhnDigit(string(digits))), nil
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
	return Luhn(ref)
}

// LuhnDigit returns the Luhn check digit of a string of digits: the
// check digit of voucher references, EcoVoucher numbers and card numbers.
func LuhnDigit(digits string) byte {
	sum := 0
	double := true
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if d < 0 || d > 9 {
			return 255
		}
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

// Luhn reports whether digits, all digits, end with a valid Luhn check digit.
func Luhn(digits string) bool {
	n := len(digits)
	return n > 1 && digits[n-1] >= '0' && digits[n-1] <= '9' && LuhnDigit(digits[:n-1]) == digits[n-1]-'0'
}

package paymentpage_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/bolt"
	"github.com/ecommpay-sandbox/sandbox/platform/paymentpage"
	"github.com/ecommpay-sandbox/sandbox/platform/signature"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// now is the frozen moment of every test sandbox.
var now = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

const (
	project = 842
	secret  = "s3cret-key"
	base    = "http://sandbox.test"
)

// fixture is a Payment Page over a real engine and bbolt store, with fake
// providers that behave like the emulated methods, behind the real router.
type fixture struct {
	t      testing.TB
	eng    *platform.Engine
	e      *echo.Echo
	srv    *paymentpage.Server
	stalls *sync.Map
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	store, err := bolt.Open(filepath.Join(t.TempDir(), "sandbox.db"))
	require.NoError(t, err)
	t.Cleanup(func() { store.Close() })
	stalls := &sync.Map{}
	eng, err := platform.New(context.Background(), platform.Config{
		Store: store, Wall: time.Now, Seed: [32]byte{42}, BaseURL: base,
		Clock: platform.ClockState{Frozen: true, FrozenAt: now}, Providers: fakeProviders(stalls),
	})
	require.NoError(t, err)
	require.NoError(t, eng.PutProject(context.Background(), platform.Project{ID: project, Secret: secret}))
	r, err := web.New()
	require.NoError(t, err)
	e := echo.New()
	srv := paymentpage.New(eng, r, nil)
	srv.NewOrderID = func() string { return "shop-0001" }
	srv.Routes(e)
	return &fixture{t: t, eng: eng, e: e, srv: srv, stalls: stalls}
}

// params are the base parameters of a request of the test project, with
// extra ones; an empty extra value removes the parameter.
func params(paymentID, currency string, amount int, extra map[string]string) map[string]string {
	p := map[string]string{
		"project_id":       fmt.Sprint(project),
		"payment_id":       paymentID,
		"payment_amount":   fmt.Sprint(amount),
		"payment_currency": currency,
		"customer_id":      "customer-7",
	}
	for k, v := range extra {
		if v == "" {
			delete(p, k)
		} else {
			p[k] = v
		}
	}
	return p
}

// sign returns p as URL values with the signature the SDKs compute.
func sign(p map[string]string, key string) url.Values {
	data := map[string]any{}
	v := url.Values{}
	for k, s := range p {
		data[k] = s
		v.Set(k, s)
	}
	v.Set("signature", signature.Sign(data, key))
	return v
}

// answer is a response of the router.
type answer struct {
	status   int
	location string
	body     string
	header   http.Header
}

func (f *fixture) do(req *http.Request) answer {
	rec := httptest.NewRecorder()
	f.e.ServeHTTP(rec, req)
	return answer{status: rec.Code, location: rec.Header().Get("Location"), body: rec.Body.String(), header: rec.Header()}
}

func (f *fixture) get(target string) answer {
	return f.do(httptest.NewRequest(http.MethodGet, target, nil))
}

func (f *fixture) post(target string, form url.Values) answer {
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return f.do(req)
}

// open GETs the Payment Page with signed parameters.
func (f *fixture) open(p map[string]string) answer {
	return f.get("/payment?" + sign(p, secret).Encode())
}

var requestField = regexp.MustCompile(`name="request" value="([^"]*)"`)

// carried returns the signed parameters a page carries.
func carried(t testing.TB, body string) string {
	t.Helper()
	m := requestField.FindStringSubmatch(body)
	require.NotNil(t, m, "no request field in:\n%s", body)
	return html.UnescapeString(m[1])
}

// pay opens p, then pays with method and the form's fields.
func (f *fixture) pay(p map[string]string, method string, fields map[string]string) answer {
	f.t.Helper()
	a := f.open(p)
	require.Equal(f.t, http.StatusOK, a.status, a.body)
	form := url.Values{"request": {carried(f.t, a.body)}, "method": {method}}
	for k, v := range fields {
		form.Set(k, v)
	}
	return f.post("/payment/pay", form)
}

// stall makes the first start of payment id fail, so that it waits in
// processing until run.
func (f *fixture) stall(id string) { f.stalls.Store(id, true) }

// run runs the jobs that are due: the provider's start of a sale.
func (f *fixture) run() {
	f.t.Helper()
	_, err := f.eng.RunDue(context.Background(), now)
	require.NoError(f.t, err)
}

// payment reads a payment of the test project.
func (f *fixture) payment(id string) *platform.Payment {
	f.t.Helper()
	p, err := f.eng.Payment(context.Background(), platform.PaymentKey{ProjectID: project, PaymentID: id})
	require.NoError(f.t, err)
	return p
}

// fakeProviders are stand-ins of the emulated methods with their Payment
// Page rules: a voucher method, a wallet taking a POST redirect whose
// amount may be 0, and a card method asking for phone and email.
func fakeProviders(stalls *sync.Map) []platform.Provider {
	return []platform.Provider{
		&fakeProvider{stalls: stalls, method: platform.Method{
			Code: "oxxo", Name: "Oxxo", PaymentMethod: "oxxo", ProviderID: 1414,
			ForceCodes: []string{"oxxo"}, Currencies: []string{"MXN", "USD"},
			Brand: platform.Brand{Name: "Oxxo", Tile: "OXXO", Color: "#c8102e", Ink: "#ffffff"},
			Hints: map[string]string{"en": "Cash at any OXXO store in Mexico", "es": "Efectivo en cualquier tienda OXXO de México",
				"pt": "Dinheiro em qualquer loja OXXO no México"},
			PageRequired: []string{"customer_first_name", "customer_last_name", "customer_email", "identify_doc_number"},
			RedirectLink: true,
			CheckField: func(param, value, _ string) string {
				if param == "identify_doc_number" && !digits(value, 10, 18) {
					return fmt.Sprintf("must be 10 to 18 digits; it has %d characters", len(value))
				}
				return ""
			},
		}, kind: "voucher"},
		&fakeProvider{stalls: stalls, method: platform.Method{
			Code: "eco-voucher", Name: "EcoVoucher", PaymentMethod: "eco-voucher", ProviderID: 1109,
			ForceCodes: []string{"ecoVoucher", "eco-voucher"}, Currencies: []string{"CAD", "GBP", "EUR", "USD"},
			ZeroAmount: true,
			Brand:      platform.Brand{Name: "EcoVoucher", Tile: "eco", Color: "#0b5e3a", Ink: "#ffffff"},
			Hints: map[string]string{"en": "Prepaid ecoVoucher codes", "es": "Códigos prepago ecoVoucher",
				"pt": "Códigos pré-pagos ecoVoucher"},
		}, kind: "wallet"},
		&fakeProvider{stalls: stalls, method: platform.Method{
			Code: "card-partner", Name: "Card partner", PaymentMethod: "Card partner", ProviderID: 2377,
			ForceCodes: []string{"card-partner"}, Currencies: []string{"KES", "USD"},
			PageRequired: []string{"customer_phone", "customer_email"},
			Brand:        platform.Brand{Name: "Card partner", Color: "#0b5d4b", Ink: "#ffffff"},
			Hints:        map[string]string{"en": "Card or mobile money", "es": "Tarjeta o dinero móvil", "pt": "Cartão ou dinheiro móvel"},
			CheckField: func(param, value, _ string) string {
				if param == "customer_phone" && !digits(strings.TrimPrefix(value, "+"), 9, 15) {
					return "write the phone number with 9 to 15 digits"
				}
				return ""
			},
		}, kind: "card", max: map[string]int64{"USD": 300000}},
	}
}

func digits(s string, min, max int) bool {
	if len(s) < min || len(s) > max {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// fakeProvider starts payments as its kind of method does: a voucher (GET
// redirect to the voucher, declined when the document number is refused),
// a wallet (POST redirect with a body), or a card checkout (POST).
type fakeProvider struct {
	method platform.Method
	kind   string
	// max bounds the amount per currency, as the card partner's own
	// limits do (platform.AmountChecker); nil: no bound.
	max map[string]int64
	// stalls holds the IDs of payments whose first start fails, as when
	// a provider has not answered yet: they wait in processing until the
	// fixture runs the jobs that are due.
	stalls *sync.Map
}

func (p *fakeProvider) Method() platform.Method { return p.method }

// CheckAmount declines an amount above the provider's own bound.
func (p *fakeProvider) CheckAmount(sum platform.Sum, _ platform.MethodSettings) (platform.Step, bool) {
	if m, ok := p.max[sum.Currency]; ok && sum.Amount > m {
		return platform.Decline(platform.DeclineOverMaxLimit), true
	}
	return platform.Step{}, false
}

func (p *fakeProvider) Start(pay *platform.Payment, env platform.Env) (platform.Step, error) {
	if _, stall := p.stalls.LoadAndDelete(pay.ID); stall {
		return platform.Step{}, errors.New("the provider has not answered yet")
	}
	switch p.kind {
	case "voucher":
		if !digits(pay.Customer.DocNumber, 10, 18) {
			return platform.Decline(platform.DeclineGeneral, platform.OperationError{Code: platform.DeclineGeneral,
				Field: "customer.identify.doc_number", Message: "must be 10 to 18 digits"}), nil
		}
		ref := "93012345678901"
		return platform.Step{
			Status:            platform.StatusAwaitingRedirect,
			ProviderPaymentID: "9d7e3e16b6a5",
			Redirect:          &platform.Redirect{URL: env.BaseURL + "/providers/oxxo/vouchers/" + ref, Method: "GET", Body: json.RawMessage(`[]`)},
			Voucher: &platform.Voucher{Reference: ref, Barcode: ref, Amount: pay.Amount, IssuedAt: env.Now,
				ValidUntil: env.Now.Add(10 * 24 * time.Hour), BankUntil: env.Now.Add(30 * 24 * time.Hour)},
			Notify: true,
		}, nil
	case "wallet":
		body := map[string]any{"PaymentPageID": "3324", "TxID": 1000000001, "Currency": pay.Amount.Currency,
			"OnSuccessUrl": pay.ReturnURLs.Success, "Live": false, "Checksum": `"quoted" & <tagged>`}
		raw, _ := json.Marshal(body)
		return platform.Step{Status: platform.StatusAwaitingRedirect,
			Redirect: &platform.Redirect{URL: env.BaseURL + "/providers/eco-voucher/pay", Method: "POST", Body: raw}, Notify: true}, nil
	}
	return platform.Step{Status: platform.StatusAwaitingRedirect,
		Redirect: &platform.Redirect{URL: env.BaseURL + "/providers/card-partner/checkout", Method: "POST", Body: json.RawMessage(`{"inv":"1000000001","ttl":"900"}`)},
		Notify:   true}, nil
}

func (p *fakeProvider) Pay(_ *platform.Payment, _ json.RawMessage, _ platform.Env) (platform.Step, error) {
	return platform.Step{Status: platform.StatusSuccess}, nil
}

func (p *fakeProvider) Fail(_ *platform.Payment, code int, _ platform.Env) (platform.Step, error) {
	return platform.Decline(code), nil
}

func (p *fakeProvider) Expire(_ *platform.Payment, _ platform.Env) (platform.Step, error) {
	return platform.Decline(platform.DeclineGeneral), nil
}

func (p *fakeProvider) Job(_ *platform.Payment, _ string, _ platform.Env) (platform.Step, error) {
	return platform.Step{}, nil
}

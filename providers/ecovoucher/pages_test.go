package ecovoucher_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/enginetest"
	"github.com/ecommpay-sandbox/sandbox/providers/ecovoucher"
)

// fixed is the sandbox time the tests start at.
var fixed = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

const (
	successURL = "https://shop.example/paid?order=1"
	declineURL = "https://shop.example/failed?order=1"
)

// checker is the merchant's check_deposit endpoint: it records the
// requests and answers what it is told (confirm by default).
type checker struct {
	mu     sync.Mutex
	answer platform.DepositAnswer
	got    []map[string]any
}

func (c *checker) CheckDeposit(_ context.Context, now time.Time, project platform.Project, body []byte) (platform.Attempt, platform.DepositAnswer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var m map[string]any
	_ = json.Unmarshal(body, &m)
	c.got = append(c.got, m)
	a := c.answer
	if a == (platform.DepositAnswer{}) {
		a = platform.DepositAnswer{Confirmed: true}
	}
	return platform.Attempt{At: now, URL: project.CheckDepositURL, Status: 200}, a
}

func (c *checker) requests() []map[string]any {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]map[string]any(nil), c.got...)
}

func (c *checker) set(a platform.DepositAnswer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.answer = a
}

// sandbox is a real engine over a bbolt file with EcoVoucher's pages on an
// echo router, the clock frozen at fixed.
type sandbox struct {
	*enginetest.Sandbox
	checker *checker
}

func newSandbox(t *testing.T) sandbox {
	t.Helper()
	c := &checker{}
	return sandbox{enginetest.New(t, ecovoucher.New(), enginetest.Options{Sale: order, At: fixed, Seed: 42, CheckDeposit: c}), c}
}

// order is the n-th EcoVoucher Gate sale of a test, for 0 EUR.
func order(n int) platform.SaleRequest {
	return platform.SaleRequest{
		ProjectID: 1, PaymentID: fmt.Sprintf("order-%d", n), Method: ecovoucher.Code, Interface: platform.InterfaceGate,
		Amount:      platform.Sum{Currency: "EUR"},
		Description: "Order 38202000002316",
		Customer:    platform.Customer{ID: "12", IPAddress: "66.249.79.102"},
		ReturnURLs:  platform.ReturnURLs{Success: successURL, Decline: declineURL},
	}
}

// sale starts an EcoVoucher Gate payment of amount EUR and lets the engine
// process it.
func (s sandbox) sale(amount int64, mutate ...func(*platform.SaleRequest)) *platform.Payment {
	s.T().Helper()
	setAmount := func(r *platform.SaleRequest) { r.Amount.Amount = amount }
	return s.Sale(append([]func(*platform.SaleRequest){setAmount}, mutate...)...)
}

func (s sandbox) postJSON(path, body string) *httptest.ResponseRecorder {
	return s.Post(path, "application/json; charset=utf-8", body)
}

// redirect returns a payment's redirect_data.body as the form a shop's page
// posts.
func redirect(t *testing.T, p *platform.Payment) url.Values {
	t.Helper()
	require.NotNil(t, p.Redirect)
	var body map[string]any
	require.NoError(t, json.Unmarshal(p.Redirect.Body, &body))
	form := url.Values{}
	for k, v := range body {
		form.Set(k, fmt.Sprint(v))
	}
	form.Set("TxID", fmt.Sprint(txID(t, p)))
	return form
}

func txID(t *testing.T, p *platform.Payment) int64 {
	t.Helper()
	var b ecovoucher.RedirectBody
	if p.Redirect != nil {
		require.NoError(t, json.Unmarshal(p.Redirect.Body, &b))
		return b.TxID
	}
	return p.Sale().ID
}

// voucherForm is the page's form paying with vouchers.
func voucherForm(t *testing.T, p *platform.Payment, action string, vs ...ecovoucher.TestVoucher) url.Values {
	form := url.Values{"tx": {fmt.Sprint(txID(t, p))}, "action": {action}}
	for _, v := range vs {
		form.Add("number", ecovoucher.GroupNumber(v.Number))
		form.Add("security_code", v.SecurityCode)
		form.Add("expiry", v.Expiry)
	}
	return form
}

func issue(t *testing.T, currency string, face int64, serial int) ecovoucher.TestVoucher {
	t.Helper()
	v, err := ecovoucher.Issue(currency, face, serial)
	require.NoError(t, err)
	return v
}

// text is a page's HTML with whitespace folded, for Contains checks.
func text(rec *httptest.ResponseRecorder) string {
	return strings.Join(strings.Fields(rec.Body.String()), " ")
}

var cardRE = regexp.MustCompile(`data-number="(\d{16})" data-security-code="(\d{4})" data-expiry="([^"]+)" data-face="(\d+)"`)

// wallet returns the vouchers a page's wallet lists.
func wallet(rec *httptest.ResponseRecorder) []ecovoucher.TestVoucher {
	var out []ecovoucher.TestVoucher
	for _, m := range cardRE.FindAllStringSubmatch(rec.Body.String(), -1) {
		v, err := ecovoucher.Lookup(m[1])
		if err == nil && v.SecurityCode == m[2] && v.Expiry == m[3] && fmt.Sprint(v.Face.Amount) == m[4] {
			out = append(out, v)
		}
	}
	return out
}

func TestRedirectOpensThePage(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	p := s.sale(4500)
	require.Equal(t, platform.StatusAwaitingRedirect, p.Status)
	form := redirect(t, p)

	tests := []struct {
		name string
		do   func() *httptest.ResponseRecorder
	}{
		{"form-encoded redirect", func() *httptest.ResponseRecorder { return s.PostForm(ecovoucher.PayPath, form) }},
		{"JSON redirect", func() *httptest.ResponseRecorder { return s.postJSON(ecovoucher.PayPath, string(p.Redirect.Body)) }},
		{"reload", func() *httptest.ResponseRecorder {
			return s.Get(fmt.Sprintf("%s?tx=%d", ecovoucher.PayPath, txID(t, p)))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := tt.do()
			require.Equal(t, http.StatusOK, rec.Code, text(rec))
			assert.Equal(t, "text/html; charset=utf-8", rec.Header().Get("Content-Type"))
			page := text(rec)
			for _, want := range []string{
				"Pay €45.00 with ecoVoucher", "€45.00", "Order 38202000002316", "Project 1 · order", "order-1",
				"add up to exactly €45.00", "€10.00, €15.00, €25.00, €50.00, €75.00, €100.00, €150.00, €250.00",
				`<label class="field__label" for="number-0">Voucher number</label>`,
				`<label class="field__label" for="code-0">Security code</label>`,
				`<label class="field__label" for="expiry-0">Expiry date</label>`,
				`name="tx" value="` + fmt.Sprint(txID(t, p)) + `"`,
				"Session ends", "2 Mar 2026, 09:30 UTC",
				"Test vouchers", "Fill in €45.00", "€25.00 + €10.00 + €10.00",
				`<html lang="en">`, "Sandbox", `wordmark--brand">ecoVoucher<`,
			} {
				assert.Contains(t, page, want)
			}
			w := wallet(rec)
			require.Len(t, w, 8, "one unused voucher of each face value")
			for i, f := range ecovoucher.FaceValues() {
				assert.Equal(t, platform.Sum{Amount: f * 100, Currency: "EUR"}, w[i].Face)
				assert.Equal(t, 1, w[i].Serial)
			}
			assert.Contains(t, page, `Use<span class="visually-hidden"> the €10.00 voucher 6197 8001 0000 0010</span>`)
		})
	}

	// Amount 0: the vouchers set it.
	open := s.sale(0)
	rec := s.PostForm(ecovoucher.PayPath, redirect(t, open))
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, text(rec), "Choose your amount")
	assert.Contains(t, text(rec), "you pay what they add up to")
	assert.NotContains(t, text(rec), "Fill in")
}

func TestRedirectRefusals(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	p := s.sale(1000)
	good := redirect(t, p)
	with := func(mutate func(url.Values)) url.Values {
		f := url.Values{}
		for k, v := range good {
			f[k] = append([]string(nil), v...)
		}
		mutate(f)
		return f
	}
	tests := []struct {
		name   string
		do     func() *httptest.ResponseRecorder
		status int
		want   []string
	}{
		{"changed field", func() *httptest.ResponseRecorder {
			return s.PostForm(ecovoucher.PayPath, with(func(f url.Values) { f.Set("Currency", "USD") }))
		}, http.StatusBadRequest, []string{"The redirect to EcoVoucher was changed", `Currency is &#34;USD&#34;; the sandbox sent &#34;EUR&#34;`}},
		{"missing fields", func() *httptest.ResponseRecorder {
			return s.PostForm(ecovoucher.PayPath, with(func(f url.Values) { f.Del("Checksum"); f.Del("OnFailureUrl") }))
		}, http.StatusBadRequest, []string{"missing: OnFailureUrl, Checksum", "Post every field of redirect_data.body"}},
		{"wrong checksum", func() *httptest.ResponseRecorder {
			return s.PostForm(ecovoucher.PayPath, with(func(f url.Values) { f.Set("Checksum", "d1aa9a777d77f894b86962c51b341710") }))
		}, http.StatusBadRequest, []string{"Checksum is &#34;d1aa9a777d77f894b86962c51b341710&#34;"}},
		{"unknown TxID", func() *httptest.ResponseRecorder {
			return s.PostForm(ecovoucher.PayPath, with(func(f url.Values) { f.Set("TxID", "15781000001162") }))
		}, http.StatusNotFound, []string{"Payment not found", "No EcoVoucher payment has the transaction number 15781000001162"}},
		{"TxID not a number", func() *httptest.ResponseRecorder {
			return s.Get(ecovoucher.PayPath + "?tx=abc")
		}, http.StatusNotFound, []string{"Payment not found", "No EcoVoucher payment has the transaction number abc."}},
		{"no redirect fields", func() *httptest.ResponseRecorder {
			return s.PostForm(ecovoucher.PayPath, url.Values{"foo": {"bar"}})
		}, http.StatusBadRequest, []string{"This is not an EcoVoucher redirect", "fields received: foo"}},
		{"JSON that is not an object", func() *httptest.ResponseRecorder {
			return s.postJSON(ecovoucher.PayPath, `[1,2]`)
		}, http.StatusBadRequest, []string{"This is not an EcoVoucher redirect", "not the JSON object of redirect_data.body"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := tt.do()
			assert.Equal(t, tt.status, rec.Code)
			page := text(rec)
			for _, w := range tt.want {
				assert.Contains(t, page, w)
			}
			assert.Contains(t, page, `wordmark--brand">ecoVoucher<`, "the error is EcoVoucher's")
			assert.NotContains(t, page, `name="number"`)
		})
	}
	assert.Equal(t, platform.StatusAwaitingRedirect, s.Payment(p.Key()).Status, "nothing changed")
}

func TestPayWithWalletVouchers(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	p := s.sale(0)
	rec := s.PostForm(ecovoucher.PayPath, redirect(t, p))
	require.Equal(t, http.StatusOK, rec.Code)
	w := wallet(rec)
	require.Len(t, w, 8)
	ten, fifty := w[0], w[3]

	// "Use" puts a wallet voucher into the first empty row, keeping what was typed.
	form := url.Values{"tx": {fmt.Sprint(txID(t, p))}, "number": {""}, "security_code": {""}, "expiry": {""}, "use": {ten.Number}}
	rec = s.PostForm(ecovoucher.PayPath, form)
	require.Equal(t, http.StatusOK, rec.Code)
	page := text(rec)
	assert.Contains(t, page, `value="6197 8001 0000 0010"`)
	assert.Contains(t, page, `value="`+ten.SecurityCode+`"`)
	assert.Contains(t, page, `value="12/99"`)
	assert.Contains(t, page, "The €10.00 voucher 6197 8001 0000 0010 is in the form as voucher 1.")
	assert.Contains(t, page, "Your vouchers</dt> <dd>€10.00")
	next := wallet(rec)
	assert.Equal(t, 2, next[0].Serial, "the wallet offers the next 10 instead")

	// A second one goes into a new row.
	form = voucherForm(t, p, "", ten)
	form.Set("use", fifty.Number)
	rec = s.PostForm(ecovoucher.PayPath, form)
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, text(rec), "is in the form as voucher 2.")
	assert.Contains(t, text(rec), "Your vouchers</dt> <dd>€60.00")
	assert.Contains(t, text(rec), "Remove<span class=\"visually-hidden\"> voucher 2</span>")

	// Pay.
	rec = s.PostForm(ecovoucher.PayPath, voucherForm(t, p, "pay", ten, fifty))
	require.Equal(t, http.StatusSeeOther, rec.Code, text(rec))
	assert.Equal(t, successURL, rec.Header().Get("Location"))

	p = s.Payment(p.Key())
	assert.Equal(t, platform.StatusSuccess, p.Status)
	assert.Equal(t, platform.Sum{Amount: 6000, Currency: "EUR"}, p.Amount, "the vouchers set the amount")
	assert.Equal(t, platform.Sum{Amount: 6000, Currency: "EUR"}, p.Sale().Converted)
	assert.Equal(t, "0", p.Sale().Code)
	reqs := s.checker.requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, map[string]any{
		"type": "check_deposit", "project_id": float64(1), "payment_id": p.ID, "customer_id": "12",
		"amount": float64(6000), "currency": "EUR", "payment_method": "eco-voucher",
	}, reqs[0])
	var data struct {
		Vouchers []struct{ Number string } `json:"vouchers"`
		Outcome  string                    `json:"outcome"`
	}
	require.NoError(t, json.Unmarshal(p.ProviderData, &data))
	assert.Equal(t, ecovoucher.OutcomeRedeemed, data.Outcome)
	require.Len(t, data.Vouchers, 2)
	assert.Equal(t, ten.Number, data.Vouchers[0].Number)
	for _, v := range []string{ten.Number, fifty.Number} {
		owner, err := s.Engine.PaymentByReference(context.Background(), ecovoucher.Code, v)
		require.NoError(t, err)
		assert.Equal(t, p.ID, owner.ID)
	}

	// The page now shows the result; the vouchers are gone from the wallet.
	rec = s.Get(fmt.Sprintf("%s?tx=%d", ecovoucher.PayPath, txID(t, p)))
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, text(rec), "Payment complete")
	assert.Contains(t, text(rec), "6197 8001 0000 0010")
	assert.Contains(t, text(rec), ecovoucher.ProviderPaymentID(p.Sale().ID))
	assert.Contains(t, text(rec), `href="`+successURL+`"`)
	other := s.sale(0)
	w = wallet(s.PostForm(ecovoucher.PayPath, redirect(t, other)))
	assert.Equal(t, 2, w[0].Serial)
	assert.Equal(t, 2, w[3].Serial)
	assert.Equal(t, 1, w[1].Serial)

	// Paying again is refused with the result.
	rec = s.PostForm(ecovoucher.PayPath, voucherForm(t, p, "pay", ten))
	assert.Equal(t, http.StatusConflict, rec.Code)
	assert.Contains(t, text(rec), "Payment complete")
	assert.Len(t, s.checker.requests(), 1)
}

func TestPayRefusals(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	usedBy := s.sale(0)
	spent := issue(t, "EUR", 25, 1)
	_, err := s.Engine.Pay(context.Background(), usedBy.Key(), platform.MustJSON(ecovoucher.PayInput{Vouchers: []ecovoucher.VoucherInput{{Number: spent.Number, SecurityCode: spent.SecurityCode, Expiry: spent.Expiry}}}))
	require.NoError(t, err)
	require.Len(t, s.checker.requests(), 1)

	p := s.sale(3500)
	e10, e25 := issue(t, "EUR", 10, 1), issue(t, "EUR", 25, 2)
	g10 := issue(t, "GBP", 10, 1)
	mutated := func(i int, field, value string, vs ...ecovoucher.TestVoucher) url.Values {
		f := voucherForm(t, p, "pay", vs...)
		f[field][i] = value
		return f
	}
	tests := []struct {
		name    string
		form    url.Values
		status  int
		invalid string // the id of the field marked invalid
		want    []string
	}{
		{"empty form", voucherForm(t, p, "pay"), http.StatusUnprocessableEntity, "number-0",
			[]string{"Enter a voucher", "at least one ecoVoucher"}},
		{"empty rows only", mutated(0, "number", "", ecovoucher.TestVoucher{}), http.StatusUnprocessableEntity, "number-0",
			[]string{"Enter a voucher"}},
		{"wrong security code", mutated(1, "security_code", "0000", e10, e25), http.StatusUnprocessableEntity, "code-1",
			[]string{"Voucher 2 was refused", "The security code does not match voucher 6197 8002 5000 0026", `value="0000"`}},
		{"wrong expiry", mutated(0, "expiry", "11/29", e10, e25), http.StatusUnprocessableEntity, "expiry-0",
			[]string{"Voucher 1 was refused", "The expiry date does not match", `value="11/29"`}},
		{"mistyped number", mutated(0, "number", "6197 8001 0000 0011", e10, e25), http.StatusUnprocessableEntity, "number-0",
			[]string{"a digit is wrong or two are swapped", `value="6197 8001 0000 0011"`}},
		{"unknown number", mutated(0, "number", "4111 1111 1111 1111", e10, e25), http.StatusUnprocessableEntity, "number-0",
			[]string{"No EcoVoucher has the number 4111 1111 1111 1111"}},
		{"other currency", voucherForm(t, p, "pay", g10, e25), http.StatusUnprocessableEntity, "number-0",
			[]string{"is in GBP, but this payment is in EUR"}},
		{"used voucher", voucherForm(t, p, "pay", e10, spent), http.StatusConflict, "number-1",
			[]string{"Voucher 2 was refused", "Voucher 6197 8002 5000 0018 was already used", "Nothing was charged."}},
		{"sum short", voucherForm(t, p, "pay", e10), http.StatusUnprocessableEntity, "",
			[]string{"Check your vouchers", "Your vouchers add up to €10.00, but the shop asks for €35.00", "Still missing</dt> <dd>€25.00"}},
		{"sum over", voucherForm(t, p, "pay", e10, e25, issue(t, "EUR", 10, 2)), http.StatusUnprocessableEntity, "",
			[]string{"add up to €45.00, but the shop asks for €35.00"}},
		{"unknown action", voucherForm(t, p, "explode", e10), http.StatusBadRequest, "",
			[]string{"Unknown action"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := s.PostForm(ecovoucher.PayPath, tt.form)
			assert.Equal(t, tt.status, rec.Code)
			page := text(rec)
			for _, w := range tt.want {
				assert.Contains(t, page, w)
			}
			assert.Contains(t, page, `role="alert"`)
			if tt.invalid != "" {
				assert.Regexp(t, `id="`+tt.invalid+`"[^>]*aria-invalid="true"`, page)
			}
			for _, n := range tt.form["number"] {
				assert.Contains(t, page, `value="`+n+`"`, "what was typed stays")
			}
			assert.NotContains(t, page, "Payment complete")
		})
	}
	assert.Equal(t, platform.StatusAwaitingRedirect, s.Payment(p.Key()).Status, "refusals change nothing")
	assert.Len(t, s.checker.requests(), 1, "no check_deposit for a refusal")
	for _, v := range []ecovoucher.TestVoucher{e10, e25} {
		_, err := s.Engine.PaymentByReference(context.Background(), ecovoucher.Code, v.Number)
		assert.Equal(t, platform.CodeNotFound, platform.ErrorCode(err), "refused vouchers stay unused")
	}

	// The right vouchers pay.
	rec := s.PostForm(ecovoucher.PayPath, voucherForm(t, p, "pay", e10, e25))
	assert.Equal(t, http.StatusSeeOther, rec.Code, text(rec))
}

func TestMerchantAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		answer   platform.DepositAnswer
		status   platform.Status
		code     string
		location string
	}{
		{"confirmed", platform.DepositAnswer{Confirmed: true}, platform.StatusSuccess, "0", successURL},
		{"refused", platform.DepositAnswer{Code: platform.DeclineByMerchant}, platform.StatusDecline, "30000", declineURL},
		{"no answer", platform.DepositAnswer{Code: platform.DeclineMerchantNoAnswer}, platform.StatusDecline, "30302", declineURL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSandbox(t)
			s.checker.set(tt.answer)
			p := s.sale(1000)
			rec := s.PostForm(ecovoucher.PayPath, voucherForm(t, p, "pay", issue(t, "EUR", 10, 1)))
			require.Equal(t, http.StatusSeeOther, rec.Code, text(rec))
			assert.Equal(t, tt.location, rec.Header().Get("Location"))
			p = s.Payment(p.Key())
			assert.Equal(t, tt.status, p.Status)
			assert.Equal(t, tt.code, p.Sale().Code)

			rec = s.Get(fmt.Sprintf("%s?tx=%d", ecovoucher.CompletePath, txID(t, p)))
			assert.Equal(t, http.StatusSeeOther, rec.Code)
			assert.Equal(t, tt.location, rec.Header().Get("Location"), "OnSuccessUrl and OnFailureUrl lead on to the shop")
		})
	}
}

func TestWithoutReturnURLsTheResultPageShows(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	s.checker.set(platform.DepositAnswer{Code: platform.DeclineByMerchant})
	p := s.sale(1000, func(r *platform.SaleRequest) {
		r.ReturnURLs = platform.ReturnURLs{}
		r.Interface = platform.InterfacePaymentPage
	})
	rec := s.PostForm(ecovoucher.PayPath, voucherForm(t, p, "pay", issue(t, "EUR", 10, 1)))
	require.Equal(t, http.StatusSeeOther, rec.Code)
	loc := rec.Header().Get("Location")
	assert.Equal(t, fmt.Sprintf("%s?tx=%d", ecovoucher.CompletePath, txID(t, p)), loc)
	rec = s.Get(loc)
	require.Equal(t, http.StatusOK, rec.Code)
	page := text(rec)
	assert.Contains(t, page, "Payment declined")
	assert.Contains(t, page, "Operation was declined by merchant</strong> (code 30000)")
	assert.Contains(t, page, "Your vouchers were not redeemed")
	assert.NotContains(t, page, "Back to the shop")
}

func TestCancel(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	p := s.sale(0)
	rec := s.PostForm(ecovoucher.PayPath, voucherForm(t, p, "cancel", issue(t, "EUR", 10, 1)))
	require.Equal(t, http.StatusSeeOther, rec.Code)
	assert.Equal(t, declineURL, rec.Header().Get("Location"))
	p = s.Payment(p.Key())
	assert.Equal(t, platform.StatusDecline, p.Status)
	assert.Equal(t, "20000", p.Sale().Code)
	assert.Empty(t, s.checker.requests())

	rec = s.PostForm(ecovoucher.PayPath, voucherForm(t, p, "pay", issue(t, "EUR", 10, 1)))
	assert.Equal(t, http.StatusConflict, rec.Code)
	assert.Contains(t, text(rec), "Payment declined")
	assert.Contains(t, text(rec), "General decline")
	_, err := s.Engine.PaymentByReference(context.Background(), ecovoucher.Code, issue(t, "EUR", 10, 1).Number)
	assert.Equal(t, platform.CodeNotFound, platform.ErrorCode(err), "a cancelled payment uses no voucher")
}

func TestFillAddRemove(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	p := s.sale(4500)
	tx := fmt.Sprint(txID(t, p))
	rec := s.PostForm(ecovoucher.PayPath, url.Values{"tx": {tx}, "action": {"fill"}})
	require.Equal(t, http.StatusOK, rec.Code)
	page := text(rec)
	assert.Contains(t, page, "3 test vouchers worth €45.00 are in the form.")
	for _, v := range []ecovoucher.TestVoucher{issue(t, "EUR", 25, 1), issue(t, "EUR", 10, 1), issue(t, "EUR", 10, 2)} {
		assert.Contains(t, page, `value="`+ecovoucher.GroupNumber(v.Number)+`"`)
	}
	assert.Contains(t, page, "The shop asks for</dt> <dd>€45.00")

	form := voucherForm(t, p, "", issue(t, "EUR", 25, 1), issue(t, "EUR", 10, 1))
	form.Set("remove", "0")
	rec = s.PostForm(ecovoucher.PayPath, form)
	require.Equal(t, http.StatusOK, rec.Code)
	assert.NotContains(t, text(rec), `value="6197 8002 5000 0018"`)
	assert.Contains(t, text(rec), `id="number-0" name="number" type="text" value="6197 8001 0000 0010"`)
	assert.NotContains(t, text(rec), `id="number-1"`)

	rec = s.PostForm(ecovoucher.PayPath, voucherForm(t, p, "add", issue(t, "EUR", 10, 1)))
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, text(rec), `id="number-1" name="number" type="text" value=""`)

	// Using a voucher twice or from another currency changes nothing.
	form = voucherForm(t, p, "", issue(t, "EUR", 10, 1))
	form.Set("use", issue(t, "EUR", 10, 1).Number)
	rec = s.PostForm(ecovoucher.PayPath, form)
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, text(rec), "is already in the form")
	form.Set("use", issue(t, "USD", 10, 1).Number)
	rec = s.PostForm(ecovoucher.PayPath, form)
	assert.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	assert.Contains(t, text(rec), "The wallet has no EUR voucher 6184 0001 0000 001")
	assert.Equal(t, platform.StatusAwaitingRedirect, s.Payment(p.Key()).Status)
}

func TestSessionTimeout(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	p := s.sale(0)
	_, err := s.Engine.Advance(context.Background(), 30*time.Minute-time.Second)
	require.NoError(t, err)
	assert.Equal(t, platform.StatusAwaitingRedirect, s.Payment(p.Key()).Status)
	_, err = s.Engine.Advance(context.Background(), time.Second)
	require.NoError(t, err)
	p = s.Payment(p.Key())
	assert.Equal(t, platform.StatusDecline, p.Status)
	assert.Equal(t, "20000", p.Sale().Code)

	rec := s.PostForm(ecovoucher.PayPath, redirect(t, &platform.Payment{Redirect: &platform.Redirect{Body: mustJSON(t, map[string]any{"TxID": txID(t, p)})}}))
	assert.Equal(t, http.StatusOK, rec.Code, "a redirect to an ended payment shows its result")
	assert.Contains(t, text(rec), "Payment declined")
	rec = s.PostForm(ecovoucher.PayPath, voucherForm(t, p, "pay", issue(t, "EUR", 10, 1)))
	assert.Equal(t, http.StatusConflict, rec.Code)
}

func mustJSON(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

func TestControlPayWithoutVouchers(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	for _, tt := range []struct {
		amount int64
		want   []int64 // face values used
		sum    int64
	}{
		{0, []int64{1000}, 1000},
		{4500, []int64{2500, 1000, 1000}, 4500},
		{125000, []int64{25000, 25000, 25000, 25000, 25000}, 125000},
	} {
		p := s.sale(tt.amount)
		p, err := s.Engine.Pay(context.Background(), p.Key(), nil)
		require.NoError(t, err)
		assert.Equal(t, platform.StatusSuccess, p.Status)
		assert.Equal(t, tt.sum, p.Amount.Amount)
		var data struct {
			Vouchers []struct{ Amount platform.Sum } `json:"vouchers"`
		}
		require.NoError(t, json.Unmarshal(p.ProviderData, &data))
		var got []int64
		for _, v := range data.Vouchers {
			got = append(got, v.Amount.Amount)
		}
		assert.Equal(t, tt.want, got)
	}
}

func TestCompleteAndNotify(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	p := s.sale(1000)
	tx := txID(t, p)
	rec := s.Get(fmt.Sprintf("%s?tx=%d", ecovoucher.CompletePath, tx))
	assert.Equal(t, http.StatusSeeOther, rec.Code)
	assert.Equal(t, fmt.Sprintf("%s?tx=%d", ecovoucher.PayPath, tx), rec.Header().Get("Location"), "not paid yet: back to the page")

	rec = s.PostForm(ecovoucher.NotifyPath, url.Values{"TxID": {fmt.Sprint(tx)}})
	require.Equal(t, http.StatusOK, rec.Code)
	assert.JSONEq(t, fmt.Sprintf(`{"TxID":%d,"Status":"awaiting redirect result","Amount":1000,"Currency":"EUR","project_id":1,"payment_id":"order-1"}`, tx), rec.Body.String())
	rec = s.PostForm(ecovoucher.NotifyPath, url.Values{"TxID": {"1"}})
	assert.Equal(t, http.StatusNotFound, rec.Code)
}

func TestMerchantDataIsEscaped(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	const evil = `<script>alert(1)</script>`
	p := s.sale(0, func(r *platform.SaleRequest) {
		r.Description = evil
		r.ReturnURLs = platform.ReturnURLs{Success: "javascript:alert(1)", Decline: "javascript:alert(1)"}
	})
	rec := s.PostForm(ecovoucher.PayPath, redirect(t, p))
	assert.NotContains(t, rec.Body.String(), evil)
	assert.Contains(t, rec.Body.String(), "&lt;script&gt;alert(1)&lt;/script&gt;")
	rec = s.PostForm(ecovoucher.PayPath, voucherForm(t, p, "pay", issue(t, "EUR", 10, 1)))
	require.Equal(t, http.StatusSeeOther, rec.Code)
	assert.True(t, strings.HasPrefix(rec.Header().Get("Location"), ecovoucher.CompletePath), "a javascript: return URL is never followed")
	rec = s.Get(rec.Header().Get("Location"))
	assert.NotContains(t, rec.Body.String(), "javascript:")
	assert.NotContains(t, rec.Body.String(), evil)
}

// TestPagesInTheCustomersLanguage: a customer who chose Portuguese on the
// Payment Page enters vouchers on a Portuguese page, is refused in
// Portuguese and reads a Portuguese result; the sandbox's wallet stays in
// English.
func TestPagesInTheCustomersLanguage(t *testing.T) {
	t.Parallel()
	assert.Empty(t, ecovoucher.Words().Problems(), "every string in every language, with the same verbs")
	s := newSandbox(t)
	s.checker.set(platform.DepositAnswer{Confirmed: true})
	p := s.sale(2500, func(r *platform.SaleRequest) {
		r.Language, r.Interface, r.ReturnURLs = "pt", platform.InterfacePaymentPage, platform.ReturnURLs{}
	})
	rec := s.PostForm(ecovoucher.PayPath, redirect(t, p))
	require.Equal(t, http.StatusOK, rec.Code)
	page := text(rec)
	for _, want := range []string{`<html lang="pt">`, "Pular para o conteúdo", "Pagamento com ecoVoucher",
		"Informe um ou mais ecoVouchers em EUR que somem exatamente €25.00.", "Número do voucher", "Pagar €25.00",
		"Cancelar e voltar à loja", `lang="en"`, "Test vouchers"} {
		assert.Contains(t, page, want)
	}
	assert.NotContains(t, page, "Enter one or more")

	rec = s.PostForm(ecovoucher.PayPath, voucherForm(t, p, "pay"))
	assert.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	assert.Contains(t, text(rec), "Informe um voucher")

	rec = s.PostForm(ecovoucher.PayPath, voucherForm(t, p, "pay", issue(t, "EUR", 25, 901)))
	require.Less(t, rec.Code, 400, text(rec))
	res := s.Payment(p.Key())
	require.Equal(t, platform.StatusSuccess, res.Status)
	page = text(s.Get(fmt.Sprintf("%s?tx=%d", ecovoucher.CompletePath, txID(t, p))))
	for _, want := range []string{"Pagamento concluído", "Pago com ecoVoucher em 2 ", "Vouchers", "Loja · pedido"} {
		assert.Contains(t, page, want)
	}
}

// TestRefusalsSpeakTheCustomersLanguage: what the page says of vouchers it
// refuses, of a changed redirect and of the wallet is in the customer's
// language, not the engine's English; a page that knows no payment speaks
// the browser's.
func TestRefusalsSpeakTheCustomersLanguage(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	p := s.sale(1000, func(r *platform.SaleRequest) { r.Language = "es" })
	ten := issue(t, "EUR", 10, 1)

	bad := ten
	bad.SecurityCode = "0000"
	if ten.SecurityCode == "0000" {
		bad.SecurityCode = "1111"
	}
	rec := s.PostForm(ecovoucher.PayPath, voucherForm(t, p, "pay", bad))
	assert.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	page := text(rec)
	assert.Contains(t, page, "El código de seguridad no corresponde al cupón 6197 8001 0000 0010; revisa el código del cupón.")
	assert.NotContains(t, page, "does not match")

	rec = s.PostForm(ecovoucher.PayPath, voucherForm(t, p, "pay", issue(t, "EUR", 10, 2), issue(t, "EUR", 15, 1)))
	assert.Contains(t, text(rec), "Tus cupones suman €25.00, pero la tienda pide €10.00")

	rec = s.PostForm(ecovoucher.PayPath, voucherForm(t, p, "dance"))
	assert.Equal(t, http.StatusBadRequest, rec.Code)
	assert.Contains(t, text(rec), "Acción desconocida")

	form := url.Values{"tx": {fmt.Sprint(txID(t, p))}, "number": {""}, "security_code": {""}, "expiry": {""}, "use": {ten.Number}}
	assert.Contains(t, text(s.PostForm(ecovoucher.PayPath, form)), "El cupón de €10.00 6197 8001 0000 0010 está en el formulario como cupón 1.")

	changed := redirect(t, p)
	changed.Set("Currency", "USD")
	page = text(s.PostForm(ecovoucher.PayPath, changed))
	assert.Contains(t, page, `<html lang="es">`)
	assert.Contains(t, page, "La redirección a EcoVoucher fue modificada")
	assert.Contains(t, page, "Currency es &#34;USD&#34;; el sandbox envió &#34;EUR&#34;")
	assert.Contains(t, page, "Error 400 · Solicitud incorrecta")

	req := httptest.NewRequest(http.MethodGet, ecovoucher.PayPath+"?tx=15781000001162", nil)
	req.Header.Set("Accept-Language", "pt-BR,pt;q=0.9")
	rec = s.Do(req)
	assert.Equal(t, http.StatusNotFound, rec.Code)
	page = text(rec)
	assert.Contains(t, page, `<html lang="pt">`)
	assert.Contains(t, page, "Nenhum pagamento EcoVoucher tem o número de transação 15781000001162.")
	assert.Contains(t, page, "Início do sandbox")
	assert.NotContains(t, page, "Payment not found")
}

// TestTakesOnlyAmountsVouchersMake: the Payment Page offers EcoVoucher only
// for an amount its vouchers make, since a sale of any other is declined at
// once. Seed 001_5214a61f90aada49.txt:35 and :98: vouchers have face values
// of 10, 15, 25, 50, 75, 100, 150 and 250, and a larger amount is paid with
// several of them; the request may say 0 (:97).
func TestTakesOnlyAmountsVouchersMake(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	project := platform.Project{ID: 1}
	tests := []struct {
		amount int64
		takes  bool
	}{
		{0, true},       // the vouchers set the amount
		{1000, true},    // one voucher of 10.00
		{125000, true},  // the seed's 1 250.00, five vouchers of 250.00
		{1050, false},   // 10.50: no voucher makes the 0.50
		{500, false},    // 5.00: under the smallest voucher
		{123456, false}, // 1 234.56
	}
	for _, tt := range tests {
		got := s.Engine.Takes(project, ecovoucher.Method(), platform.Sum{Amount: tt.amount, Currency: "USD"})
		assert.Equal(t, tt.takes, got, "Takes(%d USD)", tt.amount)
	}
}

// TestFillOneVoucherSaysSo: when the wallet fills in a single voucher, the
// notice speaks of one voucher, in the customer's language, not of
// "voucher(s)".
func TestFillOneVoucherSaysSo(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	for lang, want := range map[string]string{
		"en": "A test voucher worth €25.00 is in the form.",
		"es": "Un cupón de prueba por €25.00 está en el formulario.",
		"pt": "Um voucher de teste no valor de €25.00 está no formulário.",
	} {
		p := s.sale(2500, func(r *platform.SaleRequest) { r.Language = lang })
		rec := s.PostForm(ecovoucher.PayPath, url.Values{"tx": {fmt.Sprint(txID(t, p))}, "action": {"fill"}})
		require.Equal(t, http.StatusOK, rec.Code)
		assert.Contains(t, text(rec), want, lang)
		assert.NotContains(t, text(rec), "(s)", lang)
		assert.NotContains(t, text(rec), "(es)", lang)
	}
}

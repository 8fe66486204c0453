package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// End-to-end flows of Rapipago (docs/methods.md) through
// HTTP with the real server; the voucher helpers are in
// loterica_e2e_test.go.

const rapiPath = "/v2/payment/voucher/rapipago/sale"

// rapiSale returns a valid Rapipago Gate sale body (unsigned), the seed's:
// 100.00 USD, the customer's name, email and an 11-digit document.
func rapiSale(paymentID string, mutate ...func(map[string]any)) map[string]any {
	b := map[string]any{
		"general": map[string]any{"project_id": testProject, "payment_id": paymentID},
		"payment": map[string]any{"amount": 10000, "currency": "USD", "description": paymentID},
		"customer": map[string]any{
			"id": "589256", "ip_address": "192.0.2.0", "email": "Paul@mail.com",
			"first_name": "Paul", "last_name": "Marques",
			"identify": map[string]any{"doc_number": "84887177100"},
		},
	}
	for _, m := range mutate {
		m(b)
	}
	return b
}

func rapiDoc(doc string) func(map[string]any) {
	return func(b map[string]any) { b["customer"].(map[string]any)["identify"] = map[string]any{"doc_number": doc} }
}

// rapiStart sends a Rapipago sale and returns its redirect callback.
func rapiStart(t *testing.T, s *sandbox, m *merchant, id string, mutate ...func(map[string]any)) map[string]any {
	t.Helper()
	return saleRedirect(t, s, m, rapiPath, rapiSale(id, mutate...))
}

// rapiConfig writes a config file with these Rapipago settings (YAML) and
// returns the option that serves it.
func rapiConfig(t *testing.T, settings string) func(*serveOptions) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "sandbox.yaml")
	require.NoError(t, os.WriteFile(file, []byte("methods:\n  rapipago:\n"+settings), 0o600))
	return func(o *serveOptions) { o.Config = file }
}

func rapipagoJourney(t *testing.T) {
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)

	var ans gateAnswer
	require.Equal(t, http.StatusOK, s.do("POST", rapiPath, signed(rapiSale("38202000002316"), testSecret), &ans), "%+v", ans)
	assert.Equal(t, "success", ans.Status)

	// The intermediate callback: GET the voucher, empty body.
	cb := m.next()
	verifyCallback(t, cb, testSecret)
	assert.Equal(t, "awaiting redirect result", path(cb, "payment", "status"))
	assert.Equal(t, "awaiting redirect result", path(cb, "operation", "status"))
	assert.Equal(t, "rapipago", path(cb, "payment", "method"))
	assert.Equal(t, float64(1167), path(cb, "operation", "provider", "id"))
	assert.Equal(t, ans.RequestID, path(cb, "operation", "request_id"))
	assert.Equal(t, "GET", path(cb, "redirect_data", "method"))
	assert.Equal(t, map[string]any{}, path(cb, "redirect_data", "body"), "an empty object, as ecommpay sends Rapipago's (docs/callbacks.md)")
	redirect, _ := path(cb, "redirect_data", "url").(string)
	require.True(t, strings.HasPrefix(redirect, s.URL+"/providers/rapipago/vouchers/"), redirect)

	// The merchant follows redirect_data: the voucher.
	code, page := followRedirect(t, cb, "")
	require.Equal(t, http.StatusOK, code, page)
	for _, want := range []string{"Awaiting payment", "$100.00", "Pay at any Rapipago branch before", "7 Mar 2026, 09:00 UTC", "Or at a bank until", "1 Apr 2026, 09:00 UTC", "Paul Marques"} {
		assert.Contains(t, page, want)
	}
	ref := voucherRefOf(cb)
	assert.Len(t, ref, 14)

	// The customer pays at a Rapipago branch.
	assert.Equal(t, http.StatusOK, voucherPay(t, s, "rapipago", ref, "terminal"))
	cb = m.next()
	verifyCallback(t, cb, testSecret)
	assert.Equal(t, "success", path(cb, "payment", "status"))
	assert.Equal(t, "0", path(cb, "operation", "code"))
	assert.Equal(t, "Success", path(cb, "operation", "message"))
	assert.Equal(t, map[string]any{"amount": float64(10000), "currency": "USD"}, path(cb, "payment", "sum"))
	assert.Nil(t, path(cb, "redirect_data"))

	assert.Equal(t, http.StatusConflict, voucherPay(t, s, "rapipago", ref, "bank"), "paid vouchers are refused")
	m.none()
	code, page = getPageText(t, redirect)
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, page, "Paid at a Rapipago branch")
}

func TestRapipagoGateRequiredFields(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)
	var ans gateAnswer
	status := s.do("POST", rapiPath, signed(rapiSale("req-1", func(b map[string]any) {
		c := b["customer"].(map[string]any)
		for _, f := range []string{"first_name", "last_name", "email", "identify"} {
			delete(c, f)
		}
	}), testSecret), &ans)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "2004", ans.Code)
	var fields []string
	for _, e := range ans.Errors {
		fields = append(fields, e.Field)
	}
	assert.ElementsMatch(t, []string{"customer.first_name", "customer.last_name", "customer.email", "customer.identify.doc_number"}, fields)
	// What the document number must be is Rapipago's own.
	assert.Equal(t, "customer.identify.doc_number is required: the number of the customer's identity document, 7, 8 or 11 digits", ans.Errors[len(ans.Errors)-1].Message)
	m.none()
}

func TestRapipagoDeclinedByCallback(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)
	tests := []struct {
		name  string
		mut   func(map[string]any)
		field string
	}{
		{"document of 6 digits", rapiDoc("123456"), "customer.identify.doc_number"},
		{"document of 9 digits", rapiDoc("123456789"), "customer.identify.doc_number"},
		{"document of 10 digits", rapiDoc("1234567890"), "customer.identify.doc_number"},
		{"document with dots", rapiDoc("12.345.678"), "customer.identify.doc_number"},
		{"EUR, as in the seed", setAmount(1000, "EUR"), "payment.currency"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := fmt.Sprintf("EP2ea6-%d", i)
			require.Equal(t, http.StatusOK, s.do("POST", rapiPath, signed(rapiSale(id, tt.mut), testSecret), nil), "declines are never synchronous")
			cb := m.next()
			verifyCallback(t, cb, testSecret)
			assert.Equal(t, id, path(cb, "payment", "id"))
			assert.Equal(t, "decline", path(cb, "payment", "status"))
			assert.Equal(t, "decline", path(cb, "operation", "status"))
			assert.Equal(t, "General decline", path(cb, "operation", "message"))
			assert.Nil(t, path(cb, "redirect_data"))
			assertDeclineReason(t, s, cb, "20000", tt.field)
			errs := storedErrors(t, s, id)
			assert.Equal(t, float64(20000), path(errs[0], "code"))
			if strings.Contains(tt.name, "document") {
				assert.Contains(t, path(errs[0], "message"), "must be 7, 8 or 11 digits")
			}
		})
	}

	// 7, 8 and 11 digits are documents.
	for _, doc := range []string{"1234567", "12345678", "12345678901"} {
		cb := rapiStart(t, s, m, "doc-"+doc, rapiDoc(doc))
		assert.Equal(t, "GET", path(cb, "redirect_data", "method"), doc)
	}
	// Cents are fine unless a config asks for whole units.
	cb := rapiStart(t, s, m, "cents-1", setAmount(1050, "ARS"))
	assert.Equal(t, map[string]any{"amount": float64(1050), "currency": "ARS"}, path(cb, "payment", "sum"))
}

func TestRapipagoBankWindow(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)
	early := voucherRefOf(rapiStart(t, s, m, "early"))
	late := voucherRefOf(rapiStart(t, s, m, "late"))
	bank := voucherRefOf(rapiStart(t, s, m, "bank"))
	never := voucherRefOf(rapiStart(t, s, m, "never"))

	advance(t, s, "119h") // day 5, not over yet
	m.none()
	assert.Equal(t, http.StatusOK, voucherPay(t, s, "rapipago", early, "terminal"))
	assert.Equal(t, "early", path(m.next(), "payment", "id"))

	advance(t, s, "2h") // day 5 is over: branches stop, banks go on
	m.none()
	assert.Equal(t, http.StatusConflict, voucherPay(t, s, "rapipago", late, "terminal"), "branches refuse it after day 5")
	code, page := getPageText(t, s.URL+"/providers/rapipago/vouchers/"+late)
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, page, "Bank payment only")
	assert.Equal(t, http.StatusOK, voucherPay(t, s, "rapipago", bank, "bank"), "a bank takes it until day 30")
	cb := m.next()
	assert.Equal(t, "bank", path(cb, "payment", "id"))
	assert.Equal(t, "success", path(cb, "payment", "status"))

	advance(t, s, "598h") // 719h: day 30 is not over
	m.none()
	advance(t, s, "1h") // 720h: the bank window closed
	got := map[string]string{}
	for range 2 {
		cb := m.next()
		verifyCallback(t, cb, testSecret)
		got[path(cb, "payment", "id").(string)] = path(cb, "payment", "status").(string)
		assert.Equal(t, "20000", path(cb, "operation", "code"))
		assert.Equal(t, "General decline", path(cb, "operation", "message"))
	}
	assert.Equal(t, map[string]string{"late": "decline", "never": "decline"}, got)
	assert.Equal(t, http.StatusConflict, voucherPay(t, s, "rapipago", never, "bank"), "refused everywhere after day 30")
	m.none()
}

func TestRapipagoShortVariantFromConfig(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir(), rapiConfig(t, "    variant: \"3days\"\n    whole_units: true\n"))
	m := newMerchant(t)
	setupProject(t, s, m)

	cb := rapiStart(t, s, m, "short-1", setAmount(50000, "ARS"))
	ref := voucherRefOf(cb)
	var p map[string]any
	require.Equal(t, http.StatusOK, s.do("GET", fmt.Sprintf("/sandbox/payments/%d/short-1", testProject), nil, &p))
	assert.Equal(t, "2026-03-05T09:00:00Z", path(p, "voucher", "valid_until"), "3 days")
	assert.Nil(t, path(p, "voucher", "bank_until"), "no bank window")
	code, page := followRedirect(t, cb, "")
	assert.Equal(t, http.StatusOK, code)
	assert.NotContains(t, page, "Or at a bank until")

	// Whole units, as the config says.
	require.Equal(t, http.StatusOK, s.do("POST", rapiPath, signed(rapiSale("cents-1", setAmount(1050, "ARS")), testSecret), nil))
	cb = m.next()
	verifyCallback(t, cb, testSecret)
	assert.Equal(t, "decline", path(cb, "payment", "status"))
	assertDeclineReason(t, s, cb, "20000", "payment.amount")

	advance(t, s, "71h")
	m.none()
	advance(t, s, "1h")
	cb = m.next()
	assert.Equal(t, "short-1", path(cb, "payment", "id"))
	assert.Equal(t, "decline", path(cb, "payment", "status"))
	assert.Equal(t, http.StatusConflict, voucherPay(t, s, "rapipago", ref, "bank"), "no bank after 3 days")
}

func TestRapipagoControlAPI(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)
	rapiStart(t, s, m, "ctl-pay")
	rapiStart(t, s, m, "ctl-fail")
	rapiStart(t, s, m, "ctl-expire")

	cb := voucherAct(t, s, m, "ctl-pay", "pay", map[string]any{"channel": "bank"})
	assert.Equal(t, "success", path(cb, "payment", "status"))
	var p map[string]any
	require.Equal(t, http.StatusOK, s.do("GET", fmt.Sprintf("/sandbox/payments/%d/ctl-pay", testProject), nil, &p))
	assert.Equal(t, "bank", path(p, "voucher", "channel"))

	cb = voucherAct(t, s, m, "ctl-fail", "fail", map[string]any{"code": 20105})
	assert.Equal(t, "decline", path(cb, "payment", "status"))
	assert.Equal(t, "20105", path(cb, "operation", "code"))
	assert.Equal(t, "Insufficient funds on customer account", path(cb, "operation", "message"))

	cb = voucherAct(t, s, m, "ctl-expire", "expire", nil)
	assert.Equal(t, "decline", path(cb, "payment", "status"))
	assert.Equal(t, "20000", path(cb, "operation", "code"))

	var e map[string]any
	assert.Equal(t, http.StatusConflict, s.do("POST", fmt.Sprintf("/sandbox/payments/%d/ctl-expire/expire", testProject), nil, &e))
	m.none()
}

func rapipagoGoldenCallbacks(t *testing.T) {
	// A maximum of 500.00, so that the seed's 502.00 ARS is declined as in
	// its example.
	s := startSandbox(t, t.TempDir(), rapiConfig(t, "    max_amount: 50000\n"))
	m := newMerchant(t)
	setupProject(t, s, m)

	seedCustomer := func(b map[string]any) { b["customer"].(map[string]any)["id"] = "1" }
	cb := rapiStart(t, s, m, "TEST_Argentina_PC_2", setAmount(50000, "ARS"), seedCustomer)
	goldenCallback(t, s, "rapipago_redirect_callback", m.lastRaw())
	seedShape(t, m.lastRaw(), "rapipago_redirect", "redirect_data") // "body": {}, an empty object
	advance(t, s, "1h49m")
	require.Equal(t, http.StatusOK, voucherPay(t, s, "rapipago", voucherRefOf(cb), "terminal"))
	m.next()
	goldenCallback(t, s, "rapipago_success_callback", m.lastRaw())
	seedShape(t, m.lastRaw(), "rapipago_success")

	require.Equal(t, http.StatusOK, s.do("POST", rapiPath, signed(rapiSale("TEST_15447012171635547", setAmount(50200, "ARS"), seedCustomer), testSecret), nil))
	cb = m.next()
	goldenCallback(t, s, "rapipago_decline_callback", m.lastRaw())
	// The over-limit decline's own shape: errors [{code, message}], provider
	// {id, payment_id: ""} only, the operation's code a number
	// (docs/callbacks.md "Shape").
	seedShape(t, m.lastRaw(), "rapipago_decline")
	assert.Equal(t, float64(20101), path(cb, "operation", "code"))
	assert.Equal(t, map[string]any{"id": float64(1167), "payment_id": ""}, path(cb, "operation", "provider"))
	assert.Equal(t, []any{map[string]any{"code": float64(20101), "message": "Operation amount is great than max limit"}}, path(cb, "errors"))
	assert.NotContains(t, string(m.lastRaw()), "null")
}

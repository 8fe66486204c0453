package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// End-to-end flows of Lotérica (docs/methods.md) through
// HTTP with the real server. The voucher helpers at the end are shared with
// rapipago_e2e_test.go.

const lotPath = "/v2/payment/voucher/loterica/sale"

// lotSale returns a valid Lotérica Gate sale body (unsigned), the seed's:
// 10.00 USD, the customer's ID and IP address.
func lotSale(paymentID string, mutate ...func(map[string]any)) map[string]any {
	b := map[string]any{
		"general":  map[string]any{"project_id": testProject, "payment_id": paymentID},
		"payment":  map[string]any{"amount": 1000, "currency": "USD", "description": "purchase"},
		"customer": map[string]any{"id": "customer123", "ip_address": "1.1.1.1"},
	}
	for _, m := range mutate {
		m(b)
	}
	return b
}

// lotStart sends a Lotérica sale and returns its redirect callback.
func lotStart(t *testing.T, s *sandbox, m *merchant, id string, mutate ...func(map[string]any)) map[string]any {
	t.Helper()
	return saleRedirect(t, s, m, lotPath, lotSale(id, mutate...))
}

func lotericaJourney(t *testing.T) {
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)

	var ans gateAnswer
	status := s.do("POST", lotPath, signed(lotSale("test_payment_1", func(b map[string]any) {
		b["return_url"] = map[string]any{"return": "http://test.ams"}
	}), testSecret), &ans)
	require.Equal(t, http.StatusOK, status, "%+v", ans)
	assert.Equal(t, "success", ans.Status)
	assert.Equal(t, "test_payment_1", ans.PaymentID)

	// The intermediate callback: POST to the voucher with the seed's body.
	cb := m.next()
	verifyCallback(t, cb, testSecret)
	assert.Equal(t, "awaiting redirect result", path(cb, "payment", "status"))
	assert.Equal(t, "awaiting redirect result", path(cb, "operation", "status"))
	assert.Equal(t, "loterica", path(cb, "payment", "method"))
	assert.Equal(t, float64(2174), path(cb, "operation", "provider", "id"))
	assert.Equal(t, ans.RequestID, path(cb, "operation", "request_id"))
	assert.Equal(t, "POST", path(cb, "redirect_data", "method"))
	redirect, _ := path(cb, "redirect_data", "url").(string)
	require.True(t, strings.HasPrefix(redirect, s.URL+"/providers/loterica/vouchers/"), redirect)
	body, _ := path(cb, "redirect_data", "body").(map[string]any)
	require.NotNil(t, body, "the body is an object")
	assert.Equal(t, map[string]any{
		"merchantID":   fmt.Sprintf("ecommpay-%012x", testProject),
		"country":      "BR",
		"user":         "customer123",
		"operation_id": path(cb, "operation", "id"),
		"paymentID":    "test_payment_1",
		"returnURL":    "http://test.ams",
		"callbackURL":  fmt.Sprintf("%s/sandbox/payments/%d/test_payment_1", s.URL, testProject),
		"amount":       "10.00",
	}, body)
	m.mu.Lock()
	raw := string(m.raw[0])
	m.mu.Unlock()
	assert.Contains(t, raw, `"operation_id":`+jsonText(path(cb, "operation", "id")), "operation_id is a JSON number")
	assert.Contains(t, raw, `"amount":"10.00"`, "amount is a string with two decimals")

	// The merchant follows redirect_data exactly: POST with the body.
	code, page := followRedirect(t, cb, "json")
	require.Equal(t, http.StatusOK, code, page)
	ref := redirect[strings.LastIndex(redirect, "/")+1:]
	for _, want := range []string{`<html lang="pt">`, "Aguardando pagamento", "US$ 10,00", "Pague em qualquer casa lotérica até", "5 mar 2026, 06:00 UTC-3"} {
		assert.Contains(t, page, want)
	}
	assert.Contains(t, strings.ReplaceAll(page, " ", ""), ref)
	// ... or as a browser does, an auto-submitted form.
	code, page = followRedirect(t, cb, "form")
	require.Equal(t, http.StatusOK, code, page)
	assert.Contains(t, page, "Aguardando pagamento")
	res, err := http.Get(redirect + "/barcode.png")
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, "image/png", res.Header.Get("Content-Type"))

	// The customer pays at a casa lotérica.
	assert.Equal(t, http.StatusOK, voucherPay(t, s, "loterica", ref, "terminal"))
	cb = m.next()
	verifyCallback(t, cb, testSecret)
	assert.Equal(t, "success", path(cb, "payment", "status"))
	assert.Equal(t, "success", path(cb, "operation", "status"))
	assert.Equal(t, "0", path(cb, "operation", "code"))
	assert.Equal(t, "Success", path(cb, "operation", "message"))
	assert.Equal(t, map[string]any{"amount": float64(1000), "currency": "USD"}, path(cb, "payment", "sum"))
	assert.Nil(t, path(cb, "redirect_data"))
	assert.Nil(t, path(cb, "errors"))

	// Paid: the terminal refuses it again and nothing is sent.
	assert.Equal(t, http.StatusConflict, voucherPay(t, s, "loterica", ref, "terminal"))
	m.none()
	code, page = getPageText(t, redirect)
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, page, "Pago em uma casa lotérica")
}

func TestLotericaGateRequiredFields(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)
	var ans gateAnswer
	status := s.do("POST", lotPath, signed(lotSale("req-1", func(b map[string]any) {
		delete(b["customer"].(map[string]any), "ip_address")
	}), testSecret), &ans)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "2004", ans.Code)
	require.NotEmpty(t, ans.Errors)
	for _, e := range ans.Errors {
		assert.Equal(t, "customer.ip_address", e.Field, "only the IP address is missing")
	}

	// Nothing more than the ID and IP address: no name, email or document.
	require.Equal(t, http.StatusOK, s.do("POST", lotPath, signed(lotSale("req-2"), testSecret), &ans))
	assert.Equal(t, "awaiting redirect result", path(m.next(), "payment", "status"))
}

func TestLotericaDeclinedByCallback(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)
	tests := []struct {
		name    string
		amount  int64
		cur     string
		code    string
		message string
		field   string // the field the stored operation names; "" for none
	}{
		{"EUR is not a Lotérica currency", 1000, "EUR", "20000", "General decline", "payment.currency"},
		{"400.01 USD is above the maximum", 40001, "USD", "20101", "Operation amount is great than max limit", ""},
		{"10.50 USD is not whole units", 1050, "USD", "20000", "General decline", "payment.amount"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := fmt.Sprintf("D0100_%d", i)
			require.Equal(t, http.StatusOK, s.do("POST", lotPath, signed(lotSale(id, setAmount(tt.amount, tt.cur)), testSecret), nil), "declines are never synchronous")
			cb := m.next() // no redirect callback comes first
			verifyCallback(t, cb, testSecret)
			assert.Equal(t, id, path(cb, "payment", "id"))
			assert.Equal(t, "decline", path(cb, "payment", "status"))
			assert.Equal(t, "decline", path(cb, "operation", "status"))
			assert.Equal(t, tt.message, path(cb, "operation", "message"))
			assert.Equal(t, "loterica", path(cb, "payment", "method"))
			assert.Nil(t, path(cb, "redirect_data"))
			assertDeclineReason(t, s, cb, tt.code, tt.field)
		})
	}

	// 400.00 USD, the maximum, is taken.
	cb := lotStart(t, s, m, "max-1", setAmount(40000, "USD"))
	assert.Equal(t, "400.00", path(cb, "redirect_data", "body", "amount"))
}

func TestLotericaVoucherLapsesAfterThreeDays(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)
	lapsing := voucherRefOf(lotStart(t, s, m, "lapse-1"))
	late := voucherRefOf(lotStart(t, s, m, "lapse-2"))

	advance(t, s, "71h")
	m.none()
	assert.Equal(t, http.StatusOK, voucherPay(t, s, "loterica", late, "terminal"), "valid on day 3")
	assert.Equal(t, "success", path(m.next(), "payment", "status"))

	advance(t, s, "2h") // 73h: the voucher lapsed
	cb := m.next()
	verifyCallback(t, cb, testSecret)
	assert.Equal(t, "lapse-1", path(cb, "payment", "id"))
	assert.Equal(t, "decline", path(cb, "payment", "status"))
	assert.Equal(t, "20000", path(cb, "operation", "code"))
	assert.Equal(t, "General decline", path(cb, "operation", "message"))
	assert.Equal(t, http.StatusConflict, voucherPay(t, s, "loterica", lapsing, "terminal"))
	assert.Equal(t, http.StatusConflict, voucherPay(t, s, "loterica", lapsing, "bank"), "no bank window")
	code, page := getPageText(t, s.URL+"/providers/loterica/vouchers/"+lapsing)
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, page, "Este voucher venceu")
	m.none()
}

func TestLotericaControlAPI(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)
	lotStart(t, s, m, "ctl-pay")
	lotStart(t, s, m, "ctl-fail")
	lotStart(t, s, m, "ctl-expire")

	var p map[string]any
	require.Equal(t, http.StatusOK, s.do("GET", fmt.Sprintf("/sandbox/payments/%d/ctl-pay", testProject), nil, &p))
	assert.Equal(t, "loterica", p["method"])
	assert.Len(t, path(p, "voucher", "reference"), 16)
	assert.Equal(t, "2026-03-05T09:00:00Z", path(p, "voucher", "valid_until"))
	assert.Nil(t, path(p, "voucher", "bank_until"))
	assert.Equal(t, "POST", path(p, "redirect_data", "method"))

	// Lotérica's vouchers are paid at its terminals only.
	var refused map[string]any
	assert.Equal(t, http.StatusBadRequest, s.do("POST", fmt.Sprintf("/sandbox/payments/%d/ctl-pay/pay", testProject), map[string]any{"channel": "bank"}, &refused))
	assert.Equal(t, `no bank takes Lotérica vouchers: they are paid at a casa lotérica only; use channel "terminal", or leave it out`, refused["error"])
	cb := voucherAct(t, s, m, "ctl-pay", "pay", map[string]any{"channel": "terminal"})
	assert.Equal(t, "success", path(cb, "payment", "status"))
	require.Equal(t, http.StatusOK, s.do("GET", fmt.Sprintf("/sandbox/payments/%d/ctl-pay", testProject), nil, &p))
	assert.Equal(t, "terminal", path(p, "voucher", "channel"))

	cb = voucherAct(t, s, m, "ctl-fail", "fail", map[string]any{"code": 20105})
	assert.Equal(t, "decline", path(cb, "payment", "status"))
	assert.Equal(t, "20105", path(cb, "operation", "code"))
	assert.Equal(t, "Insufficient funds on customer account", path(cb, "operation", "message"))

	cb = voucherAct(t, s, m, "ctl-expire", "expire", nil)
	assert.Equal(t, "decline", path(cb, "payment", "status"))
	assert.Equal(t, "20000", path(cb, "operation", "code"))

	// A final payment takes no more actions.
	var e map[string]any
	assert.Equal(t, http.StatusConflict, s.do("POST", fmt.Sprintf("/sandbox/payments/%d/ctl-pay/pay", testProject), map[string]any{}, &e))
	m.none()
}

func TestLotericaReferencesStayUniqueAcrossRestarts(t *testing.T) {
	t.Parallel()
	// A sandbox restarted with the same --seed over its data replays the
	// draws that issued its first vouchers: the new ones must not take
	// their references.
	dir := t.TempDir()
	s := startSandbox(t, dir)
	m := newMerchant(t)
	setupProject(t, s, m)
	first := voucherRefOf(lotStart(t, s, m, "before-restart"))

	s = s.restart()
	second := voucherRefOf(lotStart(t, s, m, "after-restart"))
	assert.NotEqual(t, first, second)
	for ref, id := range map[string]string{first: "before-restart", second: "after-restart"} {
		code, page := getPageText(t, s.URL+"/providers/loterica/vouchers/"+ref)
		assert.Equal(t, http.StatusOK, code)
		assert.Contains(t, page, id)
	}
	assert.Equal(t, http.StatusOK, voucherPay(t, s, "loterica", second, "terminal"))
	cb := m.next()
	assert.Equal(t, "after-restart", path(cb, "payment", "id"))
	assert.Equal(t, "success", path(cb, "payment", "status"))
}

func lotericaGoldenCallbacks(t *testing.T) {
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)

	cb := lotStart(t, s, m, "S0100_20200626_102701_21215202", func(b map[string]any) {
		b["customer"].(map[string]any)["id"] = "123"
		b["return_url"] = map[string]any{"return": "http://test.ams"}
	})
	goldenCallback(t, s, "loterica_redirect_callback", m.lastRaw())
	seedShape(t, m.lastRaw(), "loterica_redirect", "redirect_data")
	advance(t, s, "9s")
	require.Equal(t, http.StatusOK, voucherPay(t, s, "loterica", voucherRefOf(cb), "terminal"))
	m.next()
	goldenCallback(t, s, "loterica_success_callback", m.lastRaw())
	seedShape(t, m.lastRaw(), "loterica_success")

	require.Equal(t, http.StatusOK, s.do("POST", lotPath, signed(lotSale("D0100_20200626_103733_29570862", setAmount(40100, "USD"), func(b map[string]any) {
		b["customer"].(map[string]any)["id"] = "customer2"
	}), testSecret), nil))
	m.next()
	goldenCallback(t, s, "loterica_decline_callback", m.lastRaw())
	// The over-limit decline has one shape for every method: Rapipago's
	// example shows it (docs/callbacks.md "Shape").
	seedShape(t, m.lastRaw(), "rapipago_decline")
	assert.NotContains(t, string(m.lastRaw()), "null")

	// A lapsed voucher: the provider's General decline.
	lotStart(t, s, m, "D0100_20200626_103733_29570863", func(b map[string]any) {
		b["customer"].(map[string]any)["id"] = "customer2"
	})
	require.Equal(t, http.StatusOK, s.do("POST", "/sandbox/payments/842/D0100_20200626_103733_29570863/expire", nil, nil))
	m.next()
	goldenCallback(t, s, "loterica_lapse_callback", m.lastRaw())
	seedShape(t, m.lastRaw(), "loterica_decline")
}

// Voucher helpers shared by the Lotérica and Rapipago tests.

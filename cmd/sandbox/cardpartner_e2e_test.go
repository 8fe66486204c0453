package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/providers/cardpartner"
)

const (
	cpSalePath          = "/v2/payment/card-partner/sale"
	cpRefundPath        = "/v2/payment/card-partner/refund"
	clarificationPath   = "/v2/payment/clarification"
	cpReturnSuccess     = "https://shop.example/return/success"
	cpReturnDecline     = "https://shop.example/return/decline"
	cpSuccessCard       = "4242 4242 4242 4242"
	cpDeclineCard       = "4000 0000 0000 0002"
	cpNoFundsCard       = "4000 0000 0000 9995"
	cpRefundDeclineCard = "4000 0000 0000 0077"
)

// cpSale returns a valid card-partner Gate sale body (unsigned): 1 500.00 KES
// with the customer's phone and email and both return URLs.
func cpSale(paymentID string, mutate ...func(map[string]any)) map[string]any {
	b := map[string]any{
		"general": map[string]any{"project_id": testProject, "payment_id": paymentID},
		"customer": map[string]any{
			"id": "123", "ip_address": "1.2.3.4", "phone": "254712375678", "email": "customer@example.com",
		},
		"payment":    map[string]any{"amount": 150000, "currency": "KES", "description": "Order " + paymentID},
		"return_url": map[string]any{"success": cpReturnSuccess, "decline": cpReturnDecline},
	}
	for _, m := range mutate {
		m(b)
	}
	return b
}

// general returns a body with only general{project_id, payment_id}.
func general(paymentID string) map[string]any {
	return map[string]any{"general": map[string]any{"project_id": testProject, "payment_id": paymentID}}
}

// browser is a customer's browser that does not follow redirects, so the
// tests see where the partner sends the customer.
// openCheckout does what the merchant's page does with a redirect
// callback: it POSTs redirect_data.body to redirect_data.url as a form; the
// customer lands on the checkout. It returns the checkout's invoice.
func openCheckout(t *testing.T, s *sandbox, cb map[string]any) string {
	t.Helper()
	require.Equal(t, "POST", path(cb, "redirect_data", "method"))
	target, _ := path(cb, "redirect_data", "url").(string)
	require.Equal(t, s.URL+"/providers/card-partner/checkout", target)
	body, ok := path(cb, "redirect_data", "body").(map[string]any)
	require.True(t, ok, "redirect_data.body is an object: %v", path(cb, "redirect_data", "body"))
	form := url.Values{}
	for k, v := range body {
		str, ok := v.(string)
		require.True(t, ok, "redirect_data.body.%s is a string", k)
		form.Set(k, str)
	}
	status, loc, page := submit(t, target, form)
	require.Equal(t, http.StatusSeeOther, status, page)
	inv := form.Get("inv")
	require.Equal(t, "/providers/card-partner/checkout?inv="+inv, loc)

	res, err := noRedirect.Get(s.URL + loc)
	require.NoError(t, err)
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, string(b), "Time left to pay")
	return inv
}

// payCard pays the checkout with a card and returns the status and
// Location of the answer.
func payCard(t *testing.T, s *sandbox, inv, card string) (int, string) {
	t.Helper()
	status, loc, _ := submit(t, s.URL+"/providers/card-partner/pay", url.Values{
		"inv": {inv}, "method": {"card"}, "card_number": {card}, "card_expiry": {"12/30"},
		"card_cvc": {"123"}, "card_holder": {"Test Customer"}, "action": {"pay"},
	})
	return status, loc
}

// cpOpened starts a sale and opens its checkout from the redirect callback.
func cpOpened(t *testing.T, s *sandbox, m *merchant, body map[string]any) (map[string]any, string) {
	t.Helper()
	var ans gateAnswer
	require.Equal(t, http.StatusOK, s.do("POST", cpSalePath, signed(body, testSecret), &ans), "%+v", ans)
	cb := m.next()
	verifyCallback(t, cb, testSecret)
	require.Equal(t, "awaiting redirect result", path(cb, "payment", "status"), "%v", cb)
	return cb, openCheckout(t, s, cb)
}

// cpPaid starts a sale and pays it with card, waiting for the success callback.
func cpPaid(t *testing.T, s *sandbox, m *merchant, id, card string) map[string]any {
	t.Helper()
	_, inv := cpOpened(t, s, m, cpSale(id))
	status, loc := payCard(t, s, inv, card)
	require.Equal(t, http.StatusSeeOther, status)
	require.Equal(t, cpReturnSuccess, loc)
	cb := m.next()
	require.Equal(t, "success", path(cb, "payment", "status"))
	return cb
}

func cardPartnerJourney(t *testing.T) {
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)

	var ans gateAnswer
	require.Equal(t, http.StatusOK, s.do("POST", cpSalePath, signed(cpSale("EP79a6-d2db"), testSecret), &ans), "%+v", ans)
	assert.Equal(t, "success", ans.Status)

	// The redirect callback carries the seed's fields.
	cb := m.next()
	verifyCallback(t, cb, testSecret)
	assert.Equal(t, "awaiting redirect result", path(cb, "payment", "status"))
	assert.Equal(t, "awaiting redirect result", path(cb, "operation", "status"))
	assert.Equal(t, "Card partner", path(cb, "payment", "method"))
	assert.Equal(t, float64(2377), path(cb, "operation", "provider", "id"))
	assert.Equal(t, ans.RequestID, path(cb, "operation", "request_id"))
	ppid, _ := path(cb, "operation", "provider", "payment_id").(string)
	assert.Regexp(t, `^\d{13}A$`, ppid, `the partner's reference: 13 digits and A, as "1598454195644A"`)
	body, _ := path(cb, "redirect_data", "body").(map[string]any)
	require.NotNil(t, body)
	keys := make([]string, 0, len(body))
	for k := range body {
		keys = append(keys, k)
	}
	assert.ElementsMatch(t, []string{"live", "mpesa", "bonga", "airtel", "equity", "mobilebanking", "debitcard",
		"mkoporahisi", "saida", "elipa", "oid", "inv", "ttl", "tel", "eml", "vid", "curr", "cbk", "lbk", "cst", "crl", "hsh"}, keys)
	fields := map[string]string{}
	for k, v := range body {
		fields[k] = v.(string)
	}
	assert.Equal(t, "0", fields["live"])
	assert.Equal(t, "1", fields["mpesa"])
	assert.Equal(t, "1", fields["debitcard"])
	assert.Equal(t, "0", fields["bonga"])
	assert.Equal(t, "EP79a6-d2db", fields["oid"])
	assert.Equal(t, fmt.Sprintf("%.0f", path(cb, "operation", "id")), fields["inv"])
	assert.Equal(t, "900", fields["ttl"])
	assert.Equal(t, "254712375678", fields["tel"])
	assert.Equal(t, "customer@example.com", fields["eml"])
	assert.Equal(t, "842", fields["vid"])
	assert.Equal(t, "KES", fields["curr"])
	assert.Equal(t, cpReturnSuccess, fields["cbk"])
	assert.Equal(t, cpReturnDecline, fields["lbk"])
	assert.Equal(t, cardpartner.Hash(fields, testSecret), fields["hsh"])
	assert.Regexp(t, `^[0-9a-f]{64}$`, fields["hsh"])

	// The customer is sent to the checkout and pays with the success card.
	inv := openCheckout(t, s, cb)
	status, loc := payCard(t, s, inv, cpSuccessCard)
	assert.Equal(t, http.StatusSeeOther, status)
	assert.Equal(t, cpReturnSuccess, loc, "back to return_url.success")

	cb = m.next()
	verifyCallback(t, cb, testSecret)
	assert.Equal(t, "EP79a6-d2db", path(cb, "payment", "id"))
	assert.Equal(t, "success", path(cb, "payment", "status"))
	assert.Equal(t, "Card partner", path(cb, "payment", "method"))
	assert.Equal(t, float64(150000), path(cb, "payment", "sum", "amount"))
	assert.Equal(t, "sale", path(cb, "operation", "type"))
	assert.Equal(t, "success", path(cb, "operation", "status"))
	assert.Equal(t, "0", path(cb, "operation", "code"))
	assert.Equal(t, "Success", path(cb, "operation", "message"))
	assert.Equal(t, float64(2377), path(cb, "operation", "provider", "id"))
	assert.Equal(t, ppid, path(cb, "operation", "provider", "payment_id"))
	assert.Equal(t, "", path(cb, "operation", "provider", "auth_code"), `the partner gives no approval code: auth_code ""`)
	assert.Nil(t, path(cb, "redirect_data"))

	// The checkout is closed now; the status request agrees.
	status, _ = payCard(t, s, inv, cpSuccessCard)
	assert.Equal(t, http.StatusConflict, status)
	var st map[string]any
	require.Equal(t, http.StatusOK, s.do("POST", "/v2/payment/status", signed(general("EP79a6-d2db"), testSecret), &st))
	assert.Equal(t, "success", path(st, "payment", "status"))
	m.none()
}

func TestCardPartnerCheckoutTakesJSON(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)
	require.Equal(t, http.StatusOK, s.do("POST", cpSalePath, signed(cpSale("json-1"), testSecret), nil))
	cb := m.next()
	req, err := http.NewRequest("POST", path(cb, "redirect_data", "url").(string), strings.NewReader(mustJSON(t, path(cb, "redirect_data", "body"))))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	res, err := noRedirect.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusSeeOther, res.StatusCode)

	// A body whose fields were changed is refused.
	body := path(cb, "redirect_data", "body").(map[string]any)
	body["ttl"] = "86400"
	req, err = http.NewRequest("POST", path(cb, "redirect_data", "url").(string), strings.NewReader(mustJSON(t, body)))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	res, err = noRedirect.Do(req)
	require.NoError(t, err)
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	assert.Contains(t, string(page), "ttl=86400")
}

func TestCardPartnerDeclines(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)
	tests := []struct {
		name    string
		form    url.Values
		status  string
		code    string
		message string
		back    string
	}{
		{name: "declining card", form: url.Values{"method": {"card"}, "card_number": {cpDeclineCard}},
			status: "decline", code: "20000", message: "General decline", back: cpReturnDecline},
		{name: "insufficient funds card", form: url.Values{"method": {"card"}, "card_number": {cpNoFundsCard}},
			status: "decline", code: "20105", message: "Insufficient funds on customer account", back: cpReturnDecline},
		{name: "M-Pesa approved", form: url.Values{"method": {"mpesa"}, "phone": {"254708374149"}},
			status: "success", code: "0", message: "Success", back: cpReturnSuccess},
		{name: "M-Pesa declined", form: url.Values{"method": {"mpesa"}, "phone": {"254700000002"}},
			status: "decline", code: "20000", message: "General decline", back: cpReturnDecline},
		{name: "Airtel insufficient funds", form: url.Values{"method": {"airtel"}, "phone": {"254700009995"}},
			status: "decline", code: "20105", message: "Insufficient funds on customer account", back: cpReturnDecline},
		{name: "customer cancels", form: url.Values{"action": {"cancel"}},
			status: "decline", code: "20000", message: "General decline", back: cpReturnDecline},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := fmt.Sprintf("dec-%d", i)
			_, inv := cpOpened(t, s, m, cpSale(id))
			form := url.Values{"inv": {inv}, "card_expiry": {"12/30"}, "card_cvc": {"123"}, "card_holder": {"Test Customer"}, "action": {"pay"}}
			for k, v := range tt.form {
				form[k] = v
			}
			status, loc, page := submit(t, s.URL+"/providers/card-partner/pay", form)
			require.Equal(t, http.StatusSeeOther, status, page)
			assert.Equal(t, tt.back, loc)
			cb := m.next()
			verifyCallback(t, cb, testSecret)
			assert.Equal(t, id, path(cb, "payment", "id"))
			assert.Equal(t, tt.status, path(cb, "payment", "status"))
			assert.Equal(t, tt.status, path(cb, "operation", "status"))
			assert.Equal(t, tt.code, path(cb, "operation", "code"))
			assert.Equal(t, tt.message, path(cb, "operation", "message"))
		})
	}

	// A card the checkout refuses changes nothing and sends no callback.
	_, inv := cpOpened(t, s, m, cpSale("refused-1"))
	status, _ := payCard(t, s, inv, "4242 4242 4242 4241")
	assert.Equal(t, http.StatusBadRequest, status)
	m.none()
}

func TestCardPartnerAmountAndCurrency(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)
	tests := []struct {
		amount   int
		currency string
		status   string
		code     string
		field    string
		phone    string
		email    string
	}{
		{amount: 20_000_001, currency: "KES", status: "decline", code: "20101"},
		{amount: 20_000_000, currency: "KES", status: "awaiting redirect result", code: "0"},
		{amount: 999, currency: "KES", status: "decline", code: "20000", field: "payment.amount"},
		{amount: 1000, currency: "KES", status: "awaiting redirect result", code: "0"},
		{amount: 300_001, currency: "USD", status: "decline", code: "20101"},
		{amount: 300_000, currency: "USD", status: "awaiting redirect result", code: "0"},
		{amount: 99, currency: "USD", status: "decline", code: "20000", field: "payment.amount"},
		{amount: 100, currency: "USD", status: "awaiting redirect result", code: "0"},
		{amount: 1000, currency: "EUR", status: "decline", code: "20000", field: "payment.currency"},
		// A phone or an email the checkout cannot take, as the Payment Page
		// refuses them (docs/payment-page.md): the partner refuses the
		// payment before it starts, so no reference.
		{amount: 1000, currency: "KES", status: "decline", code: "20000", field: "customer.phone", phone: "123"},
		{amount: 1000, currency: "KES", status: "decline", code: "20000", field: "customer.email", email: "not-an-email"},
		{amount: 1000, currency: "KES", status: "awaiting redirect result", code: "0", phone: "+254 708-374149"},
	}
	for i, tt := range tests {
		t.Run(fmt.Sprintf("%d %s", tt.amount, tt.currency), func(t *testing.T) {
			id := fmt.Sprintf("amount-%d", i)
			var ans gateAnswer
			require.Equal(t, http.StatusOK, s.do("POST", cpSalePath, signed(cpSale(id, func(b map[string]any) {
				b["payment"].(map[string]any)["amount"] = tt.amount
				b["payment"].(map[string]any)["currency"] = tt.currency
				if tt.phone != "" {
					b["customer"].(map[string]any)["phone"] = tt.phone
				}
				if tt.email != "" {
					b["customer"].(map[string]any)["email"] = tt.email
				}
			}), testSecret), &ans), "declines are never synchronous: %+v", ans)
			cb := m.next()
			verifyCallback(t, cb, testSecret)
			assert.Equal(t, id, path(cb, "payment", "id"))
			assert.Equal(t, tt.status, path(cb, "payment", "status"))
			if tt.status != "decline" {
				assert.Equal(t, tt.code, path(cb, "operation", "code"))
				assert.Nil(t, path(cb, "errors"))
				return
			}
			assertDeclineReason(t, s, cb, tt.code, tt.field)
			if tt.phone != "" || tt.email != "" {
				assert.Equal(t, "", path(cb, "operation", "provider", "payment_id"))
				return
			}
			if tt.code == "20000" {
				// The platform declines before the partner sees the payment:
				// its own reference, as for a currency (docs/callbacks.md).
				assert.Regexp(t, `^D-30006-[0-9a-f-]{36}$`, path(cb, "operation", "provider", "payment_id"))
			}
		})
	}
}

func TestCardPartnerPageTTL(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)
	_, inv := cpOpened(t, s, m, cpSale("ttl-1"))

	advance(t, s, "899s")
	m.none()
	advance(t, s, "2s") // 901 s after the redirect
	cb := m.next()
	verifyCallback(t, cb, testSecret)
	assert.Equal(t, "ttl-1", path(cb, "payment", "id"))
	assert.Equal(t, "decline", path(cb, "payment", "status"))
	assert.Equal(t, "20000", path(cb, "operation", "code"))
	assert.Equal(t, "General decline", path(cb, "operation", "message"))

	// The customer who comes back finds the checkout closed.
	status, _ := payCard(t, s, inv, cpSuccessCard)
	assert.Equal(t, http.StatusConflict, status)
	m.none()
}

func TestCardPartnerClarification(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)

	var sale gateAnswer
	require.Equal(t, http.StatusOK, s.do("POST", cpSalePath, signed(cpSale("clar-1", func(b map[string]any) {
		c := b["customer"].(map[string]any)
		delete(c, "phone")
		delete(c, "email")
	}), testSecret), &sale))
	cb := m.next()
	verifyCallback(t, cb, testSecret)
	assert.Equal(t, "awaiting clarification", path(cb, "payment", "status"))
	assert.Equal(t, "awaiting clarification", path(cb, "operation", "status"))
	assert.Equal(t, []any{"customer.phone", "customer.email"}, path(cb, "clarification_fields"))
	assert.Nil(t, path(cb, "redirect_data"))

	// A clarification that still lacks a field is refused, naming it.
	var ans gateAnswer
	clarify := func(customer map[string]any) map[string]any {
		b := general("clar-1")
		b["customer"] = customer
		return signed(b, testSecret)
	}
	assert.Equal(t, http.StatusBadRequest, s.do("POST", clarificationPath, clarify(map[string]any{"phone": "254712375678"}), &ans))
	assert.Equal(t, "2004", ans.Code)
	require.Len(t, ans.Errors, 1)
	assert.Equal(t, "customer.email", ans.Errors[0].Field)
	assert.Equal(t, `customer.email is required: the partner's checkout needs the customer's email address, such as "jane@example.com"`, ans.Errors[0].Message)
	// One the checkout cannot take is refused too, naming each, and the
	// payment still waits for a clarification.
	assert.Equal(t, http.StatusBadRequest, s.do("POST", clarificationPath, clarify(map[string]any{"phone": "12", "email": "x"}), &ans))
	assert.Equal(t, "2003", ans.Code)
	require.Len(t, ans.Errors, 2)
	assert.Equal(t, "customer.phone", ans.Errors[0].Field)
	assert.Contains(t, ans.Errors[0].Message, "9 to 15 digits")
	assert.Equal(t, "customer.email", ans.Errors[1].Field)
	m.none()

	// Unsigned or unknown: the usual answers.
	assert.Equal(t, http.StatusBadRequest, s.do("POST", clarificationPath, map[string]any{"general": map[string]any{"project_id": testProject, "payment_id": "clar-1"}}, &ans))
	assert.Equal(t, "3262", ans.Code)
	nope := general("nope")
	nope["customer"] = map[string]any{"phone": "1", "email": "a@b.c"}
	assert.Equal(t, http.StatusBadRequest, s.do("POST", clarificationPath, signed(nope, testSecret), &ans))
	assert.Equal(t, "3061", ans.Code)

	// With both, the redirect follows, then the customer pays.
	require.Equal(t, http.StatusOK, s.do("POST", clarificationPath, clarify(map[string]any{"phone": "254700111222", "email": "late@example.com"}), &ans), "%+v", ans)
	assert.NotEmpty(t, ans.RequestID)
	assert.NotEqual(t, sale.RequestID, ans.RequestID, "the clarification is a request of its own")
	cb = m.next()
	assert.Equal(t, sale.RequestID, path(cb, "operation", "request_id"), "the operation keeps the sale's request_id")
	verifyCallback(t, cb, testSecret)
	assert.Equal(t, "awaiting redirect result", path(cb, "payment", "status"))
	assert.Nil(t, path(cb, "clarification_fields"))
	assert.Equal(t, "254700111222", path(cb, "redirect_data", "body", "tel"))
	assert.Equal(t, "late@example.com", path(cb, "redirect_data", "body", "eml"))
	inv := openCheckout(t, s, cb)
	status, loc := payCard(t, s, inv, cpSuccessCard)
	assert.Equal(t, http.StatusSeeOther, status)
	assert.Equal(t, cpReturnSuccess, loc)
	cb = m.next()
	assert.Equal(t, "success", path(cb, "payment", "status"))

	// A second clarification is refused; the clarification timeout does nothing.
	assert.Equal(t, http.StatusBadRequest, s.do("POST", clarificationPath, clarify(map[string]any{"phone": "1", "email": "a@b.c"}), &ans))
	assert.Equal(t, "3060", ans.Code)
	advance(t, s, "31m")
	m.none()
}

func TestCardPartnerClarificationTimeout(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)
	require.Equal(t, http.StatusOK, s.do("POST", cpSalePath, signed(cpSale("silent-1", func(b map[string]any) {
		delete(b["customer"].(map[string]any), "email")
	}), testSecret), nil))
	cb := m.next()
	assert.Equal(t, []any{"customer.email"}, path(cb, "clarification_fields"))

	advance(t, s, "29m")
	m.none()
	advance(t, s, "2m") // 31 minutes of silence
	cb = m.next()
	verifyCallback(t, cb, testSecret)
	assert.Equal(t, "decline", path(cb, "payment", "status"))
	assert.Equal(t, "20000", path(cb, "operation", "code"))

	var ans gateAnswer
	b := general("silent-1")
	b["customer"] = map[string]any{"email": "late@example.com"}
	assert.Equal(t, http.StatusBadRequest, s.do("POST", clarificationPath, signed(b, testSecret), &ans))
	assert.Equal(t, "3060", ans.Code, "too late")
}

func TestCardPartnerRefunds(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)
	refund := func(id string, payment map[string]any) (int, gateAnswer) {
		b := general(id)
		if payment != nil {
			b["payment"] = payment
		}
		var ans gateAnswer
		status := s.do("POST", cpRefundPath, signed(b, testSecret), &ans)
		return status, ans
	}

	paid := cpPaid(t, s, m, "ref-1", cpSuccessCard)
	status, ans := refund("ref-1", nil)
	require.Equal(t, http.StatusOK, status, "%+v", ans)
	assert.Equal(t, "success", ans.Status)
	cb := m.next()
	verifyCallback(t, cb, testSecret)
	assert.Equal(t, "refunded", path(cb, "payment", "status"))
	assert.Equal(t, float64(0), path(cb, "payment", "sum", "amount"))
	assert.Equal(t, "KES", path(cb, "payment", "sum", "currency"))
	assert.Equal(t, "Card partner", path(cb, "payment", "method"))
	assert.Equal(t, "refund", path(cb, "operation", "type"))
	assert.Equal(t, "success", path(cb, "operation", "status"))
	assert.Equal(t, float64(150000), path(cb, "operation", "sum_initial", "amount"))
	assert.Equal(t, "KES", path(cb, "operation", "sum_initial", "currency"))
	assert.Equal(t, float64(150000), path(cb, "operation", "sum_converted", "amount"))
	assert.Equal(t, ans.RequestID, path(cb, "operation", "request_id"))
	assert.NotEqual(t, path(paid, "operation", "id"), path(cb, "operation", "id"))
	assert.Equal(t, float64(2377), path(cb, "operation", "provider", "id"))
	// A refund's reference is 13 digits alone (docs/callbacks.md).
	assert.Regexp(t, `^\d{13}$`, path(cb, "operation", "provider", "payment_id"))

	// Payments that cannot be refunded as asked.
	cpPaid(t, s, m, "ref-2", cpSuccessCard)
	_, inv := cpOpened(t, s, m, cpSale("ref-declined"))
	payCard(t, s, inv, cpDeclineCard)
	require.Equal(t, "decline", path(m.next(), "payment", "status"))
	cpOpened(t, s, m, cpSale("ref-open"))

	tests := []struct {
		name    string
		id      string
		payment map[string]any
		code    string
		field   string
		message string
		detail  string // a part of errors[0].message
	}{
		{name: "second refund", id: "ref-1", code: "3060", detail: "was refunded in full already"},
		{name: "unknown payment", id: "nope", code: "3061"},
		{name: "partial amount", id: "ref-2", payment: map[string]any{"amount": 100000, "currency": "KES"}, code: "3283", field: "payment.amount", message: "Refund amount more than init amount"},
		{name: "wrong currency", id: "ref-2", payment: map[string]any{"amount": 150000, "currency": "USD"}, code: "3284", field: "payment.currency", message: "Refund currency mismatched or empty"},
		{name: "amount without currency", id: "ref-2", payment: map[string]any{"amount": 150000}, code: "3284", field: "payment.currency", message: "Refund currency mismatched or empty"},
		{name: "declined payment", id: "ref-declined", code: "3060", detail: `has status "decline"; only a payment with status "success" can be refunded`},
		{name: "payment still at the checkout", id: "ref-open", code: "3060"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, ans := refund(tt.id, tt.payment)
			assert.Equal(t, http.StatusBadRequest, status)
			assert.Equal(t, "error", ans.Status)
			assert.Equal(t, tt.code, ans.Code)
			if tt.message != "" {
				assert.Equal(t, tt.message, ans.Message, "as ecommpay's code list words it")
			}
			if tt.field != "" {
				require.NotEmpty(t, ans.Errors)
				assert.Equal(t, tt.field, ans.Errors[0].Field)
			}
			if tt.detail != "" {
				require.NotEmpty(t, ans.Errors)
				assert.Contains(t, ans.Errors[0].Message, tt.detail)
			}
		})
	}
	m.none()

	// The full amount, said explicitly, is refunded.
	status, ans = refund("ref-2", map[string]any{"amount": 150000, "currency": "KES"})
	require.Equal(t, http.StatusOK, status, "%+v", ans)
	assert.Equal(t, "refunded", path(m.next(), "payment", "status"))
}

func TestCardPartnerRefundDeclined(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)
	cpPaid(t, s, m, "ref-77", cpRefundDeclineCard)

	require.Equal(t, http.StatusOK, s.do("POST", cpRefundPath, signed(general("ref-77"), testSecret), nil))
	cb := m.next()
	verifyCallback(t, cb, testSecret)
	assert.Equal(t, "success", path(cb, "payment", "status"), "a declined refund leaves the payment success")
	assert.Equal(t, float64(150000), path(cb, "payment", "sum", "amount"))
	assert.Equal(t, "refund", path(cb, "operation", "type"))
	assert.Equal(t, "decline", path(cb, "operation", "status"))
	assert.Equal(t, "20000", path(cb, "operation", "code"))
	assert.Equal(t, "General decline", path(cb, "operation", "message"))
	assert.Equal(t, float64(150000), path(cb, "operation", "sum_initial", "amount"))
	// A declined refund's provider.payment_id is 13 digits and RF
	// ("1598516693232RF"; docs/callbacks.md).
	m.mu.Lock()
	raw := m.raw[len(m.raw)-1]
	m.mu.Unlock()
	seedShape(t, raw, "cardpartner_refund_decline")
	assert.Regexp(t, `^\d{13}RF$`, path(cb, "operation", "provider", "payment_id"))

	var st map[string]any
	require.Equal(t, http.StatusOK, s.do("POST", "/v2/payment/status", signed(general("ref-77"), testSecret), &st))
	assert.Equal(t, "success", path(st, "payment", "status"))
	ops, _ := path(st, "operations").([]any)
	require.Len(t, ops, 2)
	assert.Equal(t, "sale", path(ops[0], "type"))
	assert.Equal(t, "refund", path(ops[1], "type"))
	assert.Equal(t, "decline", path(ops[1], "status"))

	// The merchant may ask again: a declined refund leaves the payment
	// "success" with its whole sum captured, the status a refund is taken
	// from, and the partner limits refunds to full ones, not to one attempt
	// (docs/methods.md, the card partner's refunds). The retry is a new
	// refund operation; this card's refunds decline again.
	var ans gateAnswer
	require.Equal(t, http.StatusOK, s.do("POST", cpRefundPath, signed(general("ref-77"), testSecret), &ans), "%+v", ans)
	again := m.next()
	verifyCallback(t, again, testSecret)
	assert.Equal(t, "refund", path(again, "operation", "type"))
	assert.Equal(t, "decline", path(again, "operation", "status"))
	assert.Equal(t, ans.RequestID, path(again, "operation", "request_id"))
	assert.NotEqual(t, path(cb, "operation", "id"), path(again, "operation", "id"), "a new refund operation")
	assert.Equal(t, "success", path(again, "payment", "status"))
	require.Equal(t, http.StatusOK, s.do("POST", "/v2/payment/status", signed(general("ref-77"), testSecret), &st))
	ops, _ = path(st, "operations").([]any)
	require.Len(t, ops, 3, "the sale and both refunds")
	m.none()
}

func TestCardPartnerControlAPI(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)
	base := fmt.Sprintf("/sandbox/payments/%d/", testProject)

	// pay with nothing: the first test card.
	require.Equal(t, http.StatusOK, s.do("POST", cpSalePath, signed(cpSale("ctl-1"), testSecret), nil))
	m.next()
	require.Equal(t, http.StatusOK, s.do("POST", base+"ctl-1/pay", map[string]any{}, nil))
	cb := m.next()
	assert.Equal(t, "success", path(cb, "payment", "status"))

	// pay as the checkout would, with a declining phone.
	require.Equal(t, http.StatusOK, s.do("POST", cpSalePath, signed(cpSale("ctl-2"), testSecret), nil))
	m.next()
	require.Equal(t, http.StatusOK, s.do("POST", base+"ctl-2/pay", map[string]any{"method": "mpesa", "phone": "254700009995"}, nil))
	cb = m.next()
	assert.Equal(t, "20105", path(cb, "operation", "code"))

	// expire.
	require.Equal(t, http.StatusOK, s.do("POST", cpSalePath, signed(cpSale("ctl-3"), testSecret), nil))
	m.next()
	require.Equal(t, http.StatusOK, s.do("POST", base+"ctl-3/expire", nil, nil))
	cb = m.next()
	assert.Equal(t, "decline", path(cb, "payment", "status"))
	assert.Equal(t, "20000", path(cb, "operation", "code"))
}

func cardPartnerGoldenCallbacks(t *testing.T) {
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)

	// Redirect, then success.
	require.Equal(t, http.StatusOK, s.do("POST", cpSalePath, signed(cpSale("EP79a6-d2db"), testSecret), nil))
	cb := m.next()
	goldenCallback(t, s, "cardpartner_redirect_callback", m.lastRaw())
	seedShape(t, m.lastRaw(), "cardpartner_redirect", "redirect_data")
	inv := openCheckout(t, s, cb)
	advance(t, s, "14s")
	status, _ := payCard(t, s, inv, cpSuccessCard)
	require.Equal(t, http.StatusSeeOther, status)
	cb = m.next()
	goldenCallback(t, s, "cardpartner_success_callback", m.lastRaw())
	// customer {phone}, auth_code "", no provider.date (docs/callbacks.md).
	seedShape(t, m.lastRaw(), "cardpartner_success")
	assert.Equal(t, "", path(cb, "operation", "provider", "auth_code"))

	// Its refund.
	advance(t, s, "17m")
	require.Equal(t, http.StatusOK, s.do("POST", cpRefundPath, signed(general("EP79a6-d2db"), testSecret), nil))
	cb = m.next()
	goldenCallback(t, s, "cardpartner_refund_callback", m.lastRaw())
	// The refund's provider.payment_id is 13 digits alone ("1598455969395";
	// docs/callbacks.md).
	seedShape(t, m.lastRaw(), "cardpartner_refund")
	assert.Regexp(t, `^\d{13}$`, path(cb, "operation", "provider", "payment_id"))

	// A declined card.
	require.Equal(t, http.StatusOK, s.do("POST", cpSalePath, signed(cpSale("EPee51-5d3f", func(b map[string]any) {
		b["payment"].(map[string]any)["amount"] = 11300
	}), testSecret), nil))
	cb = m.next()
	inv = openCheckout(t, s, cb)
	advance(t, s, "15s")
	status, _ = payCard(t, s, inv, cpDeclineCard)
	require.Equal(t, http.StatusSeeOther, status)
	m.next()
	goldenCallback(t, s, "cardpartner_decline_callback", m.lastRaw())
	seedShape(t, m.lastRaw(), "cardpartner_decline")

	// A sale without phone and email.
	require.Equal(t, http.StatusOK, s.do("POST", cpSalePath, signed(cpSale("EPacf3-b6d0", func(b map[string]any) {
		c := b["customer"].(map[string]any)
		delete(c, "phone")
		delete(c, "email")
	}), testSecret), nil))
	m.next()
	goldenCallback(t, s, "cardpartner_clarification_callback", m.lastRaw())
	assert.NotContains(t, string(m.lastRaw()), "null")
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

package main

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/app"
	"github.com/ecommpay-sandbox/sandbox/platform/signature"
)

// The Payment Page tests' project: its own ID, so that they do not depend
// on the other tests' fixtures.
const (
	ppProject = 4242
	ppSecret  = "pp-secret-key"
)

// ppSetup starts a sandbox with the Payment Page tests' project, whose
// callbacks go to the returned merchant.
func ppSetup(t *testing.T) (*sandbox, *merchant) {
	t.Helper()
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	require.Equal(t, http.StatusOK, s.do("POST", "/sandbox/projects", map[string]any{
		"id": ppProject, "secret": ppSecret, "callback_url": m.srv.URL + "/project-callbacks",
	}, nil))
	return s, m
}

// ppConfirmDeposits gives the tests' project a check_deposit endpoint that
// confirms every amount (EcoVoucher), its callbacks still going to m.
func ppConfirmDeposits(t *testing.T, s *sandbox, m *merchant) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			PaymentID string `json:"payment_id"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"code": 0, "payment_id": req.PaymentID})
	}))
	t.Cleanup(srv.Close)
	require.Equal(t, http.StatusOK, s.do("POST", "/sandbox/projects", map[string]any{
		"id": ppProject, "secret": ppSecret, "callback_url": m.srv.URL + "/project-callbacks",
		"check_deposit_url": srv.URL + "/check-deposit",
	}, nil))
}

// ppParams are the base parameters of a Payment Page request of the tests'
// project, with extra ones added (an empty value removes a parameter).
func ppParams(paymentID, currency string, amount int64, extra map[string]string) map[string]string {
	p := map[string]string{
		"project_id":       strconv.Itoa(ppProject),
		"payment_id":       paymentID,
		"payment_amount":   strconv.FormatInt(amount, 10),
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

// ppSign returns p with its signature, computed as the SDKs do with secret.
func ppSign(p map[string]string, secret string) url.Values {
	data := make(map[string]any, len(p))
	v := url.Values{}
	for k, s := range p {
		data[k] = s
		v.Set(k, s)
	}
	v.Set("signature", signature.Sign(data, secret))
	return v
}

// ppURL is the signed Payment Page URL of p.
func ppURL(s *sandbox, p map[string]string) string {
	return s.URL + "/payment?" + ppSign(p, ppSecret).Encode()
}

// ppGet GETs u and returns the status, the Location and the body.
func ppGet(t *testing.T, u string) (int, string, string) {
	t.Helper()
	res, err := noRedirect.Get(u)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, res.Header.Get("Location"), string(b)
}

var ppRequestField = regexp.MustCompile(`name="request" value="([^"]*)"`)

// ppProviderLink finds the link to the provider a page shows.
var ppProviderLink = regexp.MustCompile(`<a class="[^"]*pp-provider-link[^"]*" href="([^"]*)"`)

// ppCarried returns the signed parameters a page carries in its hidden
// request field.
func ppCarried(t *testing.T, page string) string {
	t.Helper()
	m := ppRequestField.FindStringSubmatch(page)
	require.NotNil(t, m, "the page carries no request field:\n%s", page)
	return html.UnescapeString(m[1])
}

// ppAbs makes a path of the sandbox absolute.
func ppAbs(s *sandbox, loc string) string {
	if strings.HasPrefix(loc, "/") {
		return s.URL + loc
	}
	return loc
}

// TestPaymentPageOxxoEndToEnd is a customer's whole journey over HTTP: a
// signed link for Oxxo, the form for what the shop did not send, the sale,
// the voucher, the payment at a terminal, and one final callback, sent to
// merchant_callback_url rather than the project's URL.
func TestPaymentPageOxxoEndToEnd(t *testing.T) {
	t.Parallel()
	s, project := ppSetup(t)
	override := newMerchant(t)
	link := ppURL(s, ppParams("pp-oxxo-1", "MXN", 12550, map[string]string{
		"force_payment_method":  "oxxo",
		"payment_description":   "Order 1 of the e2e test",
		"customer_first_name":   "Guido",
		"merchant_callback_url": override.srv.URL + "/pp-callbacks",
		"merchant_success_url":  "https://shop.example/ok",
		"interface_type":        `{"id":18}`,
	}))

	// The page asks for what Oxxo needs and the link lacks.
	status, _, page := ppGet(t, link)
	require.Equal(t, http.StatusOK, status, page)
	assert.Contains(t, page, `id="f-customer_last_name"`)
	assert.Contains(t, page, `id="f-customer_email"`)
	assert.Contains(t, page, `id="f-identify_doc_number"`)
	assert.NotContains(t, page, `id="f-customer_first_name"`, "the link has the first name")
	request := ppCarried(t, page)

	// A malformed answer shows the form again with what was typed.
	status, _, page = submit(t, s.URL+"/payment/pay", url.Values{
		"request": {request}, "method": {"oxxo"},
		"customer_last_name": {"Marques"}, "customer_email": {"not-an-email"}, "identify_doc_number": {"123"},
	})
	require.Equal(t, http.StatusUnprocessableEntity, status, page)
	assert.Contains(t, page, `value="Marques"`)
	assert.Contains(t, page, `value="not-an-email"`)
	assert.Contains(t, page, "Enter an email address like name@example.com.")
	assert.Contains(t, page, `aria-invalid="true"`)
	override.none()

	// A good one starts the sale and the customer waits for it.
	status, loc, page := submit(t, s.URL+"/payment/pay", url.Values{
		"request": {request}, "method": {"oxxo"},
		"customer_last_name": {"Marques"}, "customer_email": {"marques@example.com"}, "identify_doc_number": {"1234567890"},
	})
	require.Equal(t, http.StatusSeeOther, status, page)
	require.Equal(t, "/payment/processing/4242/pp-oxxo-1", loc)

	// Once the provider issued the voucher, the processing page shows the
	// customer a link to it, which they follow: the step Oxxo's
	// documentation shows, a link on the Payment Page, then the customer
	// at Oxxo (docs/payment-page.md, step 3).
	var voucher string
	eventually(t, "the processing page links the voucher", func() bool {
		status, _, page := ppGet(t, ppAbs(s, loc))
		if m := ppProviderLink.FindStringSubmatch(page); status == http.StatusOK && m != nil {
			voucher = html.UnescapeString(m[1])
			return true
		}
		return false
	})
	require.True(t, strings.HasPrefix(voucher, s.URL+"/providers/oxxo/vouchers/"), voucher)
	ref := voucher[strings.LastIndex(voucher, "/")+1:]

	// The voucher page takes the customer back to the Payment Page's result.
	status, _, page = ppGet(t, voucher)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, page, "/payment/result/4242/pp-oxxo-1")

	status, _, page = ppGet(t, s.URL+"/payment/result/4242/pp-oxxo-1")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, page, "Pay your voucher")
	assert.Contains(t, page, ref[:4]+" "+ref[4:8])

	// Payment Page flows send no intermediate callback.
	override.none()
	project.none()

	// The customer pays at a terminal: one final callback, to the override.
	status, _, _ = submit(t, s.URL+"/providers/oxxo/terminal", url.Values{"reference": {ref}, "channel": {"terminal"}})
	require.Equal(t, http.StatusOK, status)
	cb := override.next()
	verifyCallback(t, cb, ppSecret)
	assert.Equal(t, "success", path(cb, "payment", "status"))
	assert.Equal(t, "pp-oxxo-1", path(cb, "payment", "id"))
	assert.Equal(t, "oxxo", path(cb, "payment", "method"))
	assert.Equal(t, float64(12550), path(cb, "payment", "sum", "amount"))
	assert.Equal(t, "MXN", path(cb, "payment", "sum", "currency"))
	assert.Equal(t, "Order 1 of the e2e test", path(cb, "payment", "description"))
	assert.Nil(t, path(cb, "customer"), "Oxxo's callbacks carry no customer (docs/callbacks.md)")
	assert.Equal(t, "success", path(cb, "operation", "status"))
	assert.Nil(t, path(cb, "redirect_data"))
	override.none()
	project.none()

	// The result page says so and offers the way back to the shop.
	status, _, page = ppGet(t, s.URL+"/payment/result/4242/pp-oxxo-1")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, page, "Payment successful")
	assert.Contains(t, page, `href="https://shop.example/ok"`)

	// The same link again is refused: its payment_id is used.
	status, _, page = ppGet(t, link)
	assert.Equal(t, http.StatusConflict, status)
	assert.Contains(t, page, "This payment was already made")
	assert.Contains(t, page, `href="/payment/result/4242/pp-oxxo-1"`)
}

// TestPaymentPageDeclinedAtOnce: a payment the provider declines right
// away goes from the processing page to the result, which says why, and
// the project's callback URL gets the one decline callback.
func TestPaymentPageDeclinedAtOnce(t *testing.T) {
	t.Parallel()
	s, project := ppSetup(t)
	link := ppURL(s, ppParams("pp-oxxo-decline", "EUR", 5000, map[string]string{
		// Oxxo forced in a currency it does not take: the page lets it
		// through, as ecommpay does, and the provider declines it.
		"force_payment_method": "oxxo",
		"customer_first_name":  "Ana", "customer_last_name": "Lopez", "customer_email": "ana@example.com",
		"identify_doc_number": "1234567890",
		"merchant_fail_url":   "https://shop.example/failed",
		"language_code":       "es",
	}))
	status, _, page := ppGet(t, link)
	require.Equal(t, http.StatusOK, status, page)
	assert.Contains(t, page, `<html lang="es">`)
	assert.Contains(t, page, "Confirma tu pago")

	status, loc, page := submit(t, s.URL+"/payment/pay", url.Values{"request": {ppCarried(t, page)}, "method": {"oxxo"}})
	require.Equal(t, http.StatusSeeOther, status, page)
	cb := project.next()
	verifyCallback(t, cb, ppSecret)
	assert.Equal(t, "decline", path(cb, "payment", "status"))
	assert.Equal(t, "20000", path(cb, "operation", "code"))
	project.none()

	status, loc, _ = ppGet(t, ppAbs(s, loc))
	require.Equal(t, http.StatusSeeOther, status)
	require.Equal(t, "/payment/result/4242/pp-oxxo-decline", loc)
	status, _, page = ppGet(t, ppAbs(s, loc))
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, page, "Pago rechazado")
	assert.Contains(t, page, "<strong>Motivo:</strong> Rechazo general", "the reason in the page's language")
	assert.Contains(t, page, "payment.currency")
	assert.Contains(t, page, `href="https://shop.example/failed"`)
}

// TestPaymentPageAsksAgainForRefusedValues: a value the shop put in the
// link that the method refuses (a document number of the wrong length, a
// phone that is not one) is asked for again, as a missing one is, with
// what is wrong with it, instead of a decline the customer cannot undo.
// ecommpay's documentation of Oxxo and Rapipago has the page show the
// payment form matching the request, where the customer enters the
// payment data, and gives the rule the value must meet (10 to 18 digits;
// 7, 8 or 11); the card partner's page shows fields for what it lacks.
// None says a refused value declines the payment; the Gate, which has no
// page, still declines it (docs/payment-page.md).
func TestPaymentPageAsksAgainForRefusedValues(t *testing.T) {
	t.Parallel()
	s, m := ppSetup(t)
	person := map[string]string{"customer_first_name": "Ana", "customer_last_name": "Lopez", "customer_email": "ana@example.com"}
	tests := []struct {
		method, currency string
		field, sent      string
		why              string // part of what the page says is wrong
		good             string
		stored           func(st map[string]any) any
	}{
		{"oxxo", "MXN", "identify_doc_number", "12", "Must be 10 to 18 digits; it has 2.", "1234567890",
			func(st map[string]any) any { return path(st, "customer", "doc_number") }},
		{"rapipago", "ARS", "identify_doc_number", "123456789", "Must be 7, 8 or 11 digits; it has 9.", "12345678",
			func(st map[string]any) any { return path(st, "customer", "doc_number") }},
		{"card-partner", "KES", "customer_phone", "12", "9 to 15 digits", "+254712345678",
			func(st map[string]any) any { return path(st, "customer", "phone") }},
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			id := "pp-again-" + tt.method
			extra := map[string]string{"force_payment_method": tt.method, tt.field: tt.sent}
			if tt.method == "card-partner" {
				extra["customer_email"] = "wanjiru@example.com"
			} else {
				maps.Copy(extra, person)
			}
			status, _, page := ppGet(t, ppURL(s, ppParams(id, tt.currency, 150000, extra)))
			require.Equal(t, http.StatusOK, status, page)
			assert.Contains(t, page, `id="f-`+tt.field+`"`, "the refused value is asked for again")
			assert.Contains(t, page, `value="`+tt.sent+`"`, "showing what the shop sent")
			assert.Contains(t, page, "The shop sent a value that cannot be used.")
			assert.Contains(t, page, tt.why)
			assert.Equal(t, 1, strings.Count(page, `class="input" id="f-`), "only the refused field is asked for")

			form := url.Values{"request": {ppCarried(t, page)}, "method": {tt.method}, tt.field: {tt.sent}}
			status, _, page = submit(t, s.URL+"/payment/pay", form)
			require.Equal(t, http.StatusUnprocessableEntity, status, "the same value again is refused again:\n%s", page)
			assert.Contains(t, page, tt.why)

			form.Set(tt.field, tt.good)
			status, loc, page := submit(t, s.URL+"/payment/pay", form)
			require.Equal(t, http.StatusSeeOther, status, page)
			assert.Equal(t, fmt.Sprintf("/payment/processing/%d/%s", ppProject, id), loc)
			var st map[string]any
			require.Equal(t, http.StatusOK, s.do("GET", fmt.Sprintf("/sandbox/payments/%d/%s", ppProject, id), nil, &st))
			assert.Equal(t, tt.good, tt.stored(st), "the sale has what the customer typed")
			assert.NotEqual(t, "decline", path(st, "status"))
		})
	}
	m.none()
}

// TestPaymentPageSharedWidget: the widget is served where ecommpay serves it.
func TestPaymentPageSharedWidget(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	for name, ctype := range map[string]string{"merchant.js": "javascript", "merchant.css": "text/css"} {
		res, err := http.Get(s.URL + "/shared/" + name)
		require.NoError(t, err)
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		assert.Equal(t, http.StatusOK, res.StatusCode, name)
		assert.Contains(t, res.Header.Get("Content-Type"), ctype, name)
		assert.NotEmpty(t, body, name)
	}
	status, _, page := ppGet(t, s.URL+"/demo/shop")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, page, s.URL+"/shared/merchant.js")
	assert.Contains(t, page, "force_payment_method=oxxo")
}

// TestPaymentPageToTheProvider: how the Payment Page takes the customer to
// each method's provider once it answered, as that method's documentation
// shows the step:
//
//   - Oxxo and Rapipago show a link the customer follows (their
//     documentation shows the Payment Page displaying a link to the
//     provider, then the customer there): a page with the link to the
//     voucher, nothing that goes on by itself.
//   - EcoVoucher, Lotérica and the card partner send the customer on at
//     once (the redirect data reach the Payment Page and the customer is
//     redirected, with no link step): a form of the redirect's POST body
//     that submits itself, its button only a fallback without script.
//
// docs/payment-page.md, step 3, says which method does which.
func TestPaymentPageToTheProvider(t *testing.T) {
	t.Parallel()
	person := map[string]string{"customer_first_name": "Ana", "customer_last_name": "Lopez", "customer_email": "ana@example.com"}
	tests := map[string]struct {
		currency string
		amount   int64
		extra    map[string]string
		link     bool   // a link the customer follows; else a form that submits itself
		to       string // where the customer goes
	}{
		"oxxo":         {"MXN", 125000, map[string]string{"identify_doc_number": "1234567890"}, true, "/providers/oxxo/vouchers/"},
		"rapipago":     {"ARS", 300000, map[string]string{"identify_doc_number": "20123456"}, true, "/providers/rapipago/vouchers/"},
		"loterica":     {"USD", 2500, nil, false, "/providers/loterica/"},
		"eco-voucher":  {"EUR", 2500, nil, false, "/providers/eco-voucher/"},
		"card-partner": {"KES", 150000, map[string]string{"customer_phone": "+254712345678", "customer_email": "w@example.com"}, false, "/providers/card-partner/"},
	}
	s, _ := ppSetup(t)
	for _, code := range app.MethodCodes() {
		t.Run(code, func(t *testing.T) {
			tt, ok := tests[code]
			if !ok {
				t.Fatalf("method %s has no row in TestPaymentPageToTheProvider: add to its tests, in cmd/sandbox/paymentpage_e2e_test.go, how its Payment Page reaches the provider", code)
			}
			extra := map[string]string{"force_payment_method": code}
			maps.Copy(extra, tt.extra)
			if tt.link {
				maps.Copy(extra, person)
			}
			id := "pp-to-" + code
			status, _, page := ppGet(t, ppURL(s, ppParams(id, tt.currency, tt.amount, extra)))
			require.Equal(t, http.StatusOK, status, page)
			status, loc, page := submit(t, s.URL+"/payment/pay", url.Values{"request": {ppCarried(t, page)}, "method": {code}})
			require.Equal(t, http.StatusSeeOther, status, page)
			eventually(t, "the provider answers", func() bool {
				status, _, page = ppGet(t, ppAbs(s, loc))
				return status != http.StatusOK || !strings.Contains(page, "data-poll")
			})
			require.Equal(t, http.StatusOK, status, "the processing page is a page, not a redirect:\n%s", page)
			link := ppProviderLink.FindStringSubmatch(page)
			if tt.link {
				require.NotNil(t, link, "a link to the provider:\n%s", page)
				assert.True(t, strings.HasPrefix(html.UnescapeString(link[1]), s.URL+tt.to), link[1])
				assert.NotContains(t, page, "data-autosubmit", "nothing goes on by itself")
				return
			}
			assert.Nil(t, link, "no link to follow")
			assert.Regexp(t, `<form class="pp-state" method="post" action="`+regexp.QuoteMeta(s.URL+tt.to)+`[^"]*" data-autosubmit>`, page)
		})
	}
}

package web

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

// paymentPages are one PaymentPage per view, with evil merchant data where
// merchants put data.
func paymentPages(evil string) map[string]PaymentPage {
	order := PaymentOrder{ProjectID: 842, PaymentID: evil, Amount: platform.Sum{Amount: 125000, Currency: "MXN"}, Description: evil, Method: "Oxxo"}
	page := func(v PaymentView) PaymentPage {
		return PaymentPage{Page: Page{Lang: "en"}, View: v, Order: order, ScriptURL: "/payment/assets/page.js"}
	}
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	methods := page(PaymentViewMethods)
	methods.Methods = &PaymentMethods{Action: "/payment/method", Request: "a=" + evil, Options: []PaymentMethodOption{
		{Code: "oxxo", Name: "Oxxo", Hint: "Cash"}, {Code: "x", Name: evil, Hint: evil}}}
	details := page(PaymentViewDetails)
	details.Form = &PaymentForm{Action: "/payment/pay", Request: evil, Method: PaymentMethodOption{Code: "oxxo", Name: "Oxxo"}, ChangeAction: "/payment/method",
		Invalid: true, Fields: []PaymentField{
			{Name: "customer_first_name", Label: "First name", Type: "text", Autocomplete: "given-name", Value: evil, Error: evil},
			{Name: "customer_email", Label: "Email", Type: "email", Hint: "We send the receipt here.", Value: `"><script>alert(1)</script>`},
		}}
	processing := page(PaymentViewProcessing)
	processing.Wait = &PaymentWait{PollURL: "/payment/status/842/x", Status: "processing", RefreshSeconds: 2, IntervalMS: 400}
	redirect := page(PaymentViewRedirect)
	redirect.Redirect = &PaymentRedirect{Provider: "EcoVoucher", URL: "https://x.example/pay", Fields: []FormField{{Name: evil, Value: evil}}}
	result := page(PaymentViewResult)
	result.Result = &PaymentResult{State: ResultDecline, Method: "Oxxo", Date: at, Reason: evil, Details: []string{evil}, ReturnURL: "javascript:alert(1)"}
	voucher := page(PaymentViewResult)
	voucher.Result = &PaymentResult{State: ResultPending, Method: "Oxxo", Date: at, ReturnURL: "https://shop.example/",
		Voucher: &PaymentVoucher{Reference: "93012345678901", Amount: order.Amount, ValidUntil: at.Add(240 * time.Hour), URL: "https://x.example/v"},
		Wait:    &PaymentWait{PollURL: "/payment/status/842/x", Status: "awaiting redirect result", IntervalMS: 4000}}
	errPage := PaymentPage{Page: Page{Lang: "en"}, View: PaymentViewError, Error: &PaymentError{Status: 403, Title: evil, Message: evil,
		Details: []string{evil}, Signed: "a:" + evil + ";b:1", Got: evil, Hint: evil, Link: &Link{Label: evil, URL: "javascript:alert(1)"}}}
	return map[string]PaymentPage{"methods": methods, "details": details, "processing": processing, "redirect": redirect,
		"result": result, "voucher": voucher, "error": errPage}
}

func TestPaymentPagesEscapeMerchantData(t *testing.T) {
	t.Parallel()
	const evil = `<script>alert(1)</script>`
	r := newRenderer(t)
	for name, p := range paymentPages(evil) {
		var buf bytes.Buffer
		require.NoError(t, r.Render(&buf, "payment", p), name)
		html := buf.String()
		assert.NotContains(t, html, evil, name)
		assert.NotContains(t, html, "<script>alert", name)
		assert.NotContains(t, html, `href="javascript:`, name)
		assert.Contains(t, html, "&lt;script&gt;", name)
	}
}

func TestPaymentPagesAreAccessible(t *testing.T) {
	t.Parallel()
	r := newRenderer(t)
	for name, p := range paymentPages("Order 1") {
		var buf bytes.Buffer
		require.NoError(t, r.Render(&buf, "payment", p), name)
		html := buf.String()
		assert.Contains(t, html, `<html lang="en">`, name)
		assert.Contains(t, html, `name="viewport"`, name)
		assert.Contains(t, html, `class="sandbox-badge"`, name)
		assert.Contains(t, html, `href="#main"`, name)
		assert.Equal(t, 1, strings.Count(html, "<h1"), "%s has one h1", name)
		assert.NotContains(t, html, "<script>", "%s has no inline script", name)
		assert.Regexp(t, `<title>[^<]+ · ecommpay sandbox</title>`, html, name)
	}
	var buf bytes.Buffer
	require.NoError(t, r.Render(&buf, "payment", paymentPages("x")["details"]))
	html := buf.String()
	assert.Contains(t, html, `<label class="field__label" for="f-customer_first_name">First name</label>`)
	assert.Contains(t, html, `aria-invalid="true"`)
	assert.Contains(t, html, `aria-describedby="f-customer_first_name-err"`)
	assert.Contains(t, html, `aria-describedby="f-customer_email-hint"`)
	assert.Contains(t, html, `autocomplete="given-name"`)
	assert.Contains(t, html, `role="alert"`)
}

func TestSharedHandler(t *testing.T) {
	t.Parallel()
	h := SharedHandler()
	for _, tt := range []struct {
		path   string
		status int
		ctype  string
	}{
		{"/shared/merchant.js", 200, "javascript"},
		{"/shared/merchant.css", 200, "text/css"},
		{"/shared/app.js", 404, ""},
		{"/shared/", 404, ""},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tt.path, nil))
		assert.Equal(t, tt.status, rec.Code, tt.path)
		assert.Contains(t, rec.Header().Get("Content-Type"), tt.ctype, tt.path)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/shared/merchant.js", nil))
	assert.Equal(t, http.StatusMethodNotAllowed, rec.Code)
}

func TestMarkOf(t *testing.T) {
	t.Parallel()
	oxxo := platform.Method{Code: "oxxo", Name: "Oxxo", Brand: platform.Brand{Tile: "OXXO", Color: "#c8102e", Ink: "#ffffff"}}
	assert.Equal(t, MethodMark{Text: "OXXO", Color: "#c8102e", Ink: "#ffffff"}, MarkOf(oxxo), "the brand's tile and colours")
	card := platform.Method{Code: "card-partner", Name: "Card partner", Brand: platform.Brand{Color: "#0b5d4b", Ink: "#ffffff"}}
	assert.True(t, MarkOf(card).Card, "no tile text: a card")
	assert.Equal(t, MethodMark{Text: "NPM", Color: "#374151", Ink: "#ffffff"}, MarkOf(platform.Method{Code: "new", Name: "new pay method x"}),
		"a method without brand colours: its initials")
}

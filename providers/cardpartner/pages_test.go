package cardpartner_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/enginetest"
	"github.com/ecommpay-sandbox/sandbox/platform/hosted"
	"github.com/ecommpay-sandbox/sandbox/providers/cardpartner"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// newSandbox returns a real engine over a bbolt file with the card partner's
// pages on an echo router, the clock frozen at t0.
func newSandbox(t *testing.T) *enginetest.Sandbox {
	t.Helper()
	return enginetest.New(t, cardpartner.New(), enginetest.Options{
		Sale: order, Project: platform.Project{ID: 842, Secret: "s3cret"}, At: t0, Seed: 42,
	})
}

// order is the n-th card-partner Gate sale of a test.
func order(n int) platform.SaleRequest {
	return platform.SaleRequest{
		ProjectID: 842, PaymentID: "order-" + strconv.Itoa(n), Method: cardpartner.Code, Interface: platform.InterfaceGate,
		Amount:      platform.Sum{Amount: 150000, Currency: "KES"},
		Description: "Order 38202000002316",
		Customer:    platform.Customer{ID: "123", IPAddress: "1.2.3.4", Phone: "254712375678", Email: "customer@example.com"},
		ReturnURLs:  platform.ReturnURLs{Success: "https://shop.example/ok", Decline: "https://shop.example/ko"},
	}
}

// body returns the redirect body of an open payment as form values.
func body(t *testing.T, p *platform.Payment) url.Values {
	t.Helper()
	require.NotNil(t, p.Redirect, "the payment has no redirect")
	var m map[string]string
	require.NoError(t, json.Unmarshal(p.Redirect.Body, &m))
	v := url.Values{}
	for k, x := range m {
		v.Set(k, x)
	}
	return v
}

// inv returns an open payment's invoice.
func inv(t *testing.T, p *platform.Payment) string { return body(t, p).Get("inv") }

// text is a page's HTML with whitespace folded, for Contains checks.
func text(rec *httptest.ResponseRecorder) string {
	return strings.Join(strings.Fields(rec.Body.String()), " ")
}

// cardForm is the checkout's form paying with a card.
func cardForm(inv, number string) url.Values {
	return url.Values{"inv": {inv}, "method": {"card"}, "card_number": {number}, "card_expiry": {"12/30"},
		"card_cvc": {"123"}, "card_holder": {"Test Customer"}, "action": {"pay"}}
}

func TestCheckoutEntry(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	p := s.Sale(nil)
	good := body(t, p)

	jsonReq := func(b string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, cardpartner.CheckoutPath, strings.NewReader(b))
		r.Header.Set("Content-Type", "application/json; charset=utf-8")
		return r
	}
	formReq := func(v url.Values) *http.Request {
		r := httptest.NewRequest(http.MethodPost, cardpartner.CheckoutPath, strings.NewReader(v.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return r
	}
	with := func(k, v string) url.Values {
		c := url.Values{}
		for k, x := range good {
			c[k] = x
		}
		c.Set(k, v)
		return c
	}
	without := func(ks ...string) url.Values {
		c := with("", "")
		c.Del("")
		for _, k := range ks {
			c.Del(k)
		}
		return c
	}
	tests := []struct {
		name   string
		req    *http.Request
		status int
		want   []string
	}{
		{name: "form fields", req: formReq(good), status: http.StatusSeeOther},
		{name: "JSON as in redirect_data.body", req: jsonReq(string(p.Redirect.Body)), status: http.StatusSeeOther},
		{name: "tampered ttl", req: formReq(with("ttl", "99999")), status: http.StatusBadRequest,
			want: []string{"The hsh field does not match the other fields", "ttl=99999", "HMAC-SHA256"}},
		{name: "wrong hsh", req: formReq(with("hsh", strings.Repeat("0", 64))), status: http.StatusBadRequest, want: []string{"The redirect body&#39;s hsh does not match", "Error 400"}},
		{name: "missing fields", req: formReq(without("tel", "hsh")), status: http.StatusBadRequest,
			want: []string{"The redirect body is incomplete", "tel: missing from the POST body", "hsh: missing from the POST body"}},
		{name: "unknown invoice", req: formReq(with("inv", "42")), status: http.StatusNotFound, want: []string{"Checkout not found", "no checkout has the invoice"}},
		{name: "oid of another payment", req: formReq(with("oid", "someone-else")), status: http.StatusBadRequest, want: []string{"does not match its payment", "someone-else"}},
		{name: "not JSON", req: jsonReq("{nope"), status: http.StatusBadRequest, want: []string{"could not read the request"}},
		{name: "nested JSON", req: jsonReq(`{"live":{"a":1}}`), status: http.StatusBadRequest, want: []string{"must be a string"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := s.Do(tt.req)
			assert.Equal(t, tt.status, rec.Code, text(rec))
			if tt.status == http.StatusSeeOther {
				assert.Equal(t, "/providers/card-partner/checkout?inv="+good.Get("inv"), rec.Header().Get("Location"))
				return
			}
			page := text(rec)
			for _, w := range tt.want {
				assert.Contains(t, page, w)
			}
			assert.NotContains(t, page, "s3cret", "the secret is never shown")
		})
	}
	assert.Equal(t, platform.StatusAwaitingRedirect, s.Payment(p.Key()).Status, "nothing changed")
}

func TestCheckoutPage(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	p := s.Sale(nil)
	rec := s.Get("/providers/card-partner/checkout?inv=" + inv(t, p))
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "text/html; charset=utf-8", rec.Header().Get("Content-Type"))
	page := text(rec)
	for _, want := range []string{
		"KSh 1,500.00", "Order 38202000002316", "order-1", "Time left to pay", ">15:00<",
		"2 Mar 2026, 09:15 UTC", "The sandbox clock is frozen", `data-frozen="true"`, `data-seconds="900"`,
		`value="mpesa" checked`, "M-Pesa", "Airtel Money", "Equity Eazzy Pay", `value="card"`,
		`<label class="field__label" for="card_number">Card number</label>`,
		`<label class="field__label" for="phone">Phone number</label>`,
		`value="254712375678"`, "Pay KSh 1,500.00", `value="cancel"`,
		"Sandbox test data", "4242 4242 4242 4242", "4000 0000 0000 0002", "Declined: 20000 General decline",
		"4000 0000 0000 9995", "Declined: 20105 Insufficient funds on customer account",
		"4000 0000 0000 0077", "Approved; its refund is declined (20000)", "254 708 374 149",
		`<html lang="en">`, "Sandbox", "customer@example.com",
	} {
		assert.Contains(t, page, want)
	}
	assert.Contains(t, page, `<details class="card card--sandbox cp-testdata" lang="en">`, "the test data panel is collapsed")

	// A USD checkout offers cards only.
	usd := s.Sale(func(r *platform.SaleRequest) { r.Amount = platform.Sum{Amount: 2500, Currency: "USD"} })
	page = text(s.Get("/providers/card-partner/checkout?inv=" + inv(t, usd)))
	assert.Contains(t, page, "$25.00")
	assert.Contains(t, page, `value="card" checked`)
	assert.NotContains(t, page, "M-Pesa")
	assert.NotContains(t, page, `id="phone"`)

	// The script is served, cacheable by its version.
	u := cardpartner.New().ScriptURL()
	assert.Contains(t, page, u)
	rec = s.Get(u)
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "text/javascript; charset=utf-8", rec.Header().Get("Content-Type"))
	assert.Contains(t, rec.Header().Get("Cache-Control"), "immutable")
	assert.Contains(t, rec.Body.String(), "data-countdown")
	assert.Equal(t, http.StatusOK, s.Get(web.AssetURL("style.css")).Code)

	// Without an invoice, or with an unknown one.
	rec = s.Get("/providers/card-partner/checkout")
	assert.Equal(t, http.StatusBadRequest, rec.Code)
	assert.Contains(t, text(rec), "Open the checkout from the merchant")
	rec = s.Get("/providers/card-partner/checkout?inv=1")
	assert.Equal(t, http.StatusNotFound, rec.Code)
	assert.Contains(t, text(rec), "Checkout not found")
}

func TestCheckoutRefusals(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	p := s.Sale(nil)
	i := inv(t, p)
	usd := s.Sale(func(r *platform.SaleRequest) { r.Amount = platform.Sum{Amount: 2500, Currency: "USD"} })

	tests := []struct {
		name  string
		form  url.Values
		field string
		want  []string
		kept  []string // values the form keeps
	}{
		{name: "no method", form: url.Values{"inv": {i}, "action": {"pay"}}, field: "method", want: []string{"Choose how to pay."}},
		{name: "card failing Luhn", form: cardForm(i, "4242 4242 4242 4241"), field: "card_number",
			want: []string{"This card number is not valid"}, kept: []string{`value="4242 4242 4242 4241"`, `value="12/30"`, `value="Test Customer"`}},
		{name: "card too short", form: cardForm(i, "4242"), field: "card_number", want: []string{"12 to 19 digits"}},
		{name: "expired card", form: with(cardForm(i, "4242424242424242"), "card_expiry", "02/26"), field: "card_expiry",
			want: []string{"This card expired in 02/26"}, kept: []string{`value="4242424242424242"`}},
		{name: "expired card, written MM-YY", form: with(cardForm(i, "4242424242424242"), "card_expiry", "02-26"), field: "card_expiry",
			want: []string{"This card expired in 02/26"}},
		{name: "malformed expiry", form: with(cardForm(i, "4242424242424242"), "card_expiry", "13/30"), field: "card_expiry", want: []string{"Write the expiry date as MM/YY"}},
		{name: "no security code", form: with(cardForm(i, "4242424242424242"), "card_cvc", ""), field: "card_cvc", want: []string{"3-digit security code"}},
		{name: "no name on card", form: with(cardForm(i, "4242424242424242"), "card_holder", " "), field: "card_holder", want: []string{"Enter the name"}},
		{name: "phone too short", form: url.Values{"inv": {i}, "method": {"mpesa"}, "phone": {"2547"}, "action": {"pay"}}, field: "phone",
			want: []string{"9 to 15 digits"}, kept: []string{`value="2547"`, `value="mpesa" checked`}},
		{name: "wallet in USD", form: url.Values{"inv": {inv(t, usd)}, "method": {"mpesa"}, "phone": {"254708374149"}, "action": {"pay"}}, field: "method",
			want: []string{"M-Pesa is not offered for this payment"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := s.PostForm("/providers/card-partner/pay", tt.form)
			assert.Equal(t, http.StatusBadRequest, rec.Code)
			page := text(rec)
			assert.Contains(t, page, `role="alert"`)
			assert.Contains(t, page, "Check the highlighted fields")
			assert.Contains(t, page, `href="#`+tt.field+`"`, "the summary links the field")
			assert.Contains(t, page, `id="`+tt.field+`-error"`)
			if tt.field != "method" {
				assert.Regexp(t, `id="`+tt.field+`"[^>]*aria-invalid="true"`, page)
			}
			for _, w := range tt.want {
				assert.Contains(t, page, w)
			}
			for _, k := range tt.kept {
				assert.Contains(t, page, k)
			}
			assert.NotContains(t, page, `value="123"`, "the security code is never sent back")
			assert.Contains(t, page, `<details class="card card--sandbox cp-testdata" lang="en" open>`, "the test data opens after a mistake")
		})
	}
	assert.Equal(t, platform.StatusAwaitingRedirect, s.Payment(p.Key()).Status, "a refusal changes nothing")
	assert.Equal(t, platform.StatusAwaitingRedirect, s.Payment(usd.Key()).Status)
}

func with(v url.Values, k, x string) url.Values {
	v.Set(k, x)
	return v
}

func TestCheckoutOutcomes(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	tests := []struct {
		name     string
		form     func(inv string) url.Values
		noURLs   bool
		status   platform.Status
		code     string
		location string
		result   []string
	}{
		{name: "success card", form: func(i string) url.Values { return cardForm(i, "4242 4242 4242 4242") },
			status: platform.StatusSuccess, code: "0", location: "https://shop.example/ok"},
		{name: "declined card", form: func(i string) url.Values { return cardForm(i, "4000 0000 0000 0002") },
			status: platform.StatusDecline, code: "20000", location: "https://shop.example/ko"},
		{name: "insufficient funds card", form: func(i string) url.Values { return cardForm(i, "4000000000009995") },
			status: platform.StatusDecline, code: "20105", location: "https://shop.example/ko"},
		{name: "M-Pesa", form: func(i string) url.Values {
			return url.Values{"inv": {i}, "method": {"mpesa"}, "phone": {"254 708 374 149"}, "action": {"pay"}}
		}, status: platform.StatusSuccess, code: "0", location: "https://shop.example/ok"},
		{name: "Airtel declined", form: func(i string) url.Values {
			return url.Values{"inv": {i}, "method": {"airtel"}, "phone": {"254700000002"}, "action": {"pay"}}
		}, status: platform.StatusDecline, code: "20000", location: "https://shop.example/ko"},
		{name: "cancel", form: func(i string) url.Values {
			return url.Values{"inv": {i}, "method": {"card"}, "card_number": {"nonsense"}, "action": {"cancel"}}
		}, status: platform.StatusDecline, code: "20000", location: "https://shop.example/ko"},
		{name: "success without return URLs", noURLs: true, form: func(i string) url.Values { return cardForm(i, "5555555555554444") },
			status: platform.StatusSuccess, code: "0", result: []string{"Payment approved", "Mastercard •••• 4444", "Partner reference", "The merchant gave no address to return to"}},
		{name: "decline without return URLs", noURLs: true, form: func(i string) url.Values { return cardForm(i, "4000000000009995") },
			status: platform.StatusDecline, code: "20105", result: []string{"Payment declined", "Insufficient funds on customer account", "(20105)", "Visa •••• 9995"}},
		{name: "cancel without return URLs", noURLs: true, form: func(i string) url.Values { return url.Values{"inv": {i}, "action": {"cancel"}} },
			status: platform.StatusDecline, code: "20000", result: []string{"Payment cancelled", "You cancelled the payment"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := s.Sale(func(r *platform.SaleRequest) {
				if tt.noURLs {
					r.ReturnURLs = platform.ReturnURLs{}
				}
			})
			i := inv(t, p)
			rec := s.PostForm("/providers/card-partner/pay", tt.form(i))
			require.Equal(t, http.StatusSeeOther, rec.Code, text(rec))
			loc := rec.Header().Get("Location")
			if tt.location != "" {
				assert.Equal(t, tt.location, loc)
			} else {
				assert.Equal(t, "http://sandbox.test/providers/card-partner/result?inv="+i, loc)
				u, err := url.Parse(loc)
				require.NoError(t, err)
				res := s.Get(u.RequestURI())
				require.Equal(t, http.StatusOK, res.Code)
				page := text(res)
				for _, w := range tt.result {
					assert.Contains(t, page, w)
				}
				assert.NotContains(t, page, "Return to the merchant")
			}
			p = s.Payment(p.Key())
			assert.Equal(t, tt.status, p.Status)
			assert.Equal(t, tt.code, p.Sale().Code)
			assert.Nil(t, p.Redirect)

			// The checkout now shows the result, and refuses to be paid again.
			rec = s.Get("/providers/card-partner/checkout?inv=" + i)
			assert.Equal(t, http.StatusOK, rec.Code)
			assert.NotContains(t, text(rec), "Time left to pay")
			rec = s.PostForm("/providers/card-partner/pay", cardForm(i, "4242424242424242"))
			assert.Equal(t, http.StatusConflict, rec.Code)
			assert.Contains(t, text(rec), "This checkout is closed")
			assert.Equal(t, tt.status, s.Payment(p.Key()).Status)
			// A POST of the redirect body again leads to the same result.
			rec = s.PostForm(cardpartner.CheckoutPath, url.Values{})
			assert.Equal(t, http.StatusBadRequest, rec.Code)
		})
	}
}

func TestCheckoutLapse(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	p := s.Sale(nil)
	i := inv(t, p)
	_, err := s.Engine.Advance(context.Background(), 600*time.Second)
	require.NoError(t, err)
	page := text(s.Get("/providers/card-partner/checkout?inv=" + i))
	assert.Contains(t, page, ">5:00<", "the time left follows the sandbox clock")

	_, err = s.Engine.Advance(context.Background(), 300*time.Second)
	require.NoError(t, err)
	p = s.Payment(p.Key())
	require.Equal(t, platform.StatusDecline, p.Status)
	assert.Equal(t, "20000", p.Sale().Code)

	rec := s.Get("/providers/card-partner/checkout?inv=" + i)
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, text(rec), "Checkout expired")
	assert.Contains(t, text(rec), `href="https://shop.example/ko"`)
	rec = s.PostForm("/providers/card-partner/pay", cardForm(i, "4242424242424242"))
	assert.Equal(t, http.StatusConflict, rec.Code)
	assert.Contains(t, text(rec), "expired. Nothing was charged.")
}

func TestCheckoutNotOpenWhileAwaitingClarification(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	p := s.Sale(func(r *platform.SaleRequest) { r.Customer.Email = "" })
	require.Equal(t, platform.StatusAwaitingClarification, p.Status)
	require.Nil(t, p.Redirect)
	// Its invoice is not known yet: nothing can reach it.
	op := strconv.FormatInt(p.Sale().ID, 10)
	rec := s.Get("/providers/card-partner/checkout?inv=" + op)
	assert.Equal(t, http.StatusNotFound, rec.Code)

	p, err := s.Engine.Clarify(context.Background(), p.Key(), platform.Customer{Email: "late@example.com"})
	require.NoError(t, err)
	require.Equal(t, platform.StatusAwaitingRedirect, p.Status)
	rec = s.Get("/providers/card-partner/checkout?inv=" + op)
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, text(rec), "late@example.com")
}

func TestResultPageOfRefund(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	ctx := context.Background()
	p := s.Sale(func(r *platform.SaleRequest) { r.ReturnURLs = platform.ReturnURLs{} })
	i := inv(t, p)
	require.Equal(t, http.StatusSeeOther, s.PostForm("/providers/card-partner/pay", cardForm(i, "4242424242424242")).Code)
	_, err := s.Engine.Refund(ctx, p.Key(), platform.RefundRequest{})
	require.NoError(t, err)
	_, err = s.Engine.RunDue(ctx, s.Engine.Clock().Now())
	require.NoError(t, err)
	require.Equal(t, platform.StatusRefunded, s.Payment(p.Key()).Status)
	rec := s.Get("/providers/card-partner/result?inv=" + i)
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, text(rec), "Payment refunded")

	// The result page of an open checkout leads back to it.
	q := s.Sale(nil)
	rec = s.Get("/providers/card-partner/result?inv=" + inv(t, q))
	assert.Equal(t, http.StatusSeeOther, rec.Code)
	assert.Equal(t, "/providers/card-partner/checkout?inv="+inv(t, q), rec.Header().Get("Location"))
}

func TestMerchantDataIsEscaped(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	const evil = `<script>alert(1)</script>`
	p := s.Sale(func(r *platform.SaleRequest) {
		r.Description = evil
		r.Customer.Email = `x"onmouseover="alert(1)@example.com` // an address the checkout takes
		r.ReturnURLs = platform.ReturnURLs{Return: "javascript:alert(1)"}
	})
	i := inv(t, p)
	for _, rec := range []*httptest.ResponseRecorder{
		s.Get("/providers/card-partner/checkout?inv=" + i),
		s.PostForm("/providers/card-partner/pay", url.Values{"inv": {i}, "method": {"card"}, "card_holder": {evil}, "action": {"pay"}}),
	} {
		b := rec.Body.String()
		assert.NotContains(t, b, evil)
		assert.NotContains(t, b, `x"onmouseover`)
		assert.Contains(t, b, "&lt;script&gt;alert(1)&lt;/script&gt;")
	}
	s.PostForm("/providers/card-partner/pay", url.Values{"inv": {i}, "action": {"cancel"}})
	b := s.Get("/providers/card-partner/result?inv=" + i).Body.String()
	assert.NotContains(t, b, `href="javascript:`)
}

// TestCheckoutInTheCustomersLanguage: a customer who chose Spanish on the
// Payment Page pays at a Spanish checkout, is refused in Spanish and reads
// a Spanish result; the sandbox's test data stays in English.
func TestCheckoutInTheCustomersLanguage(t *testing.T) {
	t.Parallel()
	assert.Empty(t, cardpartner.Words().Problems(), "every string in every language, with the same verbs")
	s := newSandbox(t)
	p := s.Sale(func(r *platform.SaleRequest) {
		r.Language = "es"
		r.Amount = platform.Sum{Amount: 2500, Currency: "USD"}
	})
	i := inv(t, p)
	page := text(s.Get("/providers/card-partner/checkout?inv=" + i))
	for _, want := range []string{
		`<html lang="es">`, "Saltar al contenido", "Tiempo para pagar", "Paga antes del 2 mar 2026, 09:15 UTC.",
		"Elige cómo pagar", "Tarjeta", "Visa o Mastercard, de débito o de crédito.",
		`<label class="field__label" for="card_number">Número de tarjeta</label>`, "Pagar $25.00", "Cancelar y volver al comercio",
		`lang="en"`, "Sandbox test data",
	} {
		assert.Contains(t, page, want)
	}
	assert.NotContains(t, page, "Choose how to pay")

	rec := s.PostForm("/providers/card-partner/pay", with(cardForm(i, "4242 4242 4242 4241"), "card_expiry", "02/26"))
	assert.Equal(t, http.StatusBadRequest, rec.Code)
	page = text(rec)
	for _, want := range []string{"Revisa los campos marcados", "No se te ha cobrado nada.",
		"Este número de tarjeta no es válido: revisa los dígitos.", "Esta tarjeta caducó en 02/26"} {
		assert.Contains(t, page, want)
	}

	rec = s.PostForm("/providers/card-partner/pay", cardForm(i, "4000 0000 0000 9995"))
	require.Equal(t, http.StatusSeeOther, rec.Code, text(rec))
	page = text(s.Get("/providers/card-partner/result?inv=" + i))
	for _, want := range []string{"Pago rechazado", "El pago fue rechazado. No se te ha cobrado nada", "Fondos insuficientes en la cuenta del cliente", "Intentado con"} {
		assert.Contains(t, page, want)
	}
}

// TestErrorPagesInTheCustomersLanguage: the checkout's error pages speak
// the payment's language once the invoice names one, and the browser's
// (Accept-Language) before; its eyebrow is no English label either.
func TestErrorPagesInTheCustomersLanguage(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	p := s.Sale(func(r *platform.SaleRequest) { r.Language = "pt" })
	i := inv(t, p)
	page := text(s.Get("/providers/card-partner/checkout?inv=" + i))
	assert.Contains(t, page, `<p class="eyebrow">Página de pagamento</p>`)
	assert.NotContains(t, page, "Hosted checkout")

	get := func(path, accept string) (int, string) {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Accept-Language", accept)
		rec := s.Do(req)
		return rec.Code, text(rec)
	}
	code, page := get("/providers/card-partner/checkout?inv=42", "es-KE,es;q=0.9")
	assert.Equal(t, http.StatusNotFound, code)
	for _, want := range []string{`<html lang="es">`, "Checkout no encontrado", "ningún checkout tiene la factura &#34;42&#34;", "Error 404 · No encontrado", "Inicio del sandbox"} {
		assert.Contains(t, page, want)
	}
	code, page = get("/providers/card-partner/checkout", "pt")
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Contains(t, page, "Abra o checkout pelo redirecionamento da loja")
	code, page = get("/providers/card-partner/result?inv=42", "es")
	assert.Equal(t, http.StatusNotFound, code)
	assert.Contains(t, page, "Pago no encontrado")

	// A body whose hsh does not match, for a Portuguese payment, whatever the browser says.
	form := url.Values{}
	var body map[string]any
	require.NoError(t, json.Unmarshal(p.Redirect.Body, &body))
	for k, v := range body {
		form.Set(k, fmt.Sprint(v))
	}
	form.Set("ttl", "99999")
	req := httptest.NewRequest(http.MethodPost, "/providers/card-partner/checkout", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", "es")
	rec := s.Do(req)
	assert.Equal(t, http.StatusBadRequest, rec.Code)
	page = text(rec)
	for _, want := range []string{`<html lang="pt">`, "O hsh do corpo do redirecionamento não confere", "O campo hsh não corresponde aos outros campos",
		"hsh: o sandbox assinou (HMAC-SHA256, hex, com a chave secreta do projeto)", "ttl=99999"} {
		assert.Contains(t, page, want)
	}
	assert.NotContains(t, page, "does not match")
}

// paidMeanwhile is the engine with the customer's other tab paying the
// payment between the checkout's lookup and its own pay.
type paidMeanwhile struct{ *platform.Engine }

func (e paidMeanwhile) Pay(ctx context.Context, k platform.PaymentKey, in json.RawMessage) (*platform.Payment, error) {
	if _, err := e.Engine.Pay(ctx, k, in); err != nil {
		return nil, err
	}
	return e.Engine.Pay(ctx, k, in)
}

func TestCheckoutPaidMeanwhileShowsTheResult(t *testing.T) {
	t.Parallel()
	s := newSandbox(t)
	p := s.Sale(nil)
	prov := cardpartner.New()
	r, err := hosted.Renderer([]platform.Provider{prov})
	require.NoError(t, err)
	e := echo.New()
	prov.Routes(e, paidMeanwhile{s.Engine}, r)

	req := httptest.NewRequest(http.MethodPost, "/providers/card-partner/pay", strings.NewReader(cardForm(inv(t, p), "4242424242424242").Encode()))
	req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationForm)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusConflict, rec.Code)
	page := text(rec)
	assert.Contains(t, page, "This checkout is closed", "the result of the other tab's pay, not the form")
	assert.NotContains(t, page, "Time left to pay")
	assert.Equal(t, platform.StatusSuccess, s.Payment(p.Key()).Status)
}

package oxxo_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/enginetest"
	"github.com/ecommpay-sandbox/sandbox/providers/oxxo"
	"github.com/ecommpay-sandbox/sandbox/providers/voucher"
	"github.com/ecommpay-sandbox/sandbox/web"
)

const day = 24 * time.Hour

// fixed is the sandbox time the tests start at.
var fixed = time.Date(2026, 11, 22, 14, 0, 0, 0, time.UTC)

// sandbox is a real engine over a bbolt file with Oxxo's pages on an echo
// router, the clock frozen at fixed.
type sandbox struct{ *enginetest.Sandbox }

func newSandbox(t *testing.T, settings map[string]platform.MethodSettings) sandbox {
	t.Helper()
	return sandbox{enginetest.New(t, oxxo.New(), enginetest.Options{Sale: order, At: fixed, Seed: 42, Settings: settings})}
}

// order is the n-th Oxxo Gate sale of a test.
func order(n int) platform.SaleRequest {
	return platform.SaleRequest{
		ProjectID: 1, PaymentID: "order-" + string(rune('a'+n)), Method: "oxxo", Interface: platform.InterfaceGate,
		Amount:      platform.Sum{Amount: 125000, Currency: "MXN"},
		Description: "Order 38202000002316",
		Customer: platform.Customer{
			ID: "589256", IPAddress: "66.249.64.45", FirstName: "Paul", LastName: "Marques",
			Email: "paul@example.com", DocNumber: "84887177100",
		},
	}
}

func (s sandbox) payAt(ref, channel string) *httptest.ResponseRecorder {
	return s.PostForm("/providers/oxxo/terminal", url.Values{"reference": {ref}, "channel": {channel}})
}

// text is a page's HTML with tags' whitespace folded, for Contains checks.
func text(rec *httptest.ResponseRecorder) string {
	return strings.Join(strings.Fields(rec.Body.String()), " ")
}

func TestVoucherWalkthrough(t *testing.T) {
	t.Parallel()
	s := newSandbox(t, nil)
	p := s.Sale(nil)
	require.Equal(t, platform.StatusAwaitingRedirect, p.Status)
	require.NotNil(t, p.Voucher)
	ref := p.Voucher.Reference
	grouped := web.GroupDigits(ref, 4)
	require.NotNil(t, p.Redirect)
	assert.Equal(t, "http://sandbox.test/providers/oxxo/vouchers/"+ref, p.Redirect.URL)
	assert.Equal(t, "GET", p.Redirect.Method)
	assert.Equal(t, fixed.Add(10*day), p.Voucher.ValidUntil)
	assert.Equal(t, fixed.Add(30*day), p.Voucher.BankUntil)

	// The customer opens the redirect URL.
	rec := s.Get("/providers/oxxo/vouchers/" + ref)
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "text/html; charset=utf-8", rec.Header().Get("Content-Type"))
	page := text(rec)
	for _, want := range []string{
		grouped, "MX$1,250.00", "Awaiting payment", "Pay at any OXXO store before",
		"2 Dec 2026, 14:00 UTC", "Or at a bank until", "22 Dec 2026, 14:00 UTC",
		"/providers/oxxo/vouchers/" + ref + "/barcode.png",
		"/providers/oxxo/terminal?reference=" + ref, "Paul Marques", "Order 38202000002316",
		`<html lang="en">`, "Sandbox",
	} {
		assert.Contains(t, page, want)
	}

	// Its barcode.
	rec = s.Get("/providers/oxxo/vouchers/" + ref + "/barcode.png")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "image/png", rec.Header().Get("Content-Type"))
	assert.Contains(t, rec.Header().Get("Cache-Control"), "max-age=")
	img, err := png.Decode(bytes.NewReader(rec.Body.Bytes()))
	require.NoError(t, err)
	assert.Equal(t, voucher.BarcodeWidth(ref, 640), img.Bounds().Dx())
	assert.Equal(t, 160, img.Bounds().Dy())

	// The terminal lists it and pays it; spaces in the reference don't matter.
	rec = s.Get("/providers/oxxo/terminal")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, text(rec), grouped)
	rec = s.Get("/providers/oxxo/terminal?reference=" + ref)
	assert.Contains(t, text(rec), `value="`+ref+`"`)

	rec = s.payAt(grouped, "terminal")
	require.Equal(t, http.StatusOK, rec.Code, text(rec))
	page = text(rec)
	assert.Contains(t, page, "Payment received")
	assert.Contains(t, page, "Paid at an OXXO store on")
	assert.Contains(t, page, "MX$1,250.00")

	p = s.Payment(p.Key())
	assert.Equal(t, platform.StatusSuccess, p.Status)
	assert.Equal(t, platform.StatusSuccess, p.Sale().Status)
	assert.Equal(t, "0", p.Sale().Code)
	assert.Equal(t, fixed, p.Voucher.PaidAt)
	assert.Equal(t, voucher.ChannelTerminal, p.Voucher.Channel)
	assert.Nil(t, p.Redirect)

	// Two callbacks: the redirect (Gate) and the success.
	ds, err := s.Engine.Deliveries(context.Background(), platform.DeliveryFilter{ProjectID: 1, PaymentID: p.ID})
	require.NoError(t, err)
	require.Len(t, ds, 2)
	var first, last struct {
		Payment      struct{ Status string }
		RedirectData *platform.Redirect `json:"redirect_data"`
	}
	require.NoError(t, json.Unmarshal(ds[0].Body, &first))
	require.NoError(t, json.Unmarshal(ds[1].Body, &last))
	assert.Equal(t, "awaiting redirect result", first.Payment.Status)
	require.NotNil(t, first.RedirectData)
	assert.Equal(t, p.Sale().ProviderPaymentID != "", true)
	assert.Equal(t, "success", last.Payment.Status)

	// The voucher now shows it was paid.
	rec = s.Get("/providers/oxxo/vouchers/" + ref)
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, text(rec), "Paid at an OXXO store")
	assert.NotContains(t, text(rec), "Open the terminal")
}

func TestTerminalRefusals(t *testing.T) {
	t.Parallel()
	s := newSandbox(t, nil)
	paid := s.Sale(nil)
	require.Equal(t, http.StatusOK, s.payAt(paid.Voucher.Reference, "bank").Code)
	cancelled := s.Sale(nil)
	_, err := s.Engine.Fail(context.Background(), cancelled.Key(), platform.DeclineInsufficientFunds)
	require.NoError(t, err)
	expired := s.Sale(nil)
	_, err = s.Engine.Expire(context.Background(), expired.Key())
	require.NoError(t, err)
	open := s.Sale(nil)

	tests := []struct {
		name, ref, channel string
		status             int
		want               []string
	}{
		{"unknown reference", "93012345678901", "terminal", http.StatusNotFound, []string{"Unknown reference", "9301 2345 6789 01", "nothing was charged"}},
		{"mistyped reference", open.Voucher.Reference[:13], "terminal", http.StatusNotFound, []string{"Unknown reference", "is not a valid Oxxo reference"}},
		{"already paid", paid.Voucher.Reference, "terminal", http.StatusConflict, []string{"Already paid", "was already paid at a bank on 22 Nov 2026, 14:00 UTC", "Nothing was charged again"}},
		{"cancelled", cancelled.Voucher.Reference, "terminal", http.StatusConflict, []string{"Voucher cancelled", "Insufficient funds on customer account"}},
		{"expired by hand", expired.Voucher.Reference, "bank", http.StatusConflict, []string{"Voucher expired", "expired on 22 Nov 2026, 14:00 UTC"}},
		{"no reference", "  ", "terminal", http.StatusBadRequest, []string{"Enter the voucher", "14 digits"}},
		{"unknown channel", open.Voucher.Reference, "atm", http.StatusBadRequest, []string{"Choose where the customer pays", `&#34;atm&#34; is not a place`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := s.payAt(tt.ref, tt.channel)
			assert.Equal(t, tt.status, rec.Code)
			page := text(rec)
			for _, w := range tt.want {
				assert.Contains(t, page, w)
			}
			assert.Contains(t, page, `role="alert"`)
			assert.Contains(t, page, `aria-invalid="true"`)
			assert.NotContains(t, page, "Payment received")
			if tt.status == http.StatusConflict {
				assert.Contains(t, page, `href="/providers/oxxo/vouchers/`+tt.ref+`">View the voucher</a>`)
			}
		})
	}

	// Nothing changed.
	assert.Equal(t, platform.StatusAwaitingRedirect, s.Payment(open.Key()).Status)
	assert.Equal(t, voucher.ChannelBank, s.Payment(paid.Key()).Voucher.Channel)
	assert.Equal(t, platform.StatusDecline, s.Payment(cancelled.Key()).Status)

	// The voucher pages say the same.
	for ref, want := range map[string]string{
		paid.Voucher.Reference:      "Paid at a bank",
		cancelled.Voucher.Reference: "This voucher was cancelled",
		expired.Voucher.Reference:   "This voucher expired",
		open.Voucher.Reference:      "Awaiting payment",
	} {
		rec := s.Get("/providers/oxxo/vouchers/" + ref)
		assert.Equal(t, http.StatusOK, rec.Code)
		assert.Contains(t, text(rec), want)
	}
}

func TestUnknownVoucherPages(t *testing.T) {
	t.Parallel()
	s := newSandbox(t, nil)
	rec := s.Get("/providers/oxxo/vouchers/93012345678901")
	assert.Equal(t, http.StatusNotFound, rec.Code)
	assert.Contains(t, text(rec), "Voucher not found")
	assert.Contains(t, text(rec), "No Oxxo voucher has the reference 93012345678901")
	assert.Contains(t, text(rec), "Error 404")

	rec = s.Get("/providers/oxxo/vouchers/93012345678901/barcode.png")
	assert.Equal(t, http.StatusNotFound, rec.Code)
	assert.NotEqual(t, "image/png", rec.Header().Get("Content-Type"))
}

func TestLapseAtTerminalsThenBank(t *testing.T) {
	t.Parallel()
	s := newSandbox(t, nil)
	p := s.Sale(nil)
	ref := p.Voucher.Reference

	s.Advance(11 * day)
	rec := s.payAt(ref, "terminal")
	assert.Equal(t, http.StatusConflict, rec.Code)
	assert.Contains(t, text(rec), "lapsed at terminals on 2026-12-02 14:00 UTC; a bank accepts it until 2026-12-22 14:00 UTC")
	assert.Equal(t, platform.StatusAwaitingRedirect, s.Payment(p.Key()).Status, "a refusal changes nothing")

	rec = s.Get("/providers/oxxo/vouchers/" + ref)
	assert.Contains(t, text(rec), "Bank payment only")
	assert.Contains(t, text(rec), "Stores no longer accept this voucher")

	rec = s.payAt(ref, "bank")
	require.Equal(t, http.StatusOK, rec.Code, text(rec))
	assert.Contains(t, text(rec), "Paid at a bank")
	p = s.Payment(p.Key())
	assert.Equal(t, platform.StatusSuccess, p.Status)
	assert.Equal(t, voucher.ChannelBank, p.Voucher.Channel)
	assert.Equal(t, fixed.Add(11*day), p.Voucher.PaidAt)
}

func TestLapseJobDeclinesAtDay30(t *testing.T) {
	t.Parallel()
	s := newSandbox(t, nil)
	p := s.Sale(nil)

	s.Advance(30*day - time.Minute)
	assert.Equal(t, platform.StatusAwaitingRedirect, s.Payment(p.Key()).Status)

	s.Advance(time.Minute)
	p = s.Payment(p.Key())
	require.Equal(t, platform.StatusDecline, p.Status)
	assert.Equal(t, "20000", p.Sale().Code)
	assert.Equal(t, "General decline", p.Sale().Message)

	rec := s.payAt(p.Voucher.Reference, "bank")
	assert.Equal(t, http.StatusConflict, rec.Code)
	assert.Contains(t, text(rec), "Voucher expired")
	assert.Contains(t, text(rec), "expired on 22 Dec 2026, 14:00 UTC")
	rec = s.Get("/providers/oxxo/vouchers/" + p.Voucher.Reference)
	assert.Contains(t, text(rec), "Expired")
}

func TestShortVariant(t *testing.T) {
	t.Parallel()
	s := newSandbox(t, map[string]platform.MethodSettings{"oxxo": {Variant: "3days"}})
	p := s.Sale(nil)
	assert.Equal(t, fixed.Add(3*day), p.Voucher.ValidUntil)
	assert.True(t, p.Voucher.BankUntil.IsZero())
	rec := s.Get("/providers/oxxo/vouchers/" + p.Voucher.Reference)
	assert.NotContains(t, text(rec), "Or at a bank until")

	s.Advance(3 * day)
	assert.Equal(t, platform.StatusDecline, s.Payment(p.Key()).Status)
	assert.Equal(t, http.StatusConflict, s.payAt(p.Voucher.Reference, "bank").Code)
}

func TestMalformedDocNumberDeclines(t *testing.T) {
	t.Parallel()
	s := newSandbox(t, nil)
	p := s.Sale(func(r *platform.SaleRequest) { r.Customer.DocNumber = "12345" })
	require.Equal(t, platform.StatusDecline, p.Status)
	assert.Nil(t, p.Voucher)
	op := p.Sale()
	assert.Equal(t, "20000", op.Code)
	require.Len(t, op.Errors, 1)
	assert.Equal(t, "customer.identify.doc_number", op.Errors[0].Field)
	assert.Contains(t, op.Errors[0].Message, "10 to 18 digits")
}

func TestMerchantDataIsEscaped(t *testing.T) {
	t.Parallel()
	s := newSandbox(t, nil)
	const evil = `<script>alert(1)</script>`
	p := s.Sale(func(r *platform.SaleRequest) {
		r.Description = evil
		r.Customer.FirstName = evil
		r.Customer.LastName = `"><img src=x onerror=alert(1)>`
		r.ReturnURLs.Return = "javascript:alert(1)"
	})
	for _, rec := range []*httptest.ResponseRecorder{
		s.Get("/providers/oxxo/vouchers/" + p.Voucher.Reference),
		s.payAt(p.Voucher.Reference, "terminal"),
	} {
		body := rec.Body.String()
		assert.NotContains(t, body, evil)
		assert.NotContains(t, body, `<img src=x`)
		assert.NotContains(t, body, `href="javascript:`)
		assert.Contains(t, body, "&lt;script&gt;alert(1)&lt;/script&gt;")
	}
}

func TestStaticAssetsAreServed(t *testing.T) {
	t.Parallel()
	s := newSandbox(t, nil)
	p := s.Sale(nil)
	page := s.Get("/providers/oxxo/vouchers/" + p.Voucher.Reference).Body.String()
	for _, asset := range []string{"style.css", "app.js"} {
		u := web.AssetURL(asset)
		assert.Contains(t, page, u)
		rec := s.Get(u)
		assert.Equal(t, http.StatusOK, rec.Code, asset)
		assert.Contains(t, rec.Header().Get("Cache-Control"), "immutable")
	}
}

// TestReceiptSaysWhereTheCallbackIs: the terminal's receipt tells the
// truth about the merchant's callback: held in the delivery log when the
// project has no callback URL (the demo project), on its way otherwise;
// either way it links the payment in the developer console.
func TestReceiptSaysWhereTheCallbackIs(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		project  platform.Project
		payments string // the payment's merchant_callback_url
		want     string
	}{
		{"no callback URL", platform.Project{}, "", "Its callback waits in the delivery log: project <span class=\"mono\">1</span> has no callback URL."},
		{"a callback URL", platform.Project{ID: 1, Secret: "secret", CallbackURL: "http://127.0.0.1:1/callbacks"}, "", "the merchant gets its callback."},
		{"the payment's own callback URL", platform.Project{}, "http://127.0.0.1:1/order-callbacks", "the merchant gets its callback."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := sandbox{enginetest.New(t, oxxo.New(), enginetest.Options{Sale: order, At: fixed, Seed: 42, Project: tt.project})}
			p := s.Sale(func(r *platform.SaleRequest) { r.Callback.URL = tt.payments })
			rec := s.payAt(p.Voucher.Reference, "terminal")
			require.Equal(t, http.StatusOK, rec.Code, text(rec))
			page := text(rec)
			assert.Contains(t, page, tt.want)
			assert.Contains(t, page, `href="/dashboard/payments/1/`+p.ID+`"`)
		})
	}
}

package voucher_test

import (
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/bolt"
	"github.com/ecommpay-sandbox/sandbox/platform/enginetest"
	"github.com/ecommpay-sandbox/sandbox/providers/voucher"
	"github.com/ecommpay-sandbox/sandbox/web"
)

var fixed = time.Date(2026, 11, 22, 14, 0, 0, 0, time.UTC)

// cashBody is the POST redirect body of the test method.
type cashBody struct {
	PaymentID   string `json:"paymentID"`
	OperationID int64  `json:"operation_id"`
	Amount      string `json:"amount"`
}

// cash is a voucher method whose redirect is a POST, with its own voucher
// page (the shared template under another title).
func cash(post bool) *voucher.Provider {
	cfg := voucher.Config{
		Method: platform.Method{
			Code: "cash", Name: "Cash", PaymentMethod: "cash", ProviderID: 99,
			GatePath: "/v2/payment/voucher/cash/sale", Currencies: []string{"USD"},
			ExampleSale: json.RawMessage(`{"customer": {"id": "c-1", "ip_address": "198.51.100.7"}, "payment": {"amount": 100, "currency": "USD"}}`),
			Brand:       platform.Brand{Name: "Cash", Outlet: "cash desk"},
		},
		Validity:        3 * 24 * time.Hour,
		ReferenceDigits: 12,
		Words: web.Catalog{
			"en": {"outlet": "cash desk", "outlet.at": "at a cash desk"},
			"es": {"outlet": "caja", "outlet.at": "en una caja"},
			"pt": {"outlet": "caixa", "outlet.at": "em um caixa"},
		},
	}
	if post {
		cfg.RedirectBody = func(in voucher.RedirectInput) (any, error) {
			return cashBody{PaymentID: in.Payment.ID, OperationID: in.Payment.Sale().ID, Amount: "10.00"}, nil
		}
		cfg.VoucherPage = func(pay *platform.Payment, page voucher.VoucherPage) (string, any) {
			page.Description = "own page of " + pay.ID
			return "voucher", page
		}
	}
	return voucher.New(cfg)
}

type rig struct{ *enginetest.Sandbox }

func newRig(t *testing.T, post bool) rig {
	t.Helper()
	return rig{enginetest.New(t, cash(post), enginetest.Options{Sale: order, At: fixed, Seed: 7})}
}

// order is a cash Gate sale; the tests name its payment.
func order(int) platform.SaleRequest {
	return platform.SaleRequest{
		ProjectID: 1, Method: "cash", Interface: platform.InterfaceGate,
		Amount: platform.Sum{Amount: 1000, Currency: "USD"}, Customer: platform.Customer{ID: "c1", IPAddress: "192.0.2.1"},
	}
}

func (r rig) sale(id string) *platform.Payment {
	r.T().Helper()
	p := r.Sale(func(req *platform.SaleRequest) { req.PaymentID = id })
	require.Equal(r.T(), platform.StatusAwaitingRedirect, p.Status)
	return p
}

func TestVoucherPageTakesThePOSTRedirect(t *testing.T) {
	t.Parallel()
	r := newRig(t, true)
	p := r.sale("order-1")
	require.NotNil(t, p.Redirect)
	assert.Equal(t, "POST", p.Redirect.Method)
	path := strings.TrimPrefix(p.Redirect.URL, "http://sandbox.test")
	body := string(p.Redirect.Body)

	form := url.Values{"paymentID": {"order-1"}, "operation_id": {fmt.Sprint(p.Sale().ID)}, "amount": {"10.00"}}
	var mp strings.Builder
	w := multipart.NewWriter(&mp)
	for k, v := range form {
		require.NoError(t, w.WriteField(k, v[0]))
	}
	require.NoError(t, w.Close())

	for name, req := range map[string]struct{ ctype, body string }{
		"JSON, as redirect_data.body": {"application/json", body},
		"JSON without a content type": {"", body},
		"JSON with charset":           {"application/json; charset=utf-8", body},
		"a form, as a browser posts":  {"application/x-www-form-urlencoded", form.Encode()},
		"a multipart form":            {w.FormDataContentType(), mp.String()},
		"part of the body":            {"application/json", `{"paymentID":"order-1","extra":true}`},
		"no body":                     {"", ""},
	} {
		rec := r.Post(path, req.ctype, req.body)
		assert.Equal(t, http.StatusOK, rec.Code, name)
		assert.Contains(t, rec.Body.String(), "own page of order-1", name)
		assert.Contains(t, rec.Body.String(), p.Voucher.Reference, name)
	}

	// GET shows the same page.
	rec := r.Get(path)
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, rec.Body.String(), "own page of order-1")
}

func TestVoucherPageRefusesAnotherPaymentsBody(t *testing.T) {
	t.Parallel()
	r := newRig(t, true)
	a, b := r.sale("order-a"), r.sale("order-b")
	pathA := strings.TrimPrefix(a.Redirect.URL, "http://sandbox.test")

	rec := r.Post(pathA, "application/json", string(b.Redirect.Body))
	assert.Equal(t, http.StatusBadRequest, rec.Code)
	page := strings.Join(strings.Fields(rec.Body.String()), " ")
	assert.Contains(t, page, "Redirect body does not match this voucher")
	assert.Contains(t, page, "paymentID: posted &#34;order-b&#34;, the voucher&#39;s redirect body says &#34;order-a&#34;")
	assert.Contains(t, page, fmt.Sprintf("operation_id: posted &#34;%d&#34;", b.Sale().ID))

	for name, req := range map[string]struct{ ctype, body string }{
		"not JSON":       {"application/json", `{"paymentID":`},
		"a JSON string":  {"application/json", `"order-a"`},
		"a broken form":  {"application/x-www-form-urlencoded", "a=%zz"},
		"two JSON texts": {"application/json", `{} {}`},
	} {
		rec := r.Post(pathA, req.ctype, req.body)
		assert.Equal(t, http.StatusBadRequest, rec.Code, name)
		assert.Contains(t, rec.Body.String(), "Unreadable redirect body", name)
	}
	rec = r.Post(pathA, "application/json", `{"paymentID":"`+strings.Repeat("x", 70<<10)+`"}`)
	assert.Equal(t, http.StatusBadRequest, rec.Code)
	assert.Contains(t, rec.Body.String(), "larger than")

	rec = r.Post("/providers/cash/vouchers/123456789012", "application/json", string(a.Redirect.Body))
	assert.Equal(t, http.StatusNotFound, rec.Code)
	assert.Contains(t, rec.Body.String(), "Voucher not found")

	// Once the payment is final there is no redirect left to compare with:
	// the page shows how the voucher ended.
	_, err := r.Engine.Pay(context.Background(), a.Key(), nil)
	require.NoError(t, err)
	rec = r.Post(pathA, "application/json", string(b.Redirect.Body))
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, rec.Body.String(), "Paid at a cash desk", "the method's own words")
}

func TestGETRedirectPageTakesAPOSTToo(t *testing.T) {
	t.Parallel()
	r := newRig(t, false)
	p := r.sale("order-1")
	assert.Equal(t, "GET", p.Redirect.Method)
	path := strings.TrimPrefix(p.Redirect.URL, "http://sandbox.test")
	for _, body := range []string{`[]`, `{}`, ``, `{"anything":"goes"}`} {
		rec := r.Post(path, "application/json", body)
		assert.Equal(t, http.StatusOK, rec.Code, body)
		assert.Contains(t, rec.Body.String(), "Cash voucher")
	}
}

func TestReferencesStayUniqueWhenTheSeedReplays(t *testing.T) {
	t.Parallel()
	// Two engines over one store, each with the same seed: the second
	// replays the draws of the first, as a sandbox restarted with --seed
	// over the data it kept.
	dir := t.TempDir()
	open := func() (*platform.Engine, func()) {
		store, err := bolt.Open(filepath.Join(dir, "sandbox.db"))
		require.NoError(t, err)
		eng, err := platform.New(context.Background(), platform.Config{
			Store: store, Wall: func() time.Time { return fixed }, Seed: [32]byte{7},
			BaseURL: "http://sandbox.test", Clock: platform.ClockState{Frozen: true, FrozenAt: fixed},
			Providers: []platform.Provider{cash(false)},
		})
		require.NoError(t, err)
		return eng, func() { require.NoError(t, store.Close()) }
	}
	sale := func(eng *platform.Engine, id string) *platform.Payment {
		ctx := context.Background()
		_, err := eng.Sale(ctx, platform.SaleRequest{
			ProjectID: 1, PaymentID: id, Method: "cash", Interface: platform.InterfaceGate,
			Amount: platform.Sum{Amount: 1000, Currency: "USD"}, Customer: platform.Customer{ID: "c1"},
		})
		require.NoError(t, err)
		_, err = eng.RunDue(ctx, fixed)
		require.NoError(t, err)
		p, err := eng.Payment(ctx, platform.PaymentKey{ProjectID: 1, PaymentID: id})
		require.NoError(t, err)
		return p
	}
	eng, closeStore := open()
	first := sale(eng, "before-restart")
	closeStore()

	eng, closeStore = open()
	defer closeStore()
	again := sale(eng, "after-restart")
	require.Equal(t, platform.StatusAwaitingRedirect, again.Status, "the sale is not stuck on a taken reference")
	require.NotNil(t, again.Voucher)
	assert.NotEqual(t, first.Voucher.Reference, again.Voucher.Reference)
	got, err := eng.PaymentByReference(context.Background(), "cash", again.Voucher.Reference)
	require.NoError(t, err)
	assert.Equal(t, "after-restart", got.ID)
	got, err = eng.PaymentByReference(context.Background(), "cash", first.Voucher.Reference)
	require.NoError(t, err)
	assert.Equal(t, "before-restart", got.ID)
}

// TestBarcodeNotFoundIsNotSniffed checks that the barcode's 404, which
// quotes the reference it was given, can never be read as HTML.
func TestBarcodeNotFoundIsNotSniffed(t *testing.T) {
	t.Parallel()
	r := newRig(t, false)
	p := r.sale("order-b")
	for name, ref := range map[string]string{
		"unknown reference": "930123456789",
		"markup":            url.PathEscape("<script>alert(1)</script>"),
		"a known reference": p.Voucher.Reference,
	} {
		rec := r.Get("/providers/cash/vouchers/" + ref + "/barcode.png")
		assert.Equal(t, "nosniff", rec.Header().Get("X-Content-Type-Options"), name)
		if ref == p.Voucher.Reference {
			assert.Equal(t, http.StatusOK, rec.Code, name)
			continue
		}
		assert.Equal(t, http.StatusNotFound, rec.Code, name)
		assert.True(t, strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain"), name)
	}
}

// TestErrorPagesSpeakTheCustomersLanguage: the voucher pages' refusals
// speak the language of the page around them: the payment's, or for a
// reference no payment has, the method's (Config.Language) or else the
// browser's (Accept-Language).
func TestErrorPagesSpeakTheCustomersLanguage(t *testing.T) {
	t.Parallel()
	r := newRig(t, true)
	a := r.Sale(func(req *platform.SaleRequest) { req.PaymentID, req.Language = "order-es", "es" })
	b := r.sale("order-b")
	pathA := strings.TrimPrefix(a.Redirect.URL, "http://sandbox.test")
	flat := func(rec *httptest.ResponseRecorder) string {
		return strings.Join(strings.Fields(rec.Body.String()), " ")
	}

	rec := r.Post(pathA, "application/json", string(b.Redirect.Body))
	assert.Equal(t, http.StatusBadRequest, rec.Code)
	page := flat(rec)
	assert.Contains(t, page, `<html lang="es">`)
	assert.Contains(t, page, "El cuerpo de la redirección no corresponde a este cupón")
	assert.Contains(t, page, "paymentID: se envió &#34;order-b&#34;; el cuerpo de la redirección del cupón dice &#34;order-es&#34;")
	assert.Contains(t, page, "Error 400 · Solicitud incorrecta")
	assert.NotContains(t, page, "Redirect body")

	rec = r.Post(pathA, "application/json", `{"paymentID":`)
	assert.Equal(t, http.StatusBadRequest, rec.Code)
	assert.Contains(t, flat(rec), "No se puede leer el cuerpo enviado a este cupón")
	assert.NotContains(t, flat(rec), "Unreadable")

	unknown := func(accept string) string {
		req := httptest.NewRequest(http.MethodGet, "/providers/cash/vouchers/123456789012", nil)
		if accept != "" {
			req.Header.Set("Accept-Language", accept)
		}
		rec := r.Do(req)
		assert.Equal(t, http.StatusNotFound, rec.Code, accept)
		return flat(rec)
	}
	page = unknown("pt-BR,pt;q=0.9,en;q=0.5")
	assert.Contains(t, page, `<html lang="pt">`)
	assert.Contains(t, page, "Voucher não encontrado")
	assert.Contains(t, page, "Nenhum voucher Cash tem o código 123456789012.")
	assert.Contains(t, page, "Abrir o terminal")
	assert.Contains(t, page, "Erro 404 · Não encontrado")
	assert.Contains(t, unknown("es-MX"), "Cupón no encontrado")
	assert.Contains(t, unknown(""), "Voucher not found", "no language asked: English, the cash method's")
}

// TestUnknownVoucherSpeaksTheMethodsLanguage: a method whose pages speak a
// language of their own (Lotérica's Portuguese) says an unknown reference
// in it, whatever the browser prefers.
func TestUnknownVoucherSpeaksTheMethodsLanguage(t *testing.T) {
	t.Parallel()
	p := cash(false)
	cfg := p.Config()
	cfg.Language = "pt"
	r := rig{enginetest.New(t, voucher.New(cfg), enginetest.Options{Sale: order, At: fixed, Seed: 7})}
	req := httptest.NewRequest(http.MethodGet, "/providers/cash/vouchers/123456789012", nil)
	req.Header.Set("Accept-Language", "es")
	rec := r.Do(req)
	assert.Equal(t, http.StatusNotFound, rec.Code)
	assert.Contains(t, rec.Body.String(), "Voucher não encontrado")
}

package web

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/internal/golden"
	"github.com/ecommpay-sandbox/sandbox/platform"
)

func errorPage() ErrorPage {
	e := NewErrorPage(http.StatusBadRequest, "Invalid signature",
		"The signature does not match the parameters. The sandbox signed this string:",
		"payment_amount:10000;payment_currency:MXN;payment_id:X03936;project_id:842",
		"compare it with the string your code signed")
	e.Back = &Link{Label: "Back to the store", URL: "https://shop.example/cart"}
	return e
}

func newRenderer(t *testing.T) *Renderer {
	t.Helper()
	r, err := New()
	require.NoError(t, err)
	return r
}

func TestGolden(t *testing.T) {
	t.Parallel()
	golden.Pages(t, newRenderer(t).Render, []golden.PageCase{
		{Golden: "error", Page: "error", Data: errorPage()},
	})
}

func TestPagesAreAccessible(t *testing.T) {
	t.Parallel()
	r := newRenderer(t)
	var buf bytes.Buffer
	require.NoError(t, r.Render(&buf, "error", errorPage()))
	html := buf.String()
	assert.Contains(t, html, `<html lang="en">`)
	assert.Contains(t, html, `name="viewport"`)
	assert.Contains(t, html, `class="sandbox-badge"`)
	assert.Contains(t, html, `href="#main"`)
	assert.Equal(t, 1, strings.Count(html, "<h1"), "one h1")
	assert.NotContains(t, html, "http://", "it loads nothing from outside")
	assert.NotContains(t, html, "<script>", "no inline script")
	assert.Regexp(t, `<title>[^<]+ · ecommpay sandbox</title>`, html)
}

func TestMerchantDataIsEscaped(t *testing.T) {
	t.Parallel()
	const evil = `<script>alert(1)</script>`
	e := errorPage()
	e.Message, e.Details = evil, []string{evil}
	e.Back.URL = "javascript:alert(1)"
	e.Brand.Color = `red;}</style><script>alert(1)</script>`
	var buf bytes.Buffer
	require.NoError(t, newRenderer(t).Render(&buf, "error", e))
	html := buf.String()
	assert.NotContains(t, html, evil)
	assert.NotContains(t, html, "javascript:")
	assert.Contains(t, html, `&lt;script&gt;alert(1)&lt;/script&gt;`)
}

func TestRender(t *testing.T) {
	t.Parallel()
	r := newRenderer(t)
	assert.Subset(t, r.Pages(), []string{"error", "payment", "home"})
	assert.NotContains(t, r.Pages(), "layout", "the layout is not a page")
	assert.NotContains(t, r.Pages(), "components", "nor are the components")

	var buf bytes.Buffer
	err := r.Render(&buf, "nope", nil)
	assert.ErrorContains(t, err, `no page "nope"`)

	// A view model that does not fit writes nothing.
	err = r.Render(&buf, "error", struct{ Page }{})
	assert.Error(t, err)
	assert.Zero(t, buf.Len())

	w := httptest.NewRecorder()
	require.NoError(t, r.Write(w, http.StatusNotFound, "error", NewErrorPage(http.StatusNotFound, "Voucher not found", "No voucher has this reference.")))
	assert.Equal(t, http.StatusNotFound, w.Code)
	assert.Equal(t, "text/html; charset=utf-8", w.Header().Get("Content-Type"))
	assert.Equal(t, "nosniff", w.Header().Get("X-Content-Type-Options"))
	assert.Contains(t, w.Header().Get("Content-Security-Policy"), "script-src 'self'")
	assert.Contains(t, w.Body.String(), "Error 404 · Not Found")

	w = httptest.NewRecorder()
	assert.Error(t, r.Write(w, http.StatusOK, "error", 42))
	assert.Zero(t, w.Body.Len(), "nothing is written when rendering fails")
}

func TestStaticHandler(t *testing.T) {
	t.Parallel()
	h := StaticHandler()
	css := AssetURL("style.css")
	require.Regexp(t, `^/static/style\.css\?v=[0-9a-f]{12}$`, css)

	tests := []struct {
		name, method, path, ifNoneMatch string
		status                          int
		ctype, cache                    string
	}{
		{"versioned css", "GET", css, "", 200, "text/css; charset=utf-8", "public, max-age=31536000, immutable"},
		{"unversioned css", "GET", "/static/style.css", "", 200, "text/css; charset=utf-8", "public, no-cache"},
		{"stale version", "GET", "/static/style.css?v=000000000000", "", 200, "text/css; charset=utf-8", "public, no-cache"},
		{"script", "GET", AssetURL("app.js"), "", 200, "text/javascript; charset=utf-8", "public, max-age=31536000, immutable"},
		{"icon", "GET", AssetURL("favicon.svg"), "", 200, "image/svg+xml", "public, max-age=31536000, immutable"},
		{"head", "HEAD", css, "", 200, "text/css; charset=utf-8", "public, max-age=31536000, immutable"},
		{"unknown", "GET", "/static/nope.css", "", 404, "", ""},
		{"outside", "GET", "/static/../web.go", "", 404, "", ""},
		{"post", "POST", css, "", 405, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.path, nil)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			assert.Equal(t, tt.status, w.Code)
			if tt.status != 200 {
				return
			}
			assert.Equal(t, tt.ctype, w.Header().Get("Content-Type"))
			assert.Equal(t, tt.cache, w.Header().Get("Cache-Control"))
			assert.NotEmpty(t, w.Header().Get("ETag"))
			if tt.method == "GET" {
				assert.NotZero(t, w.Body.Len())
			}
		})
	}

	// Revalidation answers 304.
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/static/style.css", nil))
	req := httptest.NewRequest("GET", "/static/style.css", nil)
	req.Header.Set("If-None-Match", w.Header().Get("ETag"))
	w = httptest.NewRecorder()
	h.ServeHTTP(w, req)
	assert.Equal(t, http.StatusNotModified, w.Code)
}

func TestFormatMoney(t *testing.T) {
	t.Parallel()
	tests := []struct {
		sum           platform.Sum
		money, symbol string
	}{
		{platform.Sum{Amount: 10000, Currency: "USD"}, "100.00 USD", "$100.00"},
		{platform.Sum{Amount: 125000, Currency: "MXN"}, "1,250.00 MXN", "MX$1,250.00"},
		{platform.Sum{Amount: 5, Currency: "EUR"}, "0.05 EUR", "€0.05"},
		{platform.Sum{Amount: 0, Currency: "GBP"}, "0.00 GBP", "£0.00"},
		{platform.Sum{Amount: 20000000, Currency: "KES"}, "200,000.00 KES", "KSh 200,000.00"},
		{platform.Sum{Amount: 123456789, Currency: "ARS"}, "1,234,567.89 ARS", "AR$1,234,567.89"},
		{platform.Sum{Amount: -1050, Currency: "CAD"}, "-10.50 CAD", "-CA$10.50"},
		{platform.Sum{Amount: 1500, Currency: "JPY"}, "1,500 JPY", "¥1,500"},
		{platform.Sum{Amount: 1500, Currency: "KWD"}, "1.500 KWD", "1.500 KWD"},
		{platform.Sum{Amount: 99, Currency: "XYZ"}, "0.99 XYZ", "0.99 XYZ"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.money, FormatMoney(tt.sum))
		assert.Equal(t, tt.symbol, FormatMoneySymbol(tt.sum))
	}
}

func TestFormatters(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "9301 2345 6789 01", GroupDigits("93012345678901", 4))
	assert.Equal(t, "1234", GroupDigits("1234", 4))
	assert.Equal(t, "12 34 5", GroupDigits("12345", 2))
	assert.Equal(t, "abc", GroupDigits("abc", 0))

	at := time.Date(2026, 12, 2, 14, 0, 0, 0, time.FixedZone("CST", -6*3600))
	assert.Equal(t, "2 Dec 2026, 20:00 UTC", FormatTime(at))
	assert.Equal(t, "Wed, 2 Dec 2026", FormatDay(at))
	assert.Equal(t, "2026-12-02T20:00:00Z", FormatISO(at))
	assert.Empty(t, FormatTime(time.Time{}))
	assert.Empty(t, FormatDay(time.Time{}))
	assert.Empty(t, FormatISO(time.Time{}))

	assert.Equal(t, "an OXXO store", Article("OXXO store"))
	assert.Equal(t, "a Rapipago branch", Article("Rapipago branch"))
	assert.Empty(t, Article(""))
}

func TestErrorFrom(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err    error
		status int
		title  string
	}{
		{platform.Errorf(platform.CodeNotFound, "no such voucher"), 404, "Transaction not found"},
		{platform.Errorf(platform.CodeProjectNotFound, "project 9"), 404, "Project ID not found"},
		{platform.Errorf(platform.CodeStatusForbids, "already paid"), 409, "Current payment or operation status does not allow this action"},
		{platform.Errorf(platform.CodeInvalidSignature, "signed string: a:1"), 400, "Invalid signature"},
		{errors.New("disk full"), 500, "Something went wrong in the sandbox"},
	}
	for _, tt := range tests {
		e := ErrorFrom(tt.err)
		assert.Equal(t, tt.status, e.Status, tt.err.Error())
		assert.Equal(t, tt.title, e.Title)
		assert.NotEmpty(t, e.Message)
	}
	e := ErrorFrom(&platform.Error{Code: platform.CodeRequiredField, Message: "Required field not provided",
		Fields: []platform.FieldError{{Field: "customer.email", Message: "is required"}}})
	assert.Equal(t, "Required field not provided", e.Message)
	assert.Equal(t, []string{"customer.email: is required"}, e.Details)
}

func TestNewWithProviderPages(t *testing.T) {
	t.Parallel()
	page := func(text string) fstest.MapFS {
		return fstest.MapFS{"tab.html": {Data: []byte(`{{define "title"}}Tab{{end}}{{define "content"}}<h1>` + text + `</h1>{{end}}`)}}
	}
	r, err := New(page("Your tab"), page("Your tab"))
	require.NoError(t, err, "the same page twice (methods that share it) is one page")
	var buf bytes.Buffer
	require.NoError(t, r.Render(&buf, "tab", struct{ Page }{Page{Title: "Tab"}}))
	assert.Contains(t, buf.String(), "<h1>Your tab</h1>")
	assert.Contains(t, buf.String(), `class="sandbox-badge"`, "in the shared layout")

	_, err = New(page("Your tab"), page("Another tab"))
	assert.ErrorContains(t, err, "two different pages are named tab.html")
	_, err = New(fstest.MapFS{"error.html": {Data: []byte(`{{define "content"}}{{end}}`)}})
	assert.ErrorContains(t, err, "error.html", "a provider cannot replace a page of the sandbox")
	_, err = New(fstest.MapFS{"bad.html": {Data: []byte(`{{define "content"}}{{.Nope}`)}})
	assert.ErrorContains(t, err, "parse bad.html")
}

func TestCurrencyNote(t *testing.T) {
	t.Parallel()
	for cur, want := range map[string]string{"USD": "USD", "MXN": "", "EUR": "", "KES": "", "XYZ": ""} {
		assert.Equal(t, want, CurrencyNote(platform.Sum{Amount: 100, Currency: cur}), cur)
	}
}

// TestErrorPageSpeaksItsLanguage: an error page in Spanish or Portuguese
// (a provider's page for a customer) says its status and its way home in
// that language, not only its own title and message.
func TestErrorPageSpeaksItsLanguage(t *testing.T) {
	t.Parallel()
	r := newRenderer(t)
	tests := []struct {
		lang   string
		status int
		want   []string
	}{
		{"en", 404, []string{`<html lang="en">`, "Error 404 · Not Found", "Sandbox home"}},
		{"es", 404, []string{`<html lang="es">`, "Error 404 · No encontrado", "Inicio del sandbox"}},
		{"pt", 409, []string{`<html lang="pt">`, "Erro 409 · Conflito", "Início do sandbox"}},
		{"es", 400, []string{"Error 400 · Solicitud incorrecta"}},
		{"pt", 418, []string{"Erro 418 · I&#39;m a teapot"}}, // a status without a translation keeps its English name
	}
	for _, tt := range tests {
		page := NewErrorPage(tt.status, "T", "M")
		page.Lang = tt.lang
		var buf bytes.Buffer
		require.NoError(t, r.Render(&buf, "error", page))
		for _, w := range tt.want {
			assert.Contains(t, buf.String(), w, tt.lang)
		}
		if tt.lang != "en" {
			assert.NotContains(t, buf.String(), "Sandbox home", tt.lang)
			assert.NotContains(t, buf.String(), "Error "+strconv.Itoa(tt.status)+" · "+http.StatusText(tt.status), tt.lang)
		}
	}
}

// TestWantsPage: a browser's Accept asks for a page; a program's (curl's
// */*, none, JSON) asks for data.
func TestWantsPage(t *testing.T) {
	t.Parallel()
	for accept, want := range map[string]bool{
		"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8": true,
		"TEXT/HTML":        true,
		"*/*":              false,
		"":                 false,
		"application/json": false,
	} {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		assert.Equal(t, want, WantsPage(req), "Accept: %q", accept)
	}
}

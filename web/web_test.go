package web

import (
	"bytes"
	"errors"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden with the rendered pages")

var (
	issued = time.Date(2026, 11, 22, 14, 0, 0, 0, time.UTC)
	day    = 24 * time.Hour
)

func oxxoBrand() platform.Brand {
	return platform.Brand{Name: "Oxxo", Mark: "OXXO", Color: "#c8102e", Ink: "#ffffff", Accent: "#ffc72c", Outlet: "OXXO store", Product: "OXXO Pay"}
}

func voucherPage(state VoucherState) VoucherPage {
	v := VoucherPage{
		Page:          Page{Title: "Oxxo voucher", Brand: oxxoBrand()},
		Reference:     "93012345678901",
		Amount:        platform.Sum{Amount: 125000, Currency: "MXN"},
		Description:   "Order 38202000002316",
		Customer:      "Paul Marques",
		ProjectID:     842,
		PaymentID:     "EP8a3e-3e96",
		BarcodeURL:    "/providers/oxxo/vouchers/93012345678901/barcode.png",
		BarcodeWidth:  264,
		BarcodeHeight: 80,
		TerminalURL:   "/providers/oxxo/terminal?reference=93012345678901",
		ReturnURL:     "https://shop.example/orders/42",
		IssuedAt:      issued,
		ValidUntil:    issued.Add(10 * day),
		BankUntil:     issued.Add(30 * day),
		State:         state,
	}
	switch state {
	case VoucherPaid:
		v.StateAt, v.Channel = issued.Add(2*day), "at an OXXO store"
	case VoucherExpired:
		v.StateAt = issued.Add(30 * day)
	case VoucherCancelled:
		v.StateAt, v.Reason = issued.Add(day), "Insufficient funds on customer account"
	}
	return v
}

func terminalPage() TerminalPage {
	return TerminalPage{
		Page:      Page{Title: "Oxxo terminal", Brand: oxxoBrand()},
		Action:    "/providers/oxxo/terminal",
		Reference: "93012345678901",
		Channel:   "terminal",
		BankNote:  `After stores stop, a bank still accepts a voucher until day 30 (variant "bank").`,
		Error: &Alert{
			Title:   "Voucher refused",
			Message: "Voucher 9301 2345 6789 01 lapsed at terminals on 2026-12-02 14:00 UTC; a bank accepts it until 2026-12-22 14:00 UTC. Nothing was charged.",
			Field:   "reference",
			Link:    &Link{Label: "View the voucher", URL: "/providers/oxxo/vouchers/93012345678901"},
		},
	}
}

func terminalPending() TerminalPage {
	p := terminalPage()
	p.Reference, p.Error = "", nil
	p.Pending = []PendingVoucher{
		{Reference: "93012345678901", Amount: platform.Sum{Amount: 125000, Currency: "MXN"}, ValidUntil: issued.Add(10 * day), URL: "/providers/oxxo/terminal?reference=93012345678901"},
		{Reference: "66009238685590", Amount: platform.Sum{Amount: 10000, Currency: "USD"}, ValidUntil: issued.Add(3 * day), URL: "/providers/oxxo/terminal?reference=66009238685590"},
	}
	return p
}

func terminalReceipt() TerminalPage {
	p := terminalPage()
	p.Error = nil
	p.Receipt = &Receipt{
		Reference: "93012345678901", Amount: platform.Sum{Amount: 125000, Currency: "MXN"},
		PaidAt: issued.Add(11 * day), Channel: "at a bank", ProviderPaymentID: "9d7e3e16b6a5",
		ProjectID: 842, PaymentID: "EP8a3e-3e96", Description: "Order 38202000002316",
		VoucherURL: "/providers/oxxo/vouchers/93012345678901",
	}
	return p
}

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

var (
	blank   = regexp.MustCompile(`\s+`)
	version = regexp.MustCompile(`\?v=[0-9a-f]{12}`)
)

// normalize folds whitespace, so that indentation in templates does not
// count as a change of the page, and drops the assets' versions, so that a
// change of the stylesheet alone does not either.
func normalize(b []byte) string {
	s := version.ReplaceAllString(string(b), "?v=VERSION")
	return strings.TrimSpace(blank.ReplaceAllString(s, " "))
}

func TestGolden(t *testing.T) {
	tests := []struct {
		golden, page string
		data         any
	}{
		{"voucher", "voucher", voucherPage(VoucherUnpaid)},
		{"voucher_bank_only", "voucher", voucherPage(VoucherBankOnly)},
		{"voucher_paid", "voucher", voucherPage(VoucherPaid)},
		{"voucher_expired", "voucher", voucherPage(VoucherExpired)},
		{"voucher_cancelled", "voucher", voucherPage(VoucherCancelled)},
		{"terminal", "terminal", terminalPage()},
		{"terminal_pending", "terminal", terminalPending()},
		{"terminal_receipt", "terminal", terminalReceipt()},
		{"error", "error", errorPage()},
	}
	r := newRenderer(t)
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, r.Render(&buf, tt.page, tt.data))
			path := filepath.Join("testdata", tt.golden+".golden")
			if *update {
				require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run go test ./web -update to create the golden files")
			assert.Equal(t, normalize(want), normalize(buf.Bytes()), "the page differs from %s; if that is intended, run go test ./web -update and review the diff", path)
		})
	}
}

func TestPagesAreAccessible(t *testing.T) {
	r := newRenderer(t)
	for name, data := range map[string]any{
		"voucher": voucherPage(VoucherUnpaid), "terminal": terminalPage(), "error": errorPage(),
	} {
		var buf bytes.Buffer
		require.NoError(t, r.Render(&buf, name, data))
		html := buf.String()
		assert.Contains(t, html, `<html lang="en">`, name)
		assert.Contains(t, html, `name="viewport"`, name)
		assert.Contains(t, html, `class="sandbox-badge"`, name)
		assert.Contains(t, html, `href="#main"`, name)
		assert.Equal(t, 1, strings.Count(html, "<h1"), "%s has one h1", name)
		assert.NotContains(t, html, "http://", "%s loads nothing from outside", name)
		assert.NotContains(t, html, "<script>", "%s has no inline script", name)
		assert.Regexp(t, `<title>[^<]+ · ecommpay sandbox</title>`, html, name)
	}

	var buf bytes.Buffer
	require.NoError(t, r.Render(&buf, "terminal", terminalPage()))
	html := buf.String()
	assert.Contains(t, html, `<label class="field__label" for="reference">`)
	assert.Contains(t, html, `id="reference"`)
	assert.Contains(t, html, `aria-invalid="true"`)
	assert.Contains(t, html, `aria-live="assertive"`)
	assert.Contains(t, html, `role="alert"`)
	assert.Contains(t, html, `<legend`)

	buf.Reset()
	require.NoError(t, r.Render(&buf, "voucher", voucherPage(VoucherUnpaid)))
	assert.Contains(t, buf.String(), `alt="Barcode of reference 9301 2345 6789 01"`)
	assert.Contains(t, buf.String(), `<time datetime="2026-12-02T14:00:00Z">2 Dec 2026, 14:00 UTC</time>`)
}

func TestMerchantDataIsEscaped(t *testing.T) {
	const evil = `<script>alert(1)</script>`
	const escaped = `&lt;script&gt;alert(1)&lt;/script&gt;`
	v := voucherPage(VoucherUnpaid)
	v.Description, v.Customer, v.PaymentID = evil, evil, evil
	v.ReturnURL = "javascript:alert(1)"
	rec := terminalReceipt()
	rec.Receipt.Description, rec.Receipt.PaymentID = evil, evil
	term := terminalPage()
	term.Reference = `"><script>alert(1)</script>`
	e := errorPage()
	e.Message, e.Details = evil, []string{evil}
	brand := voucherPage(VoucherUnpaid)
	brand.Brand.Color = `red;}</style><script>alert(1)</script>`

	r := newRenderer(t)
	for name, tt := range map[string]struct {
		page string
		data any
	}{
		"voucher": {"voucher", v}, "receipt": {"terminal", rec}, "terminal": {"terminal", term},
		"error": {"error", e}, "brand": {"voucher", brand},
	} {
		var buf bytes.Buffer
		require.NoError(t, r.Render(&buf, tt.page, tt.data), name)
		html := buf.String()
		assert.NotContains(t, html, evil, name)
		assert.NotContains(t, html, "javascript:", name)
		if name != "brand" {
			assert.Contains(t, html, escaped, name)
		}
	}
}

func TestRender(t *testing.T) {
	r := newRenderer(t)
	assert.Subset(t, r.Pages(), []string{"error", "terminal", "voucher"})
	assert.NotContains(t, r.Pages(), "layout", "the layout is not a page")
	assert.NotContains(t, r.Pages(), "components", "nor are the components")

	var buf bytes.Buffer
	err := r.Render(&buf, "nope", nil)
	assert.ErrorContains(t, err, `no page "nope"`)

	// A view model that does not fit writes nothing.
	err = r.Render(&buf, "voucher", struct{ Page }{})
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
	assert.Error(t, r.Write(w, http.StatusOK, "voucher", 42))
	assert.Zero(t, w.Body.Len(), "nothing is written when rendering fails")
}

func TestStaticHandler(t *testing.T) {
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

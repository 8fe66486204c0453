package voucher

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/internal/golden"
	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// issuedAt is when the pages' voucher was issued.
var issuedAt = time.Date(2026, 11, 22, 14, 0, 0, 0, time.UTC)

func oxxoBrand() platform.Brand {
	return platform.Brand{Name: "Oxxo", Mark: "OXXO", Color: "#c8102e", Ink: "#ffffff", Accent: "#ffc72c", Outlet: "OXXO store", Product: "OXXO Pay"}
}

// oxxoWords are Oxxo's own words of the voucher page.
var oxxoWords = web.Catalog{
	"en": {"outlet": "OXXO store", "outlet.at": "at an OXXO store"},
	"es": {"outlet": "tienda OXXO", "outlet.at": "en una tienda OXXO"},
	"pt": {"outlet": "loja OXXO", "outlet.at": "em uma loja OXXO"},
}

// voucherPage is an Oxxo voucher in English, in Mexico's time.
func voucherPage(state VoucherState) VoucherPage { return voucherPageIn("en", state) }

// voucherPageIn is an Oxxo voucher in lang, in Mexico's time.
func voucherPageIn(lang string, state VoucherState) VoucherPage {
	t := web.NewTranslator(lang).With(words).With(oxxoWords).In(Zone("America/Mexico_City", -6))
	v := VoucherPage{
		Page:          web.Page{Title: t.T("v.title", "Oxxo", "9301 2345 6789 01"), Lang: t.Lang(), Brand: oxxoBrand(), Text: t},
		Reference:     "93012345678901",
		Amount:        platform.Sum{Amount: 125000, Currency: "MXN"},
		AmountText:    "MX$1,250.00",
		Description:   "Order 38202000002316",
		Customer:      "Paul Marques",
		ProjectID:     842,
		PaymentID:     "EP8a3e-3e96",
		BarcodeURL:    "/providers/oxxo/vouchers/93012345678901/barcode.png",
		BarcodeWidth:  264,
		BarcodeHeight: 80,
		TerminalURL:   "/providers/oxxo/terminal?reference=93012345678901",
		ReturnURL:     "https://shop.example/orders/42",
		IssuedAt:      issuedAt,
		ValidUntil:    issuedAt.Add(10 * day),
		BankUntil:     issuedAt.Add(30 * day),
		State:         state,
	}
	switch state {
	case VoucherPaid:
		v.StateAt, v.Channel = issuedAt.Add(2*day), t.T("outlet.at")
	case VoucherExpired:
		v.StateAt = issuedAt.Add(30 * day)
	case VoucherCancelled:
		v.StateAt, v.Reason = issuedAt.Add(day), t.T("decline.20105")
	}
	return v
}

func terminalPage() TerminalPage {
	return TerminalPage{
		Page:      web.Page{Title: "Oxxo terminal", Brand: oxxoBrand()},
		Action:    "/providers/oxxo/terminal",
		Reference: "93012345678901",
		Channel:   "terminal",
		Banks:     true,
		BankNote:  `After stores stop, a bank still accepts a voucher until day 30 (variant "bank").`,
		Error: &web.Alert{
			Title:   "Voucher refused",
			Message: "Voucher 9301 2345 6789 01 lapsed at terminals on 2026-12-02 14:00 UTC; a bank accepts it until 2026-12-22 14:00 UTC. Nothing was charged.",
			Field:   "reference",
			Link:    &web.Link{Label: "View the voucher", URL: "/providers/oxxo/vouchers/93012345678901"},
		},
	}
}

func terminalPending() TerminalPage {
	p := terminalPage()
	p.Reference, p.Error = "", nil
	p.Pending = []PendingVoucher{
		{Reference: "93012345678901", Amount: platform.Sum{Amount: 125000, Currency: "MXN"}, ValidUntil: issuedAt.Add(10 * day), URL: "/providers/oxxo/terminal?reference=93012345678901"},
		{Reference: "66009238685590", Amount: platform.Sum{Amount: 10000, Currency: "USD"}, ValidUntil: issuedAt.Add(3 * day), URL: "/providers/oxxo/terminal?reference=66009238685590"},
	}
	return p
}

func terminalReceipt() TerminalPage {
	p := terminalPage()
	p.Error = nil
	p.Receipt = &Receipt{
		Reference: "93012345678901", Amount: platform.Sum{Amount: 125000, Currency: "MXN"},
		PaidAt: issuedAt.Add(11 * day), Channel: "at a bank", ProviderPaymentID: "9d7e3e16b6a5",
		ProjectID: 842, PaymentID: "EP8a3e-3e96", Description: "Order 38202000002316",
		VoucherURL: "/providers/oxxo/vouchers/93012345678901", Console: "/dashboard/payments/842/EP8a3e-3e96",
	}
	return p
}

// newRenderer renders the voucher pages as the sandbox does.
func newRenderer(t *testing.T) *web.Renderer {
	t.Helper()
	r, err := web.New((&Provider{}).Templates()...)
	require.NoError(t, err)
	return r
}

func TestGoldenPages(t *testing.T) {
	t.Parallel()
	golden.Pages(t, newRenderer(t).Render, []golden.PageCase{
		{Golden: "voucher", Page: "voucher", Data: voucherPage(VoucherUnpaid)},
		{Golden: "voucher_bank_only", Page: "voucher", Data: voucherPage(VoucherBankOnly)},
		{Golden: "voucher_paid", Page: "voucher", Data: voucherPage(VoucherPaid)},
		{Golden: "voucher_expired", Page: "voucher", Data: voucherPage(VoucherExpired)},
		{Golden: "voucher_cancelled", Page: "voucher", Data: voucherPage(VoucherCancelled)},
		{Golden: "voucher_es", Page: "voucher", Data: voucherPageIn("es", VoucherUnpaid)},
		{Golden: "voucher_expired_es", Page: "voucher", Data: voucherPageIn("es", VoucherExpired)},
		{Golden: "voucher_pt", Page: "voucher", Data: voucherPageIn("pt", VoucherBankOnly)},
		{Golden: "terminal", Page: "terminal", Data: terminalPage()},
		{Golden: "terminal_pending", Page: "terminal", Data: terminalPending()},
		{Golden: "terminal_receipt", Page: "terminal", Data: terminalReceipt()},
	})
}

func TestPagesAreAccessible(t *testing.T) {
	t.Parallel()
	r := newRenderer(t)
	for name, data := range map[string]any{"voucher": voucherPage(VoucherUnpaid), "terminal": terminalPage()} {
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
	assert.Contains(t, buf.String(), `<time datetime="2026-12-02T14:00:00Z">2 Dec 2026, 08:00 UTC-6</time>`, "the customer reads Mexico's time")
	assert.Contains(t, buf.String(), `Terminals take it until <time datetime="2026-12-02T14:00:00Z">2 Dec 2026, 14:00 UTC</time>`, "the sandbox's panel reads the sandbox clock's")
}

// TestWordsInEveryLanguage: every string of the voucher page is in every
// language the Payment Page speaks, with the same arguments.
func TestWordsInEveryLanguage(t *testing.T) {
	t.Parallel()
	assert.Empty(t, words.Problems())
	assert.Empty(t, oxxoWords.Problems())
}

// TestZone: a zone comes from the time zone database, or is fixed at the
// offset given where there is none.
func TestZone(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	assert.Equal(t, "06:00", at.In(Zone("America/Mexico_City", -6)).Format("15:04"))
	assert.Equal(t, "09:00", at.In(Zone("America/Sao_Paulo", -3)).Format("15:04"))
	assert.Equal(t, "09:00", at.In(Zone("Nowhere/Sandbox", -3)).Format("15:04"), "no such zone: the offset")
}

func TestMerchantDataIsEscaped(t *testing.T) {
	t.Parallel()
	const evil = `<script>alert(1)</script>`
	const escaped = `&lt;script&gt;alert(1)&lt;/script&gt;`
	v := voucherPage(VoucherUnpaid)
	v.Description, v.Customer, v.PaymentID = evil, evil, evil
	v.ReturnURL = "javascript:alert(1)"
	rec := terminalReceipt()
	rec.Receipt.Description, rec.Receipt.PaymentID = evil, evil
	term := terminalPage()
	term.Reference = `"><script>alert(1)</script>`
	brand := voucherPage(VoucherUnpaid)
	brand.Brand.Color = `red;}</style><script>alert(1)</script>`

	r := newRenderer(t)
	for name, tt := range map[string]struct {
		page string
		data any
	}{
		"voucher": {"voucher", v}, "receipt": {"terminal", rec}, "terminal": {"terminal", term}, "brand": {"voucher", brand},
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

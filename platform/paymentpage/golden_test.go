package paymentpage_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/internal/golden"
	"github.com/ecommpay-sandbox/sandbox/platform"
)

var (
	blank   = regexp.MustCompile(`\s+`)
	between = regexp.MustCompile(`>\s+<`)
	version = regexp.MustCompile(`\?v=[0-9a-f]{12}`)
	title   = regexp.MustCompile(`<title>[^<]*</title>`)
	htmlTag = regexp.MustCompile(`<html lang="[a-z]+">`)
)

// pageText is what a golden file keeps of a page: its status, language,
// title and main element, whitespace folded and assets' versions dropped,
// one tag a line, so that a diff reads well and the stylesheet may change.
func pageText(a answer) string {
	body := a.body
	main := body
	if i := strings.Index(body, "<main"); i >= 0 {
		if j := strings.Index(body, "</main>"); j > i {
			main = body[i : j+len("</main>")]
		}
	}
	s := fmt.Sprintf("status: %d\n%s\n%s\n%s", a.status, htmlTag.FindString(body), title.FindString(body), main)
	s = version.ReplaceAllString(s, "?v=VERSION")
	s = blank.ReplaceAllString(s, " ")
	s = between.ReplaceAllString(s, ">\n<")
	return strings.TrimSpace(s) + "\n"
}

// goldenPage compares a page with testdata/<name>.golden (make golden
// rewrites it).
func goldenPage(t *testing.T, name string, a answer) {
	t.Helper()
	golden.Text(t, filepath.Join("testdata", name+".golden"), pageText(a))
}

// TestGoldenPages renders every step and error page of the Payment Page.
func TestGoldenPages(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	oxxo := map[string]string{"force_payment_method": "oxxo", "payment_description": "Order 38202000002316",
		"merchant_success_url": "https://shop.example/ok", "merchant_fail_url": "https://shop.example/cart"}
	pages := map[string]func() answer{
		"methods": func() answer {
			return f.open(params("golden-methods", "USD", 125000, map[string]string{"payment_description": "Order 38202000002316"}))
		},
		"methods_es": func() answer {
			return f.open(params("golden-methods-es", "USD", 125000, map[string]string{"language_code": "es"}))
		},
		"details": func() answer { return f.open(params("golden-details", "MXN", 125000, oxxo)) },
		"details_errors": func() answer {
			a := f.open(params("golden-errors", "MXN", 125000, oxxo))
			return f.post("/payment/pay", url.Values{"request": {carried(t, a.body)}, "method": {"oxxo"},
				"customer_first_name": {"Guido"}, "customer_email": {"guido@"}, "identify_doc_number": {"12345"}})
		},
		"details_confirm": func() answer {
			return f.open(params("golden-confirm", "EUR", 0, map[string]string{"language_code": "pt"}))
		},
		"details_change": func() answer {
			a := f.open(params("golden-change", "USD", 2500, nil))
			return f.post("/payment/method", url.Values{"request": {carried(t, a.body)}, "method": {"card-partner"}, "choose": {"1"}})
		},
		"processing": func() answer {
			f.stall("golden-processing")
			require.Equal(t, http.StatusSeeOther, f.pay(params("golden-processing", "EUR", 2500, nil), "eco-voucher", nil).status)
			return f.get("/payment/processing/842/golden-processing")
		},
		"redirect_post": func() answer {
			require.Equal(t, http.StatusSeeOther, f.pay(params("golden-redirect", "EUR", 2500, nil), "eco-voucher", nil).status)
			f.run()
			return f.get("/payment/processing/842/golden-redirect")
		},
		"redirect_link": func() answer {
			require.Equal(t, http.StatusSeeOther, f.pay(params("golden-link", "MXN", 125000, oxxo), "oxxo", map[string]string{
				"customer_first_name": "Paul", "customer_last_name": "Marques", "customer_email": "paul@example.com", "identify_doc_number": "84887177100"}).status)
			f.run()
			return f.get("/payment/processing/842/golden-link")
		},
		"result_voucher": func() answer {
			require.Equal(t, http.StatusSeeOther, f.pay(params("golden-voucher", "MXN", 125000, oxxo), "oxxo", map[string]string{
				"customer_first_name": "Paul", "customer_last_name": "Marques", "customer_email": "paul@example.com", "identify_doc_number": "84887177100"}).status)
			f.run()
			return f.get("/payment/result/842/golden-voucher")
		},
		"result_success": func() answer { return paidVoucherResult(t, f, "golden-success", oxxo) },
		"result_success_told": func() answer {
			// With a callback URL the shop is told: no sandbox note. A
			// fixture of its own: the callback's attempts (failing: the
			// fixture sends nothing) run in the background, and the
			// other pages' stalled payments must not see them.
			told := map[string]string{"merchant_callback_url": "https://shop.example/callbacks"}
			for k, v := range oxxo {
				told[k] = v
			}
			return paidVoucherResult(t, newFixture(t), "golden-told", told)
		},
		"result_decline": func() answer {
			require.Equal(t, http.StatusSeeOther, f.pay(params("golden-decline", "MXN", 125000, oxxo), "oxxo", map[string]string{
				"customer_first_name": "Paul", "customer_last_name": "Marques", "customer_email": "paul@example.com", "identify_doc_number": "84887177100"}).status)
			f.run()
			_, err := f.eng.Fail(context.Background(), platform.PaymentKey{ProjectID: project, PaymentID: "golden-decline"}, platform.DeclineInsufficientFunds)
			require.NoError(t, err)
			return f.get("/payment/result/842/golden-decline")
		},
		"result_pending_checkout": func() answer {
			require.Equal(t, http.StatusSeeOther, f.pay(params("golden-checkout", "KES", 150000, map[string]string{"customer_phone": "+254712345678", "customer_email": "w@example.com"}), "card-partner", nil).status)
			f.run()
			return f.get("/payment/result/842/golden-checkout")
		},
		"result_processing": func() answer {
			f.stall("golden-confirming")
			require.Equal(t, http.StatusSeeOther, f.pay(params("golden-confirming", "EUR", 0, map[string]string{"language_code": "es"}), "eco-voucher", nil).status)
			return f.get("/payment/result/842/golden-confirming")
		},
		"error_signature": func() answer {
			v := sign(params("golden-sig", "USD", 1000, nil), secret)
			v.Set("payment_amount", "1001")
			return f.get("/payment?" + v.Encode())
		},
		"error_unsigned": func() answer { return f.get("/payment?project_id=842&payment_id=golden-unsigned") },
		"error_missing": func() answer {
			return f.open(params("golden-missing", "", 0, map[string]string{"payment_currency": "", "payment_amount": "", "customer_id": ""}))
		},
		"error_malformed": func() answer {
			return f.open(params("golden-bad", "dollars", 0, map[string]string{"payment_amount": "10.50", "best_before": "soon"}))
		},
		"error_project": func() answer {
			return f.open(params("golden-project", "USD", 100, map[string]string{"project_id": "9999"}))
		},
		"error_used": func() answer {
			require.Equal(t, http.StatusSeeOther, f.pay(params("golden-used", "EUR", 2500, nil), "eco-voucher", nil).status)
			return f.open(params("golden-used", "EUR", 2500, nil))
		},
		"error_expired": func() answer {
			return f.open(params("golden-expired", "USD", 100, map[string]string{"best_before": "2026-03-01T00:00:00+00:00", "language_code": "pt"}))
		},
		"error_no_method": func() answer { return f.open(params("golden-currency", "JPY", 100, nil)) },
		"error_forced": func() answer {
			return f.open(params("golden-forced", "USD", 0, map[string]string{"force_payment_method": "oxxo"}))
		},
		"error_force_unknown": func() answer {
			return f.open(params("golden-force", "USD", 100, map[string]string{"force_payment_method": "bitcoin", "language_code": "es"}))
		},
		"error_not_found": func() answer { return f.get("/payment/result/842/nobody") },
		"shop": func() answer {
			require.NoError(t, f.eng.PutProject(context.Background(), platform.Project{ID: 1, Secret: "secret"}))
			return f.get("/demo/shop")
		},
	}
	for name, page := range pages {
		t.Run(name, func(t *testing.T) { goldenPage(t, name, page()) })
	}
}

// paidVoucherResult opens an Oxxo link of f's project with the parameters
// given, fills in its details, has the voucher paid and returns the result
// page.
func paidVoucherResult(t *testing.T, f *fixture, id string, link map[string]string) answer {
	t.Helper()
	require.Equal(t, http.StatusSeeOther, f.pay(params(id, "MXN", 125000, link), "oxxo", map[string]string{
		"customer_first_name": "Paul", "customer_last_name": "Marques", "customer_email": "paul@example.com", "identify_doc_number": "84887177100"}).status)
	f.run()
	_, err := f.eng.Pay(context.Background(), platform.PaymentKey{ProjectID: project, PaymentID: id}, nil)
	require.NoError(t, err)
	return f.get("/payment/result/842/" + id)
}

package paymentpage_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzPaymentPageParams opens the Payment Page with any query, by GET and
// by POST, signed with the test project's secret when asked (so that it
// gets past the signature to the parameter checks), and checks that the
// page answers as a page: never a 5xx, always HTML, and no parameter that
// carries markup comes back unescaped.
func FuzzPaymentPageParams(f *testing.F) {
	base := url.Values{
		"project_id": {"842"}, "payment_id": {"pp-1"}, "payment_amount": {"12550"},
		"payment_currency": {"MXN"}, "customer_id": {"customer-7"},
	}
	with := func(k, v string) string {
		q := url.Values{}
		for bk, bv := range base {
			q[bk] = bv
		}
		q.Set(k, v)
		return q.Encode()
	}
	for _, q := range []string{
		base.Encode(),
		// The probe's inputs: odd and oversized IDs.
		with("payment_id", strings.Repeat("9", 32_750)),
		with("payment_id", "a/b?c#d+@ é"),
		with("customer_id", strings.Repeat("c", 256)),
		with("payment_amount", "1.5"), with("payment_amount", "-1"), with("payment_amount", "1e3"),
		with("payment_amount", "99999999999999999999"), with("payment_currency", "us"),
		with("project_id", "abc"), with("project_id", "-842"), with("best_before", "yesterday"),
		with("best_before", "2000-01-01T00:00:00Z"), with("merchant_success_url", "javascript:alert(1)"),
		with("payment_description", `<script>alert(1)</script>`), with("language_code", "<b>es</b>"),
		with("force_payment_method", "nothing"), with("frame_mode", "iframe"),
		"", "project_id=842", "project_id=842&project_id=1", "%zz", "a=%00&b=\x00",
	} {
		f.Add(q, true)
		f.Add(q, false)
	}
	fx := newFixture(f)
	f.Fuzz(func(t *testing.T, query string, signed bool) {
		v, err := url.ParseQuery(query)
		if err != nil {
			return // not a query a browser sends
		}
		p := make(map[string]string, len(v))
		for k, vs := range v {
			if len(vs) > 0 && k != "signature" {
				p[k] = vs[0]
			}
		}
		form := url.Values{}
		for k, s := range p {
			form.Set(k, s)
		}
		if signed {
			form = sign(p, secret)
		}
		for _, req := range []*http.Request{
			httptest.NewRequest(http.MethodGet, "/payment?"+form.Encode(), nil),
			postForm(form),
		} {
			a := fx.do(req)
			if a.status >= 500 || a.status == 0 {
				t.Fatalf("%s /payment answered %d for %q:\n%s", req.Method, a.status, query, a.body)
			}
			if ct := a.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") && a.status != http.StatusSeeOther {
				t.Fatalf("%s /payment answered %d with %q, not a page", req.Method, a.status, ct)
			}
			for k, s := range p {
				// Long enough not to be a piece of the page's own markup.
				if len(s) >= minMarkup && strings.Contains(s, "<") && strings.Contains(a.body, s) {
					t.Fatalf("%s is shown unescaped: %q", k, s)
				}
			}
		}
	})
}

// minMarkup is the length from which a parameter value with a "<" that
// appears as it is in a page counts as unescaped markup.
const minMarkup = 16

func postForm(form url.Values) *http.Request {
	req := httptest.NewRequest(http.MethodPost, "/payment", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

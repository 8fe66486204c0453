package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/app"
)

// The probe's pages: a page on another site that a sandbox user visits.
var (
	crossSite = map[string]string{"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}
	// An older browser sends Origin but no Sec-Fetch-Site.
	crossOriginOnly = map[string]string{"Origin": "http://evil.example"}
	// Another port of the same machine is the same site, not the same origin.
	sameSite   = map[string]string{"Origin": "http://127.0.0.1:3000", "Sec-Fetch-Site": "same-site"}
	sameOrigin = map[string]string{"Origin": "http://127.0.0.1:8080", "Sec-Fetch-Site": "same-origin"}
)

// TestCrossSiteRequestsCannotDriveTheSandbox replays the probe: a page
// elsewhere posts text/plain to /sandbox/projects to replace a secret and
// its callback URL, and a form that freezes the clock.
func TestCrossSiteRequestsCannotDriveTheSandbox(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	steal := `{"id":1,"secret":"stolen","callback_url":"http://evil.example/cb"}`
	plain := func(h map[string]string) map[string]string {
		out := map[string]string{"Content-Type": "text/plain"}
		for k, v := range h {
			out[k] = v
		}
		return out
	}
	form := func(h map[string]string) map[string]string {
		out := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
		for k, v := range h {
			out[k] = v
		}
		return out
	}
	tests := []struct {
		name string
		req  request
		json bool
	}{
		{"text/plain POST to /sandbox/projects", request{method: "POST", path: "/sandbox/projects", header: plain(crossSite), body: steal}, true},
		{"the same from an older browser", request{method: "POST", path: "/sandbox/projects", header: plain(crossOriginOnly), body: steal}, true},
		{"the same from another port (same-site)", request{method: "POST", path: "/sandbox/projects", header: plain(sameSite), body: steal}, true},
		{"Sec-Fetch-Site alone", request{method: "POST", path: "/sandbox/projects", header: plain(map[string]string{"Sec-Fetch-Site": "cross-site"}), body: steal}, true},
		{"form POST to freeze the clock (dashboard)", request{method: "POST", path: "/dashboard/clock/freeze", header: form(crossSite)}, false},
		{"POST to freeze the clock (API)", request{method: "POST", path: "/sandbox/clock/freeze", header: plain(crossSite)}, true},
		{"reset from an opaque origin", request{method: "POST", path: "/sandbox/reset", header: map[string]string{"Origin": "null"}}, true},
	}
	for _, tt := range tests {
		rec := r.do(tt.req)
		assert.Equal(t, http.StatusForbidden, rec.Code, tt.name)
		if tt.json {
			msg := errorOf(t, rec)
			assert.Contains(t, msg, "take requests only from the sandbox's own pages", tt.name)
			assert.Contains(t, msg, "curl", tt.name)
		} else {
			assert.Contains(t, rec.Header().Get("Content-Type"), "text/html", tt.name)
			assert.Contains(t, rec.Body.String(), "Cross-origin request refused", tt.name)
		}
	}
	assert.Equal(t, "secret", r.secretOf(1), "the demo project keeps its secret")
	assert.True(t, r.frozen(), "the test clock starts frozen")
	require.Equal(t, http.StatusOK, r.do(request{method: "POST", path: "/sandbox/clock/unfreeze"}).Code)
	rec := r.do(request{method: "POST", path: "/dashboard/clock/freeze", header: form(crossSite),
		body: url.Values{"csrf_token": {r.formToken()}}.Encode()})
	assert.Equal(t, http.StatusForbidden, rec.Code, "even with the token, a cross-site form is refused")
	assert.False(t, r.frozen(), "no cross-site request froze the clock")
}

// TestToolsAndOwnPagesAreServed checks that what sends no browser headers
// (curl, SDKs, CI scripts) and the sandbox's own pages work as before.
func TestToolsAndOwnPagesAreServed(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	rec := r.do(request{method: "POST", path: "/sandbox/projects", body: `{"id":7,"secret":"from-curl"}`})
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, "from-curl", r.secretOf(7))

	rec = r.do(request{method: "POST", path: "/sandbox/projects", header: sameOrigin, body: `{"id":7,"secret":"from-a-page"}`})
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, "from-a-page", r.secretOf(7))

	// A browser that navigates by itself (a bookmark, the address bar).
	rec = r.do(request{method: "POST", path: "/sandbox/clock/unfreeze", header: map[string]string{"Sec-Fetch-Site": "none"}})
	assert.Equal(t, http.StatusOK, rec.Code)

	// The dashboard's own form, with its token.
	form := url.Values{"csrf_token": {r.formToken()}, "id": {"8"}, "secret": {"from-the-dashboard"}}
	rec = r.do(request{method: "POST", path: "/dashboard/projects", body: form.Encode(),
		header: map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Origin": "http://127.0.0.1:8080", "Sec-Fetch-Site": "same-origin"}})
	assert.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	assert.Equal(t, "/dashboard/projects#project-8", rec.Header().Get("Location"))
	assert.Equal(t, "from-the-dashboard", r.secretOf(8))

	// The secrets went into no log line.
	for _, l := range r.log.Lines() {
		assert.NotContains(t, l, "from-")
	}
}

// TestDashboardFormsNeedTheirToken checks the CSRF token: a form without it,
// or with another one, changes nothing.
func TestDashboardFormsNeedTheirToken(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	other := newRig(t).formToken()
	require.NotEqual(t, other, r.formToken(), "each process has its own key")
	for name, token := range map[string]string{"no token": "", "another sandbox's token": other, "garbage": "x"} {
		form := url.Values{"id": {"1"}, "secret": {"forged"}}
		if token != "" {
			form.Set("csrf_token", token)
		}
		rec := r.do(request{method: "POST", path: "/dashboard/projects", body: form.Encode(),
			header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}})
		assert.Equal(t, http.StatusForbidden, rec.Code, name)
		assert.Contains(t, rec.Body.String(), "Reload the developer console", name)
	}
	assert.Equal(t, "secret", r.secretOf(1))

	// Every form on the dashboard and on a payment's page carries it.
	page := r.get("/dashboard").Body.String()
	assert.Equal(t, strings.Count(page, `method="post"`), strings.Count(page, `name="csrf_token"`))
}

// TestHostMustBeOneTheSandboxServes replays DNS rebinding: a page whose
// name resolves to 127.0.0.1 asks for GET /sandbox/projects with its own
// Host.
func TestHostMustBeOneTheSandboxServes(t *testing.T) {
	t.Parallel()
	r := newRig(t, func(o *app.Options) { o.AllowedHosts = []string{"sandbox.test"} })
	for _, host := range []string{"evil.example", "evil.example:8080", "127.0.0.1.evil.example", "localhost.evil.example:8080"} {
		rec := r.do(request{method: "GET", path: "/sandbox/projects", host: host})
		assert.Equal(t, http.StatusMisdirectedRequest, rec.Code, host)
		assert.NotContains(t, rec.Body.String(), `"secret"`, host)
		name := strings.Split(host, ":")[0]
		assert.Contains(t, errorOf(t, rec), "--allowed-hosts "+name, host)

		rec = r.do(request{method: "GET", path: "/dashboard", host: host})
		assert.Equal(t, http.StatusMisdirectedRequest, rec.Code, host)
		assert.Contains(t, rec.Body.String(), "--allowed-hosts "+name, host)
		assert.Equal(t, http.StatusMisdirectedRequest, r.do(request{method: "GET", path: "/", host: host}).Code, host)
	}
	for _, host := range []string{
		"127.0.0.1:8080", "127.0.0.1", "localhost:8080", "LOCALHOST:9999", "app.localhost:8080", "[::1]:8080",
		"192.168.1.20:8080",                 // an address: reached by its IP, the page's origin is that IP
		"sandbox.test", "Sandbox.Test:8080", // --allowed-hosts
	} {
		rec := r.do(request{method: "GET", path: "/sandbox/projects", host: host})
		assert.Equal(t, http.StatusOK, rec.Code, host)
	}

	// The public URL's host is served too.
	pub := newRig(t, func(o *app.Options) { o.PublicURL = "https://pay.sandbox.example" })
	assert.Equal(t, http.StatusOK, pub.do(request{method: "GET", path: "/sandbox/clock", host: "pay.sandbox.example"}).Code)
	assert.Equal(t, http.StatusMisdirectedRequest, pub.do(request{method: "GET", path: "/sandbox/clock", host: "evil.example"}).Code)
}

// TestGateAndPagesStayOpen checks that merchants and customers reach the
// Gate, the Payment Page and the providers' pages from anywhere, by any
// name, as on the platform.
func TestGateAndPagesStayOpen(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	for _, req := range []request{
		{method: "POST", path: "/v2/payment/voucher/oxxo/sale", host: "sandbox.docker", header: crossSite, body: `{}`},
		{method: "POST", path: "/payment", host: "evil.example", header: crossSite, body: "project_id=1"},
		{method: "GET", path: "/providers/oxxo/terminal", host: "evil.example", header: crossSite},
		{method: "POST", path: "/providers/oxxo/terminal", header: crossSite, body: "reference=1"},
		{method: "GET", path: "/shared/merchant.js", host: "shop.example"},
	} {
		rec := r.do(req)
		assert.NotEqual(t, http.StatusForbidden, rec.Code, req.path)
		assert.NotEqual(t, http.StatusMisdirectedRequest, rec.Code, req.path)
		assert.NotContains(t, rec.Body.String(), "refused", req.path)
	}
}

// TestPagesSendTheirPolicies checks the Content-Security-Policy: complete
// everywhere; the Payment Page and the providers' pages framable by any
// merchant's site (the widget's runEmbedded), the dashboard never.
func TestPagesSendTheirPolicies(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	directives := []string{"default-src", "script-src", "style-src", "img-src", "connect-src", "object-src 'none'", "base-uri 'none'", "frame-ancestors"}
	tests := []struct {
		path     string
		framable bool
	}{
		{"/", false},
		{"/dashboard", false},
		{"/dashboard/payments/1/none", false},
		{"/sandbox/health", false},
		{"/payment?project_id=1", true},
		{"/demo/shop", true},
		{"/providers/oxxo/terminal", true},
		{"/providers/cash/vouchers/1/barcode.png", true},
	}
	for _, tt := range tests {
		rec := r.get(tt.path)
		csp := rec.Header().Get("Content-Security-Policy")
		for _, d := range directives {
			assert.Contains(t, csp, d, tt.path)
		}
		assert.Equal(t, "nosniff", rec.Header().Get("X-Content-Type-Options"), tt.path)
		if tt.framable {
			assert.Contains(t, csp, "frame-ancestors *", tt.path)
			assert.Empty(t, rec.Header().Get("X-Frame-Options"), tt.path)
		} else {
			assert.Contains(t, csp, "frame-ancestors 'none'", tt.path)
			assert.Equal(t, "DENY", rec.Header().Get("X-Frame-Options"), tt.path)
		}
	}
}

package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func getPage(t *testing.T, u string) (int, string) {
	t.Helper()
	res, err := http.Get(u)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, string(b)
}

var formTokenRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// dashboardForm POSTs a dashboard form with the token its forms carry
// (read from the page) and returns what submit returns.
func dashboardForm(t *testing.T, s *sandbox, u string, form url.Values) (int, string, string) {
	t.Helper()
	_, page := getPage(t, s.URL+"/dashboard")
	m := formTokenRE.FindStringSubmatch(page)
	require.NotNil(t, m, "the dashboard's forms carry a csrf_token")
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf_token", m[1])
	return submit(t, u, form)
}

func TestHomeAndDashboardPages(t *testing.T) {
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)
	require.Equal(t, 200, s.do("POST", oxxoPath, signed(oxxoSale("dash-1", func(b map[string]any) {
		b["payment"].(map[string]any)["description"] = `<script>alert("x")</script>`
		b["customer"].(map[string]any)["first_name"] = `<img src=x onerror=alert(1)>`
	}), testSecret), nil))
	m.next()
	waitDelivered(t, s, "dash-1", 1)

	tests := []struct {
		path   string
		status int
		want   []string
	}{
		{"/", 200, []string{"Your ecommpay sandbox is running", "/v2/payment/voucher/oxxo/sale", "project_id 1", "/dashboard", "/providers/oxxo/terminal", "/providers/rapipago/terminal"}},
		{"/dashboard", 200, []string{"Sandbox clock", "dash-1", "awaiting redirect result", "100.00 USD", "callback", "delivered", "842"}},
		{fmt.Sprintf("/dashboard?project_id=%d&status=success", testProject), 200, []string{"No payments yet"}},
		{fmt.Sprintf("/dashboard/payments/%d/dash-1", testProject), 200, []string{"Pay at a terminal", "Pay at a bank", "Lapse now", "barcode.png", "Operations", "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;", "&lt;img src=x onerror=alert(1)&gt;", `provider <span class="mono">lapse</span>`}},
		{fmt.Sprintf("/dashboard/payments/%d/nope", testProject), 404, []string{"nope"}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			status, body := getPage(t, s.URL+tt.path)
			assert.Equal(t, tt.status, status)
			for _, w := range tt.want {
				assert.Contains(t, body, w)
			}
			assert.NotContains(t, body, "<script>alert")
			assert.NotContains(t, body, "<img src=x")
		})
	}
}

func TestDashboardActions(t *testing.T) {
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)
	voucherRef(t, s, m, "act-1")
	voucherRef(t, s, m, "act-2")
	page := fmt.Sprintf("%s/dashboard/payments/%d/", s.URL, testProject)

	status, loc, _ := dashboardForm(t, s, page+"act-1/pay", url.Values{"channel": {"bank"}})
	assert.Equal(t, http.StatusSeeOther, status)
	assert.Contains(t, loc, "ok=1")
	assert.Equal(t, "success", path(m.next(), "payment", "status"))

	_, loc, _ = dashboardForm(t, s, page+"act-1/expire", nil)
	assert.NotContains(t, loc, "ok=1", "a paid payment cannot lapse")
	assert.Contains(t, loc, "nothing+left")

	_, loc, _ = dashboardForm(t, s, page+"act-2/fail", url.Values{"code": {"20105"}})
	assert.Contains(t, loc, "ok=1")
	cb := m.next()
	assert.Equal(t, "20105", path(cb, "operation", "code"))

	_, loc, _ = dashboardForm(t, s, s.URL+"/dashboard/clock/advance", url.Values{"custom": {"soon"}})
	assert.Contains(t, loc, "not+a+forward+duration")
	_, loc, _ = dashboardForm(t, s, s.URL+"/dashboard/clock/advance", url.Values{"duration": {"1d"}})
	assert.Contains(t, loc, "ok=1")
	var clock struct{ Now string }
	s.do("GET", "/sandbox/clock", nil, &clock)
	assert.Equal(t, "2026-03-03T09:00:00Z", clock.Now)

	_, loc, _ = dashboardForm(t, s, s.URL+"/dashboard/deliveries/1/resend", nil)
	assert.Contains(t, loc, "ok=1")
	assert.Equal(t, "act-1", path(m.next(), "payment", "id"))

	_, loc, _ = dashboardForm(t, s, s.URL+"/dashboard/projects", url.Values{"id": {"77"}, "secret": {""}})
	assert.Contains(t, loc, "secret")
	_, loc, _ = dashboardForm(t, s, s.URL+"/dashboard/projects", url.Values{"id": {"77"}, "secret": {"k"}, "callback_url": {"http://127.0.0.1:1/cb"}})
	assert.Contains(t, loc, "ok=1")
	var ps struct{ Projects []struct{ ID int64 } }
	s.do("GET", "/sandbox/projects", nil, &ps)
	assert.Len(t, ps.Projects, 3)

	_, loc, _ = dashboardForm(t, s, s.URL+"/dashboard/reset", nil)
	assert.Contains(t, loc, "ok=1")
	_, body := getPage(t, s.URL+"/dashboard")
	assert.Contains(t, body, "No payments yet")
	assert.True(t, strings.Contains(body, "77"), "projects stay after a reset")
}

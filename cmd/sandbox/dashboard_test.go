package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/platform"
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

// console is a person at the dashboard: a browser's cookie jar, redirects
// shown rather than followed, and the forms' token read from the page a
// form is on.
type console struct {
	t      *testing.T
	s      *sandbox
	client *http.Client
}

func newConsole(t *testing.T, s *sandbox) *console {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &console{t: t, s: s, client: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// get fetches a page of the sandbox.
func (c *console) get(path string) (int, string) {
	c.t.Helper()
	res, err := c.client.Get(c.s.URL + path)
	require.NoError(c.t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(c.t, err)
	return res.StatusCode, string(b)
}

var (
	formTokenRE = regexp.MustCompile(`name="csrf_token" value="([^"]*)"`)
	flashRE     = regexp.MustCompile(`(?s)<div class="banner banner--(success|danger) flash"[^>]*>\s*<p>(.*?)</p>`)
)

// act submits a form of the page at from to action, as the page's own form
// would, follows the redirect and returns the flash the next page shows and
// whether it reports success. The page it lands on is returned too.
func (c *console) act(from, action string, form url.Values) (flash string, ok bool, page string) {
	c.t.Helper()
	_, src := c.get(from)
	m := formTokenRE.FindStringSubmatch(src)
	require.NotNil(c.t, m, "the forms of %s carry a csrf_token", from)
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf_token", m[1])
	res, err := c.client.PostForm(c.s.URL+action, form)
	require.NoError(c.t, err)
	res.Body.Close()
	require.Equal(c.t, http.StatusSeeOther, res.StatusCode, "POST %s", action)
	loc := res.Header.Get("Location")
	assert.NotContains(c.t, loc, "flash", "the outcome is not carried in the URL")
	_, page = c.get(loc)
	f := flashRE.FindStringSubmatch(page)
	require.NotNil(c.t, f, "the page after POST %s shows its outcome", action)
	return html.UnescapeString(f[2]), f[1] == "success", page
}

const xss = `<script>alert("x")</script>`

func TestConsolePagesEscapeWhatMerchantsSend(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)
	// A project whose URLs carry markup, and a payment whose every merchant
	// string does.
	require.Equal(t, http.StatusOK, s.do("POST", "/sandbox/projects", map[string]any{
		"id": 99, "secret": "k", "callback_url": "http://127.0.0.1:1/cb?x=" + xss, "check_deposit_url": `http://127.0.0.1:1/"><img src=x>`,
	}, nil))
	id := `evil<svg onload=alert(1)>`
	require.Equal(t, 200, s.do("POST", oxxoPath, signed(oxxoSale(id, func(b map[string]any) {
		b["payment"].(map[string]any)["description"] = xss
		b["customer"].(map[string]any)["first_name"] = `<img src=x onerror=alert(1)>`
		b["customer"].(map[string]any)["last_name"] = xss
	}), testSecret), nil))
	m.next()
	waitDelivered(t, s, url.QueryEscape(id), 1)

	c := newConsole(t, s)
	detail := fmt.Sprintf("/dashboard/payments/%d/%s", testProject, url.PathEscape(id))
	for _, p := range []string{
		"/", "/dashboard", "/dashboard?q=" + url.QueryEscape("evil<"), detail, "/dashboard/projects",
		"/dashboard/links?project_id=99&amount=1&currency=USD&customer_id=" + url.QueryEscape(xss) + "&description=" + url.QueryEscape(xss),
		"/dashboard?status=" + url.QueryEscape(xss),
		"/no-such-page/" + url.PathEscape(xss),
	} {
		t.Run(p, func(t *testing.T) {
			_, body := c.get(p)
			assert.NotContains(t, body, "<script>alert")
			assert.NotContains(t, body, "<svg")
			assert.NotContains(t, body, "<img src=x")
			assert.NotContains(t, body, `"><img`)
		})
	}
	_, body := c.get("/dashboard")
	assert.Contains(t, body, "evil&lt;svg onload=alert(1)&gt;", "the payment is listed, its id escaped")
	assert.Contains(t, body, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;", "its description too")
	_, body = c.get(detail)
	assert.Contains(t, body, "&lt;img src=x onerror=alert(1)&gt;")
	_, body = c.get("/dashboard/projects")
	assert.Contains(t, body, "http://127.0.0.1:1/cb?x=&lt;script&gt;")
}

func TestConsoleActions(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)
	voucherRef(t, s, m, "act-1")
	voucherRef(t, s, m, "act-2")
	c := newConsole(t, s)
	page := fmt.Sprintf("/dashboard/payments/%d/", testProject)

	msg, ok, _ := c.act(page+"act-1", page+"act-1/pay", url.Values{"channel": {"bank"}})
	assert.True(t, ok, msg)
	assert.Equal(t, "Paid at a bank.", msg)
	assert.Equal(t, "success", path(m.next(), "payment", "status"))

	msg, ok, _ = c.act(page+"act-1", page+"act-1/expire", nil)
	assert.False(t, ok, "a paid payment cannot lapse")
	assert.Contains(t, msg, "nothing left to expire")

	msg, ok, _ = c.act(page+"act-2", page+"act-2/fail", url.Values{"code": {"20105"}})
	assert.True(t, ok, msg)
	assert.Equal(t, "20105", path(m.next(), "operation", "code"))

	msg, ok, _ = c.act("/dashboard", "/dashboard/clock/advance", url.Values{"custom": {"soon"}})
	assert.False(t, ok)
	assert.Contains(t, msg, "not a forward duration")
	msg, ok, _ = c.act("/dashboard", "/dashboard/clock/advance", url.Values{"duration": {"1d"}})
	assert.True(t, ok, msg)
	var clock struct{ Now string }
	s.do("GET", "/sandbox/clock", nil, &clock)
	assert.Equal(t, "2026-03-03T09:00:00Z", clock.Now)
	msg, ok, _ = c.act("/dashboard", "/dashboard/clock/set", url.Values{"now": {"2026-03-02T10:30:15"}})
	assert.True(t, ok, msg)
	s.do("GET", "/sandbox/clock", nil, &clock)
	assert.Equal(t, "2026-03-02T10:30:15Z", clock.Now, "set goes backwards too, in UTC")

	msg, ok, _ = c.act(page+"act-1", "/dashboard/deliveries/1/resend", url.Values{"return": {page + "act-1"}})
	assert.True(t, ok, msg)
	assert.Equal(t, "act-1", path(m.next(), "payment", "id"))

	// A return that leaves the dashboard is ignored.
	_, src := c.get("/dashboard")
	token := formTokenRE.FindStringSubmatch(src)[1]
	res, err := c.client.PostForm(s.URL+"/dashboard/clock/freeze", url.Values{"csrf_token": {token}, "return": {"//evil.example/dashboard"}})
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, "/dashboard", res.Header.Get("Location"))

	// Reset asks first: the form without the page's confirmation is refused.
	msg, ok, _ = c.act("/dashboard", "/dashboard/reset", nil)
	assert.False(t, ok)
	assert.Contains(t, msg, "confirm")
	_, body := c.get("/dashboard")
	assert.Contains(t, body, "act-1", "nothing was forgotten")
	_, confirm := c.get("/dashboard/reset")
	assert.Contains(t, confirm, "Forget every payment?")
	value := regexp.MustCompile(`name="confirm" value="([^"]+)"`).FindStringSubmatch(confirm)
	require.NotNil(t, value)
	msg, ok, body = c.act("/dashboard/reset", "/dashboard/reset", url.Values{"confirm": {value[1]}})
	assert.True(t, ok, msg)
	assert.Contains(t, body, "No payments yet")
}

// TestConsoleListDropsAFilterItCannotUse: the console shows the list
// without the values that name nothing, and says which and why, in the
// words the control API refuses them with.
func TestConsoleListDropsAFilterItCannotUse(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	c := newConsole(t, s)
	_, body := c.get("/dashboard?status=sucess&method=boleto&callbacks=good")
	body = html.UnescapeString(body)
	assert.Contains(t, body, `Part of the filter was ignored: status "sucess" is not a payment status: use one of ["processing"`)
	assert.Contains(t, body, `; method "boleto" is not a method of this sandbox: use one of [oxxo`)
	assert.Contains(t, body, `; callbacks "good" is not a callback health: use one of [pending ok failing failed held].`)
}

func TestConsoleFlashComesFromTheServer(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	c := newConsole(t, s)
	_, body := c.get("/dashboard?flash=" + url.QueryEscape("Your account is locked: call +1 555") + "&ok=1")
	assert.NotContains(t, body, "account is locked")
	assert.NotContains(t, body, "flash\"", "no banner at all")

	// A flash is shown once.
	msg, ok, _ := c.act("/dashboard", "/dashboard/clock/freeze", nil)
	assert.True(t, ok)
	assert.Equal(t, "The clock is frozen.", msg)
	_, body = c.get("/dashboard")
	assert.NotContains(t, body, "The clock is frozen.")
	// A page updating itself live leaves the flash for the page shown next.
	_, src := c.get("/dashboard")
	res, err := c.client.PostForm(s.URL+"/dashboard/clock/unfreeze", url.Values{"csrf_token": {formTokenRE.FindStringSubmatch(src)[1]}})
	require.NoError(t, err)
	res.Body.Close()
	req, err := http.NewRequest(http.MethodGet, s.URL+"/dashboard", nil)
	require.NoError(t, err)
	req.Header.Set("X-Sandbox-Live", "1")
	res, err = c.client.Do(req)
	require.NoError(t, err)
	live, _ := io.ReadAll(res.Body)
	res.Body.Close()
	assert.NotContains(t, string(live), "The clock runs again.")
	_, body = c.get("/dashboard")
	assert.Contains(t, body, "The clock runs again.")
	// A cookie that names no flash shows nothing.
	u, _ := url.Parse(s.URL)
	c.client.Jar.SetCookies(u, []*http.Cookie{{Name: "sandbox_flash", Value: "made-up", Path: "/"}})
	_, body = c.get("/dashboard")
	assert.NotContains(t, body, "banner--")
}

// TestConsoleFlashOfAnotherSandbox: a browser keeps cookies by host, not
// by port, so two sandboxes on one machine see each other's flash cookie.
// A page of one must not wipe the message an action of the other left.
func TestConsoleFlashOfAnotherSandbox(t *testing.T) {
	t.Parallel()
	a, b := startSandbox(t, t.TempDir()), startSandbox(t, t.TempDir())
	ca := newConsole(t, a)
	cb := &console{t: t, s: b, client: &http.Client{Jar: ca.client.Jar, CheckRedirect: ca.client.CheckRedirect}}

	_, src := ca.get("/dashboard")
	res, err := ca.client.PostForm(a.URL+"/dashboard/clock/freeze", url.Values{"csrf_token": {formTokenRE.FindStringSubmatch(src)[1]}})
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	_, other := cb.get("/dashboard") // the other sandbox's page, in between
	assert.NotContains(t, other, "banner--")
	_, body := ca.get("/dashboard")
	assert.Contains(t, body, "The clock is frozen.", "the other sandbox's page left the flash alone")
}

func TestConsoleRefundAndClarification(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)
	c := newConsole(t, s)
	page := fmt.Sprintf("/dashboard/payments/%d/", testProject)

	// A card-partner sale, paid and refunded from the dashboard.
	require.Equal(t, http.StatusOK, s.do("POST", "/v2/payment/card-partner/sale", signed(cpSale("cp-1"), testSecret), nil))
	assert.Equal(t, "awaiting redirect result", path(m.next(), "payment", "status"))
	_, body := c.get(page + "cp-1")
	assert.NotContains(t, body, `data-action="refund"`, "an unpaid payment cannot be refunded")
	assert.Contains(t, body, `data-action="pay">Pay with the test card</button>`, "the method says what its pay pays with")
	msg, ok, _ := c.act(page+"cp-1", page+"cp-1/pay", nil)
	assert.True(t, ok, msg)
	assert.Equal(t, "success", path(m.next(), "payment", "status"))
	_, body = c.get(page + "cp-1")
	assert.Contains(t, body, `data-action="refund"`)
	assert.Contains(t, body, "POST /v2/payment/card-partner/refund")
	msg, ok, body = c.act(page+"cp-1", page+"cp-1/refund", nil)
	assert.True(t, ok, msg)
	cb := m.next()
	assert.Equal(t, "refunded", path(cb, "payment", "status"))
	assert.Equal(t, "refund", path(cb, "operation", "type"))
	assert.Contains(t, body, "Refund ")
	assert.NotContains(t, body, `data-action="refund"`, "one refund only")

	// A refund the partner declines says so, and may be asked again.
	require.Equal(t, http.StatusOK, s.do("POST", "/v2/payment/card-partner/sale", signed(cpSale("cp-3"), testSecret), nil))
	m.next()
	require.Equal(t, http.StatusOK, s.do("POST", fmt.Sprintf("/sandbox/payments/%d/cp-3/pay", testProject), map[string]any{"card": "4000000000000077"}, nil))
	assert.Equal(t, "success", path(m.next(), "payment", "status"))
	msg, ok, body = c.act(page+"cp-3", page+"cp-3/refund", nil)
	assert.True(t, ok, msg)
	assert.Equal(t, "The provider declined the refund; the payment stays paid, and you may refund it again.", msg)
	assert.Equal(t, "decline", path(m.next(), "operation", "status"))
	assert.Contains(t, body, `data-action="refund"`, "a declined refund may be asked again")

	// A sale without phone and email awaits them; the form sends them.
	require.Equal(t, http.StatusOK, s.do("POST", "/v2/payment/card-partner/sale", signed(cpSale("cp-2", func(b map[string]any) {
		delete(b["customer"].(map[string]any), "phone")
		delete(b["customer"].(map[string]any), "email")
	}), testSecret), nil))
	assert.Equal(t, "awaiting clarification", path(m.next(), "payment", "status"))
	_, body = c.get(page + "cp-2")
	assert.Contains(t, body, `name="phone"`)
	assert.Contains(t, body, `name="email"`)
	msg, ok, _ = c.act(page+"cp-2", page+"cp-2/clarify", url.Values{"phone": {"254712345678"}})
	assert.False(t, ok, "the email is still missing")
	assert.Contains(t, msg, "customer.email")
	msg, ok, _ = c.act(page+"cp-2", page+"cp-2/clarify", url.Values{"phone": {"254712345678"}, "email": {"a@example.com"}})
	assert.True(t, ok, msg)
	assert.Equal(t, "awaiting redirect result", path(m.next(), "payment", "status"))
}

func TestConsolePaymentTimeline(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)
	m.failNext(500)
	require.Equal(t, http.StatusOK, s.do("POST", oxxoPath, signed(oxxoSale("tl-1"), testSecret), nil))
	eventually(t, "the first attempt fails", func() bool {
		_, body := getPage(t, s.URL+"/dashboard")
		return strings.Contains(body, "HTTP 500")
	})
	c := newConsole(t, s)
	_, list := c.get("/dashboard")
	assert.Contains(t, list, "failing", "the list shows the merchant refused")
	assert.Contains(t, list, "next <time", "and when the next attempt is due")
	assert.Contains(t, list, "in 10s", "in sandbox time")

	// Pay it: the redirect callback is retried first, then the success one
	// waits behind it.
	_, body := c.get(fmt.Sprintf("/dashboard/payments/%d/tl-1", testProject))
	assert.Contains(t, body, "Attempt 1 of 120 failed; attempt 2 is due at 2 Mar 2026, 09:00:10 UTC.")
	assert.Contains(t, body, "merchant answered 500")
	assert.Contains(t, body, "carries payment <strong>awaiting redirect result</strong>")
	require.Equal(t, http.StatusOK, s.do("POST", fmt.Sprintf("/sandbox/payments/%d/tl-1/pay", testProject), map[string]string{"channel": "terminal"}, nil))
	_, body = c.get(fmt.Sprintf("/dashboard/payments/%d/tl-1", testProject))
	assert.Contains(t, body, `Waits for callback 1: a payment&#39;s callbacks are delivered in order.`)
	assert.Contains(t, body, `see callback 1</a>`)
	order := []string{"asked for through the Gate API", "is awaiting redirect result", "Callback 1: sale awaiting redirect result · 1 attempt", "is success", "Callback 2: sale success · no attempt yet", "Now, on the sandbox clock", "Attempt 2 to deliver callback 1"}
	at := 0
	for _, w := range order {
		i := strings.Index(body[at:], w)
		require.GreaterOrEqual(t, i, 0, "%q after the entries before it", w)
		at += i + len(w)
	}
	advance(t, s, "10s")
	m.next()
	m.next()
	_, body = c.get(fmt.Sprintf("/dashboard/payments/%d/tl-1", testProject))
	assert.Contains(t, body, "HTTP 200")
	assert.NotContains(t, body, "Waits for callback")
}

func TestConsoleTestCallback(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)
	c := newConsole(t, s)
	msg, ok, page := c.act("/dashboard/projects", fmt.Sprintf("/dashboard/projects/%d/test-callback", testProject), nil)
	assert.True(t, ok, msg)
	assert.Contains(t, msg, "answered 200")
	assert.Contains(t, page, "What the merchant answered: HTTP 200")
	assert.Contains(t, page, "&#34;ok&#34;: true", "the merchant's body, indented")
	cb := m.next()
	verifyCallback(t, cb, testSecret)
	assert.Equal(t, "sandbox-test-callback", path(cb, "payment", "id"))

	m.failNext(503)
	msg, ok, _ = c.act("/dashboard/projects", fmt.Sprintf("/dashboard/projects/%d/test-callback", testProject), nil)
	assert.False(t, ok)
	assert.Contains(t, msg, "answered 503")

	// Editing keeps the secret unless a new one is typed.
	msg, ok, _ = c.act("/dashboard/projects", fmt.Sprintf("/dashboard/projects/%d", testProject), url.Values{"callback_url": {"http://127.0.0.1:1/cb"}})
	assert.True(t, ok, msg)
	var ps struct {
		Projects []struct {
			ID          int64
			Secret      string
			CallbackURL string `json:"callback_url"`
		}
	}
	s.do("GET", "/sandbox/projects", nil, &ps)
	require.Len(t, ps.Projects, 2)
	assert.Equal(t, testSecret, ps.Projects[1].Secret)
	assert.Equal(t, "http://127.0.0.1:1/cb", ps.Projects[1].CallbackURL)
	msg, ok, _ = c.act("/dashboard/projects", fmt.Sprintf("/dashboard/projects/%d/test-callback", testProject), nil)
	assert.False(t, ok)
	assert.Contains(t, msg, "did not answer")

	// A new project; an existing ID is refused rather than replaced.
	msg, ok, _ = c.act("/dashboard/projects", "/dashboard/projects", url.Values{"id": {"77"}, "secret": {""}})
	assert.False(t, ok)
	assert.Contains(t, msg, "secret")
	msg, ok, _ = c.act("/dashboard/projects", "/dashboard/projects", url.Values{"id": {"77"}, "secret": {"k"}})
	assert.True(t, ok, msg)
	msg, ok, _ = c.act("/dashboard/projects", "/dashboard/projects", url.Values{"id": {"77"}, "secret": {"other"}})
	assert.False(t, ok)
	assert.Contains(t, msg, "exists already")
}

func TestConsolePaymentLinks(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	c := newConsole(t, s)
	_, page := c.get("/dashboard/links?project_id=1&payment_id=link-1&amount=12.5&currency=USD&method=card-partner&customer_id=c-1&customer_email=a%40example.com&description=Hoodie&language=es")
	link := regexp.MustCompile(`id="link-url"[^>]*>([^<]+)</textarea>`).FindStringSubmatch(page)
	require.NotNil(t, link, page)
	u := html.UnescapeString(link[1])
	assert.Contains(t, u, "payment_amount=1250")
	assert.Contains(t, u, "force_payment_method=card-partner")
	status, opened := getPage(t, u)
	assert.Equal(t, http.StatusOK, status, "the Payment Page takes the link's signature")
	assert.Contains(t, opened, "Hoodie")

	_, page = c.get("/dashboard/links?project_id=1&payment_id=link-2&amount=1.234&currency=USD&method=oxxo&customer_id=c-1")
	assert.Contains(t, page, "more decimals than USD has")
	// A method that does not take the currency: the link is built, and
	// says that its payment is declined (as ecommpay declines it).
	_, page = c.get("/dashboard/links?project_id=1&payment_id=link-2&amount=10&currency=EUR&method=oxxo&customer_id=c-1")
	assert.Contains(t, page, "Oxxo does not take EUR (it takes MXN, USD): the Payment Page takes this link and the sale is declined with 20000")
	assert.Contains(t, page, `id="link-url"`)
}

func TestConsoleCSV(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)
	for i := range 3 {
		require.Equal(t, 200, s.do("POST", oxxoPath, signed(oxxoSale(fmt.Sprintf("csv-%d", i), func(b map[string]any) {
			b["payment"].(map[string]any)["description"] = "=HYPERLINK(\"http://evil\")"
		}), testSecret), nil))
		m.next()
	}
	require.Equal(t, 200, s.do("POST", "/v2/payment/card-partner/sale", signed(cpSale("csv-card"), testSecret), nil))
	m.next()
	waitDelivered(t, s, "csv-2", 1) // the merchant has it before its attempt is recorded
	res, err := http.Get(s.URL + "/dashboard/payments.csv?method=oxxo")
	require.NoError(t, err)
	defer res.Body.Close()
	assert.Equal(t, "text/csv; charset=utf-8", res.Header.Get("Content-Type"))
	assert.Contains(t, res.Header.Get("Content-Disposition"), `attachment; filename="payments-20260302-090000.csv"`)
	rows, err := csv.NewReader(res.Body).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 4, "a header and the three Oxxo payments")
	assert.Equal(t, "project_id", rows[0][0])
	assert.Equal(t, []string{"842", "csv-2", "oxxo", "gate", "awaiting redirect result", "10000", "USD", "10000"}, rows[1][:8])
	assert.Equal(t, `'=HYPERLINK("http://evil")`, rows[1][8], "a formula is written as text")
	assert.Equal(t, "ok", rows[1][10])

	res2, err := http.Get(s.URL + "/dashboard/payments.csv?status=nonsense")
	require.NoError(t, err)
	res2.Body.Close()
	assert.Equal(t, http.StatusBadRequest, res2.StatusCode)
}

func TestConsoleNotFound(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	for _, tt := range []struct {
		path, accept string
		status       int
		ctype        string
	}{
		{"/no-such-page", "text/html", 404, "text/html"},
		{"/dashboard/nothing-here", "text/html,*/*", 404, "text/html"},
		{"/no-such-page", "application/json", 404, "application/json"},
		{"/sandbox/nothing", "text/html", 404, "application/json"},
		{"/v2/payment/nothing", "text/html", 404, "application/json"},
		{"/operations/nothing", "text/html", 404, "application/json"},
	} {
		req, err := http.NewRequest(http.MethodGet, s.URL+tt.path, nil)
		require.NoError(t, err)
		req.Header.Set("Accept", tt.accept)
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		assert.Equal(t, tt.status, res.StatusCode, tt.path)
		assert.Contains(t, res.Header.Get("Content-Type"), tt.ctype, tt.path)
		if tt.ctype == "text/html" {
			assert.Contains(t, string(body), "There is no page here", tt.path)
		}
	}
}

func TestConsoleEventStream(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/dashboard/events", nil)
	require.NoError(t, err)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	assert.Equal(t, "text/event-stream; charset=utf-8", res.Header.Get("Content-Type"))
	lines := bufio.NewScanner(res.Body)
	require.Equal(t, 200, s.do("POST", oxxoPath, signed(oxxoSale("live-1"), testSecret), nil))
	var events []string
	for lines.Scan() && len(events) < 2 {
		if data, ok := strings.CutPrefix(lines.Text(), "data: "); ok {
			events = append(events, data)
		}
	}
	require.Len(t, events, 2, "the payment, then its callback's attempt")
	assert.Contains(t, events[0], `"kind":"payment"`)
	assert.Contains(t, events[0], `"payment_id":"live-1"`)
	assert.Contains(t, events[1], `"kind":"delivery"`)
	// The stream does not keep the sandbox from stopping.
	done := make(chan struct{})
	go func() { s.stop(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the sandbox did not stop while a dashboard listened")
	}
}

// storeSome stores n payments of the test project in s, one second apart,
// the newest last: what a list pages through.
func storeSome(t *testing.T, s *sandbox, n int, id func(i int) string) {
	t.Helper()
	require.NoError(t, s.app.Store.Update(context.Background(), func(tx platform.Tx) error {
		for i := range n {
			at := frozenAt.Add(time.Duration(i-n) * time.Second)
			sum := platform.Sum{Amount: 1000, Currency: "USD"}
			p := &platform.Payment{ProjectID: testProject, ID: id(i), Method: "oxxo", Interface: platform.InterfaceGate,
				Status: platform.StatusSuccess, Amount: sum, Sum: sum, Customer: platform.Customer{ID: "c"},
				Operations: []platform.Operation{{ID: int64(i + 1), Type: platform.OperationSale, Status: platform.StatusSuccess, Sum: sum, Converted: sum, CreatedAt: at, UpdatedAt: at}},
				CreatedAt:  at, UpdatedAt: at}
			if err := tx.CreatePayment(p); err != nil {
				return err
			}
		}
		return nil
	}))
}

var (
	rowKeyRE = regexp.MustCompile(`<tr data-key="842/([^"]+)">`)
	olderRE  = regexp.MustCompile(`<a class="button button--small" href="([^"]+)" rel="next">`)
)

func TestConsolePaging(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	require.Equal(t, http.StatusOK, s.do("POST", "/sandbox/projects", projectFor(testProject, testSecret), nil))
	storeSome(t, s, 120, func(i int) string { return fmt.Sprintf("page-%03d", i) })
	storeSome(t, s, 7, func(i int) string { return fmt.Sprintf("other-%d", i) })
	c := newConsole(t, s)
	var pages [][]string
	next := "/dashboard?q=page-"
	for next != "" {
		_, body := c.get(next)
		var ids []string
		for _, m := range rowKeyRE.FindAllStringSubmatch(body, -1) {
			ids = append(ids, m[1])
		}
		pages = append(pages, ids)
		next = ""
		if m := olderRE.FindStringSubmatch(body); m != nil {
			next = html.UnescapeString(m[1])
			assert.Contains(t, next, "q=page-", "the next page keeps the filter")
		}
		require.Less(t, len(pages), 5, "the pages end")
	}
	require.Len(t, pages, 3)
	assert.Len(t, pages[0], 50)
	assert.Len(t, pages[1], 50)
	assert.Len(t, pages[2], 20)
	assert.Equal(t, "page-119", pages[0][0], "newest first")
	assert.Equal(t, "page-000", pages[2][19])
	seen := map[string]bool{}
	for _, p := range pages {
		for _, id := range p {
			assert.False(t, seen[id], "%s on two pages", id)
			seen[id] = true
		}
	}

	// The export has every page of the filter.
	storeSome(t, s, 1100, func(i int) string { return fmt.Sprintf("bulk-%04d", i) })
	res, err := http.Get(s.URL + "/dashboard/payments.csv?q=bulk-")
	require.NoError(t, err)
	defer res.Body.Close()
	rows, err := csv.NewReader(res.Body).ReadAll()
	require.NoError(t, err)
	assert.Len(t, rows, 1101, "a header and every bulk payment, beyond one page of the store")
}

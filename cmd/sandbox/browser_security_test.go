package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBrowserOtherSitesCannotDriveTheSandbox: a page on another site (the
// probe's attack, in a real browser) submits forms to the control API (a
// text/plain body that reads as JSON followed by "=") and to the dashboard
// (freeze the clock). Neither changes anything.
func TestBrowserOtherSitesCannotDriveTheSandbox(t *testing.T) {
	t.Parallel()
	ctx := brTab(t)
	s := startSandbox(t, t.TempDir())
	require.Equal(t, http.StatusOK, s.do("POST", "/sandbox/clock/unfreeze", nil, nil))

	// The other site: localhost is another site than 127.0.0.1.
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>elsewhere</title>
<form id="freeze" method="post" action="%[1]s/dashboard/clock/freeze"><button>freeze</button></form>
<form id="steal" method="post" enctype="text/plain" action="%[1]s/sandbox/projects"><input name='{"id":1,"secret":"stolen","callback_url":"http://evil.example/cb"}' value=''><button>steal</button></form>`, s.URL)
	}))
	t.Cleanup(evil.Close)
	elsewhere := strings.Replace(evil.URL, "127.0.0.1", "localhost", 1)

	for _, form := range []string{"#freeze", "#steal"} {
		require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(elsewhere)))
		brSubmit(t, ctx, form+" button")
		body := brText(t, ctx, "body")
		assert.Contains(t, body, "take requests only from the sandbox's own pages", form)
	}
	var c struct{ Frozen bool }
	s.do("GET", "/sandbox/clock", nil, &c)
	assert.False(t, c.Frozen, "the other site did not freeze the clock")
	var ps struct {
		Projects []struct {
			ID     int64
			Secret string
		}
	}
	s.do("GET", "/sandbox/projects", nil, &ps)
	for _, p := range ps.Projects {
		assert.NotEqual(t, "stolen", p.Secret, "project %d", p.ID)
	}
}

// brPolicyViolations listens to what the tab's console says the
// Content-Security-Policy blocked, from now on: the function it returns
// lists it so far.
func brPolicyViolations(t *testing.T, ctx context.Context) func() []string {
	t.Helper()
	var mu sync.Mutex
	var violations []string
	require.NoError(t, chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*cdplog.EventEntryAdded); ok && strings.Contains(e.Entry.Text, "Content Security Policy") {
			mu.Lock()
			violations = append(violations, e.Entry.URL+": "+e.Entry.Text)
			mu.Unlock()
		}
	}))
	_, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{})
	require.NoError(t, err)
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(violations)
	}
}

// TestBrowserPagesKeepTheirPolicy opens the sandbox's kinds of pages in a
// real browser, among them the demo shop with the Payment Page in its
// iframe, and checks that the Content-Security-Policy blocks nothing they
// use: no violation is reported.
func TestBrowserPagesKeepTheirPolicy(t *testing.T) {
	t.Parallel()
	ctx := brTab(t)
	violations := brPolicyViolations(t, ctx)

	s, m := ppSetup(t)
	setupProject(t, s, m)
	cb := saleRedirect(t, s, m, oxxoPath, oxxoSale("csp-1"))
	voucher, _ := path(cb, "redirect_data", "url").(string)
	for _, u := range []string{
		s.URL + "/",
		s.URL + "/dashboard",
		fmt.Sprintf("%s/dashboard/payments/%d/csp-1", s.URL, testProject),
		voucher,
		s.URL + "/providers/oxxo/terminal",
		ppURL(s, ppParams("csp-2", "MXN", 2500, nil)),
	} {
		require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(u)), u)
		brWaitLoaded(t, ctx, u)
	}
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/demo/shop"),
		chromedp.WaitVisible(chromedp.CSS(`button[data-epay-mode=embedded]`)),
		chromedp.Click(chromedp.CSS(`button[data-epay-mode=embedded]`)),
	))
	eventually(t, "the embedded Payment Page", func() bool {
		h, err := chromedp.Run(ctx, chromedp.Evaluate[string](
			`(function(){ var f = document.querySelector("#shop-payment iframe"); var h = f && f.contentDocument && f.contentDocument.querySelector("h1"); return h ? h.textContent : ""; })()`))
		return err == nil && strings.TrimSpace(h) != ""
	})
	assert.Empty(t, violations())
}

// TestBrowserMerchantTextStaysText puts markup in what merchants and their
// customers control and the sandbox shows: a refused Gate request's path and
// body (on the dashboard, arriving live), a payment's description (on its
// page and the voucher), a merchant's answer to a callback (an HTML page,
// which earns the attempt a note), a customer's name and a description on
// the Payment Page, and a Payment Page link whose signature is wrong (its
// error page quotes the string signed). Each shows as text: no element of it is made,
// nothing of it runs, no policy is violated, and no page grows wider than
// the window for a long value without spaces.
func TestBrowserMerchantTextStaysText(t *testing.T) {
	t.Parallel()
	ctx := brTab(t)
	violations := brPolicyViolations(t, ctx)

	const markup = `<img src=x class=injected onerror="window.__injected=1"><b class=injected>bold</b>`
	long := strings.Repeat("W", 600) // a value without spaces, wider than any window
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<!doctype html><title>Log in</title>"+markup)
	}))
	t.Cleanup(shop.Close)
	s := startSandbox(t, t.TempDir())
	require.Equal(t, http.StatusOK, s.do("POST", "/sandbox/projects", map[string]any{
		"id": testProject, "secret": testSecret, "callback_url": shop.URL + "/callbacks/" + long,
	}, nil))

	// checkPage fails when the markup made an element or ran, or the page
	// is wider than the window, and returns the page's text.
	checkPage := func(what string) string {
		t.Helper()
		type state struct {
			Injected, Ran bool
			Wide          int
			Text, Widest  string
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[state](`({
			injected: document.querySelector(".injected, [onerror]") !== null,
			ran: window.__injected === 1,
			wide: document.documentElement.scrollWidth - document.documentElement.clientWidth,
			text: document.body.innerText,
			widest: Array.from(document.querySelectorAll("body *")).filter(function (e) {
				return e.getBoundingClientRect().right > document.documentElement.clientWidth && e.children.length === 0;
			}).slice(0, 5).map(function (e) { return e.tagName + "." + e.className + " in " + e.parentElement.tagName + "." + e.parentElement.className; }).join(", ")})`))
		require.NoError(t, err, what)
		assert.False(t, got.Injected, "%s: the merchant's markup made an element", what)
		assert.False(t, got.Ran, "%s: the merchant's markup ran", what)
		assert.LessOrEqual(t, got.Wide, 0, "%s: the page is wider than the window, by %s", what, got.Widest)
		return got.Text
	}

	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(s.URL+"/dashboard"), chromedp.WaitVisible(chromedp.CSS(`[data-live-status]`))))
	require.Equal(t, http.StatusOK, s.do("POST", oxxoPath, signed(oxxoSale("markup-1", func(b map[string]any) {
		b["payment"].(map[string]any)["description"] = markup + long
	}), testSecret), nil))
	require.Equal(t, http.StatusNotFound, s.do("POST", "/v2/"+url.PathEscape(markup)+long, map[string]any{"note": markup}, nil))
	require.Equal(t, http.StatusBadRequest, s.do("POST", oxxoPath, signed(oxxoSale("markup-2", func(b map[string]any) {
		b["payment"].(map[string]any)["description"] = markup + long
	}), "another-secret"), nil))
	brWaitText(t, ctx, "#refusals", "3261 Invalid signature")
	brWaitText(t, ctx, "#refusals", "404 Not found: POST /v2/"+markup)
	text := checkPage("the dashboard, updated live")
	assert.Contains(t, text, markup, "the dashboard shows the markup as text")

	var d struct {
		Deliveries []struct {
			Attempts []struct{ Note string }
			Body     struct {
				RedirectData struct{ URL string } `json:"redirect_data"`
			}
		}
	}
	eventually(t, "the callback's attempt", func() bool {
		s.do("GET", "/sandbox/deliveries", nil, &d)
		return len(d.Deliveries) == 1 && len(d.Deliveries[0].Attempts) > 0
	})
	require.Contains(t, d.Deliveries[0].Attempts[0].Note, "HTML page", "the answer earned the attempt its note")
	payment := fmt.Sprintf("%s/dashboard/payments/%d/markup-1", s.URL, testProject)
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(payment)))
	brWaitLoaded(t, ctx, payment)
	_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelectorAll("details").forEach(function (d) { d.open = true; }), true`))
	require.NoError(t, err)
	text = checkPage("the payment's page")
	assert.Contains(t, text, "<title>Log in</title>", "the merchant's answer shows as text")

	for _, page := range []string{"/dashboard/projects", "/dashboard/links"} {
		require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(s.URL+page)))
		brWaitLoaded(t, ctx, page)
		checkPage(page)
	}

	voucher := d.Deliveries[0].Body.RedirectData.URL
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(voucher)))
	brWaitLoaded(t, ctx, voucher)
	text = checkPage("the voucher")
	assert.Contains(t, text, markup, "the voucher shows the description as text")

	params := map[string]string{
		"project_id": strconv.Itoa(testProject), "payment_id": "markup-3", "payment_amount": "2500", "payment_currency": "MXN",
		"payment_description": markup + long, "customer_id": "customer-1", "customer_first_name": markup + long,
	}
	for _, tt := range []struct{ what, secret, says string }{
		{"the Payment Page", testSecret, markup},
		{"the Payment Page's error page", "another-secret", "payment_description:" + markup},
	} {
		link := s.URL + "/payment?" + ppSign(params, tt.secret).Encode()
		require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(link)))
		brWaitLoaded(t, ctx, link)
		text = checkPage(tt.what)
		assert.Contains(t, text, tt.says, "%s shows the markup as text", tt.what)
	}

	assert.Empty(t, violations())
}

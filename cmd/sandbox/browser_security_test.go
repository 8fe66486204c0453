package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
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

// TestBrowserPagesKeepTheirPolicy opens the sandbox's kinds of pages in a
// real browser, among them the demo shop with the Payment Page in its
// iframe, and checks that the Content-Security-Policy blocks nothing they
// use: no violation is reported.
func TestBrowserPagesKeepTheirPolicy(t *testing.T) {
	t.Parallel()
	ctx := brTab(t)
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
	mu.Lock()
	defer mu.Unlock()
	assert.Empty(t, violations)
}

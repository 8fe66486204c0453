package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The developer console in a real browser: live updates without a
// reload, the actions, and the pages the README shows (saved as
// 0N-console-*.png).

// brWaitText waits until the element matching sel contains want, as live
// updates bring it, and fails the test with what it shows instead.
func brWaitText(t *testing.T, ctx context.Context, sel, want string) {
	t.Helper()
	var got string
	for {
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](
			`(function(){ var e = document.querySelector(`+jsString(sel)+`); return e ? e.textContent : ""; })()`))
		if err == nil {
			got = s
			if strings.Contains(got, want) {
				return
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s never showed %q; it shows %q", sel, want, strings.Join(strings.Fields(got), " "))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// brWaitJS waits until the JavaScript expression cond is true in the tab.
func brWaitJS(t *testing.T, ctx context.Context, what, cond string) {
	t.Helper()
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](cond))
		if err == nil && ok {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s: never seen", what)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func jsString(s string) string { return fmt.Sprintf("%q", s) }

// brMarkPage marks the page in the tab, so that brSamePage can tell it was
// not reloaded.
func brMarkPage(t *testing.T, ctx context.Context) {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__brSamePage = true`))
	require.NoError(t, err)
}

func brSamePage(t *testing.T, ctx context.Context) bool {
	t.Helper()
	same, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__brSamePage === true`))
	require.NoError(t, err)
	return same
}

// TestBrowserConsoleLive: a payment made through the Gate appears in the
// open list without a reload; on its page, "Pay at a terminal" leads to the
// success callback and its attempt in the timeline.
func TestBrowserConsoleLive(t *testing.T) {
	t.Parallel()
	ctx := brTab(t)
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(s.URL+"/dashboard"), chromedp.WaitVisible(chromedp.CSS(`[data-live-status]`))))
	brMarkPage(t, ctx)

	require.Equal(t, http.StatusOK, s.do("POST", oxxoPath, signed(oxxoSale("live-1"), testSecret), nil))
	row := fmt.Sprintf(`tr[data-key="%d/live-1"]`, testProject)
	require.NoError(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(row))))
	assert.True(t, brSamePage(t, ctx), "the payment appeared without a reload")
	m.next()
	brWaitText(t, ctx, row+" .cell-health", "HTTP 200")
	assert.True(t, brSamePage(t, ctx))
	require.Equal(t, http.StatusOK, s.do("POST", oxxoPath, signed(oxxoSale("live-2"), testSecret), nil))
	m.next()
	brWaitText(t, ctx, fmt.Sprintf(`tr[data-key="%d/live-2"] .cell-health`, testProject), "HTTP 200")
	(&brShots{t: t, ctx: ctx, flow: "console", n: 0}).take("payments", true)

	brSubmit(t, ctx, row+" a")
	require.NoError(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`button[data-action="pay-terminal"]`))))
	brSubmit(t, ctx, `button[data-action="pay-terminal"]`)
	brWaitText(t, ctx, ".flash", "Paid at a terminal.")
	m.next()
	brMarkPage(t, ctx)
	// The success callback's attempt arrives after the page: live.
	brWaitText(t, ctx, "#timeline", "carries payment success")
	brWaitJS(t, ctx, "the success callback's attempt, delivered", `Array.from(document.querySelectorAll("#timeline .delivery")).some(function (d) {
		return d.textContent.indexOf("carries payment success") >= 0 && d.querySelector(".attempt--ok") !== null; })`)
	assert.True(t, brSamePage(t, ctx), "the attempt appeared without a reload")
	_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function(){
		var a = document.querySelectorAll("#timeline .attempt"); a[a.length-1].open = true;
		document.getElementById("timeline-title").scrollIntoView(); return true; })()`))
	require.NoError(t, err)
	(&brShots{t: t, ctx: ctx, flow: "console", n: 1}).take("timeline", true)
}

// TestBrowserConsoleRefund refunds a paid card-partner payment from its
// page.
func TestBrowserConsoleRefund(t *testing.T) {
	t.Parallel()
	ctx := brTab(t)
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)
	require.Equal(t, http.StatusOK, s.do("POST", "/v2/payment/card-partner/sale", signed(cpSale("refund-1"), testSecret), nil))
	m.next()
	require.Equal(t, http.StatusOK, s.do("POST", fmt.Sprintf("/sandbox/payments/%d/refund-1/pay", testProject), nil, nil))
	assert.Equal(t, "success", path(m.next(), "payment", "status"))

	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/dashboard/payments/%d/refund-1", s.URL, testProject)),
		chromedp.WaitVisible(chromedp.CSS(`button[data-action="refund"]`)),
	))
	brSubmit(t, ctx, `button[data-action="refund"]`)
	brWaitText(t, ctx, ".flash", "Refunded in full.")
	brWaitText(t, ctx, "#payment-status", "refunded")
	cb := m.next()
	assert.Equal(t, "refunded", path(cb, "payment", "status"))
	brWaitText(t, ctx, "#timeline", "Refund ")
	brWaitText(t, ctx, "#timeline", "carries payment refunded")
}

// TestBrowserConsoleFailingMerchant: a merchant that refuses its callbacks
// shows as failing in the list, with its answer and the next retry.
func TestBrowserConsoleFailingMerchant(t *testing.T) {
	t.Parallel()
	ctx := brTab(t)
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)
	m.failNext(500, 500, 500)
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(s.URL+"/dashboard?callbacks=failing"), chromedp.WaitVisible(chromedp.CSS(`[data-live-status]`))))
	require.Equal(t, http.StatusOK, s.do("POST", oxxoPath, signed(oxxoSale("refused-1"), testSecret), nil))
	cell := fmt.Sprintf(`tr[data-key="%d/refused-1"] .cell-health`, testProject)
	brWaitText(t, ctx, cell, "failing")
	brWaitText(t, ctx, cell, "HTTP 500")
	brWaitText(t, ctx, cell, "next in 10s")
	brWaitText(t, ctx, cell, "merchant answered 500")

	// A sale the Gate refuses appears above the payments, live: no
	// payment came of it, and the dashboard says why.
	brMarkPage(t, ctx)
	require.Equal(t, http.StatusBadRequest, s.do("POST", oxxoPath, signed(oxxoSale("refused-2"), "another-secret"), nil))
	brWaitText(t, ctx, "#refusals", "3261 Invalid signature")
	brWaitText(t, ctx, "#refusals", "project 842 · refused-2")
	assert.True(t, brSamePage(t, ctx), "the refusal appeared without a reload")
	(&brShots{t: t, ctx: ctx, flow: "console", n: 4}).take("refused", false)
}

// TestBrowserConsoleProjectsAndLinks: a test callback from the projects
// page shows the merchant's answer; the payment-link form builds a link
// that opens the Payment Page.
func TestBrowserConsoleProjectsAndLinks(t *testing.T) {
	t.Parallel()
	ctx := brTab(t)
	s := startSandbox(t, t.TempDir())
	m := newMerchant(t)
	setupProject(t, s, m)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/dashboard/projects"),
		chromedp.WaitVisible(chromedp.CSS(`button[data-action="test-callback"]`)),
	))
	brSubmit(t, ctx, `button[data-action="test-callback"]`)
	brWaitText(t, ctx, ".flash", "answered 200")
	verifyCallback(t, m.next(), testSecret)
	_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function(){ document.querySelector(".flash details").open = true;
		document.getElementById("project-842-secret").open = true; return true; })()`))
	require.NoError(t, err)
	(&brShots{t: t, ctx: ctx, flow: "console", n: 2}).take("projects", false)

	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/dashboard/links"),
		chromedp.WaitVisible(chromedp.ID("l-amount")),
		chromedp.SetValue(chromedp.ID("l-project"), fmt.Sprint(testProject)),
		chromedp.SetValue(chromedp.ID("l-payment"), "link-1"),
		chromedp.SetValue(chromedp.ID("l-amount"), "1500"),
		chromedp.SetValue(chromedp.ID("l-currency"), "KES"),
		chromedp.SetValue(chromedp.ID("l-method"), "card-partner"),
		chromedp.SetValue(chromedp.ID("l-description"), "Sandbox hoodie"),
	))
	brSubmit(t, ctx, `.link-form button[type=submit]`)
	require.NoError(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("link-url"))))
	link, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("link-url")))
	require.NoError(t, err)
	assert.Contains(t, link, "payment_amount=150000")
	(&brShots{t: t, ctx: ctx, flow: "console", n: 3}).take("links", false)
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(link), chromedp.WaitReady(chromedp.CSS(`main h1`))))
	refused, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector(".pp-error") !== null`))
	require.NoError(t, err)
	assert.False(t, refused, "the Payment Page takes the link: %s", brText(t, ctx, "main h1"))
}

package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// brOverflow returns how many pixels the page is wider than the window,
// and the elements that stick out of it (not those inside something that
// scrolls or clips them), for the message.
func brOverflow(t *testing.T, ctx context.Context) (int, string) {
	t.Helper()
	wider, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth - document.documentElement.clientWidth`))
	require.NoError(t, err)
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(function () {
		var w = document.documentElement.clientWidth, out = [];
		document.querySelectorAll("body *").forEach(function (e) {
			if (e.getBoundingClientRect().right > w + 1) { out.push(e.tagName.toLowerCase() + "." + e.className); }
		});
		return out.slice(0, 6).join(", ");
	})()`))
	require.NoError(t, err)
	return wider, out
}

// TestBrowserPhoneWidth opens the pages a person reads on a 390 px phone,
// the sandbox's own and a provider's in the languages whose words run
// longest, and checks that none is wider than the screen: a page that
// scrolls sideways hides the end of its lines.
func TestBrowserPhoneWidth(t *testing.T) {
	t.Parallel()
	ctx := brTab(t)
	s, m := ppSetup(t)
	ppConfirmDeposits(t, s, m)
	require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(390, 844)))
	check := func(what string) {
		t.Helper()
		wider, out := brOverflow(t, ctx)
		assert.LessOrEqual(t, wider, 0, "%s is %d px wider than a 390 px phone: %s", what, wider, out)
	}
	for _, path := range []string{"/", "/dashboard", "/dashboard/projects", "/dashboard/links", "/dashboard/reset", "/providers/oxxo/terminal"} {
		brNavigate(t, ctx, s.URL+path)
		check(path)
	}
	for _, lang := range []string{"es", "pt"} {
		link := ppURL(s, ppParams("phone-eco-"+lang, "EUR", 2500, map[string]string{"force_payment_method": "eco-voucher", "language_code": lang}))
		brNavigate(t, ctx, link)
		brSubmit(t, ctx, `.pp-pay`)
		for !strings.Contains(brLocation(t, ctx), "/providers/") {
			brWaitLoaded(t, ctx, "the customer reaches EcoVoucher")
			time.Sleep(20 * time.Millisecond)
		}
		require.NoError(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`button[name=action][value=fill]`))))
		check("the EcoVoucher page in " + lang)
	}

	// A payment's page in the console, with its decline codes and the
	// voucher URL the customer is sent to, on a phone and on a desktop.
	oxxo := ppURL(s, ppParams("phone-oxxo", "MXN", 10000, map[string]string{"force_payment_method": "oxxo",
		"customer_first_name": "Ana", "customer_last_name": "Pérez", "customer_email": "ana@example.com", "identify_doc_number": "1234567890"}))
	brNavigate(t, ctx, oxxo)
	brSubmit(t, ctx, `.pp-pay`)
	for _, id := range []string{"phone-eco-es", "phone-oxxo"} {
		detail := s.URL + "/dashboard/payments/" + strconv.Itoa(ppProject) + "/" + id
		brNavigate(t, ctx, detail)
		require.NoError(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`#decline-code`))))
		check("the console's page of " + id)
		require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)))
		check("the console's page of " + id + " on a desktop")
		require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(390, 844)))
	}
}

// brNavigate opens u in the tab and waits until it has loaded.
func brNavigate(t *testing.T, ctx context.Context, u string) {
	t.Helper()
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(u)), u)
	brWaitLoaded(t, ctx, u)
}

// TestBrowserClockFieldShowsItsTime: the console's "Set to" field shows
// the whole date and time it holds, seconds and AM/PM included, beside
// its picker icon, at desktop, tablet and phone widths: too narrow, the
// browser cuts the end off and the developer cannot read what they set.
func TestBrowserClockFieldShowsItsTime(t *testing.T) {
	t.Parallel()
	ctx := brTab(t)
	s := startSandbox(t, t.TempDir())
	brNavigate(t, ctx, s.URL+"/dashboard")
	// What the field needs: its longest text in its own font, its padding
	// and border, and the picker's icon (about 2.5 em with its margin).
	const room = `(function(){ var e = document.getElementById("clock-set"), cs = getComputedStyle(e);
		var c = document.createElement("canvas").getContext("2d"); c.font = cs.font;
		var need = c.measureText("12/31/2026, 12:59:59 PM").width + parseFloat(cs.paddingLeft) + parseFloat(cs.paddingRight)
			+ parseFloat(cs.borderLeftWidth) + parseFloat(cs.borderRightWidth) + 2.5 * parseFloat(cs.fontSize);
		return Math.round(e.getBoundingClientRect().width - need); })()`
	for _, w := range []int64{1280, 800, 390} {
		require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(w, 900)))
		spare, err := chromedp.Run(ctx, chromedp.Evaluate[int](room))
		require.NoError(t, err)
		assert.GreaterOrEqual(t, spare, 0, "at %d px the field is %d px too narrow for its time", w, -spare)
	}
}

// TestBrowserProjectRowHoldsTogether: a project's row in the console is
// one row: with its secret revealed (a taller cell), every cell, the
// actions' included, spans the row's height, so the line under it is
// unbroken and Edit sits with the rest; and the button that revealed the
// secret now offers to hide it.
func TestBrowserProjectRowHoldsTogether(t *testing.T) {
	t.Parallel()
	ctx := brTab(t)
	s := startSandbox(t, t.TempDir())
	brNavigate(t, ctx, s.URL+"/dashboard/projects")
	// Clicked in one step of the page: the console swaps its regions for
	// fresh copies once its live stream opens, and a click found in one
	// step and sent in the next could miss the swapped-out summary.
	_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.querySelector("details.secret > summary").click(), true)`))
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`.secret__value`))))
	assert.Equal(t, "Hide", brText(t, ctx, "details.secret > summary"), "the revealed secret's button hides it again")
	bottoms, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`Array.from(document.querySelectorAll(".table--projects tbody tr:first-child > td"),
		function (td) { return Math.round(td.getBoundingClientRect().bottom); })`))
	require.NoError(t, err)
	require.Len(t, bottoms, 5)
	for i, b := range bottoms {
		assert.Equal(t, bottoms[0], b, "cell %d of the row ends at %d px, the row at %d px", i+1, b, bottoms[0])
	}
}

// TestBrowserEcoVoucherFieldsLineUp: on the EcoVoucher page in
// Portuguese, whose "Código de segurança" takes two lines at desktop
// width, a voucher's three fields still line up: their boxes start at
// the same height.
func TestBrowserEcoVoucherFieldsLineUp(t *testing.T) {
	t.Parallel()
	ctx := brTab(t)
	s, _ := ppSetup(t)
	brNavigate(t, ctx, ppURL(s, ppParams("lineup-eco", "EUR", 2500, map[string]string{"force_payment_method": "eco-voucher", "language_code": "pt"})))
	brSubmit(t, ctx, `.pp-pay`)
	brWaitJS(t, ctx, "the EcoVoucher page", `!!document.getElementById("expiry-0")`)
	tops, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`["number-0", "code-0", "expiry-0"].map(function (id) {
		return Math.round(document.getElementById(id).getBoundingClientRect().top); })`))
	require.NoError(t, err)
	assert.Equal(t, []int{tops[0], tops[0], tops[0]}, tops, "the tops of the number, security code and expiry fields")
}

// TestBrowserFlashAnswerSitsUnderItsMessage: the merchant's answer to a
// test callback opens under the sentence that reports it, as wide as the
// banner, rather than beside it with the sentence squeezed into a column.
func TestBrowserFlashAnswerSitsUnderItsMessage(t *testing.T) {
	t.Parallel()
	ctx := brTab(t)
	s := startSandbox(t, t.TempDir())
	setupProject(t, s, newMerchant(t))
	brNavigate(t, ctx, s.URL+"/dashboard/projects")
	brSubmit(t, ctx, `button[data-action="test-callback"]`)
	brWaitText(t, ctx, ".flash", "answered 200")
	stacked, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(function () {
		var f = document.querySelector(".flash"), p = f.querySelector("p").getBoundingClientRect(),
			d = f.querySelector("details").getBoundingClientRect();
		return (d.top >= p.bottom) + " " + (p.width > f.clientWidth * 0.8); })()`))
	require.NoError(t, err)
	assert.Equal(t, "true true", stacked, "the answer below the message, the message the banner's width")
}

package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/css"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/storage"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/ecommpay-sandbox/sandbox/app"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The browser tests drive the Payment Page in a real headless Chromium:
// from a signed link through the provider to the callback, and the error
// pages. One browser serves the whole test binary; every test has its own
// tab. With $SCREENSHOT_DIR set (make screenshots sets it), each page is
// saved there as a screenshot; otherwise none is taken, which keeps the
// tests fast.
//
// Without a browser the tests are skipped, unless CI=true, where a missing
// browser is a failure.

// brTimeout bounds one browser test.
const brTimeout = 45 * time.Second

var brBrowser struct {
	once sync.Once
	ctx  context.Context // the browser's first tab; new tabs derive from it
	skip string          // why there is no browser
	// tabs holds the tabs no test uses, brTabs places in all: the tests
	// run many at a time, the browser serves a few tabs well. A place
	// holds nil until a test opens a tab in it, and again once a tab that
	// could not be reused is closed.
	tabs chan *brPooledTab
}

// brTabs is how many tabs the browser has open at most.
const brTabs = 4

// brPooledTab is a tab that tests take in turn, in a window and a browser
// context of its own, as a private window is: cookies are a host's,
// whatever its port, so tabs of sandboxes on other ports would otherwise
// read and clear each other's flash cookie. Opening a window costs the
// browser about as much as a whole test's pages, so the next test reuses
// the tab, its cookies cleared.
type brPooledTab struct {
	ctx     context.Context
	close   context.CancelFunc   // nil for the browser's first tab, which is never closed
	browser cdp.BrowserContextID // "" for the first tab's, the browser's default context
}

// brChromeBinary finds Chromium or Chrome: CHROME_PATH, then the usual names
// on PATH, Chromium's headless shell first: the same engine without the
// desktop browser around it, it runs these tests in half the time.
func brChromeBinary() string {
	if p := os.Getenv("CHROME_PATH"); p != "" {
		return p
	}
	for _, name := range []string{"chromium-headless-shell", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// brStartBrowser starts the shared browser once. It is stopped when the test
// binary exits (chromedp kills it with the process).
func brStartBrowser() {
	brBrowser.tabs = make(chan *brPooledTab, brTabs)
	for range brTabs - 1 {
		brBrowser.tabs <- nil
	}
	bin := brChromeBinary()
	if bin == "" {
		brBrowser.skip = "no Chromium or Chrome found: install chromium-headless-shell (or chromium), or set CHROME_PATH"
		return
	}
	// A fresh profile per run; profiles of earlier runs are removed.
	old, _ := filepath.Glob(filepath.Join(os.TempDir(), "sandbox-browser-test-*"))
	for _, dir := range old {
		if info, err := os.Stat(dir); err == nil && time.Since(info.ModTime()) > time.Hour {
			os.RemoveAll(dir)
		}
	}
	profile, err := os.MkdirTemp("", "sandbox-browser-test-*")
	if err != nil {
		brBrowser.skip = "no profile folder for the browser: " + err.Error()
		return
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(profile),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("mute-audio", true),
		// Without RenderDocument a navigation reuses the tab's frame and
		// its compositor instead of building new ones for every page: a
		// page load costs the browser a fifth less, and a page behaves
		// the same.
		chromedp.Flag("disable-features", "RenderDocument"),
		chromedp.WindowSize(1280, 900),
	}
	if os.Getenv("SCREENSHOT_DIR") == "" {
		// The browser draws no frame unless asked (over DevTools, which
		// no test does): a page still loads, runs its scripts and
		// timers, and lays itself out when a test reads its geometry,
		// but paints, rasters and composites nothing, and a page that
		// animates costs nothing. The browser's CPU for these tests is a
		// third lower. What frames drive stands still: requestAnimationFrame
		// never calls back (no page of the sandbox waits for it), and a CSS
		// transition or animation keeps its first value, so a test must
		// not wait for one to end (the shop's frame takes its height at
		// once: a transition from auto does not run). A screenshot needs a
		// frame, so with $SCREENSHOT_DIR the browser draws as usual.
		opts = append(opts, chromedp.Flag("enable-begin-frame-control", true))
	}
	alloc, _ := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, _ := chromedp.NewContext(alloc)
	if err := chromedp.Do(ctx); err != nil {
		brBrowser.skip = fmt.Sprintf("%s does not start: %v", bin, err)
		return
	}
	brBrowser.ctx = ctx
	brBrowser.tabs <- &brPooledTab{ctx: ctx}
}

// brTab gives t a tab of the shared browser, blank, with no cookies and
// its viewport at 1280×900, until t ends; it waits while every tab is in
// use. brTimeout counts from when t has the tab.
func brTab(t *testing.T) context.Context {
	t.Helper()
	brBrowser.once.Do(brStartBrowser)
	if brBrowser.skip != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("browser tests need a browser on CI: %s", brBrowser.skip)
		}
		t.Skip(brBrowser.skip)
	}
	tab := <-brBrowser.tabs
	if tab == nil {
		ctx, cancel := chromedp.NewContext(brBrowser.ctx, chromedp.WithNewBrowserContext())
		if err := chromedp.Do(ctx); err != nil {
			cancel()
			brBrowser.tabs <- nil
			require.NoError(t, err, "open a tab")
		}
		tab = &brPooledTab{ctx: ctx, close: cancel, browser: chromedp.FromContext(ctx).BrowserContextID}
	}
	ctx, cancel := context.WithTimeout(tab.ctx, brTimeout)
	t.Cleanup(func() {
		cancel()
		// The tab leaves the test's pages, which may still poll the
		// test's sandbox; one that cannot is closed, not reused.
		blank, done := context.WithTimeout(tab.ctx, 10*time.Second)
		defer done()
		if err := chromedp.Do(blank, chromedp.Navigate("about:blank")); err != nil && tab.close != nil {
			tab.close()
			tab = nil
		}
		brBrowser.tabs <- tab
	})
	// chromedp turns on the CSS, Log and Network agents in every tab; no
	// test reads what they report (one that does turns Log on again), and
	// the CSS agent alone adds a tenth to every page load, and the
	// Network agent, events for every request of a page, a fifth of what
	// a page load costs the browser that draws no frames.
	for _, agent := range []cdp.Command[cdp.Empty, cdp.Empty]{css.Disable, cdplog.Disable, network.Disable} {
		_, err := chromedp.Call(ctx, agent, cdp.Empty{})
		require.NoError(t, err, "turn off %s", agent.Method)
	}
	_, err := chromedp.CallBrowser(ctx, storage.ClearCookies, storage.ClearCookiesParams{BrowserContextID: tab.browser})
	require.NoError(t, err, "clear the tab's cookies")
	_, err = chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{})
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)))
	return ctx
}

// brShots saves a flow's screenshots as 01-<flow>-<step>.png, 02-…
type brShots struct {
	t    *testing.T
	ctx  context.Context
	flow string
	n    int
}

// take saves the page as it is now in $SCREENSHOT_DIR, at desktop width
// and, when mobile is set, at 390 px too; without $SCREENSHOT_DIR it does
// nothing.
func (s *brShots) take(step string, mobile bool) {
	s.t.Helper()
	s.n++
	dir := os.Getenv("SCREENSHOT_DIR")
	if dir == "" {
		return
	}
	require.NoError(s.t, os.MkdirAll(dir, 0o755))
	save := func(suffix string) {
		png, err := chromedp.Run(s.ctx, chromedp.FullScreenshot(100))
		require.NoError(s.t, err)
		name := fmt.Sprintf("%02d-%s-%s%s.png", s.n, s.flow, step, suffix)
		require.NoError(s.t, os.WriteFile(filepath.Join(dir, name), png, 0o644))
	}
	save("")
	if mobile {
		require.NoError(s.t, chromedp.Do(s.ctx, chromedp.EmulateViewport(390, 844)))
		save("-390px")
		require.NoError(s.t, chromedp.Do(s.ctx, chromedp.EmulateViewport(1280, 900)))
	}
}

// text returns the text of the first element matching sel, as
// chromedp.Text does (its innerText, none when it is not shown), once there
// is one. It finds and reads the element in one step of the page: a live
// page (the console) may swap the element for its fresh copy between two
// steps, and the copy taken out of the page has no text or is gone.
func brText(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	for {
		s, err := chromedp.Run(ctx, chromedp.Evaluate[*string](`(function () {
			var e = document.querySelector(`+jsString(sel)+`);
			if (!e) { return null; }
			return e.offsetWidth || e.offsetHeight || e.getClientRects().length ? e.innerText : "";
		})()`))
		require.NoError(t, err, sel)
		if s != nil {
			return strings.TrimSpace(*s)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no %s on the page: %v", sel, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// location returns the tab's URL.
func brLocation(t *testing.T, ctx context.Context) string {
	t.Helper()
	u, err := chromedp.Run(ctx, chromedp.Location())
	require.NoError(t, err)
	return u
}

// brSubmit clicks sel, which leaves the page (a link, a form's button),
// once it is visible, and waits until the next page has loaded. The click
// is the element's own click(), found and sent in one step of the page: a
// mouse click at the element's place could land between a live update
// removing it and drawing its replacement, and leave the page nowhere.
func brSubmit(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	require.NoError(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(sel))), sel)
	for {
		clicked, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function () {
			var e = document.querySelector(`+jsString(sel)+`);
			if (!e) { return false; }
			window.__brLeaving = true;
			e.click();
			return true;
		})()`))
		require.NoError(t, err, sel)
		if clicked {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("click %s: it is gone", sel)
		case <-time.After(20 * time.Millisecond):
		}
	}
	brWaitLoaded(t, ctx, "the page after "+sel)
}

// brWaitLoaded waits until the tab shows a new page, fully loaded.
func brWaitLoaded(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	for {
		done, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!window.__brLeaving && document.readyState === "complete"`))
		if err == nil && done {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s: %v", what, ctx.Err())
		case <-time.After(40 * time.Millisecond):
		}
	}
}

// brMethod is one payment method's row of the browser journey: how
// the Payment Page is opened for it, what the customer types, and what the
// customer does at the provider until the provider sends them back.
type brMethod struct {
	currency string
	lang     string
	// fields the customer types, by parameter; bad are refused values
	// typed first, to see the errors.
	fields, bad map[string]string
	// atProvider acts at the provider's page, from when it is shown until
	// the customer is back at the Payment Page's result.
	atProvider func(t *testing.T, ctx context.Context, s *sandbox, sh *brShots)
	// result is the heading the result page ends with.
	result string
	// link says the Payment Page shows a link to the provider that the
	// customer follows (Oxxo, Rapipago) rather than sending them on.
	link bool
}

// brToProvider waits, from the Payment Page's processing page, until the
// customer is at the provider's page, following the link to it when the
// page shows one, and reports whether it did.
func brToProvider(t *testing.T, ctx context.Context, what string) (followed bool) {
	t.Helper()
	for !strings.Contains(brLocation(t, ctx), "/providers/") {
		brWaitLoaded(t, ctx, "the customer reaches "+what)
		link, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!document.querySelector(".pp-provider-link")`))
		require.NoError(t, err)
		if link {
			brSubmit(t, ctx, `.pp-provider-link`)
			followed = true
			continue
		}
		time.Sleep(20 * time.Millisecond)
	}
	brWaitLoaded(t, ctx, what+"'s page")
	return followed
}

// brPayVoucher opens the sandbox terminal from the voucher page and
// takes the payment, as a cashier does, then goes back to the result.
func brPayVoucher(t *testing.T, ctx context.Context, s *sandbox, sh *brShots) {
	require.NoError(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`img.barcode`))))
	sh.take("voucher", true)
	brSubmit(t, ctx, `a[href*="/terminal?reference="]`)
	brSubmit(t, ctx, `form button[type=submit]`)
	require.NoError(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`.receipt`))))
	sh.take("terminal-receipt", false)
	// Back on the voucher page, "Back to the store" is the Payment Page's result.
	brSubmit(t, ctx, `.receipt a[href*="/vouchers/"]`)
	brSubmit(t, ctx, `a[href*="/payment/result/"]`)
}

// brMethods are the browser journey's rows, by method code: every
// registered method must have one (TestBrowserPaymentJourney).
var brMethods = map[string]brMethod{
	"oxxo": {
		currency: "USD", lang: "en",
		bad:        map[string]string{"customer_first_name": "Guido", "customer_email": "guido@", "identify_doc_number": "12345"},
		fields:     map[string]string{"customer_last_name": "Marques", "customer_email": "guido@example.com", "identify_doc_number": "1234567890"},
		atProvider: brPayVoucher,
		result:     "Payment successful",
		link:       true,
	},
	"loterica": {
		currency: "USD", lang: "pt",
		atProvider: brPayVoucher,
		result:     "Pagamento aprovado",
	},
	"rapipago": {
		currency: "USD", lang: "es",
		bad:        map[string]string{"customer_first_name": "Lucía", "identify_doc_number": "123456789"},
		fields:     map[string]string{"customer_last_name": "Gómez", "customer_email": "lucia@example.com", "identify_doc_number": "12345678"},
		atProvider: brPayVoucher,
		result:     "Pago realizado",
		link:       true,
	},
	"eco-voucher": {
		currency: "USD", lang: "en",
		atProvider: func(t *testing.T, ctx context.Context, s *sandbox, sh *brShots) {
			require.NoError(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`button[name=action][value=fill]`))))
			sh.take("ecovoucher", true)
			brSubmit(t, ctx, `button[name=action][value=fill]`)
			sh.take("ecovoucher-filled", false)
			brSubmit(t, ctx, `button.button--primary[name=action][value=pay]`)
		},
		result: "Payment successful",
	},
	"card-partner": {
		currency: "USD", lang: "en",
		bad:    map[string]string{"customer_phone": "12", "customer_email": "x@y"},
		fields: map[string]string{"customer_phone": "+254712345678", "customer_email": "wanjiru@example.com"},
		atProvider: func(t *testing.T, ctx context.Context, s *sandbox, sh *brShots) {
			require.NoError(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`#card_number`))))
			sh.take("checkout", true)
			require.NoError(t, chromedp.Do(ctx,
				chromedp.SetValue(chromedp.ID("card_number"), "4242 4242 4242 4242"),
				chromedp.SetValue(chromedp.ID("card_expiry"), "12/30"),
				chromedp.SetValue(chromedp.ID("card_cvc"), "123"),
				chromedp.SetValue(chromedp.ID("card_holder"), "Wanjiru Kamau"),
			))
			brSubmit(t, ctx, `button[name=action][value=pay]`)
		},
		result: "Payment successful",
	},
}

// TestBrowserPaymentJourney clicks through the Payment Page for every
// registered method: a signed link, the choice of method, the form (with
// refused values first), the provider, and the result page, checking that
// the merchant receives exactly one callback, the final one.
func TestBrowserPaymentJourney(t *testing.T) {
	t.Parallel()
	for code := range brMethods {
		if !slices.Contains(app.MethodCodes(), code) {
			t.Errorf("brMethods has a row for %s, which the sandbox does not register (app.Providers)", code)
		}
	}
	for _, code := range app.MethodCodes() {
		t.Run(code, func(t *testing.T) {
			t.Parallel()
			row, ok := brMethods[code]
			if !ok {
				t.Fatalf("method %s has no browser journey: add its row to brMethods in cmd/sandbox/browser_test.go", code)
			}
			ctx := brTab(t)
			s, m := ppSetup(t)
			ppConfirmDeposits(t, s, m)
			sh := &brShots{t: t, ctx: ctx, flow: code}
			id := "browser-" + code
			link := ppURL(s, ppParams(id, row.currency, 2500, map[string]string{
				"payment_description":  "Sandbox hoodie",
				"language_code":        row.lang,
				"merchant_success_url": s.URL + "/demo/shop?returned=success",
			}))

			// The choice of methods.
			require.NoError(t, chromedp.Do(ctx,
				chromedp.Navigate(link),
				chromedp.WaitVisible(chromedp.CSS(`input[name=method][value="`+code+`"]`)),
			))
			sh.take("methods", true)
			require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`input[name=method][value="`+code+`"]`))))
			brSubmit(t, ctx, `.pp-submit`)
			require.NoError(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`.pp-pay`))))
			sh.take("details", true)

			// Refused values first: the form says what is wrong and keeps them.
			if row.bad != nil {
				for name, v := range row.bad {
					require.NoError(t, chromedp.Do(ctx, chromedp.SetValue(chromedp.ID("f-"+name), v)))
				}
				brSubmit(t, ctx, `.pp-pay`)
				require.NoError(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`.alert--error`))))
				sh.take("details-errors", true)
				for name, v := range row.bad {
					kept, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("f-"+name)))
					require.NoError(t, err)
					assert.Equal(t, v, kept, "what the customer typed in %s is kept", name)
				}
				focused, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.id`))
				require.NoError(t, err)
				assert.True(t, strings.HasPrefix(focused, "f-"), "the first refused field has the focus, not %q", focused)
			}
			for name, v := range row.fields {
				require.NoError(t, chromedp.Do(ctx, chromedp.SetValue(chromedp.ID("f-"+name), v)))
			}

			// Pay: the page waits for the provider, then goes there, or
			// shows the link the customer follows there.
			brSubmit(t, ctx, `.pp-pay`)
			assert.Equal(t, row.link, brToProvider(t, ctx, code), "the customer follows a link to %s", code)
			row.atProvider(t, ctx, s, sh)

			// Back at the Payment Page's result.
			require.NoError(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`.pp-icon--success`))))
			assert.Contains(t, brLocation(t, ctx), "/payment/result/4242/"+id)
			assert.Equal(t, row.result, brText(t, ctx, "h1"))
			sh.take("result", true)

			// One callback, the final one.
			cb := m.next()
			verifyCallback(t, cb, ppSecret)
			assert.Equal(t, "success", path(cb, "payment", "status"))
			assert.Equal(t, id, path(cb, "payment", "id"))
			m.none()

			// "Return to the shop" goes to merchant_success_url.
			brSubmit(t, ctx, `.pp-actions a`)
			require.NoError(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`#shop-title`))))
			assert.Contains(t, brLocation(t, ctx), "/demo/shop?returned=success")
		})
	}
}

// TestBrowserErrorPages opens the error pages a developer meets and checks
// each names the problem.
func TestBrowserErrorPages(t *testing.T) {
	t.Parallel()
	ctx := brTab(t)
	s, _ := ppSetup(t)
	good := ppParams("browser-errors", "USD", 1000, map[string]string{"merchant_fail_url": "https://shop.example/cart"})
	bad := ppSign(good, ppSecret)
	bad.Set("payment_amount", "1001") // changed after signing
	used := ppParams("browser-used", "MXN", 1000, map[string]string{
		"force_payment_method": "oxxo", "customer_first_name": "A", "customer_last_name": "B",
		"customer_email": "a@example.com", "identify_doc_number": "1234567890",
	})
	status, _, page := ppGet(t, ppURL(s, used))
	require.Equal(t, http.StatusOK, status)
	status, _, _ = submit(t, s.URL+"/payment/pay", map[string][]string{"request": {ppCarried(t, page)}, "method": {"oxxo"}})
	require.Equal(t, http.StatusSeeOther, status)

	sh := &brShots{t: t, ctx: ctx, flow: "error"}
	for _, tt := range []struct {
		step, url, title string
		more             []string
	}{
		{"signature", s.URL + "/payment?" + bad.Encode(), "The signature does not match", []string{"payment_amount:1001"}},
		{"missing", ppURL(s, ppParams("browser-missing", "", 0, map[string]string{"payment_currency": "", "payment_amount": "", "customer_id": ""})),
			"Required parameters are missing", []string{"payment_amount", "payment_currency", "customer_id"}},
		{"malformed", ppURL(s, ppParams("browser-malformed", "usd$", 0, map[string]string{"payment_amount": "10.50", "merchant_success_url": "shop/ok"})),
			"A parameter has an invalid value", []string{"payment_amount", "payment_currency", "merchant_success_url"}},
		{"unknown-project", s.URL + "/payment?" + func() string {
			p := ppParams("browser-project", "USD", 1000, map[string]string{"project_id": "999"})
			return ppSign(p, ppSecret).Encode()
		}(), "Unknown project", []string{"999"}},
		{"expired", ppURL(s, ppParams("browser-expired", "USD", 1000, map[string]string{"best_before": "2026-03-01T00:00:00+00:00"})),
			"This payment link has expired", []string{"2026-03-01 00:00:00 UTC"}},
		{"used", ppURL(s, used), "This payment was already made", []string{"browser-used"}},
		{"no-method", ppURL(s, ppParams("browser-currency", "JPY", 1000, nil)), "No payment method accepts JPY", []string{"Oxxo (MXN, USD)"}},
		{"forced-zero", ppURL(s, ppParams("browser-forced", "USD", 0, map[string]string{"force_payment_method": "oxxo"})), "Oxxo does not accept 0", nil},
	} {
		require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(tt.url), chromedp.WaitVisible(chromedp.CSS(`.pp-error`))), tt.step)
		assert.Equal(t, tt.title, brText(t, ctx, "h1"), tt.step)
		body := brText(t, ctx, ".pp-error")
		for _, s := range tt.more {
			assert.Contains(t, body, s, tt.step)
		}
		sh.take(tt.step, tt.step == "signature" || tt.step == "missing")
	}
}

// brShopFrame finds, in the demo shop's page, the iframe that
// EPayWidget.runEmbedded opens.
const brShopFrame = `document.querySelector("#shop-payment iframe.epay-sandbox-frame")`

// brOpenShop serves a sandbox and opens its demo shop in a tab, until the
// widget's buttons show; flow names the screenshots of the test.
func brOpenShop(t *testing.T, flow string) (context.Context, *sandbox, *brShots) {
	t.Helper()
	ctx := brTab(t)
	s := startSandbox(t, t.TempDir())
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/demo/shop"),
		chromedp.WaitVisible(chromedp.CSS(`button[data-epay-mode=embedded]`)),
	))
	return ctx, s, &brShots{t: t, ctx: ctx, flow: flow}
}

// TestBrowserWidget: a shop written for ecommpay's widget, loading
// merchant.js from the sandbox, opens the Payment Page inside its own page
// (EPayWidget.runEmbedded) and in a new tab (EPayWidget.run with POST).
func TestBrowserWidget(t *testing.T) {
	t.Parallel()
	ctx, s, sh := brOpenShop(t, "widget")
	sh.take("shop", true)

	// In the shop's page: an iframe that grows to the Payment Page's height.
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`button[data-epay-mode=embedded]`))))
	brWaitJS(t, ctx, "the embedded Payment Page", `(function(){ var f = `+brShopFrame+`;
		var h = f && f.contentDocument && f.contentDocument.querySelector("h1");
		return !!h && h.textContent.trim() === "Choose how to pay"; })()`)
	embedded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](brShopFrame+`.contentDocument.body.classList.contains("pp-body--embedded")`))
	require.NoError(t, err)
	assert.True(t, embedded, "the embedded page knows it is framed (frame_mode=iframe)")
	brWaitJS(t, ctx, "the iframe grows to the page's height", brShopFrame+`.getBoundingClientRect().height > 600`)
	_, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`(function(){ `+brShopFrame+`.scrollIntoView(); return true; })()`))
	require.NoError(t, err)
	sh.take("embedded", false)

	// In a new tab, the parameters POSTed.
	opened := chromedp.WaitNewTarget(ctx, func(*target.Info) bool { return true })
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`button[data-epay-mode=tab]`))))
	var id target.ID
	select {
	case id = <-opened:
	case <-ctx.Done():
		t.Fatal("EPayWidget.run opened no tab")
	}
	tab, closeTab := chromedp.NewContext(ctx, chromedp.WithTargetID(id))
	defer closeTab()
	require.NoError(t, chromedp.Do(tab, chromedp.WaitVisible(chromedp.CSS(`input[name=method]`))))
	assert.Equal(t, "Choose how to pay", brText(t, tab, "h1"))
	assert.Equal(t, s.URL+"/payment", brLocation(t, tab), "the parameters were POSTed, not put in the URL")
	(&brShots{t: t, ctx: tab, flow: "widget", n: sh.n}).take("new-tab", false)
}

// TestBrowserEmbeddedCheckout: the demo shop's EPayWidget.runEmbedded
// frame takes the customer through the Payment Page to the card partner's
// checkout, which opens in the whole window, as ecommpay opens a
// provider's page, so its Pay button is not cut off by the shop's frame;
// the customer pays there and ends on the result page.
func TestBrowserEmbeddedCheckout(t *testing.T) {
	t.Parallel()
	ctx, s, sh := brOpenShop(t, "embedded-checkout")
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`button[data-epay-mode=embedded]`))))
	shop := brLocation(t, ctx)

	// inFrame runs fn(d), d the framed page's document, until it returns
	// a truthy value (the frame may be loading its next page).
	inFrame := func(what, fn string) {
		t.Helper()
		brWaitJS(t, ctx, "in the shop's frame: "+what, `(function(){ var f = `+brShopFrame+`;
			var d = f && f.contentDocument; if (!d || d.readyState !== "complete") return false;
			try { return !!(`+fn+`)(d); } catch (e) { return false; } })()`)
	}
	inFrame("choose the card partner", `function(d){
		var m = d.querySelector('input[name=method][value="card-partner"]'); if (!m) return false;
		m.click(); d.querySelector(".pp-submit").click(); return true; }`)
	inFrame("fill in phone and email, and pay", `function(d){
		var phone = d.getElementById("f-customer_phone"); if (!phone) return false;
		phone.value = "+254712345678"; d.getElementById("f-customer_email").value = "wanjiru@example.com";
		d.querySelector(".pp-pay").click(); return true; }`)
	sh.take("paying-in-frame", false)

	// The checkout opens in the whole window, not in the frame.
	brWaitJS(t, ctx, "the checkout opens in the window", `location.pathname.startsWith("/providers/card-partner/")`)
	brWaitLoaded(t, ctx, "the checkout")
	framed, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.top !== window`))
	require.NoError(t, err)
	assert.False(t, framed, "the checkout is the window's page")
	require.NoError(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`button[name=action][value=pay]`))))
	sh.take("checkout", true)
	brMethods["card-partner"].atProvider(t, ctx, s, sh)

	require.NoError(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`.pp-icon--success`))))
	assert.Contains(t, brLocation(t, ctx), "/payment/result/1/")
	assert.Equal(t, "Payment successful", brText(t, ctx, "h1"))
	sh.take("result", false)
	brSubmit(t, ctx, `.pp-actions a`)
	assert.Contains(t, brLocation(t, ctx), strings.Split(shop, "?")[0], "back at the shop")
}

// TestBrowserSpanishVoucher: a customer who opens the Payment Page in
// Spanish (language_code=es) reaches an Oxxo voucher in Spanish, its
// moments in Mexico's time, and prints it with the instructions and
// without the sandbox's panel.
func TestBrowserSpanishVoucher(t *testing.T) {
	t.Parallel()
	ctx := brTab(t)
	s, _ := ppSetup(t)
	sh := &brShots{t: t, ctx: ctx, flow: "voucher-es"}
	link := ppURL(s, ppParams("browser-es", "MXN", 125000, map[string]string{
		"language_code": "es", "force_payment_method": "oxxo", "payment_description": "Sudadera del sandbox",
		"customer_first_name": "Lucía", "customer_last_name": "Gómez", "customer_email": "lucia@example.com",
	}))
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("f-identify_doc_number"))))
	assert.Equal(t, "Saltar al contenido", brText(t, ctx, ".skip-link"))
	require.NoError(t, chromedp.Do(ctx, chromedp.SetValue(chromedp.ID("f-identify_doc_number"), "1234567890")))
	brSubmit(t, ctx, `.pp-pay`)
	require.True(t, brToProvider(t, ctx, "the voucher"), "the page links the voucher")
	assert.Contains(t, brLocation(t, ctx), "/providers/oxxo/vouchers/")
	require.NoError(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`img.barcode`))))
	sh.take("voucher", true)

	lang, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang`))
	require.NoError(t, err)
	assert.Equal(t, "es", lang)
	assert.Equal(t, "Saltar al contenido", brText(t, ctx, ".skip-link"))
	assert.Equal(t, "Pendiente de pago", brText(t, ctx, ".voucher__head .pill"))
	assert.Equal(t, "Importe a pagar:\nMX$1,250.00", brText(t, ctx, "#voucher-title"), "the amount, its currency once")
	facts := brText(t, ctx, ".voucher .facts")
	assert.Contains(t, facts, "Paga en cualquier tienda OXXO antes del")
	assert.Contains(t, facts, "UTC-6", "Mexico's time")
	assert.Equal(t, "Cómo pagar", brText(t, ctx, "#how-title"))
	assert.Contains(t, brText(t, ctx, ".card--sandbox"), "UTC, on the sandbox clock", "the sandbox's panel keeps the sandbox clock's time")
	assert.Contains(t, brText(t, ctx, ".site-footer"), "sandbox de ecommpay")

	// Printed: the voucher and how to pay it, not the sandbox's panel nor the buttons.
	_, err = chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
	require.NoError(t, err)
	shown := func(sel string) bool {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`getComputedStyle(document.querySelector(`+"`"+sel+"`"+`)).display !== "none"`))
		require.NoError(t, err)
		return v
	}
	assert.True(t, shown(".voucher-how"), "the instructions print")
	assert.True(t, shown("img.barcode"), "the barcode prints")
	assert.False(t, shown(".card--sandbox"), "the sandbox's panel does not print")
	assert.False(t, shown(".voucher-how .actions"), "the buttons do not print")
	sh.take("print", false)
	_, err = chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{})
	require.NoError(t, err)
}

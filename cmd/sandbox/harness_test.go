package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/app"
	"github.com/ecommpay-sandbox/sandbox/internal/testparallel"
	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/signature"
)

// asSandbox, in the environment of this test binary, makes it the sandbox
// command itself: TestMain runs main instead of the tests. The tests that
// run the sandbox as a process of its own start this binary with it, so
// they need no binary built for them.
const asSandbox = "SANDBOX_TEST_AS_SANDBOX=1"

// sandboxBinary returns the path of a program that is the sandbox command
// when asSandbox is in its environment: this test binary.
func sandboxBinary(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	return exe
}

// sandboxCommand is sandboxBinary run as the sandbox command with args.
func sandboxCommand(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(sandboxBinary(t), args...)
	// The environment's flags of serve (ECOMMPAY_SANDBOX_…) are the
	// developer's, not the test's: left out.
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, envPrefix) })
	cmd.Env = append(env, asSandbox)
	return cmd
}

// TestMain runs this binary as the sandbox command when asSandbox is in
// its environment. Otherwise it runs the tests, more at a time than there
// are CPUs unless -test.parallel says how many: each end-to-end test serves
// its own sandbox and mostly waits (for callbacks, the browser, a process),
// so the waits overlap.
func TestMain(m *testing.M) {
	if slices.Contains(os.Environ(), asSandbox) {
		main()
	}
	// A binary built with -race sleeps a second when it exits, to catch
	// races at exit (GORACE's atexit_sleep_ms). The sandbox processes the
	// tests start are this binary: they inherit the setting and end at once.
	_ = os.Setenv("GORACE", strings.TrimSpace("atexit_sleep_ms=0 "+os.Getenv("GORACE")))
	flag.Parse()
	if err := testparallel.ForWaitingTests(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	os.Exit(m.Run())
}

// frozenAt is the moment every test sandbox starts at, frozen.
var frozenAt = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// sandbox is a real sandbox serving on 127.0.0.1:0 for one test.
type sandbox struct {
	t    *testing.T
	URL  string
	app  *app.Sandbox
	opts serveOptions
	stop func()
}

// startSandbox serves a sandbox with a frozen clock and seeded IDs in dir.
func startSandbox(t *testing.T, dir string, mutate ...func(*serveOptions)) *sandbox {
	t.Helper()
	o := serveOptions{Data: dir, Seed: 42, Freeze: frozenAt.Format(time.RFC3339), LogFormat: "text", LogLevel: "error"}
	for _, m := range mutate {
		m(&o)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := "http://" + ln.Addr().String()
	if o.PublicURL == "" {
		o.PublicURL = addr
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithCancel(context.Background())
	a, err := newApp(ctx, o, log, time.Now)
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, ln, nil) }()
	s := &sandbox{t: t, URL: addr, app: a, opts: o}
	var once sync.Once
	s.stop = func() {
		once.Do(func() {
			cancel()
			require.NoError(t, <-done)
			require.NoError(t, a.Close())
		})
	}
	t.Cleanup(s.stop)
	return s
}

// restart stops the sandbox and serves the same data again.
func (s *sandbox) restart() *sandbox {
	s.stop()
	return startSandbox(s.t, s.opts.Data, func(o *serveOptions) { *o = s.opts; o.PublicURL = "" })
}

// do sends a JSON request and decodes a JSON answer into out (when not nil).
func (s *sandbox) do(method, path string, in, out any) int {
	s.t.Helper()
	var body io.Reader
	if in != nil {
		switch v := in.(type) {
		case []byte:
			body = bytes.NewReader(v)
		case string:
			body = bytes.NewReader([]byte(v))
		default:
			b, err := json.Marshal(v)
			require.NoError(s.t, err)
			body = bytes.NewReader(b)
		}
	}
	req, err := http.NewRequest(method, s.URL+path, body)
	require.NoError(s.t, err)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	require.NoError(s.t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(s.t, err)
	if out != nil {
		require.NoError(s.t, json.Unmarshal(raw, out), "answer of %s %s: %s", method, path, raw)
	}
	return res.StatusCode
}

// signed returns body with general.signature set for secret.
func signed(body map[string]any, secret string) map[string]any {
	b, _ := json.Marshal(body)
	data, _ := signature.Decode(b)
	sig := signature.Sign(data, secret)
	general, _ := body["general"].(map[string]any)
	if general == nil {
		general = map[string]any{}
		body["general"] = general
	}
	general["signature"] = sig
	return body
}

// merchant is a stub of a merchant's server: it records every callback and
// answers with the statuses it is told, then 200.
type merchant struct {
	t      *testing.T
	srv    *httptest.Server
	mu     sync.Mutex
	got    []map[string]any
	raw    [][]byte
	answer []int
	ch     chan map[string]any
}

func newMerchant(t *testing.T) *merchant {
	m := &merchant{t: t, ch: make(chan map[string]any, 100)}
	m.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		m.mu.Lock()
		status := http.StatusOK
		if len(m.answer) > 0 {
			status, m.answer = m.answer[0], m.answer[1:]
		}
		var body map[string]any
		_ = json.Unmarshal(raw, &body)
		if status == http.StatusOK {
			m.got = append(m.got, body)
			m.raw = append(m.raw, raw)
		}
		m.mu.Unlock()
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"ok":true}`))
		if status == http.StatusOK {
			m.ch <- body
		}
	}))
	t.Cleanup(m.srv.Close)
	return m
}

// failNext makes the merchant answer these statuses first.
func (m *merchant) failNext(statuses ...int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.answer = append(m.answer, statuses...)
}

// waitBound bounds how long a test waits for what must happen soon (a
// callback, a condition): only a broken sandbox reaches it, so it is
// generous, for a loaded machine running many tests at a time.
const waitBound = 20 * time.Second

// next waits for the next delivered callback.
func (m *merchant) next() map[string]any {
	m.t.Helper()
	select {
	case b := <-m.ch:
		return b
	case <-time.After(waitBound):
		m.t.Fatalf("no callback reached the merchant within %s", waitBound)
		return nil
	}
}

// none checks that no callback arrives for a short while.
func (m *merchant) none() {
	m.t.Helper()
	select {
	case b := <-m.ch:
		m.t.Fatalf("unexpected callback: %v", b)
	case <-time.After(200 * time.Millisecond):
	}
}

// verifyCallback checks a callback's signature with secret.
func verifyCallback(t *testing.T, body map[string]any, secret string) {
	t.Helper()
	b, err := json.Marshal(body)
	require.NoError(t, err)
	data, err := signature.Decode(b)
	require.NoError(t, err)
	sig, _ := body["signature"].(string)
	require.NoError(t, signature.Verify(data, sig, secret))
}

// path reads a nested value of a decoded JSON object, "a.b.c".
func path(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

var errTimeout = errors.New("timed out")

// eventually polls cond every 10ms for up to waitBound.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitBound)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s: %v", what, errTimeout)
}

// projectFor is a project whose callbacks go nowhere.
func projectFor(id int64, secret string) platform.Project {
	return platform.Project{ID: id, Secret: secret}
}

// waitDelivered waits until n callbacks of a payment are recorded as
// delivered: the merchant may see a callback before its attempt is stored.
func waitDelivered(t *testing.T, s *sandbox, paymentID string, n int) {
	t.Helper()
	eventually(t, "callbacks of "+paymentID+" recorded as delivered", func() bool {
		var ds struct {
			Deliveries []struct {
				Status string `json:"status"`
			} `json:"deliveries"`
		}
		s.do("GET", "/sandbox/deliveries?payment_id="+paymentID, nil, &ds)
		got := 0
		for _, d := range ds.Deliveries {
			if d.Status == "delivered" {
				got++
			}
		}
		return got >= n
	})
}

// noRedirect is a client that shows redirects instead of following them,
// as a test of a page flow needs.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// submit POSTs a form to u without following a redirect and returns the
// status, the Location and the body.
func submit(t *testing.T, u string, form url.Values) (int, string, string) {
	t.Helper()
	res, err := noRedirect.PostForm(u, form)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, res.Header.Get("Location"), string(b)
}

// setAmount sets a Gate sale body's payment amount and currency.
func setAmount(amount int64, currency string) func(map[string]any) {
	return func(b map[string]any) {
		b["payment"].(map[string]any)["amount"] = amount
		b["payment"].(map[string]any)["currency"] = currency
	}
}

// saleRedirect sends a signed Gate sale for the test project and returns
// its redirect callback, checked.
func saleRedirect(t *testing.T, s *sandbox, m *merchant, gatePath string, body map[string]any) map[string]any {
	t.Helper()
	id, _ := path(body, "general", "payment_id").(string)
	var ans gateAnswer
	require.Equal(t, http.StatusOK, s.do("POST", gatePath, signed(body, testSecret), &ans), "%+v", ans)
	cb := m.next()
	verifyCallback(t, cb, testSecret)
	require.Equal(t, id, path(cb, "payment", "id"))
	require.Equal(t, "awaiting redirect result", path(cb, "payment", "status"), "%v", cb)
	return cb
}

// Helpers of the voucher methods (Oxxo, Lotérica, Rapipago).

// voucherRefOf returns the voucher reference of a redirect callback.
func voucherRefOf(cb map[string]any) string {
	u, _ := path(cb, "redirect_data", "url").(string)
	return u[strings.LastIndex(u, "/")+1:]
}

// followRedirect sends the customer where a redirect callback says, as a
// merchant does: redirect_data.method to redirect_data.url with
// redirect_data.body, posted as JSON (as) "json" or as a form "form" (an
// HTML page that auto-submits it). It returns the status and the page's
// text with whitespace folded.
func followRedirect(t *testing.T, cb map[string]any, as string) (int, string) {
	t.Helper()
	u, _ := path(cb, "redirect_data", "url").(string)
	method, _ := path(cb, "redirect_data", "method").(string)
	require.NotEmpty(t, u)
	var req *http.Request
	var err error
	switch method {
	case http.MethodGet:
		req, err = http.NewRequest(http.MethodGet, u, nil)
	case http.MethodPost:
		body, _ := path(cb, "redirect_data", "body").(map[string]any)
		if as == "form" {
			form := url.Values{}
			for k, v := range body {
				form.Set(k, jsonText(v))
			}
			req, err = http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		} else {
			raw, _ := json.Marshal(body)
			req, err = http.NewRequest(http.MethodPost, u, bytes.NewReader(raw))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/json")
		}
	default:
		t.Fatalf("redirect_data.method %q", method)
	}
	require.NoError(t, err)
	return pageText(t, req)
}

// jsonText writes a decoded JSON scalar as a form field carries it:
// strings verbatim, numbers as integers when they are.
func jsonText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// getPageText GETs a page and returns its status and text.
func getPageText(t *testing.T, u string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	require.NoError(t, err)
	return pageText(t, req)
}

func pageText(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, strings.Join(strings.Fields(string(raw)), " ")
}

// voucherPay pays a voucher at method's sandbox terminal, as a cashier
// ("terminal") or a bank teller ("bank") would.
func voucherPay(t *testing.T, s *sandbox, method, ref, channel string) int {
	t.Helper()
	res, err := http.PostForm(s.URL+"/providers/"+method+"/terminal", url.Values{"reference": {ref}, "channel": {channel}})
	require.NoError(t, err)
	res.Body.Close()
	return res.StatusCode
}

// voucherAct runs a control API action (pay, fail, expire) on a payment of
// the test project and returns the callback it leads to.
func voucherAct(t *testing.T, s *sandbox, m *merchant, id, action string, body any) map[string]any {
	t.Helper()
	var ans map[string]any
	status := s.do("POST", fmt.Sprintf("/sandbox/payments/%d/%s/%s", testProject, id, action), body, &ans)
	require.Equal(t, http.StatusOK, status, "%v", ans)
	cb := m.next()
	verifyCallback(t, cb, testSecret)
	require.Equal(t, id, path(cb, "payment", "id"))
	return cb
}

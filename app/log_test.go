package app_test

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/app"
	"github.com/ecommpay-sandbox/sandbox/internal/testlog"
)

// TestA500IsLoggedOnce replays the probe's 500s, logged twice in two
// formats: each request is one slog line, and a failure joins that line at
// level ERROR, whether a handler logs it, returns it or panics, on every
// surface: the Gate, the Payment Page, the control API and the dashboard.
func TestA500IsLoggedOnce(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	e, ok := r.sb.Handler.(*echo.Echo)
	require.True(t, ok, "the sandbox's handler is echo")
	e.GET("/test/panic", func(echo.Context) error { panic("the test handler panics") })
	e.GET("/test/error", func(echo.Context) error { return assert.AnError })

	const closedStore = "database not open" // bbolt's error for a closed store
	tests := []struct {
		name, method, path, body string
		status                   int
		says                     string // what a 500's answer says failed
		want                     []string
	}{
		{"a request that succeeds", "GET", "/sandbox/clock", "", 200, "", []string{"level=INFO", "status=200", "uri=/sandbox/clock"}},
		{"a 4xx", "GET", "/sandbox/payments/1/none", "", 404, "", []string{"level=INFO", "status=404"}},
		{"a handler that panics", "GET", "/test/panic", "", 500, "the test handler panics", []string{"level=ERROR", "status=500", `err="panic: the test handler panics"`, "stack=", "goroutine"}},
		{"a handler that returns an error", "GET", "/test/error", "", 500, assert.AnError.Error(), []string{"level=ERROR", "status=500", "err=\"" + assert.AnError.Error()}},
		// From here on the store is closed, so every call that reads it fails.
		{"the control API fails", "GET", "/sandbox/projects", "", 500, closedStore, []string{"level=ERROR", "status=500", `err="the control API failed: path=/sandbox/projects err=`}},
		{"the dashboard fails", "GET", "/dashboard", "", 500, closedStore, []string{"level=ERROR", "status=500", `err="the control API failed: path=/dashboard err=`}},
		{"the Gate fails", "POST", "/v2/payment/status", `{"general":{"project_id":842,"payment_id":"x","signature":"s"}}`, 500, closedStore,
			[]string{"level=ERROR", "status=500", `err="the Gate failed: path=/v2/payment/status err=`}},
		{"the Payment Page fails", "GET", "/payment?project_id=842&payment_id=x&payment_amount=100&payment_currency=MXN&customer_id=c&signature=s", "", 500, closedStore,
			[]string{"level=ERROR", "status=500", `err="the Payment Page failed: path=/payment err=`}},
	}
	closed := false
	for _, tt := range tests {
		if !closed && tt.name == "the control API fails" {
			require.NoError(t, r.sb.Store.Close())
			closed = true
		}
		before := len(r.log.Lines())
		rec := r.do(request{method: tt.method, path: tt.path, body: tt.body})
		assert.Equal(t, tt.status, rec.Code, tt.name)
		lines := r.log.Lines()[before:]
		require.Len(t, lines, 1, "%s: one line per request:\n%s", tt.name, strings.Join(lines, "\n"))
		for _, w := range tt.want {
			assert.Contains(t, lines[0], w, tt.name)
		}
		if tt.status == http.StatusInternalServerError {
			assert.Contains(t, rec.Body.String(), tt.says, "%s: the answer says what failed", tt.name)
		}
	}
}

// TestHealthChecksAreLoggedAtDebug: a container manager or a load balancer
// asks GET /sandbox/health every few seconds, which at INFO would bury what
// the host reads: it is logged at DEBUG.
func TestHealthChecksAreLoggedAtDebug(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.get("/sandbox/health")
	assert.Empty(t, r.log.Lines(), "a health check is no line at INFO")

	var debug testlog.Buffer
	d := newRig(t, func(o *app.Options) {
		o.Log = slog.New(slog.NewTextHandler(&debug, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	d.get("/sandbox/health")
	lines := debug.Lines()
	require.Len(t, lines, 1, "at DEBUG it is logged")
	assert.Contains(t, lines[0], "level=DEBUG")
	assert.Contains(t, lines[0], "uri=/sandbox/health")
}

// TestEchoLogsThroughSlog checks that echo's own logger writes to the
// sandbox's logger, in its format.
func TestEchoLogsThroughSlog(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	e := r.sb.Handler.(*echo.Echo)
	e.Logger.Errorf("echo says %d", 42)
	lines := r.log.Lines()
	require.Len(t, lines, 1)
	assert.Contains(t, lines[0], "level=ERROR")
	assert.Contains(t, lines[0], `msg="echo says 42"`)
}

// TestUnknownPathsAnswerJSON checks the answer for what no route serves:
// JSON to a program (one that asks for JSON, or curl's */*), a page to a
// browser.
func TestUnknownPathsAnswerJSON(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	for _, accept := range []string{"application/json", "*/*", ""} {
		rec := r.do(request{method: "GET", path: "/nothing/here", header: map[string]string{"Accept": accept}})
		assert.Equal(t, http.StatusNotFound, rec.Code, accept)
		assert.Contains(t, errorOf(t, rec), "GET /nothing/here is not an endpoint of the sandbox", accept)
	}
	rec := r.do(request{method: "GET", path: "/nothing/here", header: map[string]string{"Accept": "text/html,*/*;q=0.8"}})
	assert.Equal(t, http.StatusNotFound, rec.Code)
	assert.Contains(t, rec.Header().Get("Content-Type"), "text/html")
	assert.Contains(t, rec.Body.String(), "There is no page here")
}

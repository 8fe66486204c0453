package app_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/app"
	"github.com/ecommpay-sandbox/sandbox/internal/testlog"
	"github.com/ecommpay-sandbox/sandbox/platform"
)

// publicURL is where the test sandboxes say they are reached.
const publicURL = "http://127.0.0.1:8080"

// rig is a whole sandbox served through its real handler, without a
// network, with its log in a buffer.
type rig struct {
	t   *testing.T
	sb  *app.Sandbox
	log *testlog.Buffer
}

func newRig(t *testing.T, mutate ...func(*app.Options)) *rig {
	t.Helper()
	buf := &testlog.Buffer{}
	o := app.Options{
		DataFile:  filepath.Join(t.TempDir(), "sandbox.db"),
		PublicURL: publicURL,
		Seed:      1,
		Clock:     platform.ClockState{Frozen: true, FrozenAt: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)},
		Log:       slog.New(slog.NewTextHandler(buf, nil)),
	}
	for _, m := range mutate {
		m(&o)
	}
	sb, err := app.New(context.Background(), o)
	require.NoError(t, err)
	t.Cleanup(func() { _ = sb.Close() })
	return &rig{t: t, sb: sb, log: buf}
}

// request is one request a test sends: the Host defaults to the public
// URL's, and headers are set as given.
type request struct {
	method, path string
	host         string
	header       map[string]string
	body         string
}

// do serves req and returns the answer.
func (r *rig) do(req request) *httptest.ResponseRecorder {
	r.t.Helper()
	hr := httptest.NewRequest(req.method, req.path, strings.NewReader(req.body))
	hr.Host = "127.0.0.1:8080"
	if req.host != "" {
		hr.Host = req.host
	}
	for k, v := range req.header {
		hr.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	r.sb.Handler.ServeHTTP(rec, hr)
	return rec
}

// get GETs path as a tool would.
func (r *rig) get(path string) *httptest.ResponseRecorder {
	return r.do(request{method: http.MethodGet, path: path})
}

// secretOf returns the secret of a project as the control API lists it.
func (r *rig) secretOf(id int64) string {
	r.t.Helper()
	rec := r.get("/sandbox/projects")
	require.Equal(r.t, http.StatusOK, rec.Code, rec.Body.String())
	var ps struct{ Projects []platform.Project }
	require.NoError(r.t, json.Unmarshal(rec.Body.Bytes(), &ps))
	for _, p := range ps.Projects {
		if p.ID == id {
			return p.Secret
		}
	}
	return ""
}

// frozen reports whether the sandbox clock is frozen.
func (r *rig) frozen() bool {
	r.t.Helper()
	var c struct{ Frozen bool }
	require.NoError(r.t, json.Unmarshal(r.get("/sandbox/clock").Body.Bytes(), &c))
	return c.Frozen
}

var formTokenRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// formToken returns the token the dashboard's forms carry.
func (r *rig) formToken() string {
	r.t.Helper()
	rec := r.get("/dashboard")
	require.Equal(r.t, http.StatusOK, rec.Code)
	m := formTokenRE.FindStringSubmatch(rec.Body.String())
	require.NotNil(r.t, m, "the dashboard's forms carry a csrf_token")
	return m[1]
}

// errorOf returns the "error" of a JSON answer.
func errorOf(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	var body struct{ Error string }
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body), rec.Body.String())
	return body.Error
}

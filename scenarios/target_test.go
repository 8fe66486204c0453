package scenarios_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/sandboxtest"
	"github.com/ecommpay-sandbox/sandbox/scenarios"
)

// TestFailureAgainstARunningSandboxSaysWhereToLook: a file that fails
// against a running sandbox says where its payments are there (their IDs
// carry the run's suffix) and which of its sandbox settings a running
// sandbox does not take.
func TestFailureAgainstARunningSandboxSaysWhereToLook(t *testing.T) {
	t.Parallel()
	host := sandboxtest.New(t)
	file := filepath.Join(t.TempDir(), "held.yaml")
	require.NoError(t, os.WriteFile(file, []byte(`name: a merchant that holds its answers
sandbox: {seed: 7, callback_timeout: 300ms}
steps:
  - gate: {sale: oxxo, payment_id: o-1}
  - gate: {sale: oxxo, payment_id: o-2}
  - callback: {payment: o-1}
    expect:
      body: {payment: {status: success}}
`), 0o644))
	rep, out := run(t, &scenarios.Runner{Target: host.URL()}, file)
	require.Equal(t, 1, rep.Failed, out)
	assert.Contains(t, out, `payment.status: want "success" (a string), got "awaiting redirect result"`, "what differs reads as in-process")
	assert.Regexp(t, `against `+regexp.QuoteMeta(host.URL())+` the file's payment IDs end in (-r[0-9a-f]{8}); on its dashboard:`, out)
	suffix := regexp.MustCompile(`end in (-r[0-9a-f]{8})`).FindStringSubmatch(out)[1]
	assert.Contains(t, out, "\n          o-1  "+host.URL()+"/dashboard?q=o-1"+suffix+"\n")
	assert.Contains(t, out, "\n          o-2  "+host.URL()+"/dashboard?q=o-2"+suffix+"\n")
	assert.NotContains(t, out, "cannot reach the merchant", "it reached it")
	assert.Contains(t, out, "a running sandbox does not take the file's sandbox.seed 7 (IDs and voucher numbers are the running sandbox's: capture them), "+
		"nor its sandbox.callback_timeout 300ms (the sandbox waits its own: sandbox serve --callback-timeout)")
	res, err := host.Do(context.Background(), http.MethodGet, "/dashboard?q=o-1"+suffix, nil)
	require.NoError(t, err)
	assert.Contains(t, string(res.Body), "o-1"+suffix, "the link finds the payment")
}

// TestTargetThatIsNoSandbox: a run against a URL where no sandbox answers
// fails once, before any file, saying what to do, rather than once a file.
func TestTargetThatIsNoSandbox(t *testing.T) {
	t.Parallel()
	other := httptest.NewServer(http.NotFoundHandler())
	defer other.Close()
	// Port 1 is privileged: no test's listener on 127.0.0.1:0 gets it, as
	// one could get the port of a server closed here.
	const gone = "http://127.0.0.1:1"
	tests := []struct {
		target, want string
	}{
		{"127.0.0.1:8080", `the target "127.0.0.1:8080" is not the URL of a sandbox: write it as http://HOST:PORT, such as http://127.0.0.1:8080`},
		{gone, "no sandbox answers at " + gone + " (dial tcp 127.0.0.1:1: connect: connection refused): start one (sandbox serve) or give the URL it listens on"},
		{other.URL, other.URL + " is not a sandbox: GET /sandbox/clock answered 404; give the sandbox's base URL, such as http://127.0.0.1:8080"},
	}
	for _, tt := range tests {
		r := &scenarios.Runner{Target: tt.target}
		rep, err := r.Run(context.Background(), []string{"oxxo-gate-terminal.yaml", "pp-oxxo.yaml"})
		require.Error(t, err, tt.target)
		assert.Contains(t, err.Error(), tt.want)
		assert.Nil(t, rep)
	}
}

// TestTargetClockSideBySide: files run side by side (Jobs above 1) cannot
// each have the clock from their start, so the runner leaves it alone.
func TestTargetClockSideBySide(t *testing.T) {
	t.Parallel()
	at := time.Date(2030, 3, 1, 8, 0, 0, 0, time.UTC)
	host := sandboxtest.New(t, sandboxtest.WithTime(at))
	file := filepath.Join(t.TempDir(), "now.yaml")
	require.NoError(t, os.WriteFile(file, []byte(`name: where the clock stands
steps:
  - clock: {advance: 0s}
    expect:
      body: {now: "2030-03-01T08:00:00Z", frozen: true}
`), 0o644))
	rep, out := run(t, &scenarios.Runner{Target: host.URL(), Jobs: 2}, file)
	assert.Equal(t, 1, rep.Passed, out)
	rep, out = run(t, &scenarios.Runner{Target: host.URL()}, file)
	assert.Equal(t, 1, rep.Failed, "one at a time, the file starts at its start:\n%s", out)
	assert.Contains(t, out, `now: want "2030-03-01T08:00:00Z" (a string), got "2026-01-05T09:00:00Z" (a string)`)
}

// TestTargetOutOfTimeSaysWhatCostsTime: against a running sandbox, a file
// whose merchant holds its answers waits the sandbox's own callback
// timeout; out of time, the failure says how to shorten it there.
func TestTargetOutOfTimeSaysWhatCostsTime(t *testing.T) {
	t.Parallel()
	host := sandboxtest.New(t) // waits 10 s for an answer
	file := filepath.Join(t.TempDir(), "silent.yaml")
	require.NoError(t, os.WriteFile(file, []byte(`name: a merchant that never answers
sandbox: {callback_timeout: 300ms}
merchant:
  callbacks: {silent: true}
steps:
  - gate: {sale: oxxo, payment_id: a}
  - callback: {payment: a, within: 1h}
`), 0o644))
	// Room for a busy machine under -race to put the project, set the clock
	// and send the sale first (3 s was not, at a load of 10 on two cores),
	// and still less than the 10 s the callback step waits.
	rep, out := run(t, &scenarios.Runner{Target: host.URL(), Timeout: 5 * time.Second}, file)
	require.Equal(t, 1, rep.Failed, out)
	assert.Contains(t, out, "step 2 (callback) at "+file+":7")
	assert.Contains(t, out, "the scenario ran out of time: it may run for 5s of wall time (sandbox test --timeout). "+
		"Every callback or check_deposit the merchant holds (silent, a delay) costs the running sandbox's own callback timeout of wall time, "+
		"whatever sandbox.callback_timeout says: start it with a short one, such as sandbox serve --callback-timeout 5s")
	assert.Contains(t, out, "a running sandbox does not take the file's sandbox.callback_timeout 300ms")
	assert.NotContains(t, out, "set sandbox.callback_timeout short")
}

// TestAClockStepWaitsForItsOwnProjectOnly: on a running sandbox where
// another project's merchant does not answer a callback, a file of one
// project moves the clock without waiting for that merchant.
func TestAClockStepWaitsForItsOwnProjectOnly(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(hung.Close)
	host := sandboxtest.New(t, sandboxtest.WithCallbackTimeout(time.Minute))
	t.Cleanup(func() { close(release) }) // before the host stops, which waits for its callbacks
	ctx := context.Background()
	other, err := host.PutProject(ctx, sandboxtest.Project{ID: 77, Secret: "s77", CallbackURL: hung.URL + "/callbacks"})
	require.NoError(t, err)
	res, err := host.Gate(ctx, other.ID, "/v2/payment/voucher/oxxo/sale", map[string]any{
		"general":  map[string]any{"project_id": other.ID, "payment_id": "held-1"},
		"payment":  map[string]any{"amount": 10000, "currency": "MXN", "description": "Order held-1"},
		"customer": map[string]any{"id": "c-1", "ip_address": "66.249.64.45", "email": "paul@example.com", "first_name": "Paul", "last_name": "Marques", "identify": map[string]any{"doc_number": "84887177100"}},
	})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)

	file := filepath.Join(t.TempDir(), "clock.yaml")
	require.NoError(t, os.WriteFile(file, []byte(`name: a file of one project moves the clock
steps:
  - gate: {sale: oxxo, payment_id: o-1}
  - clock: {advance: 1h}
  - clock: {set: "2026-03-05T00:00:00Z"}
`), 0o644))
	// Held for the callback timeout, a minute, the file would fail at its
	// own timeout.
	rep, out := run(t, &scenarios.Runner{Target: host.URL(), Timeout: 20 * time.Second}, file)
	assert.Equal(t, 1, rep.Passed, "the other project's merchant held the file's clock steps:\n%s", out)
}

// TestFilesSideBySideAgainstARunningSandboxDoNotShareAProject: with
// --jobs above 1 against a running sandbox, a file that puts a project
// another running file put waits for it to end, as each sends the
// project's callbacks to its own merchant. The first file is held at a slow page of another site while
// the second would put project 842 under it.
func TestFilesSideBySideAgainstARunningSandboxDoNotShareAProject(t *testing.T) {
	t.Parallel()
	host := sandboxtest.New(t)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(300 * time.Millisecond)
		_, _ = w.Write([]byte("<html><body>slow</body></html>"))
	}))
	t.Cleanup(slow.Close)
	dir := t.TempDir()
	files := map[string]string{
		"a.yaml": "name: first\nsteps:\n  - page: {get: '" + slow.URL + "/'}\n  - gate: {sale: oxxo, payment_id: a-1}\n  - callback: {payment: a-1}\n",
		"b.yaml": "name: second, same project\nsteps:\n  - gate: {sale: oxxo, payment_id: b-1}\n  - callback: {payment: b-1}\n",
		"c.yaml": "name: third, another project\nprojects: [{id: 9001, secret: s}]\nsteps:\n  - gate: {sale: oxxo, payment_id: c-1}\n  - callback: {payment: c-1}\n",
	}
	var paths []string
	for _, name := range []string{"a.yaml", "b.yaml", "c.yaml"} {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(files[name]), 0o600))
		paths = append(paths, path)
	}
	rep, out := run(t, &scenarios.Runner{Target: host.URL(), Jobs: 3}, paths...)
	assert.Equal(t, 3, rep.Passed, "the first file's callbacks went to its own merchant:\n%s", out)
}

// TestAPaymentABodyNamesGetsTheRunsSuffix: a gate step by path names its
// payment in the body's general.payment_id; against a running sandbox that
// payment gets the run's suffix as one named by payment_id does, so the
// file passes both ways.
func TestAPaymentABodyNamesGetsTheRunsSuffix(t *testing.T) {
	t.Parallel()
	host := sandboxtest.New(t)
	file := filepath.Join(t.TempDir(), "path.yaml")
	require.NoError(t, os.WriteFile(file, []byte(`name: a status request by path
steps:
  - gate: {sale: oxxo, payment_id: o-1}
  - gate:
      path: /v2/payment/status
      body: {general: {payment_id: o-1}}
    expect:
      body: {payment: {id: o-1, status: awaiting redirect result}}
`), 0o600))
	rep, out := run(t, &scenarios.Runner{}, file)
	assert.Equal(t, 1, rep.Passed, out)
	rep, out = run(t, &scenarios.Runner{Target: host.URL()}, file)
	assert.Equal(t, 1, rep.Passed, out)
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/internal/testlog"
	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/bolt"
)

// The mistakes a newcomer makes in the first hour, and what the sandbox
// says: what is wrong and how to fix it, never a bare parse error.

func TestNewcomerMistakes(t *testing.T) {
	t.Parallel()
	dbFile := filepath.Join(t.TempDir(), "sandbox.db")
	require.NoError(t, os.WriteFile(dbFile, nil, 0o644))
	tests := []struct {
		name   string
		args   []string
		stdin  string
		code   int    // the process's exit code
		stderr string // what main says, the error included
		stdout string
		not    string // what stderr must not say, when not ""
	}{
		{name: "a port without its host", args: []string{"serve", "--addr", "8080"}, code: 1,
			stderr: `sandbox: --addr "8080": write a host and a port, such as 127.0.0.1:8080`},
		{name: "a host without its port", args: []string{"serve", "--addr", "localhost"}, code: 1,
			stderr: `sandbox: --addr "localhost": write a host and a port`},
		{name: "a URL given as an allowed host", args: []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--allowed-hosts", "http://myhost"}, code: 1,
			stderr: `sandbox: --allowed-hosts "http://myhost" is not a host name: write a name such as sandbox.test, without scheme or path`},
		{name: "a public URL without its scheme", args: []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--public-url", "localhost:8080"}, code: 1,
			stderr: `sandbox: --public-url "localhost:8080" is not an absolute http(s) URL: write it like http://127.0.0.1:8080`},
		{name: "serve given the data file, not its folder", args: []string{"serve", "--addr", "127.0.0.1:0", "--data", dbFile}, code: 1,
			stderr: "sandbox: --data " + dbFile + " is a file: --data names the folder the data file (sandbox.db) is in, such as --data " + filepath.Dir(dbFile)},
		{name: "check given the data file", args: []string{"check", "--data", dbFile}, code: 1, stderr: "sandbox: check: --data " + dbFile + " is a file"},
		{name: "backup given the data file", args: []string{"backup", "--data", dbFile, filepath.Join(t.TempDir(), "copy.db")}, code: 1,
			stderr: "sandbox: backup: --data " + dbFile + " is a file"},
		{name: "a duration without its unit", args: []string{"serve", "--callback-timeout", "10"}, code: 2,
			stderr: `invalid value "10" for flag -callback-timeout: write a duration with its unit, such as 10s, 2m or 1h30m ("sandbox serve -h" lists its flags)`},
		{name: "a scenario timeout without its unit", args: []string{"test", "--timeout", "5", "scenarios/"}, code: 2,
			stderr: `invalid value "5" for flag -timeout: write a duration with its unit`},
		{name: "a duration flag still shows its default", args: []string{"serve", "-h"},
			stdout: "a callback or a check_deposit request (default 10s)"},
		{name: "help shows verify's --string and --signature", args: []string{"help"}, stdout: "sandbox verify --secret S [--page] [--string S] [--signature SIG] [FILE|-]"},
		{name: "a link signed without --page", args: []string{"sign", "--secret", "secret"},
			stdin: "http://127.0.0.1:8080/payment?project_id=1&payment_id=p1\n", code: 1,
			stderr: "add --page: sandbox sign --secret S --page"},
		{name: "a query string verified without --page", args: []string{"verify", "--secret", "secret"},
			stdin: "project_id=1&payment_id=p1&signature=abc\n", code: 1,
			stderr: "add --page: sandbox verify --secret S --page"},
		{name: "the delivery log verified whole", args: []string{"verify", "--secret", "secret"},
			stdin: `{"deliveries":[{"id":1,"kind":"callback","body":{"project_id":1,"signature":"abc"}}]}`, code: 1,
			stdout: "- this is the delivery log (GET /sandbox/deliveries), which is not signed: verify one callback's body, such as: jq -c '.deliveries[0].body' | sandbox verify --secret S"},
		{name: "one delivery verified whole", args: []string{"verify", "--secret", "secret"},
			stdin: `{"id":1,"kind":"callback","body":{"project_id":1,"signature":"abc"},"attempts":[]}`, code: 1,
			stdout: "- this is a delivery of the delivery log, which is not signed: verify its body, the callback as sent: jq -c .body"},
		{name: "a control API payment verified", args: []string{"verify", "--secret", "secret"},
			stdin: `{"project_id":1,"payment_id":"p","operations":[],"links":{"self":"x"},"deliveries":[]}`, code: 1,
			stdout: "- this is a payment as the control API shows it, which is not signed"},
		{name: "a JSON body that is not JSON gets no --page hint", args: []string{"sign", "--secret", "secret"},
			stdin: "{\"general\": \n", code: 1, stderr: "sandbox: sign standard input: ", not: "--page"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// A serve that should refuse to start, and does not, ends here.
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var stdout, stderr testlog.Buffer
			err := runWith(ctx, tt.args, stdio{in: strings.NewReader(tt.stdin), out: &stdout, err: &stderr})
			if errors.Is(err, flag.ErrHelp) {
				err = nil
			}
			assert.Equal(t, tt.code, exitCode(err, &stderr), "exit code; stderr: %s", stderr.String())
			assert.Contains(t, stderr.String(), tt.stderr)
			assert.Contains(t, stdout.String(), tt.stdout)
			if tt.not != "" {
				assert.NotContains(t, stderr.String(), tt.not)
			}
		})
	}
}

// TestConfigFileMistakesReadPlainly checks that a config file's mistake is
// told in the file's terms: no code and message of the control API ("1
// Invalid request"), which mean nothing in a file.
func TestConfigFileMistakesReadPlainly(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, yaml, want string
	}{
		{"no secret", "projects:\n  - id: 5\n",
			"projects[0]: secret must not be empty: it is the key callbacks and requests are signed with"},
		{"a variant misspelt", "methods:\n  oxxo: {variant: 3day}\n",
			`: methods.oxxo: oxxo has no variant "3day": use "bank" or "3days"`},
		{"a project's variant misspelt", "projects:\n  - id: 5\n    secret: s\n    methods:\n      oxxo: {variant: 3day}\n",
			`: project 5: methods.oxxo: oxxo has no variant "3day": use "bank" or "3days"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			file := writeConfig(t, tt.yaml)
			o := serveOptions{Data: t.TempDir(), Config: file, PublicURL: "http://sandbox.test"}
			_, err := newApp(context.Background(), o, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "config file "+file)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "Invalid")
			assert.Equal(t, platform.CodeInvalidRequest, platform.ErrorCode(err), "the code is still there for errors.As")
		})
	}
}

func TestWarnIfFreezeIgnored(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		freeze string
		clock  platform.ClockState
		want   string // "" for no warning
	}{
		{"no --freeze", "", platform.ClockState{}, ""},
		{"the clock --freeze set", "2026-03-02T09:00:00Z", platform.ClockState{Frozen: true, FrozenAt: at}, ""},
		{"the same moment in another zone", "2026-03-02T10:00:00+01:00", platform.ClockState{Frozen: true, FrozenAt: at}, ""},
		{"a running clock", "2026-03-02T09:00:00Z", platform.ClockState{Offset: time.Hour}, "clock=running"},
		{"frozen elsewhere", "2026-03-02T09:00:00Z", platform.ClockState{Frozen: true, FrozenAt: at.Add(72 * time.Hour)},
			"clock=\"frozen at 2026-03-05T09:00:00Z\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			warnIfFreezeIgnored(tt.freeze, tt.clock, slog.New(slog.NewTextHandler(&out, nil)))
			if tt.want == "" {
				assert.Empty(t, out.String())
				return
			}
			assert.Contains(t, out.String(), "--freeze is ignored: the data folder already has its own clock")
			assert.Contains(t, out.String(), "start with a new --data folder")
			assert.Contains(t, out.String(), tt.want)
		})
	}
}

// TestServeSaysFreezeIsIgnored runs serve with --freeze on a data folder
// that already has its clock, as a newcomer who reuses ./sandbox-data does.
func TestServeSaysFreezeIsIgnored(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	startSandbox(t, dir).stop() // the folder's clock: frozen at frozenAt

	ctx, cancel := context.WithCancel(context.Background())
	var stdout testlog.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", dir, "--freeze", "2027-01-01T00:00:00Z"}, &stdout, &stdout)
	}()
	eventually(t, "ready", func() bool { return strings.Contains(stdout.String(), "sandbox ready") })
	cancel()
	err := <-done
	assert.True(t, err == nil || errors.Is(err, context.Canceled), "%v", err)
	assert.Contains(t, stdout.String(), "--freeze is ignored")
	assert.Contains(t, stdout.String(), "frozen at 2026-03-02T09:00:00Z")
}

// TestControlAPIWrongMethod asks control endpoints with a method they do not
// take, as curl does without -X POST and a browser does following the
// links.pay of a payment: 405, the methods they take, not "no endpoint".
func TestControlAPIWrongMethod(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	tests := []struct {
		method, path string
		status       int
		allow, want  string
	}{
		{"GET", "/sandbox/reset", 405, "POST", "GET /sandbox/reset: this endpoint takes POST only (with curl: -X POST)"},
		{"GET", "/sandbox/payments/1/order-1/pay", 405, "POST", "takes POST only"},
		{"GET", "/sandbox/clock/advance", 405, "POST", "takes POST only"},
		{"POST", "/sandbox/health", 405, "GET", "POST /sandbox/health: this endpoint takes GET only (with curl: -X GET)"},
		{"DELETE", "/sandbox/projects", 405, "GET, POST", "takes GET or POST only"},
		{"GET", "/sandbox/payments/1", 404, "", "GET /sandbox/payments/1 is not a sandbox endpoint"},
		{"GET", "/sandbox/payments/1/order-1/refund", 404, "", "is not a sandbox endpoint"},
		{"GET", "/sandbox/nothing", 404, "", "is not a sandbox endpoint"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			t.Parallel()
			req, err := http.NewRequest(tt.method, s.URL+tt.path, nil)
			require.NoError(t, err)
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer res.Body.Close()
			var ans map[string]string
			require.NoError(t, json.NewDecoder(res.Body).Decode(&ans))
			assert.Equal(t, tt.status, res.StatusCode, "%v", ans)
			assert.Equal(t, tt.allow, res.Header.Get("Allow"))
			assert.Contains(t, ans["error"], tt.want)
		})
	}
}

// TestConfigFlagExampleLoads loads the config file that serve -h shows as
// an example, as a newcomer who copies it would.
func TestConfigFlagExampleLoads(t *testing.T) {
	t.Parallel()
	var usage strings.Builder
	serveFlags(&serveOptions{}).VisitAll(func(f *flag.Flag) {
		if f.Name == "config" {
			usage.WriteString(f.Usage)
		}
	})
	_, example, ok := strings.Cut(usage.String(), "such as: ")
	require.True(t, ok, "serve's --config shows an example: %s", usage.String())
	example, _, _ = strings.Cut(example, " (")
	yaml := strings.Replace(example, "], methods:", "]\nmethods:", 1)
	require.NotEqual(t, example, yaml, "the example has projects and methods: %s", example)

	o := serveOptions{Data: t.TempDir(), Config: writeConfig(t, yaml), PublicURL: "http://sandbox.test"}
	a, err := newApp(context.Background(), o, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
	require.NoError(t, err, "the example of serve -h:\n%s", yaml)
	defer a.Close()
	p, err := a.Engine.Project(context.Background(), 842)
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:9000/cb", p.CallbackURL)
}

func TestCheckSummaryCounts(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "1 project, 0 payments, 2 callbacks, 1 job", summary(&bolt.Report{Projects: 1, Deliveries: 2, Jobs: 1}))
}

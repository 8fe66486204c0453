package scenarios_test

import (
	"context"
	"math"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/internal/testnet"
	"github.com/ecommpay-sandbox/sandbox/sandboxtest"
	"github.com/ecommpay-sandbox/sandbox/scenarios"
)

// TestATargetStillStartingIsWaitedFor: a CI job starts the sandbox in the
// background and the run at once. With TargetWait, the run tries again
// until the sandbox answers; without, it stops at once, as it does after
// waiting in vain, saying how long it waited.
func TestATargetStillStartingIsWaitedFor(t *testing.T) {
	t.Parallel()
	host := sandboxtest.New(t)
	hostURL, err := url.Parse(host.URL())
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	starting := &testnet.Starting{Listener: ln}
	starting.Drop.Store(math.MaxInt32)
	srv := &http.Server{Handler: httputil.NewSingleHostReverseProxy(hostURL), ReadHeaderTimeout: time.Minute}
	go func() { _ = srv.Serve(starting) }()
	t.Cleanup(func() { _ = srv.Close() })
	target := "http://" + ln.Addr().String()
	file := filepath.Join(t.TempDir(), "sale.yaml")
	require.NoError(t, os.WriteFile(file, []byte("name: a sale\nsteps:\n  - gate: {sale: oxxo, payment_id: o-1}\n  - callback: {payment: o-1}\n"), 0o600))

	_, err = (&scenarios.Runner{Target: target}).Run(context.Background(), []string{file})
	require.Error(t, err, "without a wait, a sandbox not answering yet stops the run")
	assert.Contains(t, err.Error(), "no sandbox answers at "+target+" (")

	_, err = (&scenarios.Runner{Target: target, TargetWait: 200 * time.Millisecond}).Run(context.Background(), []string{file})
	require.Error(t, err)
	assert.Regexp(t, `no sandbox answers at `+target+` \(.*, after 200ms\): start one \(sandbox serve\)`, err.Error())

	// The sandbox is ready once the run has tried twice more: a run that
	// did not try again would find none. (Not after a time: on a busy
	// machine the run may have tried only once by then.)
	starting.Drop.Store(starting.Dropped.Load() + 2)
	rep, out := run(t, &scenarios.Runner{Target: target, TargetWait: time.Minute}, file)
	assert.Equal(t, 1, rep.Passed, out)
}

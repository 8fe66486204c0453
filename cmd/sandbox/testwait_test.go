package main

import (
	"bytes"
	"context"
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
)

// TestTestVerbWaitsForATargetStillStarting: a CI job runs `sandbox serve &`
// and `sandbox test --target` at once. The verb tries again until the
// sandbox answers instead of failing on its first refused connection.
func TestTestVerbWaitsForATargetStillStarting(t *testing.T) {
	t.Parallel()
	s := startSandbox(t, t.TempDir())
	u, err := url.Parse(s.URL)
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	starting := &testnet.Starting{Listener: ln}
	starting.Drop.Store(2)
	srv := &http.Server{Handler: httputil.NewSingleHostReverseProxy(u), ReadHeaderTimeout: time.Minute}
	go func() { _ = srv.Serve(starting) }()
	t.Cleanup(func() { _ = srv.Close() })
	file := filepath.Join(t.TempDir(), "sale.yaml")
	require.NoError(t, os.WriteFile(file, []byte("name: a sale\nsteps:\n  - gate: {sale: oxxo, payment_id: o-1}\n  - callback: {payment: o-1}\n"), 0o600))

	var stdout, stderr bytes.Buffer
	err = run(context.Background(), []string{"test", "--target", "http://" + ln.Addr().String(), file}, &stdout, &stderr)
	require.NoError(t, err, "stdout: %s\nstderr: %s", stdout.String(), stderr.String())
	assert.Contains(t, stdout.String(), "1 passed, 0 failed")
	assert.Equal(t, int32(2), starting.Dropped.Load(), "the verb tried again while the sandbox was starting")
}

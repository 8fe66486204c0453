package sandboxtest_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/sandboxtest"
)

// TestCloseLeavesNoGoroutine: a sandbox that served a sale, sent its
// callbacks and stopped leaves no goroutine behind, so that a suite of a
// thousand tests, each with its own, does not grow. Not parallel: it counts
// the process's goroutines, which parallel tests would change under it
// (they wait while the package's sequential tests run).
func TestCloseLeavesNoGoroutine(t *testing.T) {
	ctx := context.Background()
	before := runtime.NumGoroutine()
	sb, err := sandboxtest.Start(ctx, sandboxtest.WithProject(sandboxtest.Project{ID: project, Secret: secret}))
	require.NoError(t, err)
	sale(t, sb, "leak-1")
	_, err = sb.WaitCallback(ctx, sandboxtest.Wait{PaymentID: "leak-1"})
	require.NoError(t, err)
	require.Greater(t, runtime.NumGoroutine(), before, "a running sandbox has goroutines of its own")
	require.NoError(t, sb.Close())

	// Goroutines that were told to stop may take a moment to return.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<20)
		t.Fatalf("%d goroutines before the sandbox, %d after Close:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}

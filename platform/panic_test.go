package platform_test

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/internal/testlog"
	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/enginetest"
)

// panickyStore is a store whose View panics, outside any transaction, as
// long as panics is above zero; it counts the Views.
type panickyStore struct {
	platform.Store
	panics atomic.Int32
	calls  atomic.Int32
}

func (s *panickyStore) View(ctx context.Context, fn func(platform.Tx) error) error {
	s.calls.Add(1)
	if s.panics.Add(-1) >= 0 {
		panic("page 42: unexpected flags")
	}
	return s.Store.View(ctx, fn)
}

// panicEngine is an engine over a panickyStore that logs to the buffer
// returned, with the test's provider and merchant.
func panicEngine(t *testing.T) (*platform.Engine, *panickyStore, *scripted, *merchant, *testlog.Buffer) {
	t.Helper()
	var store *panickyStore
	prov, m, logs := &scripted{}, &merchant{}, &testlog.Buffer{}
	s := enginetest.New(t, prov, enginetest.Options{
		At: t0, Seed: 1, Project: project5, Sender: m, Log: slog.New(slog.NewTextHandler(logs, nil)),
		Store: func(db platform.Store) platform.Store { store = &panickyStore{Store: db}; return store },
	})
	return s.Engine, store, prov, m, logs
}

// TestJobRunnerSurvivesAPanickingStore: the job loop's goroutine logs a
// panic of the store as an error and goes on (issue 12: a damaged file
// crashed the process from there).
func TestJobRunnerSurvivesAPanickingStore(t *testing.T) {
	t.Parallel()
	eng, store, _, _, logs := panicEngine(t)
	store.panics.Store(2)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- eng.Run(ctx) }()
	// The loop goes on: it reads the store again after the panics. Each
	// Unfreeze (which writes the clock and reads nothing) wakes it from
	// its idle second.
	eventually(t, func() bool {
		require.NoError(t, eng.Unfreeze(ctx))
		return store.calls.Load() > 4
	})
	cancel()
	require.NoError(t, <-done)

	assert.Contains(t, logs.String(), `level=ERROR msg="run due jobs"`)
	assert.Contains(t, logs.String(), "running due jobs panicked: page 42: unexpected flags")
}

// TestAdvanceAfterAPanickingStore: a panic while jobs run by hand is an
// error of that call, and the jobs run at the next.
func TestAdvanceAfterAPanickingStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	eng, store, prov, _, _ := panicEngine(t)
	_, err := eng.Sale(ctx, sale("p"))
	require.NoError(t, err)

	store.panics.Store(1)
	_, err = eng.RunDue(ctx, t0.Add(time.Hour))
	require.ErrorContains(t, err, "panicked: page 42: unexpected flags")

	n, err := eng.RunDue(ctx, t0.Add(time.Hour))
	require.NoError(t, err, "the runner is not left locked")
	assert.Positive(t, n)
	prov.mu.Lock()
	defer prov.mu.Unlock()
	assert.Equal(t, []string{"p:first@13:00"}, prov.ran)
}

// TestCallbackSenderPanics: a sender that panics makes a failed attempt,
// logged, and the callback is retried on its schedule.
func TestCallbackSenderPanics(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	eng, _, _, m, logs := panicEngine(t)
	var first atomic.Bool
	m.during = func() {
		if first.CompareAndSwap(false, true) {
			panic("sender broke")
		}
	}
	_, err := eng.Sale(ctx, sale("s"))
	require.NoError(t, err)
	_, err = eng.RunDue(ctx, t0)
	require.NoError(t, err)
	_, err = eng.Advance(ctx, platform.RetryGap(2))
	require.NoError(t, err)

	v := whole(t, eng, "s")
	require.Len(t, v.Deliveries, 1)
	d := v.Deliveries[0]
	assert.Equal(t, platform.DeliveryDelivered, d.Status)
	require.Len(t, d.Attempts, 2)
	assert.Contains(t, d.Attempts[0].Error, "panicked: sender broke")
	assert.True(t, d.Attempts[1].OK())
	assert.Contains(t, logs.String(), `level=ERROR msg="callback sender panicked"`)
}

package sandboxtest_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/sandboxtest"
)

// scheduleGap is the wait before attempt n of a callback, as docs/callbacks.md
// writes ecommpay's schedule: 10 s up to the sixth attempt, then
// 70 + 10·1.12^(n−4) seconds, rounded, until that reaches 4 h, then 4 h.
// It is written out here rather than taken from platform, so that the test
// checks the schedule the documentation promises.
func scheduleGap(n int) time.Duration {
	if n <= 6 {
		return 10 * time.Second
	}
	g := time.Duration(math.Round(70+10*math.Pow(1.12, float64(n-4)))) * time.Second
	return min(g, 4*time.Hour)
}

// maxAttempts is how many times a callback is tried before it fails.
const maxAttempts = 120

// TestRefusingMerchantGetsTheScheduleExactly counts what a merchant that
// answers 500 to every callback of a payment receives while the clock moves
// across the whole retry schedule: each attempt arrives when it is due and
// not a second before, none twice (a lease that ran out, a job run again),
// and after the 120th nothing more, however far the clock moves.
func TestRefusingMerchantGetsTheScheduleExactly(t *testing.T) {
	sb := start(t)
	ctx := context.Background()
	sb.Merchant().SetReply(sandboxtest.KindCallback, "refused-1", sandboxtest.Reply{Status: 500})
	sb.Merchant().SetReply(sandboxtest.KindCallback, "other-1", sandboxtest.Reply{FailFirst: 2})
	sale(t, sb, "refused-1")
	sale(t, sb, "other-1") // another payment's retries run beside it
	received := func() int { return len(sb.Callbacks(project, "refused-1")) }
	_, err := sb.Advance(ctx, 0) // returns once the sends under way have ended
	require.NoError(t, err)
	require.Equal(t, 1, received(), "the first attempt goes at once")

	for n := 2; n <= maxAttempts; n++ {
		gap := scheduleGap(n)
		_, err := sb.Advance(ctx, gap-time.Second)
		require.NoError(t, err)
		require.Equal(t, n-1, received(), "a second before attempt %d is due (%s after attempt %d)", n, gap, n-1)
		_, err = sb.Advance(ctx, time.Second)
		require.NoError(t, err)
		require.Equal(t, n, received(), "attempt %d, %s after attempt %d", n, gap, n-1)
	}
	_, err = sb.Advance(ctx, 9*24*time.Hour) // the voucher's bank window is open until day 30
	require.NoError(t, err)
	assert.Equal(t, maxAttempts, received(), "nothing after the last attempt")

	cbs := sb.Callbacks(project, "refused-1")
	for i, cb := range cbs {
		assert.Equal(t, 500, cb.Answered, "attempt %d", i+1)
		assert.Equal(t, "awaiting redirect result", cb.Status, "attempt %d: the same callback each time", i+1)
		if i > 0 {
			assert.False(t, cb.Received.Before(cbs[i-1].Received), "attempt %d arrived after attempt %d", i+1, i)
		}
	}
	ds, err := sb.Deliveries(ctx, project, "refused-1")
	require.NoError(t, err)
	require.Len(t, ds, 1)
	assert.Equal(t, "failed", string(ds[0].Status))
	require.Equal(t, maxAttempts, len(ds[0].Attempts), "the log holds what the merchant received")
	for i := 1; i < len(ds[0].Attempts); i++ {
		assert.Equal(t, scheduleGap(i+1), ds[0].Attempts[i].At.Sub(ds[0].Attempts[i-1].At), "gap before attempt %d", i+1)
	}
	assert.Equal(t, 3, len(sb.Callbacks(project, "other-1")), "the other payment: two refused, the third accepted")
}

// TestRefusingMerchantAcrossLongAdvances: a few long moves of the clock
// across the whole schedule, with the runner of a serving sandbox beside
// them, frozen or running at wall speed, give the merchant the same 120
// attempts, no more.
func TestRefusingMerchantAcrossLongAdvances(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		opts []sandboxtest.Option
	}{
		{"frozen clock", nil},
		{"running clock", []sandboxtest.Option{sandboxtest.WithRunningClock()}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sb := start(t, tt.opts...)
			ctx := context.Background()
			sb.Merchant().SetReply(sandboxtest.KindCallback, "refused-2", sandboxtest.Reply{Status: 500})
			sale(t, sb, "refused-2")
			for _, d := range []time.Duration{3 * time.Hour, 30 * time.Minute, 11 * 24 * time.Hour} {
				_, err := sb.Advance(ctx, d)
				require.NoError(t, err)
			}
			assert.Equal(t, maxAttempts, len(sb.Callbacks(project, "refused-2")))
			ds, err := sb.Deliveries(ctx, project, "refused-2")
			require.NoError(t, err)
			require.Len(t, ds, 1)
			assert.Equal(t, "failed", string(ds[0].Status))
			assert.Equal(t, maxAttempts, len(ds[0].Attempts))
		})
	}
}

// TestWaitDeliveriesMovesTheClockToTheRetry: WaitDeliveries moves the
// clock to a payment's next job until its callbacks are as asked, and no
// further; one that does not come within says so with what it saw.
func TestWaitDeliveriesMovesTheClockToTheRetry(t *testing.T) {
	sb := start(t)
	ctx := context.Background()
	sb.Merchant().SetReply(sandboxtest.KindCallback, "retried-1", sandboxtest.Reply{FailFirst: 2})
	sale(t, sb, "retried-1")
	began, err := sb.Now(ctx)
	require.NoError(t, err)
	delivered := func(ds []sandboxtest.Delivery) bool { return len(ds) == 1 && ds[0].Status == "delivered" }

	ds, ok, err := sb.WaitDeliveries(ctx, project, "retried-1", 15*time.Second, delivered)
	require.NoError(t, err)
	assert.False(t, ok, "the third attempt is due 20 s on")
	require.Len(t, ds, 1)
	assert.Len(t, ds[0].Attempts, 2)

	ds, ok, err = sb.WaitDeliveries(ctx, project, "retried-1", time.Hour, delivered)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Len(t, ds[0].Attempts, 3)
	now, err := sb.Now(ctx)
	require.NoError(t, err)
	assert.Equal(t, 20*time.Second, now.Sub(began), "the clock stopped at the third attempt")
}

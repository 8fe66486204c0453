package sandboxtest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/sandboxtest"
)

// TestWaitCallbackSaysWhatBecameOfCallbacksTheMerchantNeverGot: when the
// merchant received no callback of the payment, the error says what the
// sandbox's delivery log has: a callback sent elsewhere, one that could not
// reach the merchant, one never sent.
func TestWaitCallbackSaysWhatBecameOfCallbacksTheMerchantNeverGot(t *testing.T) {
	elsewhere := sandboxtest.Project{ID: 900, Secret: secret, CallbackURL: "http://127.0.0.1:1/callbacks"}
	sb := start(t, sandboxtest.WithProject(elsewhere))
	ctx := context.Background()
	merchant := sb.Merchant().URL()

	res, err := sb.Gate(ctx, 900, oxxoPath, oxxoSale("away-1"))
	require.NoError(t, err)
	require.Equal(t, 200, res.Status, string(res.Body))
	_, err = sb.WaitCallback(ctx, sandboxtest.Wait{ProjectID: 900, PaymentID: "away-1", Within: 30 * time.Second})
	require.Error(t, err)
	// How many attempts fit in 30 s depends on when each failed one is
	// recorded against the advancing clock: at least the first and one
	// retry, 10 s apart.
	assert.Regexp(t, regexp.QuoteMeta("; the merchant received no callback of it; the sandbox's delivery log has:\n"+
		"  callback 1 to http://127.0.0.1:1/callbacks, not to this merchant ("+merchant+"): pending after ")+
		`[2-9] attempts, the last: `, err.Error())
	assert.Contains(t, err.Error(), "connection refused")

	sale := oxxoSale("quiet-1")
	sale["callback"] = map[string]any{"force_disable": true}
	res, err = sb.Gate(ctx, project, oxxoPath, sale)
	require.NoError(t, err)
	require.Equal(t, 200, res.Status, string(res.Body))
	_, err = sb.WaitCallback(ctx, sandboxtest.Wait{PaymentID: "quiet-1"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "\n  callback 1 was not sent: the payment disabled its callbacks (callback.force_disable)")

	require.NoError(t, sb.Merchant().Close())
	res, err = sb.Gate(ctx, project, oxxoPath, oxxoSale("gone-1"))
	require.NoError(t, err)
	require.Equal(t, 200, res.Status, string(res.Body))
	_, err = sb.WaitCallback(ctx, sandboxtest.Wait{PaymentID: "gone-1", Within: 10 * time.Second})
	require.Error(t, err)
	assert.Regexp(t, regexp.QuoteMeta("\n  callback 1 to "+merchant+"/callbacks: pending after ")+`[1-9] attempts?, the last: `, err.Error())
	assert.NotContains(t, err.Error(), "not to this merchant")
}

// TestWaitsStopWhenTheMerchantHoldsCallbacksUnanswered: a merchant that
// never answers holds each attempt for the callback timeout; rather than
// sit through 120 of them, WaitCallback and WaitDeliveries stop after the
// second and say why, whether the merchant is the sandbox's or the test's own.
func TestWaitsStopWhenTheMerchantHoldsCallbacksUnanswered(t *testing.T) {
	const timeout = 300 * time.Millisecond
	release := make(chan struct{})
	own := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select { // a handler stuck on a lock nobody releases
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(own.Close)
	sb := start(t, sandboxtest.WithCallbackTimeout(timeout),
		sandboxtest.WithProject(sandboxtest.Project{ID: 900, Secret: secret, CallbackURL: own.URL + "/cb"}))
	t.Cleanup(func() { close(release) }) // before the sandbox stops
	// Without the stop, the waits below would take 120 attempts of 300 ms.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	sb.Merchant().SetReply(sandboxtest.KindCallback, "", sandboxtest.Reply{Silent: true})
	sale(t, sb, "held-1")
	_, err := sb.WaitCallback(ctx, sandboxtest.Wait{PaymentID: "held-1", Status: "awaiting redirect result", Within: sandboxtest.DefaultWithin})
	require.Error(t, err)
	assert.Regexp(t, `^sandboxtest: payment held-1: callback \d+ to `+regexp.QuoteMeta(sb.Merchant().CallbackURL())+
		`: pending after 2 attempts, the last: timeout after 300ms\b.*; each of its up to 120 attempts would wait as long, so the wait stops here`, err.Error())
	assert.Contains(t, err.Error(), "WithCallbackTimeout in Go, sandbox: {callback_timeout: 1s} in a scenario file, sandbox serve --callback-timeout 1s for a running one",
		"the hint serves the Go test, the scenario file and the running sandbox, whose waits are the same")

	res, err := sb.Gate(ctx, 900, oxxoPath, oxxoSale("held-2"))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	_, ok, err := sb.WaitDeliveries(ctx, 900, "held-2", sandboxtest.DefaultWithin, func(ds []sandboxtest.Delivery) bool {
		return len(ds) > 0 && ds[0].Status == "delivered"
	})
	assert.False(t, ok)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "sandboxtest: payment held-2: callback ")
	assert.Contains(t, err.Error(), "pending after 2 attempts, the last: timeout after 300ms")
}

// TestNoCallbackStopsAtTheFirstCallback: a merchant that holds callbacks
// unanswered gets one at once; NoCallback fails there, instead of moving
// the clock over a day of retries, each held for the callback timeout.
func TestNoCallbackStopsAtTheFirstCallback(t *testing.T) {
	sb := start(t, sandboxtest.WithCallbackTimeout(200*time.Millisecond))
	sb.Merchant().SetReply(sandboxtest.KindCallback, "", sandboxtest.Reply{Silent: true})
	sale(t, sb, "held-no-1")
	err := sb.NoCallback(context.Background(), project, "held-no-1", 24*time.Hour)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "payment held-no-1 got 1 callback(s) it should not have within 1d of sandbox time:")
}

// TestWaitCallbackSaysWhereThePaymentStands: when the callback waited for
// never comes, the error ends with the payment's status and how its last
// operation ended, and says what accepting a callback takes when the
// merchant refused every one.
func TestWaitCallbackSaysWhereThePaymentStands(t *testing.T) {
	sb := start(t)
	ctx := context.Background()
	sale(t, sb, "lapsed-1")
	_, err := sb.WaitCallback(ctx, sandboxtest.Wait{PaymentID: "lapsed-1", Status: "success", Within: sandboxtest.DefaultWithin})
	require.Error(t, err)
	assert.True(t, strings.HasSuffix(err.Error(), "\n  status \"decline\" (answered 200)\n"+
		`the payment is now "decline", its last operation sale decline: 20000 General decline`), err.Error())
	assert.NotContains(t, err.Error(), "answers 200")

	sb.Merchant().SetReply(sandboxtest.KindCallback, "refused-1", sandboxtest.Reply{Status: http.StatusServiceUnavailable})
	sale(t, sb, "refused-1")
	_, err = sb.WaitCallback(ctx, sandboxtest.Wait{PaymentID: "refused-1"})
	require.Error(t, err)
	assert.True(t, strings.HasSuffix(err.Error(), "\n  status \"awaiting redirect result\" (answered 503)\n"+
		"(a callback is accepted when the merchant answers 200)\n"+
		`the payment is now "awaiting redirect result", its last operation sale awaiting redirect result`), err.Error())
}

// TestWaitCallbackSaysWhenThereIsNoSuchPayment: a payment ID the sandbox
// does not have, mistyped or of a sale refused, is named as such.
func TestWaitCallbackSaysWhenThereIsNoSuchPayment(t *testing.T) {
	sb := start(t)
	ctx := context.Background()
	sale(t, sb, "order-1")
	_, err := sb.WaitCallback(ctx, sandboxtest.Wait{PaymentID: "order-l", Within: time.Hour})
	require.Error(t, err)
	assert.True(t, strings.HasSuffix(err.Error(), "; the merchant received no callback of it\n"+
		`the sandbox has no payment "order-l" in any of its projects (1, 842): did the sale reach it, with this payment ID?`), err.Error())
	_, err = sb.WaitCallback(ctx, sandboxtest.Wait{ProjectID: 1, PaymentID: "order-1"})
	require.Error(t, err)
	assert.True(t, strings.HasSuffix(err.Error(), `the sandbox has no payment "order-1" in project 1: did the sale reach it, with this payment ID?`), err.Error())
}

package sandboxtest_test

import (
	"context"
	"regexp"
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

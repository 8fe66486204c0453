package sandboxtest_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/sandboxtest"
)

// TestCloseCutsACallbackAMerchantOfYourOwnHolds: a test ends while the
// merchant's own server still holds a callback. The sandbox's Close cuts
// it at once instead of waiting the grace a stopping server gives its
// callbacks (platform.DefaultStopGrace), which every such test would pay.
func TestCloseCutsACallbackAMerchantOfYourOwnHolds(t *testing.T) {
	t.Parallel()
	holding := make(chan struct{}, 1)
	own := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // so that the server sees the sandbox hang up
		select {
		case holding <- struct{}{}:
		default:
		}
		<-r.Context().Done() // a handler stuck until the sandbox hangs up
	}))
	t.Cleanup(own.Close)
	sb, err := sandboxtest.Start(context.Background(),
		sandboxtest.WithProject(sandboxtest.Project{ID: 900, Secret: secret, CallbackURL: own.URL + "/cb"}))
	require.NoError(t, err)
	res, err := sb.Gate(context.Background(), 900, oxxoPath, oxxoSale("held-at-close"))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	select {
	case <-holding:
	case <-time.After(10 * time.Second):
		t.Fatal("the sale's callback never reached the merchant")
	}

	began := time.Now()
	require.NoError(t, sb.Close())
	assert.Less(t, time.Since(began), platform.DefaultStopGrace/2, "Close waited for the callback the merchant held")
}

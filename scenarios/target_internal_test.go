package scenarios

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/sandboxtest"
)

// TestTargetNotesSayWhenTheSandboxCannotReachTheMerchant: a sandbox that
// cannot reach the runner's merchant (in a container, say) fails every
// attempt to send it a callback while the merchant receives nothing; the
// failure says so and what to do.
func TestTargetNotesSayWhenTheSandboxCannotReachTheMerchant(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	host := sandboxtest.New(t)
	// run makes a sale as a file against host would, with a merchant
	// that is up or out of the sandbox's reach, and returns the notes.
	run := func(suffix string, reachable bool) (string, *sandboxtest.Merchant) {
		sb, err := sandboxtest.Connect(ctx, host.URL())
		require.NoError(t, err)
		defer sb.Close()
		p, err := sb.PutProject(ctx, defaultProject())
		require.NoError(t, err)
		if !reachable {
			require.NoError(t, sb.Merchant().Close())
		}
		x := &execution{sc: &Scenario{}, sb: sb, suffix: suffix, projects: []sandboxtest.Project{p}}
		path, body, err := x.sale(ctx, "oxxo")
		require.NoError(t, err)
		body["general"] = map[string]any{"payment_id": x.payment("o-1")}
		res, err := sb.Gate(ctx, p.ID, path, body)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		require.NoError(t, sb.Settle(ctx, p.ID, x.payment("o-1")))
		return x.targetNotes(ctx, host.URL()), sb.Merchant()
	}

	notes, _ := run("-rup", true)
	assert.NotContains(t, notes, "cannot reach", "the merchant got the callback")
	notes, m := run("-rgone", false)
	assert.Contains(t, notes, "the sandbox at "+host.URL()+" cannot reach the merchant the runner started at "+m.URL()+
		": every request it sent there failed and none arrived. Run the sandbox on this machine; in a container, on the host's network (docker run --network host)\n")
}

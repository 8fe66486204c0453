package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAHungMerchantHoldsBackOnlyItsOwnCallbacks is issue 9's first "done
// means", through the real server: one merchant never answers (its handler
// blocks until the test ends, far within the callback timeout), with more of
// its callbacks under way than the per-host limit (lowered to 4 from 64, to
// make fewer sales); another answers at once.
// Every callback of the second arrives while the first still hangs, and a
// sale of the second is processed within its own request. An advance that
// waits for the second merchant's project alone (project_id) answers while
// the first still hangs. An advance made for every project waits for the
// callbacks under way, the hung ones too (README, "The control API"), and
// the second merchant's sales and callbacks go on while it does; it answers
// once the first merchant does.
func TestAHungMerchantHoldsBackOnlyItsOwnCallbacks(t *testing.T) {
	t.Parallel()
	const hungProject, perHost = 843, 4
	const hungSales = perHost + 6
	hung := newHungMerchant(t)
	fast := newMerchant(t)
	s := startSandbox(t, t.TempDir(), func(o *serveOptions) { o.CallbackTimeout, o.sendsPerMerchant = 10*time.Minute, perHost })
	t.Cleanup(hung.letGo) // first of the cleanups: the sandbox can then stop

	setupProject(t, s, fast)
	require.Equal(t, http.StatusOK, s.do("POST", "/sandbox/projects", map[string]any{
		"id": hungProject, "secret": testSecret, "callback_url": hung.URL + "/callbacks",
	}, nil))
	for i := range hungSales {
		body := oxxoSale(fmt.Sprintf("hung-%d", i), func(b map[string]any) {
			b["general"].(map[string]any)["project_id"] = hungProject
		})
		require.Equal(t, http.StatusOK, s.do("POST", oxxoPath, signed(body, testSecret), nil))
	}
	eventually(t, "the hung merchant holds as many callbacks as the per-host limit", func() bool {
		return hung.holding.Load() == perHost
	})

	// An advance that waits for the second merchant's project alone does
	// not wait for the first merchant.
	scoped := advanceAside(s.URL, fmt.Sprintf(`{"duration":"1m","project_id":%d}`, testProject))
	select {
	case a := <-scoped:
		assert.Equal(t, http.StatusOK, a.status, a.body)
	case <-time.After(waitBound):
		t.Fatalf("an advance for project %d did not answer within %s while the other project's merchant hung", testProject, waitBound)
	}
	assert.Zero(t, hung.answered.Load(), "it answered while the first merchant still hung")

	advanced := advanceAside(s.URL, `{"duration":"0s"}`)

	for i := range 10 {
		id := fmt.Sprintf("fast-%d", i)
		var ans gateAnswer
		require.Equal(t, http.StatusOK, s.do("POST", oxxoPath, signed(oxxoSale(id), testSecret), &ans), "%+v", ans)
		var v struct {
			Status string `json:"status"`
		}
		require.Equal(t, http.StatusOK, s.do("GET", fmt.Sprintf("/sandbox/payments/%d/%s", testProject, id), nil, &v))
		assert.Equal(t, "awaiting redirect result", v.Status, "processed within its own request")
		cb := fast.next()
		assert.Equal(t, id, path(cb, "payment", "id"))
		assert.Equal(t, "awaiting redirect result", path(cb, "payment", "status"))
	}
	assert.Equal(t, int64(perHost), hung.holding.Load(), "the hung merchant's other callbacks wait for its own connections")
	assert.Zero(t, hung.answered.Load(), "every callback of the other merchant arrived while this one still hung")
	select {
	case a := <-advanced:
		t.Fatalf("the advance answered %d while callbacks were under way", a.status)
	default:
	}
	hung.letGo()
	select {
	case a := <-advanced:
		assert.Equal(t, http.StatusOK, a.status, a.body)
	case <-time.After(waitBound):
		t.Fatalf("the advance did not answer within %s of the hung merchant's answers", waitBound)
	}
	assert.EqualValues(t, hungSales, hung.answered.Load(), "the advance waited for every callback under way")

	var list struct {
		Payments []struct {
			Status string `json:"status"`
		} `json:"payments"`
	}
	require.Equal(t, http.StatusOK, s.do("GET", fmt.Sprintf("/sandbox/payments?project_id=%d", hungProject), nil, &list))
	assert.Len(t, list.Payments, hungSales, "the hung merchant's sales were all acknowledged and stored")
	for _, p := range list.Payments {
		assert.Equal(t, "awaiting redirect result", p.Status)
	}
}

// hungMerchant is a merchant's server that answers no request until it is
// let go (or the request ends), counting the requests it holds and those
// it answered.
type hungMerchant struct {
	URL               string
	holding, answered atomic.Int64
	release           chan struct{}
	releaseOnce       sync.Once
}

// newHungMerchant starts a hungMerchant; a test lets it go (letGo) in a
// cleanup registered after the sandbox's, so that the sandbox can stop.
func newHungMerchant(t *testing.T) *hungMerchant {
	h := &hungMerchant{release: make(chan struct{})}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.holding.Add(1)
		select {
		case <-h.release:
		case <-r.Context().Done():
		}
		h.answered.Add(1)
	}))
	t.Cleanup(srv.Close)
	h.URL = srv.URL
	return h
}

// letGo answers every request held, and every one to come, at once.
func (h *hungMerchant) letGo() { h.releaseOnce.Do(func() { close(h.release) }) }

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recorder is a merchant that refuses the first two attempts of every
// callback and keeps, byte for byte, the body of each callback it accepts,
// by payment and status. Its answers depend only on what it receives, not
// on the order in which callbacks arrive.
type recorder struct {
	srv   *httptest.Server
	mu    sync.Mutex
	tries map[string]int
	got   map[string][]byte // "payment_id status" → body
}

func newRecorder(t *testing.T) *recorder {
	r := &recorder{tries: map[string]int{}, got: map[string][]byte{}}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		raw, _ := io.ReadAll(req.Body)
		var cb struct {
			Payment struct{ ID, Status string }
		}
		_ = json.Unmarshal(raw, &cb)
		key := cb.Payment.ID + " " + cb.Payment.Status
		r.mu.Lock()
		defer r.mu.Unlock()
		r.tries[key]++
		if r.tries[key] <= 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		r.got[key] = raw
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *recorder) callbacks() map[string][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string][]byte, len(r.got))
	for k, v := range r.got {
		out[k] = v
	}
	return out
}

// latency is the one wall-clock figure the control API shows.
var latency = regexp.MustCompile(`"latency_ns":\d+`)

// workload runs the same seeded, frozen workload on a fresh sandbox: 10 Oxxo
// sales (all at once or one after another), a merchant that refuses the
// first attempts of every callback, five vouchers paid at a terminal and an
// advance that lapses the other five. Ten sales at once already arrive in
// an order of their own (one of ten! orders), and each costs a race-built
// binary its three sandboxes' sale, callbacks and retries. It returns every callback the
// merchant accepted and every payment as the control API shows it.
func workload(t *testing.T, concurrent bool) (map[string][]byte, map[string][]byte) {
	// Links and redirect URLs carry the public URL: the same in every run.
	s := startSandbox(t, t.TempDir(), func(o *serveOptions) { o.PublicURL = "http://sandbox.test" })
	r := newRecorder(t)
	require.Equal(t, http.StatusOK, s.do("POST", "/sandbox/projects", map[string]any{
		"id": testProject, "secret": testSecret, "callback_url": r.srv.URL + "/callbacks",
		"methods": map[string]any{"oxxo": map[string]any{"variant": "3days"}},
	}, nil))
	ids := make([]string, 10)
	for i := range ids {
		ids[i] = fmt.Sprintf("repeat-%02d", i)
	}
	each := func(fn func(id string)) {
		if !concurrent {
			for _, id := range ids {
				fn(id)
			}
			return
		}
		var wg sync.WaitGroup
		for _, id := range ids {
			wg.Go(func() { fn(id) })
		}
		wg.Wait()
	}
	each(func(id string) {
		assert.Equal(t, http.StatusOK, s.do("POST", oxxoPath, signed(oxxoSale(id), testSecret), nil))
	})
	require.Equal(t, http.StatusOK, s.do("POST", "/sandbox/clock/advance", map[string]any{"duration": "1m"}, nil))
	each(func(id string) {
		if id < "repeat-05" {
			assert.Equal(t, http.StatusOK, s.do("POST", fmt.Sprintf("/sandbox/payments/%d/%s/pay", testProject, id), map[string]any{"channel": "terminal"}, nil))
		}
	})
	require.Equal(t, http.StatusOK, s.do("POST", "/sandbox/clock/advance", map[string]any{"duration": "4d"}, nil))

	views := map[string][]byte{}
	for _, id := range ids {
		var v json.RawMessage
		require.Equal(t, http.StatusOK, s.do("GET", fmt.Sprintf("/sandbox/payments/%d/%s", testProject, id), nil, &v))
		v = latency.ReplaceAll(v, []byte(`"latency_ns":0`))
		views[id] = bytes.ReplaceAll(v, []byte(r.srv.URL), []byte("http://merchant.test"))
	}
	return r.callbacks(), views
}

// TestSeededRunsRepeat is issue 7 §1: what a merchant sees depends only on
// the seed, the inputs and the clock, not on the order sales arrive in or
// run; and two runs whose requests arrive in the same order agree on every
// payment as the control API shows it, internal numbers included.
func TestSeededRunsRepeat(t *testing.T) {
	t.Parallel()
	var sequential, concurrent, again, views, viewsAgain map[string][]byte
	t.Run("runs", func(t *testing.T) { // three sandboxes at once
		t.Run("sequential", func(t *testing.T) { t.Parallel(); sequential, views = workload(t, false) })
		t.Run("concurrent", func(t *testing.T) { t.Parallel(); concurrent, _ = workload(t, true) })
		t.Run("again", func(t *testing.T) { t.Parallel(); again, viewsAgain = workload(t, false) })
	})
	require.False(t, t.Failed())

	require.Len(t, sequential, 20, "10 redirects, 5 successes, 5 declines")
	keys := make([]string, 0, len(sequential))
	for k := range sequential {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		assert.True(t, bytes.Equal(sequential[k], concurrent[k]), "callback %s differs between sequential and concurrent sales:\n%s\n%s", k, sequential[k], concurrent[k])
		assert.True(t, bytes.Equal(sequential[k], again[k]), "callback %s differs between two sequential runs", k)
	}
	assert.Len(t, concurrent, len(sequential))
	for id, v := range views {
		assert.JSONEq(t, string(v), string(viewsAgain[id]), "payment %s as the control API shows it", id)
	}
}

package main

import (
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSIGTERMStopsAnAdvanceThatWaitsForAHungMerchant stops the sandbox
// process with SIGTERM, as a host or a container manager does, while a
// clock advance waits for a callback the merchant never answers (its
// timeout far away). The advance holds the job loop; once the shutdown
// grace has passed it is canceled, its client gets an answer, and the
// process exits 0, well within the time a container manager gives it.
func TestSIGTERMStopsAnAdvanceThatWaitsForAHungMerchant(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs the sandbox as a process")
	}
	hung := newHungMerchant(t)
	t.Cleanup(hung.letGo)
	p := startBinary(t, "serve", "--addr", "127.0.0.1:0", "--data", filepath.Join(t.TempDir(), "data"),
		"--freeze", frozenAt.Format(time.RFC3339), "--callback-timeout", "2m", "--shutdown-grace", "100ms")
	s := &sandbox{t: t, URL: p.url}
	require.Equal(t, http.StatusOK, s.do("POST", "/sandbox/projects", map[string]any{
		"id": testProject, "secret": testSecret, "callback_url": hung.URL + "/callbacks",
	}, nil))
	require.Equal(t, http.StatusOK, s.do("POST", oxxoPath, signed(oxxoSale("stop-1"), testSecret), nil))
	eventually(t, "the merchant holds the sale's callback", func() bool { return hung.holding.Load() == 1 })

	advanced := advanceAside(p.url, `{"duration":"1h"}`)
	select {
	case a := <-advanced:
		t.Fatalf("the advance answered %d while the merchant held its callback", a.status)
	case <-time.After(300 * time.Millisecond):
	}
	// A sale meanwhile wakes the job loop, which then waits for the
	// advance to let go of the jobs: only the advance's end frees it.
	demo := oxxoSale("stop-2", func(b map[string]any) { b["general"].(map[string]any)["project_id"] = 1 })
	require.Equal(t, http.StatusOK, s.do("POST", oxxoPath, signed(demo, "secret"), nil))
	time.Sleep(100 * time.Millisecond)

	exited := make(chan error, 1)
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	go func() { exited <- p.cmd.Wait() }()
	select {
	case err := <-exited:
		require.NoError(t, err, "the sandbox exits 0 once stopped")
	case <-time.After(waitBound):
		t.Fatalf("the sandbox did not stop within %s of SIGTERM while an advance waited for a hung merchant", waitBound)
	}
	select {
	case a := <-advanced:
		assert.Equal(t, http.StatusServiceUnavailable, a.status, "the advance's client got an answer before the sandbox exited: %s", a.body)
		assert.Contains(t, a.body, "the request did not finish: the sandbox stopped it at the end of the shutdown grace; send it again once the sandbox is back")
	case <-time.After(time.Second):
		t.Fatal("the advance's client got no answer")
	}
}

// asideAnswer is the answer of a request sent aside: status 0 when it got
// none.
type asideAnswer struct {
	status int
	body   string
}

// advanceAside sends POST /sandbox/clock/advance with body to the sandbox
// at base without waiting for it, and delivers its answer on the channel
// it returns.
func advanceAside(base, body string) <-chan asideAnswer {
	answer := make(chan asideAnswer, 1)
	go func() {
		res, err := http.Post(base+"/sandbox/clock/advance", "application/json", strings.NewReader(body))
		if err != nil {
			answer <- asideAnswer{}
			return
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		answer <- asideAnswer{res.StatusCode, string(b)}
	}()
	return answer
}

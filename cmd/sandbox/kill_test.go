package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// process is the sandbox binary running as its own process.
type process struct {
	cmd *exec.Cmd
	url string
}

var readyURL = regexp.MustCompile(`"sandbox ready" url=(\S+)`)

// startProcess runs the sandbox as a process of its own on 127.0.0.1:0 and
// waits until it is ready.
func startProcess(t *testing.T, data string) *process {
	t.Helper()
	return startBinary(t, "serve", "--addr", "127.0.0.1:0", "--data", data,
		"--freeze", frozenAt.Format(time.RFC3339), "--seed", "7")
}

// startBinary runs the sandbox command (sandboxCommand) with args, a serve
// command, and waits until it says it is ready; the test's cleanup kills it.
func startBinary(t *testing.T, args ...string) *process {
	t.Helper()
	return startBinaryWith(t, nil, args...)
}

// startBinaryWith is startBinary with env added to the process's
// environment.
func startBinaryWith(t *testing.T, env []string, args ...string) *process {
	t.Helper()
	cmd := sandboxCommand(t, args...)
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := readyURL.FindStringSubmatch(sc.Text()); m != nil {
				urls <- m[1]
			}
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case u := <-urls:
		return &process{cmd: cmd, url: u}
	case <-time.After(20 * time.Second):
		t.Fatal("the sandbox did not say it was ready within 20s")
		return nil
	}
}

// TestKill9LosesNothingAcknowledged kills the sandbox with SIGKILL right
// after it acknowledged a sale whose callback is not due yet: after a
// restart the payment, the project and the scheduled callback are there,
// and the callback goes out when it falls due.
func TestKill9LosesNothingAcknowledged(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs the sandbox as a process")
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	m := newMerchant(t)

	p := startProcess(t, data)
	s := &sandbox{t: t, URL: p.url}
	setupProject(t, s, m)
	for i := range 5 {
		body := oxxoSale(fmt.Sprintf("k9-%d", i), func(b map[string]any) {
			b["callback"] = map[string]any{"delay": 30}
		})
		require.Equal(t, http.StatusOK, s.do("POST", oxxoPath, signed(body, testSecret), nil))
	}
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGKILL))
	_ = p.cmd.Wait()
	m.none()

	// The last sales are in the data file's log, not yet in the file
	// itself (on Linux): sandbox check, which changes nothing, says to
	// start serve, which adds them.
	if runtime.GOOS == "linux" {
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), []string{"check", "--data", data}, &stdout, &stderr)
		require.Error(t, err, "a data file that needs its log: %s", stdout.String())
		assert.Equal(t, 1, exitCode(err, &stderr))
		assert.Contains(t, stderr.String(), "was not closed: start sandbox serve on it once")
	}

	p = startProcess(t, data)
	s = &sandbox{t: t, URL: p.url}
	var list struct {
		Payments []map[string]any `json:"payments"`
	}
	require.Equal(t, http.StatusOK, s.do("GET", fmt.Sprintf("/sandbox/payments?project_id=%d", testProject), nil, &list))
	assert.Len(t, list.Payments, 5, "every acknowledged sale survived")
	// The sales were processed (before or after the kill) and their delayed
	// callbacks wait for the clock.
	eventually(t, "processing resumed", func() bool {
		s.do("GET", fmt.Sprintf("/sandbox/payments?project_id=%d&status=awaiting%%20redirect%%20result", testProject), nil, &list)
		return len(list.Payments) == 5
	})
	m.none()
	advance(t, s, "30s")
	got := map[string]bool{}
	for range 5 {
		got[path(m.next(), "payment", "id").(string)] = true
	}
	assert.Len(t, got, 5)
}

// callbackLog is a merchant that answers every callback 200 at once and
// keeps, per payment, the statuses its callbacks carried in the order they
// arrived, and each distinct body.
type callbackLog struct {
	mu       sync.Mutex
	statuses map[string][]string
	bodies   map[string]map[string]bool // payment → status → body
	changed  map[string]map[string]int  // payment → status → distinct bodies
}

func newCallbackLog(t *testing.T) (*callbackLog, string) {
	l := &callbackLog{statuses: map[string][]string{}, bodies: map[string]map[string]bool{}, changed: map[string]map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var cb struct {
			Payment struct {
				ID     string `json:"id"`
				Status string `json:"status"`
			} `json:"payment"`
		}
		if json.Unmarshal(raw, &cb) == nil {
			l.mu.Lock()
			id, st := cb.Payment.ID, cb.Payment.Status
			l.statuses[id] = append(l.statuses[id], st)
			key := st + "\x00" + string(raw)
			if l.bodies[id] == nil {
				l.bodies[id], l.changed[id] = map[string]bool{}, map[string]int{}
			}
			if !l.bodies[id][key] {
				l.bodies[id][key] = true
				l.changed[id][st]++
			}
			l.mu.Unlock()
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	return l, srv.URL + "/callbacks"
}

// of returns the statuses of a payment's callbacks in arrival order, with
// repeats of one callback (at-least-once delivery) folded.
func (l *callbackLog) of(id string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, s := range l.statuses[id] {
		if len(out) == 0 || out[len(out)-1] != s {
			out = append(out, s)
		}
	}
	return out
}

// TestKill9UnderLoad kills the sandbox with SIGKILL while sales and
// payments are in flight from many connections, then starts it again on the
// same data and lets every voucher lapse. Whatever was answered 200 is
// there; every callback due is delivered at least once and in order per
// payment (the redirect, then success or decline); no job ran twice with a
// visible effect: no payment is declined after its success, and no status is
// called back with two different bodies.
func TestKill9UnderLoad(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs the sandbox as a process")
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	log, callbackURL := newCallbackLog(t)

	p := startProcess(t, data)
	s := &sandbox{t: t, URL: p.url}
	require.Equal(t, http.StatusOK, s.do("POST", "/sandbox/projects", map[string]any{
		"id": testProject, "secret": testSecret, "callback_url": callbackURL,
	}, nil))

	// Load: workers sell, and pay every other sale they got a 200 for.
	var (
		mu      sync.Mutex
		sold    []string            // answered 200
		paid    = map[string]bool{} // pay answered 200
		tried   = map[string]bool{} // every payment a sale was sent for
		stop    atomic.Bool
		wg      sync.WaitGroup
		client  = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
		enough  = make(chan struct{})
		enoughs sync.Once
	)
	post := func(path string, body any) (int, error) {
		raw, _ := json.Marshal(body)
		res, err := client.Post(p.url+path, "application/json", bytes.NewReader(raw))
		if err != nil {
			return 0, err
		}
		defer res.Body.Close()
		_, _ = io.Copy(io.Discard, res.Body)
		return res.StatusCode, nil
	}
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; !stop.Load(); n++ {
				id := fmt.Sprintf("load-%d-%d", w, n)
				mu.Lock()
				tried[id] = true
				mu.Unlock()
				status, err := post(oxxoPath, signed(oxxoSale(id), testSecret))
				if err != nil || status != http.StatusOK {
					continue // killed under it: it may or may not exist
				}
				mu.Lock()
				sold = append(sold, id)
				if len(sold) >= 50 {
					enoughs.Do(func() { close(enough) })
				}
				mu.Unlock()
				if n%2 == 0 {
					status, err := post(fmt.Sprintf("/sandbox/payments/%d/%s/pay", testProject, id), map[string]any{"channel": "terminal"})
					if err == nil && status == http.StatusOK {
						mu.Lock()
						paid[id] = true
						mu.Unlock()
					}
				}
			}
		}()
	}
	select {
	case <-enough:
	case <-time.After(2 * time.Minute):
		t.Fatal("the load did not get 50 sales answered within 2 minutes")
	}
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGKILL), "killed with requests in flight")
	_ = p.cmd.Wait()
	stop.Store(true)
	wg.Wait()

	p = startProcess(t, data)
	s = &sandbox{t: t, URL: p.url}
	mu.Lock()
	defer mu.Unlock()
	t.Logf("%d sales and %d payments answered 200 before the kill", len(sold), len(paid))
	for _, id := range sold {
		var v struct {
			Status string `json:"status"`
		}
		require.Equal(t, http.StatusOK, s.do("GET", fmt.Sprintf("/sandbox/payments/%d/%s", testProject, id), nil, &v), "sale %s was answered 200", id)
		if paid[id] {
			assert.Equal(t, "success", v.Status, "payment %s was answered 200", id)
		}
	}

	// Every voucher not paid lapses; the advance waits for the callbacks.
	advance(t, s, "31d")
	var list struct {
		Payments []struct {
			PaymentID string `json:"payment_id"`
			Status    string `json:"status"`
		} `json:"payments"`
	}
	require.Less(t, len(tried), 1000, "one page of the list holds every payment")
	require.Equal(t, http.StatusOK, s.do("GET", fmt.Sprintf("/sandbox/payments?project_id=%d&limit=1000", testProject), nil, &list))
	assert.GreaterOrEqual(t, len(list.Payments), len(sold))
	final := map[string]string{}
	for _, p := range list.Payments {
		require.True(t, tried[p.PaymentID], "payment %s was never sent", p.PaymentID)
		require.Contains(t, []string{"success", "decline"}, p.Status, "payment %s", p.PaymentID)
		final[p.PaymentID] = p.Status
		if paid[p.PaymentID] {
			assert.Equal(t, "success", p.Status, "payment %s was paid: no lapse may decline it", p.PaymentID)
		}
	}
	waitUntil(t, "every payment's callbacks delivered", 60*time.Second, func() bool {
		for id, st := range final {
			got := log.of(id)
			if len(got) < 2 || got[len(got)-1] != st {
				return false
			}
		}
		return true
	})
	for id, st := range final {
		assert.Equal(t, []string{"awaiting redirect result", st}, log.of(id),
			"payment %s: its callbacks, in the order they arrived (repeats folded)", id)
		log.mu.Lock()
		for status, n := range log.changed[id] {
			assert.Equal(t, 1, n, "payment %s: %d different %q callbacks", id, n, status)
		}
		log.mu.Unlock()
	}
}

// waitUntil polls cond every 20 ms until it holds; after limit it fails
// the test (a guard against hanging, not a measure of speed).
func waitUntil(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
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

// startProcess runs the built binary on 127.0.0.1:0 and waits until it is ready.
func startProcess(t *testing.T, bin, data string) *process {
	t.Helper()
	return startBinary(t, bin, "serve", "--addr", "127.0.0.1:0", "--data", data,
		"--freeze", frozenAt.Format(time.RFC3339), "--seed", "7")
}

// startBinary runs bin with args, a serve command, and waits until it says
// it is ready; the test's cleanup kills it.
func startBinary(t *testing.T, bin string, args ...string) *process {
	t.Helper()
	cmd := exec.Command(bin, args...)
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
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "sandbox")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	data := filepath.Join(dir, "data")
	m := newMerchant(t)

	p := startProcess(t, bin, data)
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

	p = startProcess(t, bin, data)
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

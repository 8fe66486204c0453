package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/internal/testlog"
)

// TestPublicURLOfEveryInterface checks that --addr 0.0.0.0:PORT or
// [::]:PORT warns and tells customers an address they can open, not
// http://[::]:PORT.
func TestPublicURLOfEveryInterface(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		addr  net.Addr
		given string
		want  string
		warn  bool
	}{
		{"loopback", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}, "", "http://127.0.0.1:8080", false},
		{"IPv6 loopback", &net.TCPAddr{IP: net.IPv6loopback, Port: 8080}, "", "http://[::1]:8080", false},
		{"0.0.0.0", &net.TCPAddr{IP: net.IPv4zero, Port: 8080}, "", "http://127.0.0.1:8080", true},
		{"[::]", &net.TCPAddr{IP: net.IPv6unspecified, Port: 9090}, "", "http://127.0.0.1:9090", true},
		{"0.0.0.0 with a public URL", &net.TCPAddr{IP: net.IPv4zero, Port: 8080}, "http://sandbox.test:8080", "http://sandbox.test:8080", true},
		{"a public URL", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}, "https://pay.example", "https://pay.example", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs bytes.Buffer
			got := publicURL(tt.given, tt.addr, slog.New(slog.NewTextHandler(&logs, nil)))
			assert.Equal(t, tt.want, got)
			if tt.warn {
				assert.Contains(t, logs.String(), "level=WARN")
				assert.Contains(t, logs.String(), "every network interface")
				assert.Contains(t, logs.String(), "--allowed-hosts")
			} else {
				assert.Empty(t, logs.String())
			}
		})
	}
}

// TestAllowedHostsFlag serves with --allowed-hosts and checks that the
// control API answers those names and refuses others.
func TestAllowedHostsFlag(t *testing.T) {
	t.Parallel()
	o, err := parseServe([]string{"--allowed-hosts", "a.test, b.test", "--allowed-hosts", "c.test"}, stdio{out: &bytes.Buffer{}, err: &bytes.Buffer{}})
	require.NoError(t, err)
	assert.Equal(t, []string{"a.test", "b.test", "c.test"}, o.AllowedHosts)

	ctx, cancel := context.WithCancel(context.Background())
	var stdout testlog.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--allowed-hosts", "sandbox.test"}, &stdout, &stdout)
	}()
	defer func() {
		cancel()
		err := <-done
		assert.True(t, err == nil || errors.Is(err, context.Canceled), "%v", err)
	}()
	eventually(t, "ready", func() bool { return strings.Contains(stdout.String(), "sandbox ready") })
	m := regexp.MustCompile(`url=(http://\S+)`).FindStringSubmatch(stdout.String())
	require.NotNil(t, m, stdout.String())

	for host, want := range map[string]int{"sandbox.test": 200, "sandbox.test:8080": 200, "localhost": 200, "other.test": 421} {
		req, err := http.NewRequest(http.MethodGet, m[1]+"/sandbox/projects", nil)
		require.NoError(t, err)
		req.Host = host
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, want, res.StatusCode, host)
	}
}

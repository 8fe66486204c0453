package main

import (
	"io"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestServeTakesItsFlagsFromTheEnvironment: a container sets serve's flags
// as ECOMMPAY_SANDBOX_ variables; a flag on the command line wins, and a
// variable serve cannot use is refused, named.
func TestServeTakesItsFlagsFromTheEnvironment(t *testing.T) {
	t.Parallel()
	env := []string{"PATH=/bin", "ECOMMPAY_SANDBOX_ADDR=0.0.0.0:9090", "ECOMMPAY_SANDBOX_CALLBACK_TIMEOUT=30s",
		"ECOMMPAY_SANDBOX_ALLOWED_HOSTS=sandbox.internal", "ECOMMPAY_SANDBOX_LOG_FORMAT=json"}
	o, err := parseServe(nil, stdio{env: env})
	require.NoError(t, err)
	assert.Equal(t, "0.0.0.0:9090", o.Addr)
	assert.Equal(t, 30*time.Second, o.CallbackTimeout)
	assert.Equal(t, []string{"sandbox.internal"}, o.AllowedHosts)
	assert.Equal(t, "json", o.LogFormat)
	assert.Equal(t, "./sandbox-data", o.Data, "a flag the environment does not set keeps its default")

	o, err = parseServe([]string{"--addr", "127.0.0.1:7000"}, stdio{env: env})
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:7000", o.Addr, "the command line wins")
	assert.Equal(t, 30*time.Second, o.CallbackTimeout)

	tests := []struct {
		name, env, want string
	}{
		{"a value the flag refuses", "ECOMMPAY_SANDBOX_CALLBACK_TIMEOUT=30", `the environment's ECOMMPAY_SANDBOX_CALLBACK_TIMEOUT="30": `},
		{"a range the flag refuses", "ECOMMPAY_SANDBOX_CALLBACK_TIMEOUT=1h", "--callback-timeout 1h0m0s: use a positive duration up to"},
		{"a name of no flag", "ECOMMPAY_SANDBOX_ADRESS=0.0.0.0:80", "the environment's ECOMMPAY_SANDBOX_ADRESS names no flag of serve; known are ECOMMPAY_SANDBOX_ADDR, "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseServe(nil, stdio{env: []string{tt.env}})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Equal(t, 2, exitCode(err, io.Discard))
		})
	}

	// The process reads its own environment.
	if testing.Short() {
		return
	}
	p := startBinaryWith(t, []string{"ECOMMPAY_SANDBOX_FREEZE=" + frozenAt.Format(time.RFC3339)},
		"serve", "--addr", "127.0.0.1:0", "--data", filepath.Join(t.TempDir(), "data"))
	var clock struct {
		Now    time.Time `json:"now"`
		Frozen bool      `json:"frozen"`
	}
	s := &sandbox{t: t, URL: p.url}
	require.Equal(t, http.StatusOK, s.do("GET", "/sandbox/clock", nil, &clock))
	assert.True(t, clock.Frozen)
	assert.True(t, frozenAt.Equal(clock.Now), "the clock is frozen where ECOMMPAY_SANDBOX_FREEZE says: %s", clock.Now)
}

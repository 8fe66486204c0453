package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCommandLine(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()

	tests := []struct {
		name    string
		args    []string
		wantErr string // "" means no error
		stdout  string
		stderr  string
	}{
		{name: "help", args: []string{"help"}, stdout: "sandbox serve [flags]"},
		{name: "--help", args: []string{"--help"}, stdout: "-callback-timeout"},
		{name: "nothing", args: nil, wantErr: "sandbox serve", stderr: "Usage:"},
		{name: "unknown command", args: []string{"start"}, wantErr: `unknown command "start"`},
		{name: "serve -h", args: []string{"serve", "-h"}, wantErr: flag.ErrHelp.Error(), stderr: "-addr"},
		{name: "unknown flag", args: []string{"serve", "--port", "1"}, wantErr: "flag provided but not defined: -port"},
		{name: "stray argument", args: []string{"serve", "now"}, wantErr: `unexpected "now"`},
		{name: "bad log format", args: []string{"serve", "--log-format", "xml"}, wantErr: "--log-format"},
		{name: "port in use", args: []string{"serve", "--addr", busy.Addr().String(), "--data", t.TempDir()}, wantErr: "pick another port"},
		{name: "bad freeze", args: []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--freeze", "tomorrow"}, wantErr: "RFC 3339"},
		{name: "missing config", args: []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--config", "/nonexistent.yaml"}, wantErr: "config file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), tt.args, &stdout, &stderr)
			if tt.wantErr == "" {
				assert.NoError(t, err)
			} else {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
			}
			assert.Contains(t, stdout.String(), tt.stdout)
			assert.Contains(t, stderr.String(), tt.stderr)
		})
	}
}

// lockedBuffer is a bytes.Buffer that a server may write while a test reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestServeStopsGracefully(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var stdout lockedBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir()}, &stdout, &stdout)
	}()
	eventually(t, "ready", func() bool { return strings.Contains(stdout.String(), "sandbox ready") })
	cancel()
	err := <-done
	assert.True(t, err == nil || errors.Is(err, context.Canceled), "%v", err)
	assert.Contains(t, stdout.String(), "shutting down")
}

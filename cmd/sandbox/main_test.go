package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"net"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/app"
	"github.com/ecommpay-sandbox/sandbox/internal/testlog"
)

func TestCommandLine(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()

	free, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	freeAddr := free.Addr().String()
	require.NoError(t, free.Close())

	tests := []struct {
		name    string
		args    []string
		wantErr string // "" means no error
		code    int    // the process's exit code
		stdout  string
		stderr  string // what main says on stderr, the error included
	}{
		{name: "help", args: []string{"help"}, stdout: "sandbox serve [flags]"},
		{name: "help lists every verb", args: []string{"help"}, stdout: "sandbox verify --secret S"},
		{name: "help names every method", args: []string{"help"}, stdout: "Its payment methods: " + strings.Join(registeredNames(), ", ") + ".\n"},
		{name: "--help", args: []string{"--help"}, stdout: "-callback-timeout"},
		{name: "help -h", args: []string{"help", "-h"}, stdout: "sandbox sign --secret S"},
		{name: "help help", args: []string{"help", "help"}, stdout: "sandbox help [COMMAND]"},
		{name: "help sign", args: []string{"help", "sign"}, wantErr: flag.ErrHelp.Error(), stdout: "Usage: sandbox sign"},
		{name: "help of no verb", args: []string{"help", "start"}, wantErr: `no command "start"`, code: 2, stderr: `"sandbox help" lists the commands`},
		{name: "nothing", args: nil, wantErr: "sandbox serve", code: 2, stderr: "Usage:"},
		{name: "unknown command", args: []string{"start"}, wantErr: `unknown command "start"`, code: 2,
			stderr: "sandbox: unknown command \"start\": \"sandbox help\" lists the commands\n"},
		{name: "serve -h", args: []string{"serve", "-h"}, wantErr: flag.ErrHelp.Error(), stdout: "-addr"},
		{name: "sign -h", args: []string{"sign", "-h"}, wantErr: flag.ErrHelp.Error(), stdout: "-explain"},
		{name: "verify -h", args: []string{"verify", "--help"}, wantErr: flag.ErrHelp.Error(), stdout: "-string"},
		{name: "bench -h", args: []string{"bench", "-h"}, wantErr: flag.ErrHelp.Error(), stdout: "-one-client"},
		{name: "bench with no connections", args: []string{"bench", "--connections", "0"}, wantErr: "--connections 0: use 1 to 4096", code: 2},
		{name: "bench with a stray argument", args: []string{"bench", "now"}, wantErr: `unexpected "now"`, code: 2},
		// Refused before any load: a short one, should a check go, ends the case.
		{name: "bench with one client and many connections", args: []string{"bench", "--duration", "1s", "--max-requests", "20", "--one-client", "--connections", "8"}, wantErr: "--one-client is --connections 1: drop --connections 8", code: 2},
		{name: "bench with --bin but no growth", args: []string{"bench", "--duration", "1s", "--max-requests", "20", "--bin", "/bin/true"}, wantErr: "add --payments N", code: 2},
		{name: "bench with a missing --bin", args: []string{"bench", "--duration", "1s", "--max-requests", "20", "--payments", "10", "--bin", "/nonexistent/sandbox"}, wantErr: "--bin: stat /nonexistent/sandbox: no such file or directory (name a sandbox binary", code: 1},
		{name: "bench with a folder as --bin", args: []string{"bench", "--duration", "1s", "--max-requests", "20", "--payments", "10", "--bin", t.TempDir()}, wantErr: "is not an executable file", code: 1},
		{name: "bench with a CPU profile nowhere", args: []string{"bench", "--duration", "1s", "--max-requests", "20", "--cpuprofile", "/nonexistent/cpu.pprof"}, wantErr: "--cpuprofile /nonexistent/cpu.pprof: cannot write a file there", code: 1},
		{name: "bench with a heap profile nowhere", args: []string{"bench", "--duration", "1s", "--max-requests", "20", "--payments", "10", "--heapprofile", "/nonexistent/heap.pprof"}, wantErr: "--heapprofile /nonexistent/heap.pprof: cannot write a file there", code: 1},
		{name: "pprof off loopback", args: []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--pprof", "0.0.0.0:6060"}, wantErr: "loopback only", code: 1},
		{name: "pprof without a port", args: []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--pprof", "127.0.0.1"}, wantErr: "HOST:PORT", code: 1},
		{name: "pprof on the sandbox's port", args: []string{"serve", "--addr", freeAddr, "--data", t.TempDir(), "--pprof", freeAddr},
			wantErr: "--pprof: listen on " + freeAddr + ": listen tcp " + freeAddr + ": bind: address already in use (pick another port)", code: 1},
		// --log-format xml would end serve at once, should the check go.
		{name: "no callback timeout", args: []string{"serve", "--log-format", "xml", "--callback-timeout", "0s"}, wantErr: "--callback-timeout 0s: use a positive duration up to 2m0s, such as 1s", code: 2},
		{name: "a negative callback timeout", args: []string{"serve", "--log-format", "xml", "--callback-timeout", "-1s"}, wantErr: "--callback-timeout -1s: use a positive duration", code: 2},
		{name: "a callback timeout the transport cuts short", args: []string{"serve", "--log-format", "xml", "--callback-timeout", "5m"}, wantErr: "--callback-timeout 5m0s: use a positive duration up to 2m0s", code: 2},
		{name: "an empty data folder", args: []string{"serve", "--log-format", "xml", "--data", ""}, wantErr: "--data is empty: name the folder of the data file", code: 2},
		{name: "check an empty data folder", args: []string{"check", "--data", ""}, wantErr: "--data is empty: name the folder of the data file", code: 2},
		{name: "no shutdown grace", args: []string{"serve", "--log-format", "xml", "--shutdown-grace", "0s"}, wantErr: "--shutdown-grace 0s: use a positive duration, such as 3s", code: 2},
		{name: "version -h", args: []string{"version", "-h"}, wantErr: flag.ErrHelp.Error(), stdout: "Usage: sandbox version"},
		{name: "version", args: []string{"version"}, stdout: "sandbox "},
		{name: "version with an argument", args: []string{"version", "now"}, wantErr: "no arguments", code: 2},
		{name: "unknown flag", args: []string{"serve", "--port", "1"}, wantErr: "flag provided but not defined: -port", code: 2, stderr: `"sandbox serve -h" lists its flags`},
		{name: "stray argument", args: []string{"serve", "now"}, wantErr: `unexpected "now"`, code: 2},
		{name: "sign without secret", args: []string{"sign", "x.json"}, wantErr: "--secret S", code: 2},
		{name: "verify without secret", args: []string{"verify"}, wantErr: "--secret S", code: 2},
		{name: "sign two files", args: []string{"sign", "--secret", "s", "a.json", "b.json"}, wantErr: "one FILE", code: 2},
		{name: "sign a missing file", args: []string{"sign", "--secret", "s", "/nonexistent.json"}, wantErr: "read /nonexistent.json", code: 1},
		{name: "sign a link as FILE", args: []string{"sign", "--secret", "s", "--page", "http://x/payment?a=1"}, wantErr: "give it on standard input", code: 1},
		{name: "sign empty input", args: []string{"sign", "--secret", "s"}, wantErr: "standard input is empty", code: 1},
		{name: "bad log format", args: []string{"serve", "--log-format", "xml"}, wantErr: "--log-format", code: 1},
		{name: "port in use", args: []string{"serve", "--addr", busy.Addr().String(), "--data", t.TempDir()}, wantErr: "pick another port", code: 1},
		{name: "bad freeze", args: []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--freeze", "tomorrow"}, wantErr: "RFC 3339", code: 1},
		{name: "missing config", args: []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--config", "/nonexistent.yaml"}, wantErr: "config file", code: 1},
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
			assert.Equal(t, tt.code, exitCode(err, &stderr), "exit code")
			assert.Contains(t, stdout.String(), tt.stdout)
			assert.Contains(t, stderr.String(), tt.stderr)
		})
	}
}

func TestServeStopsGracefully(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout testlog.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir()}, &stdout, &stdout)
	}()
	eventually(t, "ready", func() bool { return strings.Contains(stdout.String(), "sandbox ready") })
	cancel()
	err := <-done
	assert.True(t, err == nil || errors.Is(err, context.Canceled), "%v", err)
	assert.Contains(t, stdout.String(), `version="sandbox `, "the host reads which build serves")
	assert.Contains(t, stdout.String(), `demo_project="project_id 1, secret \"secret\""`, "the ready line says how to sign for the demo project (demoLine)")
	assert.Contains(t, stdout.String(), "shutting down")
	assert.Contains(t, stdout.String(), `msg="sandbox stopped" data=`, "the host reads that the data file was closed")
}

// TestUnknownCommandIsOneLine checks that a mistyped verb gets one line that
// names it and points at help, not a page of usage.
func TestUnknownCommandIsOneLine(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"sevre"}, &stdout, &stderr)
	assert.Equal(t, 2, exitCode(err, &stderr))
	assert.Empty(t, stdout.String())
	assert.Equal(t, "sandbox: unknown command \"sevre\": \"sandbox help\" lists the commands\n", stderr.String())
}

// registeredNames are the names of the methods app registers.
func registeredNames() []string {
	var names []string
	for _, p := range app.Providers() {
		names = append(names, p.Method().Name)
	}
	return names
}

package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTestVerb runs `sandbox test` on a passing and a failing scenario: a
// line each in input order, the summary, exit status 1 and a JUnit report.
func TestTestVerb(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
		return p
	}
	pass := write("b-pass.yaml", "name: a sale is accepted\nsteps:\n  - gate: {sale: oxxo, payment_id: o-1}\n  - callback: {payment: o-1, status: awaiting redirect result}\n")
	fail := write("a-fail.yaml", "name: a sale is refused\nsteps:\n  - gate: {sale: oxxo, payment_id: o-1}\n    expect: {status: 400}\n")
	junit := filepath.Join(dir, "report.xml")

	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"test", "--junit", junit, "--jobs", "2", pass, fail}, &stdout, &stderr)
	require.Error(t, err)
	assert.Equal(t, 1, exitCode(err, &stderr))
	assert.Empty(t, stderr.String(), "the report already says why")
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	require.GreaterOrEqual(t, len(lines), 3, stdout.String())
	assert.True(t, strings.HasPrefix(lines[0], "ok    "+pass+"  a sale is accepted  ("), lines[0])
	assert.True(t, strings.HasPrefix(lines[1], "FAIL  "+fail+"  a sale is refused  ("), lines[1])
	assert.Contains(t, stdout.String(), "step 1 (gate) at "+fail+":3")
	assert.Equal(t, "1 passed, 1 failed", lines[len(lines)-1])
	report, err := os.ReadFile(junit)
	require.NoError(t, err)
	assert.Equal(t, 2, strings.Count(string(report), "<testcase "))
	assert.Contains(t, string(report), `<failure message="step 1 (gate) at `+fail+`:3`)

	stdout.Reset()
	require.NoError(t, run(context.Background(), []string{"test", "--run", "accepted", dir}, &stdout, &stderr))
	assert.True(t, strings.HasSuffix(stdout.String(), "\n1 passed, 0 failed\n"), stdout.String())
}

func TestTestVerbCommandLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		wantErr string
		code    int
	}{
		{"help", []string{"test", "-h"}, flag.ErrHelp.Error(), 0},
		{"no path", []string{"test"}, "name scenario files or folders", 2},
		{"bad regex", []string{"test", "--run", "(", "."}, `--run "(" is not a regular expression`, 2},
		{"negative jobs", []string{"test", "--jobs", "-1", "."}, "--jobs -1", 2},
		{"no time", []string{"test", "--timeout", "0s", "."}, "--timeout 0s: give a positive duration", 2},
		{"a time without unit", []string{"test", "--timeout", "90", "."}, `invalid value "90" for flag -timeout`, 2},
		{"missing path", []string{"test", "/nonexistent/scenarios"}, "/nonexistent/scenarios", 1},
		{"a report nowhere to go", []string{"test", "--junit", "/nonexistent/report.xml", "../../scenarios/oxxo-gate-terminal.yaml"}, "--junit /nonexistent/report.xml: open", 2},
		{"nothing matches", []string{"test", "--run", "^no such scenario$", "../../scenarios/oxxo-gate-terminal.yaml"}, "no scenario matches --run", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), tt.args, &stdout, &stderr)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.Equal(t, tt.code, exitCode(err, &stderr))
			if tt.code == 2 {
				assert.Empty(t, stdout.String(), "nothing ran")
			}
		})
	}
}

// TestTestVerbTakesFlagsAfterThePaths: CI scripts write the flags after
// the paths too (sandbox test scenarios/ --junit report.xml); after "--"
// every argument is a path, one that starts with "-" included.
func TestTestVerbTakesFlagsAfterThePaths(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pass := filepath.Join(dir, "pass.yaml")
	require.NoError(t, os.WriteFile(pass, []byte("name: a sale is accepted\nsteps:\n  - gate: {sale: oxxo, payment_id: o-1}\n"), 0o644))
	other := filepath.Join(dir, "other.yaml")
	require.NoError(t, os.WriteFile(other, []byte("name: another\nsteps:\n  - gate: {sale: oxxo, payment_id: o-1}\n"), 0o644))
	junit := filepath.Join(dir, "report.xml")

	var stdout, stderr bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"test", pass, "--junit", junit, other, "--run", "accepted"}, &stdout, &stderr), stderr.String())
	assert.True(t, strings.HasSuffix(stdout.String(), "\n1 passed, 0 failed\n"), stdout.String())
	report, err := os.ReadFile(junit)
	require.NoError(t, err)
	assert.Equal(t, 1, strings.Count(string(report), "<testcase "))

	err = run(context.Background(), []string{"test", pass, "--", "--junit"}, &stdout, &stderr)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "scenario path --junit: no such file or folder")
}

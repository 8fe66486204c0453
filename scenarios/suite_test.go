package scenarios_test

import (
	"bytes"
	"context"
	"os"
	"runtime"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/scenarios"
)

// TestSuite runs every shipped scenario file, as `sandbox test scenarios/`
// does, but for the order and the jobs: the files whose merchant holds its
// answers start first and have jobs of their own, so that they wait out
// their callback timeouts while the others run.
func TestSuite(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	paths := []string{"."}
	if p := os.Getenv("SCENARIO"); p != "" {
		paths = []string{p}
	}
	files, waiting := waitingFirst(t, paths...)
	r := &scenarios.Runner{Out: &out, Jobs: runtime.NumCPU() + waiting}
	rep, err := r.Run(context.Background(), files)
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out.String())
	if rep.Failed > 0 {
		t.Fatalf("%d scenario(s) failed", rep.Failed)
	}
}

// waitingFirst returns the scenario files of paths (scenarios.Files) with
// those that set sandbox.callback_timeout first, and how many those are:
// their merchants hold answers, which costs that timeout in wall time.
func waitingFirst(t *testing.T, paths ...string) (files []string, waiting int) {
	t.Helper()
	all, err := scenarios.Files(paths)
	require.NoError(t, err)
	var others []string
	for _, f := range all {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		var doc struct {
			Sandbox struct {
				CallbackTimeout string `yaml:"callback_timeout"`
			} `yaml:"sandbox"`
		}
		require.NoError(t, yaml.Unmarshal(raw, &doc), f)
		if doc.Sandbox.CallbackTimeout == "" {
			others = append(others, f)
			continue
		}
		files = append(files, f)
	}
	return append(files, others...), len(files)
}

package scenarios_test

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/ecommpay-sandbox/sandbox/scenarios"
)

// TestSuite runs every shipped scenario file, as `sandbox test scenarios/` does.
func TestSuite(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	r := &scenarios.Runner{Out: &out}
	paths := []string{"."}
	if p := os.Getenv("SCENARIO"); p != "" {
		paths = []string{p}
	}
	rep, err := r.Run(context.Background(), paths)
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out.String())
	if rep.Failed > 0 {
		t.Fatalf("%d scenario(s) failed", rep.Failed)
	}
}

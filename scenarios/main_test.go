package scenarios_test

import (
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/ecommpay-sandbox/sandbox/internal/testparallel"
)

// TestMain runs the tests more at a time than there are CPUs unless
// -test.parallel says how many: the tests that run scenarios mostly wait,
// in wall time, for what a file's merchant holds back (a callback timeout)
// or for a run's own timeout, so the waits overlap.
func TestMain(m *testing.M) {
	flag.Parse()
	if err := testparallel.ForWaitingTests(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	os.Exit(m.Run())
}

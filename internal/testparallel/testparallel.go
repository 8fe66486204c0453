package testparallel

import (
	"flag"
	"fmt"
	"runtime"
	"strconv"
)

// ForWaitingTests sets -test.parallel to four tests a CPU, and at least 8,
// unless the command line set it. A TestMain calls it after flag.Parse and
// before m.Run.
func ForWaitingTests() error {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if set {
		return nil
	}
	if err := flag.Set("test.parallel", strconv.Itoa(max(8, 4*runtime.GOMAXPROCS(0)))); err != nil {
		return fmt.Errorf("testparallel: set -test.parallel (does the binary run tests?): %w", err)
	}
	return nil
}

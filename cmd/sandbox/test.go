package main

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"time"

	"github.com/ecommpay-sandbox/sandbox/scenarios"
)

const testUsage = `Usage: sandbox test [--junit FILE] [--target URL] [--jobs N] [--run REGEX] [--timeout D] PATH...

Runs scenario files (scenarios/README.md explains them): each file against a
sandbox of its own, in-process, with a frozen clock and a merchant on
127.0.0.1, files side by side. PATH is a .yaml file or a folder of them
(testdata folders are skipped); flags may come before or after the paths.
Prints one line per scenario, why a failed one failed, and "N passed,
M failed"; exits with status 1 when any failed. A scenario that runs past
--timeout of wall time fails at the step it was on; interrupted (Ctrl-C),
the run still reports every scenario, those it did not start as not run
(SKIP, and <skipped> in JUnit), and exits with status 1. A file reads an
environment variable as ${env.NAME} (the URL of the merchant's own server,
say): a file that names one not set, or set empty, does not run.

With --target, the files run against the sandbox running at URL, one after
another unless --jobs says otherwise: projects are created through its
control API, payment IDs get a suffix unique to the run, and each file
starts with the sandbox's clock frozen at the file's start, as in-process;
files side by side share the clock as it moves, and those of the same
project take turns (scenarios/README.md). A sandbox that does not answer
yet is waited for up to 10s: one started just before the run, in the
background, is found once it listens.

Example:
  sandbox test --junit report.xml scenarios/

Flags:
`

// runTest is the test verb.
func runTest(ctx context.Context, args []string, std stdio) error {
	fs := verbFlags("test")
	junit := fs.String("junit", "", "write a JUnit XML report to `file`, one <testcase> per scenario")
	target := fs.String("target", "", "run against the sandbox running at `URL` instead of in-process sandboxes")
	jobs := fs.Int("jobs", 0, "how many files run at once (default: the number of CPUs; 1 with --target)")
	filter := fs.String("run", "", "run only the scenarios whose name or file matches this `regex`")
	timeout := fs.Duration("timeout", time.Minute, "how long one scenario may run, in wall `time` (a duration such as 2m)")
	paths, err := parseFlags(fs, args, testUsage, std)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return usagef("test: name scenario files or folders, such as: sandbox test scenarios/")
	}
	if *jobs < 0 {
		return usagef("test: --jobs %d: give a positive number", *jobs)
	}
	if *timeout <= 0 {
		return usagef("test: --timeout %s: give a positive duration, such as 2m", *timeout)
	}
	// A CI job starts the sandbox and the run side by side: the run waits
	// for a sandbox still starting (a cold start takes under a second).
	r := &scenarios.Runner{Target: *target, TargetWait: 10 * time.Second, Jobs: *jobs, Out: std.out, Timeout: *timeout, LookupEnv: std.lookupEnv}
	if *filter != "" {
		re, err := regexp.Compile(*filter)
		if err != nil {
			return usagef("test: --run %q is not a regular expression: %v", *filter, err)
		}
		r.Filter = re
	}
	var report *os.File
	if *junit != "" {
		// Opened before the run: a report with nowhere to go fails at once,
		// not after every scenario ran.
		f, err := os.Create(*junit)
		if err != nil {
			return usagef("test: --junit %s: %v", *junit, err)
		}
		report = f
		defer report.Close()
	}
	rep, err := r.Run(ctx, paths)
	if err != nil {
		if report != nil {
			_ = report.Close()
			_ = os.Remove(*junit)
		}
		return fmt.Errorf("test: %w", err)
	}
	if report != nil {
		if err := writeJUnit(report, rep); err != nil {
			return err
		}
	}
	switch {
	case rep.Failed > 0:
		// The report said which and why.
		return &exitError{code: 1, msg: fmt.Sprintf("%d scenario(s) failed", rep.Failed)}
	case rep.NotRun > 0:
		return &exitError{code: 1, msg: fmt.Sprintf("%d scenario(s) not run: the run was interrupted", rep.NotRun)}
	case len(rep.Results) == 0:
		return fmt.Errorf("test: no scenario matches --run %q", *filter)
	}
	return nil
}

// writeJUnit writes the report as JUnit XML to f and closes it.
func writeJUnit(f *os.File, rep *scenarios.Report) error {
	werr := scenarios.WriteJUnit(f, rep)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return fmt.Errorf("test: --junit %s: %w", f.Name(), werr)
	}
	return nil
}

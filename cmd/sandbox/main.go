package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	// The time zone database, embedded: voucher pages write moments in
	// their country's time (Mexico, Brazil, Argentina) even in a container
	// without /usr/share/zoneinfo.
	_ "time/tzdata"

	"github.com/ecommpay-sandbox/sandbox/app"
)

// stdio is what a command reads and writes: the process's streams, or
// buffers in tests.
type stdio struct {
	in       io.Reader
	out, err io.Writer
	// env is the process's environment, as os.Environ gives it; tests
	// leave it empty.
	env []string
}

// lookupEnv is os.LookupEnv over std's environment.
func (std stdio) lookupEnv(name string) (string, bool) {
	for i := len(std.env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(std.env[i], "="); ok && k == name {
			return v, true
		}
	}
	return "", false
}

// command is one verb of the command line: `sandbox <name> [args]`.
type command struct {
	name     string
	synopsis string // the arguments after the name, for help
	summary  string // what the verb does, one line
	run      func(ctx context.Context, args []string, std stdio) error
}

// commands returns every verb in the order `sandbox help` lists them. A new
// verb is one entry here and a file of its own.
func commands() []command {
	return []command{
		{name: "serve", synopsis: "[flags]", summary: "run the sandbox", run: runServe},
		{name: "sign", synopsis: "--secret S [--page] [--explain] [FILE|-]", summary: "sign a Gate body, or Payment Page parameters (--page)", run: runSign},
		{name: "verify", synopsis: "--secret S [--page] [--string S] [--signature SIG] [FILE|-]", summary: "check the signature of a callback or any signed message", run: runVerify},
		{name: "test", synopsis: "[flags] PATH...", summary: "run scenario files (scenarios/README.md)", run: runTest},
		{name: "bench", synopsis: "[flags]", summary: "measure the sandbox under load against a bare echo endpoint (loopback only)", run: runBench},
		{name: "backup", synopsis: "[--url URL | --data FOLDER] [--compact] FILE", summary: "copy the data file, from a running sandbox or a stopped one's folder", run: runBackup},
		{name: "check", synopsis: "[--data FOLDER]", summary: "read a stopped sandbox's data file whole and report damage (exit 1)", run: runCheck},
		{name: "version", synopsis: "", summary: "print the version and the revision it was built from", run: runVersion},
		{name: "help", synopsis: "[COMMAND]", summary: "show this help, or a command's", run: runHelp},
	}
}

// overview is the head of the sandbox's help: what it is, and its methods,
// as app registers them.
func overview() string {
	var names []string
	for _, p := range app.Providers() {
		names = append(names, p.Method().Name)
	}
	return "sandbox: a local ecommpay sandbox.\nIts payment methods: " + strings.Join(names, ", ") + ".\n\nUsage:\n"
}

const about = `
It emulates, on one address:
  /v2/...            the Gate API (sales, status, refund, clarification), signed callbacks
  /payment           the Payment Page; /shared/merchant.js is ecommpay's widget
  /providers/...     the mock providers' pages: vouchers with barcodes, terminals, wallets
  /sandbox/...       the control API: projects, payments, pay/fail/expire, clock, deliveries, reset
  /dashboard         payments, callbacks and the clock, with a button for every action
  /demo/shop         a sample shop that pays through the Payment Page
  /                  a page that links to everything

A demo project exists out of the box: project_id 1, secret "secret", no callback URL
(callbacks then wait in the delivery log: GET /sandbox/deliveries).

"sandbox COMMAND -h" explains a command; its flags may come before or after its
files. Flags of serve:
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := runWith(ctx, os.Args[1:], stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr, env: os.Environ()})
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// exitCode says err on w, when it has something to say, and returns the
// process's exit code: 0 for none (or help asked for), 2 for a command line
// that could not be understood, 1 for anything else.
func exitCode(err error, w io.Writer) int {
	var quiet *exitError
	var usage *usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &quiet):
		return quiet.code
	case errors.As(err, &usage):
		fmt.Fprintln(w, "sandbox:", err)
		return 2
	}
	fmt.Fprintln(w, "sandbox:", err)
	return 1
}

// usageError is a command line the sandbox could not understand.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// usagef returns a usageError with a message built from format.
func usagef(format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...)}
}

// exitError ends the process with code once the command has already said
// why on its output, as verify does for a signature that does not match.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// run is main without the process and with no input: it parses args and
// runs the verb.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runWith(ctx, args, stdio{in: strings.NewReader(""), out: stdout, err: stderr})
}

// runWith finds the verb named by args[0] and runs it.
func runWith(ctx context.Context, args []string, std stdio) error {
	if len(args) == 0 {
		printUsage(std.err)
		return usagef(`say what to do: "sandbox serve" runs the sandbox, "sandbox help" lists the commands`)
	}
	name := args[0]
	if isHelpFlag(name) {
		name = "help"
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(ctx, args[1:], std)
		}
	}
	return usagef(`unknown command %q: "sandbox help" lists the commands`, args[0])
}

// isHelpFlag reports whether arg asks for help the way flags do.
func isHelpFlag(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help"
}

// runHelp prints the overview, or a command's help, to stdout.
func runHelp(_ context.Context, args []string, std stdio) error {
	switch {
	case len(args) == 0, len(args) == 1 && (isHelpFlag(args[0]) || args[0] == "help"):
		printUsage(std.out)
		return nil
	case len(args) == 1:
		for _, c := range commands() {
			if c.name == args[0] && c.name != "help" {
				return c.run(context.Background(), []string{"-h"}, std)
			}
		}
		return usagef(`no command %q: "sandbox help" lists the commands`, args[0])
	}
	return usagef("help takes one command at most, got %q", strings.Join(args, " "))
}

// printUsage writes the overview: every command, what the sandbox serves,
// and the flags of serve.
func printUsage(w io.Writer) {
	fmt.Fprint(w, overview())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range commands() {
		fmt.Fprintf(tw, "  sandbox %s %s\t%s\n", c.name, c.synopsis, c.summary)
	}
	tw.Flush()
	fmt.Fprint(w, about)
	fs := serveFlags(&serveOptions{})
	fs.SetOutput(w)
	fs.PrintDefaults()
}

// verbFlags returns a flag set for a verb that reports nothing itself:
// parseFlags says what went wrong, and prints help to stdout when asked.
func verbFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parseFlags parses a verb's args and returns the arguments that are not
// flags. Flags may stand before or after them, as scripts write them
// (sandbox test scenarios/ --junit report.xml, sandbox sign body.json
// --secret S): the flag package alone stops at the first argument, which
// would leave the flags after it unread. After "--" every argument is an
// argument. Asked for help (-h), it prints the verb's usage and flags to
// stdout and returns flag.ErrHelp; a flag it does not know is a usageError
// that names the verb's help.
func parseFlags(fs *flag.FlagSet, args []string, usage string, std stdio) ([]string, error) {
	explainDurations(fs)
	var rest []string
	for {
		err := fs.Parse(args)
		switch {
		case errors.Is(err, flag.ErrHelp):
			fmt.Fprint(std.out, usage)
			fs.SetOutput(std.out)
			fs.PrintDefaults()
			return nil, err
		case err != nil:
			return nil, usagef(`%s: %v ("sandbox %s -h" lists its flags)`, fs.Name(), err, fs.Name())
		}
		left := fs.Args()
		if n := len(args) - len(left); n > 0 && args[n-1] == "--" {
			return append(rest, left...), nil
		}
		if len(left) == 0 {
			return rest, nil
		}
		rest, args = append(rest, left[0]), left[1:]
	}
}

// explainDurations makes every duration flag of fs say, when its value is
// not a duration, how to write one: the flag package's own "parse error"
// does not tell a newcomer that "10" lacks its unit.
func explainDurations(fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		if g, ok := f.Value.(flag.Getter); ok {
			if _, isDuration := g.Get().(time.Duration); isDuration {
				f.Value = &durationValue{Getter: g}
			}
		}
	})
}

// durationValue is a duration flag whose refusal says how to write one.
type durationValue struct{ flag.Getter }

// Set parses s as a duration, or says how to write one.
func (d *durationValue) Set(s string) error {
	if err := d.Getter.Set(s); err != nil {
		return fmt.Errorf("write a duration with its unit, such as 10s, 2m or 1h30m")
	}
	return nil
}

// String returns the duration; the zero durationValue, which the flag
// package makes to tell a default from none, is 0s.
func (d *durationValue) String() string {
	if d == nil || d.Getter == nil {
		return time.Duration(0).String()
	}
	return d.Getter.String()
}

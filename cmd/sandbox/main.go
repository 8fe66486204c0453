// Command sandbox runs a local ecommpay sandbox: the Gate API, the Payment
// Page and signed callbacks, mock providers with their pages, a clock that
// can be moved, and a control API for tests.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `sandbox: a local ecommpay sandbox for Oxxo, EcoVoucher, Loterica, Rapipago and
card payments through a partner.

Usage:
  sandbox serve [flags]    run the sandbox
  sandbox help             show this help

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

Flags of serve:
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
		// serve -h printed the usage: asking for help is no failure.
	case err != nil:
		fmt.Fprintln(os.Stderr, "sandbox:", err)
		os.Exit(2)
	}
}

// run is main without the process: it parses args and runs the verb.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		printUsage(stderr)
		return errors.New("say what to do: sandbox serve")
	}
	switch args[0] {
	case "serve":
		opts, err := parseServe(args[1:], stderr)
		if err != nil {
			return err
		}
		return serve(ctx, opts, stdout)
	case "help", "-h", "-help", "--help":
		printUsage(stdout)
		return nil
	default:
		printUsage(stderr)
		return fmt.Errorf("unknown command %q: the commands are serve and help", args[0])
	}
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, usage)
	fs, _ := serveFlags(&serveOptions{}, w)
	fs.SetOutput(w)
	fs.PrintDefaults()
}

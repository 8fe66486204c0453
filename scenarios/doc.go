// Package scenarios runs scenario files: YAML descriptions of what a
// merchant's integration does with the sandbox and what it must see. Each
// file is one scenario: projects, a scripted merchant (how it answers
// callbacks and check_deposit) and steps in order: Gate requests signed
// with the project's secret, a customer's journey through the Payment Page
// and the providers' pages over HTTP (and the merchant's own server's,
// when a file names it by URL), the control API's customer and
// provider actions, the clock, and checks of callbacks, deliveries,
// check_deposit requests and payments, with values captured as ${name}
// and environment variables read as ${env.NAME}.
//
// The format is documented in README.md beside the files and described by
// schema.json, which Loader checks every file against; a problem names its
// file and line. Runner runs files side by side, each against a fresh
// in-process sandbox (package sandboxtest), or all against a running
// sandbox (Runner.Target), and reports one line per scenario and
// "N passed, M failed"; WriteJUnit writes the report for CI. `sandbox test`
// is the command line of this package.
//
// The package drives the sandbox over HTTP only.
package scenarios

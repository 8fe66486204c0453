// Package control serves the sandbox's own API under /sandbox: health,
// projects, payments as a whole, acting as the customer or the provider
// (pay, fail, expire), the clock, the delivery log with resend, and reset.
// None of it is emulated ecommpay: it is the fixed surface that tests,
// scenario files, CI and the dashboard drive the sandbox through
// (docs/control-api.md). Every answer is JSON; errors are {"error": "..."} with a 4xx.
package control

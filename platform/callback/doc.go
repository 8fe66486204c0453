// Package callback owns the sandbox's outgoing HTTP: it signs the messages
// the sandbox sends merchants and POSTs them (docs/callbacks.md). It holds
// no store and decides nothing about retries.
//
// Sender implements platform.Sender: the engine's outbox (platform/outbox.go)
// reads a due callback, calls Send outside any transaction, and records the
// attempt Send returns with its consequences in one Update. Send signs the
// stored body with the project's current secret, POSTs it over connections
// it keeps alive per merchant, and words what happened for the delivery log:
// a 200 delivers; another status, a timeout, a refused connection or a
// redirect does not. Only the latency of an attempt is measured with the
// wall clock; the attempt's time is the sandbox time the engine gives it.
//
// CheckDeposit implements platform.DepositChecker: it asks the merchant to
// confirm an EcoVoucher deposit while the customer waits and interprets the
// answer; its caller records the attempt with the payment's state change.
package callback

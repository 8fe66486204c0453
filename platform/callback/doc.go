// Package callback owns the sandbox's outgoing HTTP: the outbox dispatcher
// that delivers callbacks to merchants and the synchronous check_deposit
// client of EcoVoucher (SPEC.md §5 and §6.2).
//
// A Dispatcher implements platform.Deliverer. The engine stores every
// callback unsigned in the outbox of its payment and gives the first pending
// one a deliver job; the job runner hands that job to Dispatcher.Deliver,
// which signs the body with the project's current secret, POSTs it outside
// any store transaction, and then, in one transaction, records the attempt,
// deletes the job and either marks the delivery delivered, schedules the
// next attempt on ecommpay's retry schedule (see Gap) or, after MaxAttempts
// failures, marks it failed. When a delivery ends, the payment's next
// pending callback gets its job, so a payment's callbacks arrive in order.
//
// The retry schedule runs on the sandbox clock: the time an attempt happens
// is the now the runner passes in, and retries are jobs due at sandbox
// times, so advancing the clock drives them. Only the latency of an attempt
// is measured with the wall clock.
//
// CheckDeposit asks the merchant to confirm an EcoVoucher deposit while the
// customer waits and interprets the answer; it does not touch the store, so
// its caller records the attempt with the payment's state change.
package callback

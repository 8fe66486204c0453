// Package rapipago is the mock Rapipago provider (Argentina): cash payments
// with a voucher paid at a Rapipago branch (docs/methods.md).
//
// Rapipago takes ARS and USD. The Gate requires the customer's first and
// last name, email and a document number; one that is not 7, 8 or 11
// digits declines the payment with 20000 naming customer.identify.doc_number,
// and the Payment Page checks identify_doc_number with the same rule. Whole
// units are required only when a config says so (MethodSettings
// WholeUnits), as with some of Rapipago's providers; a maximum
// (MaxAmount) declines with 20101, as in the seed.
//
// The voucher has a 14-digit reference and is valid 5 days at branches and,
// through a bank, until day 30 (variant "bank", the default), or 3 days
// everywhere (variant "3days"). The merchant sends the customer to it with
// a GET and the empty body [].
//
// Everything else is the shared voucher provider: see package voucher.
package rapipago

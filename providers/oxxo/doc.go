// Package oxxo is the mock Oxxo provider (Mexico): cash payments with a
// voucher paid at an OXXO store (docs/methods.md).
//
// Oxxo takes MXN and USD. The Gate requires the customer's first and last
// name, email and a document number of 10 to 18 digits; a malformed one
// declines the payment with 20000 naming customer.identify.doc_number. The
// voucher has a 14-digit reference and is valid 10 days at stores and,
// through a bank, until day 30 (variant "bank", the default), or 3 days
// everywhere (variant "3days").
//
// Everything else is the shared voucher provider: see package voucher.
package oxxo

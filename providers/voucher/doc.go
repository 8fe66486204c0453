// Package voucher is what the voucher methods (Oxxo, Loterica, Rapipago)
// share: a mock provider that issues a voucher with a reference number and
// its Code 128 barcode, keeps the payment awaiting the customer until the
// voucher is paid at a terminal or a bank, and declines it when it lapses
// (SPEC.md §6.1).
//
// A method is a Config: its platform.Method, validity, bank window, the
// length of its references, its own format checks (DocNumberDigits) and its
// brand; New turns it into a platform.Provider. Its decisions are pure: time
// and randomness come from the platform.Env the engine passes in.
//
// Routes mounts the customer-facing pages under /providers/<code>/: the
// voucher, its barcode, and a terminal where a tester pays a voucher as a
// cashier would. Refusals (unknown, paid, lapsed) say why and change
// nothing.
package voucher

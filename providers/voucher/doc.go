// Package voucher is what the voucher methods (Oxxo, Loterica, Rapipago)
// share: a mock provider that issues a voucher with a reference number and
// its Code 128 barcode, keeps the payment awaiting the customer until the
// voucher is paid at a terminal or a bank, and declines it when it lapses
// (docs/methods.md "Vouchers: Oxxo, Lotérica, Rapipago").
//
// A method is a Config: its platform.Method, validity, bank window, the
// length of its references, its document rule (DocNumberLengths) and
// other format checks, how the merchant sends the customer to the voucher
// (a GET with the empty body [], or a POST with the method's RedirectBody),
// its own voucher page if it has one, and its brand; New turns it into a
// platform.Provider. Its decisions are pure: time and randomness come from
// the platform.Env the engine passes in. Start never issues a reference
// another payment owns (Env.ReferenceOwner): a sandbox restarted with the
// same seed over the data it kept replays its earlier draws.
//
// New also sets Method.CheckField, so that the Payment Page checks
// identify_doc_number and customer_email with the method's rules before the
// sale, and Provider.CheckSettings refuses a variant the method lacks when
// a config is loaded.
//
// Routes mounts the customer-facing pages under /providers/<code>/: the
// voucher (by GET, or by the POST a merchant makes when it follows a POST
// redirect_data), its barcode, and a terminal where a tester pays a voucher
// as a cashier would. Refusals (unknown, paid, lapsed) say why and change
// nothing.
package voucher

// Package cardpartner is the mock card partner (docs/methods.md "Card
// partner"): card and mobile-wallet payments through a
// partner's hosted checkout, and full refunds through the Gate.
//
// The method takes KES (10.00 to 200 000.00) and USD (1.00 to 3 000.00).
// Start checks the amount per currency: above the maximum declines with
// 20101 (with errors[{code:20101}]), below the minimum with 20000 and an
// errors entry naming payment.amount. A project's or the sandbox's
// min_amount/max_amount settings replace the bound they set.
//
// On the Payment Page the customer is asked for a missing customer_phone
// or customer_email; CheckField says what is wrong with what was typed.
// A Gate sale without customer.phone or customer.email awaits
// clarification: its callback lists clarification_fields, the merchant
// sends them with POST /v2/payment/clarification (2004 names what is still
// missing), and 30 minutes without them decline the payment with 20000.
// Otherwise the payment awaits the customer at the checkout: the callback's
// redirect_data says to POST the seed's fields to
// /providers/card-partner/checkout:
//
//	live                 "0": a test checkout
//	mpesa … elipa        "1" for each channel offered: debitcard always;
//	                     mpesa, airtel, equity in KES only
//	oid, inv             the payment_id, and the invoice: the sale operation's ID
//	ttl                  seconds the checkout stays open (900; setting timeout)
//	tel, eml             customer.phone, customer.email
//	vid, curr            the project ID, the currency
//	cbk, lbk             where the customer returns: return_url.success (or
//	                     .return) after an approval, return_url.decline (or
//	                     .return) otherwise; without them, the partner's
//	                     result page /providers/card-partner/result?inv=
//	cst, crl             "1" (receipt by email), "0" (return by redirect)
//	hsh                  lowercase hex HMAC-SHA256, keyed with the project's
//	                     secret, of "live=0&mpesa=1&…&crl=0": every other
//	                     field in this order, name=value joined with "&",
//	                     values not encoded (HashString, Hash)
//
// The checkout accepts the body as form fields or JSON, refuses a body with
// missing fields or a wrong hsh with a page that shows the string signed,
// and sends the customer on to GET /providers/card-partner/checkout?inv=,
// which can be reloaded. There the customer picks a channel and pays or
// cancels; the customer is then sent (303) to cbk or lbk. A checkout not
// finished within ttl declines the payment with 20000.
//
// Test data, also listed on the checkout in a "Sandbox test data" panel:
//
//	4242 4242 4242 4242, 5555 5555 5555 4444   approved
//	4000 0000 0000 0002                        declined 20000 General decline
//	4000 0000 0000 9995                        declined 20105 Insufficient funds
//	4000 0000 0000 0077                        approved; its refund declines with 20000
//	phone 254708374149                         approved
//	phone 254700000002 / 254700009995          declined 20000 / 20105
//	phone 254700000077                         approved; its refund declines with 20000
//
// Any other card number with a valid Luhn digit (any future expiry, any
// 3-digit code), and any other phone of 9 to 15 digits, is approved. The
// control API's pay with no body pays with the first test card; with
// {"method":"mpesa","phone":"…"} or {"card":"…"} it pays as the checkout
// would, and {"method":"cancel"} cancels.
//
// Refunds are full only (the engine answers 3283 and 3284 to others): the
// refund succeeds, the payment becomes refunded with sum 0, unless the
// payment was made with a test number whose refund declines, which leaves
// it success.
//
// The provider's decisions are pure: time and randomness (the partner's
// references, six-digit approval codes) come from the platform.Env the
// engine passes in.
package cardpartner

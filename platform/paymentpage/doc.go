// Package paymentpage is the sandbox's hosted Payment Page (docs/payment-page.md): the
// page a shop sends its customer to with signed parameters, as ecommpay's
// SDKs and widget build them, instead of calling the Gate itself.
//
// A customer's journey, every step a page rendered through web:
//
//	GET or POST /payment?…&signature=…   verified, then the methods that fit
//	POST /payment/method                 the chosen method's form
//	POST /payment/pay                    checked field by field, then a sale
//	GET  /payment/processing/{p}/{id}    waits, then sends the customer to
//	                                     the provider as Payment.Redirect says
//	GET  /payment/result/{p}/{id}        success, decline or what is left to do
//
// The flow is stateless and survives restarts: until the sale, each step
// carries the original signed parameters in a hidden field and verifies the
// signature again; after it, the payment itself is the state. Verification
// is lenient as docs/gate.md "Signature" says (booleans true/True/1, unsigned "_" keys
// such as _referrer) and every refusal is an error page that names what is
// wrong: the string the sandbox signed, each missing or malformed
// parameter, an unknown project, a used payment_id, a passed best_before,
// no method for the currency.
//
// The package asks the engine which methods there are and what each needs
// (platform.Method: currencies, PageRequired, CheckField, force codes); it
// knows no provider and no storage. It also serves ecommpay's merchant
// widget (/shared/merchant.js and /shared/merchant.css) and a sample shop for
// the demo project at /demo/shop.
package paymentpage

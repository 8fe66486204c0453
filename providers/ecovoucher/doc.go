// Package ecovoucher is the mock EcoVoucher provider: payments with
// prepaid vouchers in CAD, GBP, EUR or USD, confirmed by the merchant with
// check_deposit (docs/methods.md "EcoVoucher").
//
// A sale (the amount may be 0) sends the customer to the EcoVoucher page
// with a POST redirect carrying the seed's fields: PaymentPageID,
// MerchantAccountNumber, CustomerIdAtMerchant, OnSuccessUrl, OnFailureUrl,
// TxID (the sale operation's ID), Currency, TransferUrl, CallbackUrl and a
// Checksum over them (see Checksum). The payment awaits the redirect's
// result until the customer enters vouchers, cancels, or the session times
// out after Settings.Timeout (30 minutes by default, a sandbox choice),
// which declines it with 20000.
//
// At the page the customer enters one or more vouchers: number, security
// code, expiry. Each is worth a face value of 10, 15, 25, 50, 75, 100, 150
// or 250 in its currency. When the merchant asked for an amount, the
// vouchers must add up to exactly that amount (a voucher gives no change;
// the seed pays larger amounts with several vouchers); when it asked for 0,
// the vouchers set the amount. An amount that no 60 or fewer vouchers make
// (not a multiple of 5.00, under 10.00) is declined with 20000 at once,
// naming payment.amount; the method's default max_amount is 12,500.00. Once entered, vouchers belong to
// the payment (payment references); when the payment is declined (the
// merchant refuses, the customer cancels, the check_deposit times out) they
// were not redeemed, so they are released and the wallet offers them again. The engine then asks the merchant to confirm the
// amount with check_deposit: code 0 redeems the vouchers (success), a
// refusal or an HTTP error declines with 30000, no answer in time or no
// check_deposit URL with 30302.
//
// The sandbox issues test vouchers without keeping a list: a number is
// "61", the ISO 4217 numeric code of the currency (978 for EUR), the face
// value in four digits, a six-digit serial and a Luhn check digit
// (6197 8001 0000 0010 is the first 10.00 EUR voucher); the security code
// is derived from the number (see SecurityCode) and every voucher expires
// 12/99. A voucher is used when a payment references its number; the
// page's wallet lists the first unused one of each face value.
//
// The provider's pages live under /providers/eco-voucher/ (see
// Provider.Routes).
package ecovoucher

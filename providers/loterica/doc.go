// Package loterica is the mock Lotérica provider (Brazil): cash payments
// with a voucher paid at a casa lotérica (docs/methods.md).
//
// Lotérica takes USD only, in whole units, up to 400.00 USD: the platform
// declines another currency or a non-whole amount with 20000 and an errors
// entry naming the field, and a larger amount with 20101 "Operation amount
// is great than max limit" (MethodSettings MaxAmount and WholeUnits, which a
// config may change per project). The Gate requires nothing beyond the
// customer's ID and IP address.
//
// The voucher has a 16-digit reference and is valid 3 days, with no bank
// window (its only variant is "3days"). The merchant sends the customer to
// it with a POST whose body is RedirectBody: merchantID, country, user,
// operation_id, paymentID, returnURL, callbackURL and the amount as
// "10.00". The voucher page (the shared one) takes that POST as a form or
// as JSON; it speaks Portuguese unless the Payment Page's customer chose
// another language, writes the amount the Brazilian way ("US$ 25,00") and
// its moments in Brazil's time.
//
// Everything else is the shared voucher provider: see package voucher.
package loterica

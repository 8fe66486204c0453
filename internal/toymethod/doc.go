// Package toymethod is a payment method made for tests: Toy, the smallest
// complete method, in one folder, as docs/architecture.md's "Adding a
// payment method" describes. Its customer gets a tab page at the provider where they
// pay or decline; the merchant sees the callbacks every method sends and
// refunds a settled tab at the Toy's own Gate endpoint (a Refunder).
//
// The sandbox does not register it (app/methods.go lists the methods it
// emulates); app's TestAToyMethodIsOneFolder registers it beside them and
// walks a payment through the Gate, the Payment Page, the Toy's own page,
// the dashboard and a refund, to prove that a method needs nothing outside its
// folder but that one line.
package toymethod

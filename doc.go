// Package sandbox is the root of a local ecommpay sandbox: a mock of
// ecommpay's Gate API, Payment Page and signed callbacks, with mock providers
// (Oxxo, EcoVoucher, Loterica, Rapipago, a card partner), a clock that can be
// moved, and a control API for tests and CI.
//
// The command is cmd/sandbox; the packages and the direction of their
// imports are described in docs/architecture.md and enforced by this
// package's test.
package sandbox

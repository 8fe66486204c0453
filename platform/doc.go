// Package platform is the centre of the sandbox: the domain of ecommpay payments
// (projects, payments, operations, sums, statuses, error codes) and the engine
// that moves payments through their states.
//
// Every state change is made by the Engine in one Store transaction that also
// records what must happen next: a callback in the outbox or a job due at a
// given time on the sandbox Clock (voucher lapse, callback retry, session
// timeout). Nothing important lives only in memory, so a restart loses nothing
// and work that fell due while the sandbox was down runs when it starts.
//
// The package knows no transport and no storage technology: HTTP adapters
// (platform/gate, platform/paymentpage, platform/control), the bbolt store
// (platform/bolt), the callback sender (platform/callback) and the mock
// providers (providers/...) plug into the interfaces declared here.
package platform

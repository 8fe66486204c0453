// Package sandboxtest runs the real ecommpay sandbox in-process for a Go
// test, with a merchant of its own that collects callbacks:
//
//	func TestCheckout(t *testing.T) {
//		sb := sandboxtest.New(t, sandboxtest.WithProject(sandboxtest.Project{ID: 842, Secret: "s3cret"}))
//		// Point your code at sb.URL() with project 842; its callbacks go to
//		// sb.Merchant() unless your project says otherwise.
//		...
//		cb := sb.AwaitCallback(t, "order-1", "success")
//	}
//
// The sandbox listens on 127.0.0.1 on a free port, keeps its data in a
// temporary folder, seeds its IDs and voucher references, and its clock
// stands frozen: nothing lapses until the test moves it (Advance by a
// duration, SetClock to a time, forward or back), and
// AwaitCallback moves it as far as a callback needs, so a 30-day voucher
// lapse or a day of callback retries costs no wall time. The control
// actions (Pay, Fail, Expire, Resend, Advance…) are those of the sandbox's
// control API; Gate and PaymentPageURL sign requests as ecommpay's SDKs do.
// Methods lists the payment methods with their Gate endpoints, and each
// one's Sale is a body its endpoint accepts, to change as a test needs.
//
// Connect drives a sandbox that is already running (`sandbox serve`) the
// same way; its clock is then shared with whoever else uses it.
//
// The scenario runner (package scenarios, `sandbox test`) is built on this
// package.
package sandboxtest

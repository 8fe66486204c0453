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
// Callbacks go to the sandbox's merchant (Merchant), which records them
// and answers as SetReply scripts, unless a project or a sale names your
// own server: AwaitCallback and WaitCallback wait for the sandbox's
// merchant's, WaitDeliveries for any server's, through the sandbox's
// delivery log. When the callback waited for does not come,
// WaitCallback's error, which AwaitCallback fails the test with, says what
// the merchant received instead, where the payment stands and what to do.
// The waits stop early, with an error that says so, when the merchant
// leaves a callback unanswered until the callback timeout twice in a row,
// rather than sit through every retry.
//
// The control actions (Pay, Fail, Expire, Payment, Deliveries, Resend,
// Advance, SetClock…) return an *HTTPError holding the sandbox's answer
// when it refuses one (400 for a malformed body, 404 for an unknown
// project, payment or delivery, 409 when the payment's state forbids the
// action), whose message the sandbox words to say what to change; and a
// wrapped error when the sandbox cannot be reached. Gate and Do return the
// answer whatever its status.
//
// Connect drives a sandbox that is already running (`sandbox serve`) the
// same way; its clock is then shared with whoever else uses it.
//
// The scenario runner (package scenarios, `sandbox test`) is built on this
// package.
package sandboxtest

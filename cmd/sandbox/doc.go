// Command sandbox runs a local ecommpay sandbox: the Gate API, the Payment
// Page and signed callbacks, mock providers with their pages, a clock that
// can be moved, and a control API for tests. Its other verbs sign and verify
// messages from the shell.
package main

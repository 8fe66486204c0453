// Package app wires a whole sandbox from its parts: the bbolt store, the
// engine with every mock provider, the callback sender and the HTTP handler
// that serves the Gate, the Payment Page, the providers' pages, the control
// API and the dashboard.
//
// The wiring also guards the sandbox's own surface from other sites' pages
// and unknown host names (guard.go), logs each request as one line
// (log.go) and bounds the server's connections (server.go).
//
// cmd/sandbox serves it; sandboxtest runs it in-process for a Go test. The
// list of payment methods, one line each, is in methods.go.
package app

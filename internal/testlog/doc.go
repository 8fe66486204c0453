// Package testlog holds what tests use to read what a running server logs
// or prints: a buffer the server writes while the test reads it.
package testlog

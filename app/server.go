package app

import (
	"net/http"
	"time"
)

// Timeouts bound how long a connection may hold the server. A zero field
// takes its default (Default…Timeout). They are long enough for a slow
// merchant's upload and a long clock advance, and short enough that a
// connection that stalls (after its headers, in its body, or idle between
// requests) is closed rather than kept forever.
//
// A handler that streams its answer for longer than Write, such as
// server-sent events, lifts its own write deadline:
//
//	rc := http.NewResponseController(c.Response())
//	if err := rc.SetWriteDeadline(time.Time{}); err != nil { … }
//
// (echo's Response unwraps to the connection's writer), and ends the
// stream when the request's context is done.
type Timeouts struct {
	// ReadHeader bounds reading a request's headers.
	ReadHeader time.Duration
	// Read bounds reading a whole request, headers and body.
	Read time.Duration
	// Write bounds a request from the end of its headers to the end of
	// its answer.
	Write time.Duration
	// Idle bounds the wait for the next request on a kept-alive
	// connection.
	Idle time.Duration
}

// The default timeouts.
const (
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultReadTimeout       = time.Minute
	DefaultWriteTimeout      = 5 * time.Minute
	DefaultIdleTimeout       = 2 * time.Minute
)

// server returns the HTTP server of handler h with the timeouts t.
func (t Timeouts) server(h http.Handler) *http.Server {
	or := func(d, def time.Duration) time.Duration {
		if d > 0 {
			return d
		}
		return def
	}
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: or(t.ReadHeader, DefaultReadHeaderTimeout),
		ReadTimeout:       or(t.Read, DefaultReadTimeout),
		WriteTimeout:      or(t.Write, DefaultWriteTimeout),
		IdleTimeout:       or(t.Idle, DefaultIdleTimeout),
	}
}

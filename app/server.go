package app

import (
	"net"
	"net/http"
	"sync"
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
	// ShutdownGrace is how long the requests under way have to end once
	// the sandbox is told to stop; those still running then, such as a
	// clock advance waiting for a merchant that does not answer, are
	// canceled (see Sandbox.Run).
	ShutdownGrace time.Duration
}

// The default timeouts.
const (
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultReadTimeout       = time.Minute
	DefaultWriteTimeout      = 5 * time.Minute
	DefaultIdleTimeout       = 2 * time.Minute
	// DefaultShutdownGrace leaves a stopped sandbox time to answer what it
	// was asked (a request takes milliseconds; an advance may wait much
	// longer for callbacks), and, with the 5 s the job loop then gives the
	// callbacks under way, stops it within the 10 s a container manager
	// (docker stop; Kubernetes waits 30 s) gives before it kills it.
	DefaultShutdownGrace = 3 * time.Second
)

// shutdownGrace returns the grace of the requests under way at shutdown.
func (t Timeouts) shutdownGrace() time.Duration {
	if t.ShutdownGrace > 0 {
		return t.ShutdownGrace
	}
	return DefaultShutdownGrace
}

// server returns the HTTP server of handler h with the timeouts t. Its
// Shutdown closes at once the connections that have sent no request yet
// (see unstarted).
func (t Timeouts) server(h http.Handler) *http.Server {
	or := func(d, def time.Duration) time.Duration {
		if d > 0 {
			return d
		}
		return def
	}
	u := &unstarted{}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: or(t.ReadHeader, DefaultReadHeaderTimeout),
		ReadTimeout:       or(t.Read, DefaultReadTimeout),
		WriteTimeout:      or(t.Write, DefaultWriteTimeout),
		IdleTimeout:       or(t.Idle, DefaultIdleTimeout),
		ConnState:         u.track,
	}
	srv.RegisterOnShutdown(u.close)
	return srv
}

// unstarted holds the server's connections that have not sent a request
// yet (http.StateNew). Browsers open such connections ahead of need and
// keep them; http.Server.Shutdown waits up to 5 s for each to send its
// request before it counts it as idle, so a sandbox stopped with a page
// open took that long to stop. Shutdown closes them at once instead: the
// listener is closed by then, and a request that was just arriving fails
// as one sent a moment later would.
type unstarted struct {
	conns sync.Map // net.Conn → struct{}
}

// track is the server's ConnState hook, called at every request of every
// connection: a connection leaves StateNew for StateActive or StateClosed
// only, so the other states have nothing to do, and the delete of a
// connection the map no longer holds takes no lock (sync.Map).
func (u *unstarted) track(c net.Conn, state http.ConnState) {
	switch state {
	case http.StateNew:
		u.conns.Store(c, struct{}{})
	case http.StateActive, http.StateClosed, http.StateHijacked:
		u.conns.Delete(c)
	}
}

// close closes the connections that have sent no request.
func (u *unstarted) close() {
	u.conns.Range(func(c, _ any) bool {
		_ = c.(net.Conn).Close()
		return true
	})
}

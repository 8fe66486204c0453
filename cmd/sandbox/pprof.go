package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// servePprof serves Go's profiler (net/http/pprof) on addr, a loopback
// address, until the returned stop is called: `go tool pprof http://ADDR/debug/pprof/profile`
// profiles the running sandbox. It is a listener of its own, so the
// sandbox's routes and guards never see it.
func servePprof(addr string, log *slog.Logger) (func(), error) {
	if err := checkLoopback(addr); err != nil {
		return nil, fmt.Errorf("--pprof %q: %w", addr, err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--pprof: listen on %s: %w (pick another port)", addr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("pprof server", "err", err)
		}
	}()
	log.Info("profiler ready", "url", "http://"+ln.Addr().String()+"/debug/pprof/")
	return func() {
		_ = srv.Close()
		<-done
	}, nil
}

// checkLoopback refuses an address whose host is not a loopback address:
// the profiler shows the process's memory and must not be reachable from
// the network.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("write HOST:PORT such as 127.0.0.1:6060: %w", err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return errors.New("the profiler listens on loopback only: use 127.0.0.1:PORT or [::1]:PORT")
}

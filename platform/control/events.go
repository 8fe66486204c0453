package control

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// heartbeat is how often an idle event stream sends a comment, so that
// proxies and browsers keep it open and a gone client is noticed.
const heartbeat = 20 * time.Second

// maxBatch bounds the events written before a stream flushes.
const maxBatch = 64

// streams ends the dashboard's event streams when the server stops.
type streams struct {
	once sync.Once
	done chan struct{}
}

func newStreams() *streams { return &streams{done: make(chan struct{})} }

// CloseStreams ends every live-update stream of the dashboard, now and
// later: an HTTP server waits for its handlers when it shuts down, and a
// stream would never end by itself. Register it with the server's
// RegisterOnShutdown.
func (s *Server) CloseStreams() { s.streams.once.Do(func() { close(s.streams.done) }) }

// handleEvents streams the engine's changes to a dashboard page as
// server-sent events: "change" with the event as JSON after each commit,
// and "reload" when the stream fell behind and missed some, so the page
// reloads instead of showing a partial picture.
func (s *Server) handleEvents(c echo.Context) error {
	w := c.Response()
	// A stream outlives the server's write timeout: lift it for this
	// answer only.
	if err := http.NewResponseController(w).SetWriteDeadline(time.Time{}); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return fmt.Errorf("event stream: lift the write deadline: %w", err)
	}
	sub := s.Engine.Subscribe()
	defer sub.Close()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if _, err := fmt.Fprint(w, "retry: 2000\n: the sandbox's changes, live\n\n"); err != nil {
		return nil
	}
	w.Flush()

	ctx := c.Request().Context()
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-s.streams.done:
			return nil
		case <-tick.C:
			if _, err := fmt.Fprint(w, ": ping\n\n"); err != nil {
				return nil
			}
		case ev := <-sub.C:
			for n := 0; ; n++ {
				raw, err := json.Marshal(ev)
				if err != nil {
					return fmt.Errorf("event stream: %w", err)
				}
				if _, err := fmt.Fprintf(w, "event: change\ndata: %s\n\n", raw); err != nil {
					return nil
				}
				if n+1 == maxBatch || len(sub.C) == 0 {
					break
				}
				ev = <-sub.C
			}
			if sub.Lagged() {
				if _, err := fmt.Fprint(w, "event: reload\ndata: {}\n\n"); err != nil {
					return nil
				}
			}
		}
		w.Flush()
	}
}

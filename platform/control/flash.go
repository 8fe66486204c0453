package control

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ecommpay-sandbox/sandbox/web"
)

// flashCookie names the cookie that points a browser at its flash message.
const flashCookie = "sandbox_flash"

// Bounds of the flash store: messages are read on the page an action
// redirects to, at once, so a few minutes and a few hundred suffice.
const (
	flashTTL = 5 * time.Minute
	maxFlash = 256
)

// flashes keeps the outcome of each dashboard action until the page it
// redirects to shows it. The browser holds only a random ID in a cookie:
// the words come from the server, so no link or other site can make the
// dashboard say something (a ?flash= in the URL could).
type flashes struct {
	mu    sync.Mutex
	m     map[string]flashEntry
	order []string // IDs, oldest first
	now   func() time.Time
}

type flashEntry struct {
	f  web.Flash
	at time.Time
}

func newFlashes() *flashes {
	return &flashes{m: map[string]flashEntry{}, now: time.Now}
}

// put keeps f and returns its ID.
func (fs *flashes) put(f web.Flash) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	id := hex.EncodeToString(b)
	fs.mu.Lock()
	defer fs.mu.Unlock()
	now := fs.now()
	for len(fs.order) > 0 {
		old := fs.order[0]
		e, ok := fs.m[old]
		if ok && len(fs.order) < maxFlash && now.Sub(e.at) < flashTTL {
			break
		}
		delete(fs.m, old)
		fs.order = fs.order[1:]
	}
	fs.m[id] = flashEntry{f: f, at: now}
	fs.order = append(fs.order, id)
	return id
}

// take returns the message with id and forgets it.
func (fs *flashes) take(id string) *web.Flash {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	e, ok := fs.m[id]
	if !ok || fs.now().Sub(e.at) >= flashTTL {
		return nil
	}
	delete(fs.m, id)
	return &e.f
}

// setFlash keeps f for the browser's next dashboard page.
func (s *Server) setFlash(c echo.Context, f web.Flash) {
	c.SetCookie(&http.Cookie{
		Name: flashCookie, Value: s.flashes.put(f), Path: "/",
		HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: int(flashTTL / time.Second),
	})
}

// flashOf returns the message the last action left for this browser, once.
func (s *Server) flashOf(c echo.Context) *web.Flash {
	ck, err := c.Cookie(flashCookie)
	if err != nil || ck.Value == "" {
		return nil
	}
	f := s.flashes.take(ck.Value)
	if f != nil {
		// Cleared only when it was this sandbox's: a cookie is the host's,
		// whatever the port, and a sandbox on another port may have set it.
		c.SetCookie(&http.Cookie{Name: flashCookie, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: -1})
	}
	return f
}

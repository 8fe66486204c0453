package callback_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/callback"
	"github.com/ecommpay-sandbox/sandbox/platform/signature"
)

func TestSendSuccess(t *testing.T) {
	t.Parallel()
	m := newMerchant(t, status(http.StatusOK, `{"status":"ok"}`))
	body := callbackBody(842, "EP-1", "success")
	a := callback.New(nil).Send(context.Background(), m.URL+"/callback", body, secret)

	reqs := m.requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "/callback", reqs[0].Path)
	assert.Equal(t, "application/json", reqs[0].ContentType)
	assert.Equal(t, callback.DefaultUserAgent, reqs[0].UserAgent)
	got := verified(t, reqs[0].Body, secret)
	want, err := signature.Decode(body)
	require.NoError(t, err)
	assert.Equal(t, want, got, "the merchant receives the stored body plus the signature")
	signed, err := signature.SignJSON(body, secret)
	require.NoError(t, err)
	assert.Equal(t, string(signed), string(reqs[0].Body), "the stored body's bytes are kept, signature last")

	assert.True(t, a.At.IsZero(), "the engine sets the attempt's sandbox time")
	assert.Equal(t, m.URL+"/callback", a.URL)
	assert.Equal(t, string(reqs[0].Body), a.RequestBody)
	assert.Equal(t, http.StatusOK, a.Status)
	assert.Equal(t, `{"status":"ok"}`, a.ResponseBody)
	assert.Empty(t, a.Error)
	assert.Empty(t, a.Note)
	assert.Positive(t, a.Latency)
	assert.True(t, a.OK())
}

func TestSendRefused(t *testing.T) {
	t.Parallel()
	slow := newMerchant(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
		w.WriteHeader(http.StatusOK)
	})
	moved := newMerchant(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/moved":
			http.Redirect(w, r, "/ok", http.StatusFound)
			return
		case "/far":
			w.Header().Set("Location", "/"+strings.Repeat("x", 100_000))
			w.WriteHeader(http.StatusFound)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	down := newMerchant(t, status(http.StatusInternalServerError, "down for maintenance\n"))
	routes := newMerchant(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/callback":
			w.WriteHeader(http.StatusOK)
		case "/get-only":
			w.WriteHeader(http.StatusMethodNotAllowed)
		case "/checks-signature":
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `{"error":"bad signature"}`)
		case "/teapot":
			w.WriteHeader(http.StatusTeapot)
		default:
			http.NotFound(w, r)
		}
	})
	plainHTTPS := "https" + strings.TrimPrefix(routes.URL, "http") + "/callback"
	refused := closedURL(t)
	refusedHost := strings.TrimSuffix(strings.TrimPrefix(refused, "http://"), "/callback")
	tests := []struct {
		name     string
		url      string
		err      string
		status   int
		response string
	}{
		{"500", down.URL, "merchant answered 500: your server failed; its answer's body and its log say why", 500, "down for maintenance\n"},
		{"connection refused", refused, "connection refused: nothing listens at " + refusedHost +
			"; start your server or correct the port; if the sandbox runs in a container, 127.0.0.1 is the container itself: use host.docker.internal or your machine's address", 0, ""},
		{"timeout", slow.URL, "timeout after 100ms: your server did not answer in time; answer first and do slow work afterwards (sandbox serve --callback-timeout sets the limit)", 0, ""}, // the only case that waits the timeout out
		{"redirects are not followed", moved.URL + "/moved", "merchant answered 302 redirecting to " + moved.URL + "/ok: redirects are not followed, as on ecommpay; use the URL your server redirects to, and answer 200 there", 302, ""},
		{"a redirect to a URL of 100 KB", moved.URL + "/far", "merchant answered 302 redirecting to " + (moved.URL + "/" + strings.Repeat("x", 100_000))[:platform.MaxURLLength] +
			"…: redirects are not followed, as on ecommpay; use the URL your server redirects to, and answer 200 there", 302, ""},
		{"a path without a handler", routes.URL + "/callbakc", "merchant answered 404: your server has no handler at this path; correct the URL's path or add the route", 404, "404 page not found\n"},
		{"a path that takes GET", routes.URL + "/get-only", "merchant answered 405: your server does not take POST at this path; messages are POSTed as JSON", 405, ""},
		{"a signature refused", routes.URL + "/checks-signature", "merchant answered 403: your server refused the message; if it checks the signature, give sandbox verify the body sent and the signature your server computes (--signature): it shows the string to sign and names the usual mistakes; the sandbox sends no credentials, only the signature", 403, `{"error":"bad signature"}`},
		{"another status", routes.URL + "/teapot", "merchant answered 418: only 200 accepts the message", 418, ""},
		{"https to a plain HTTP server", plainHTTPS, "the server at " + strings.TrimPrefix(routes.URL, "http://") + " speaks plain HTTP, not HTTPS: write the URL with http://", 0, ""},
		{"not a URL", "http://[::1", `invalid URL "http://[::1": parse "http://[::1": missing ']' in host`, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := callback.New(nil)
			// Short for the slow merchant; long enough for the others to
			// answer on a loaded machine.
			s.Timeout = 5 * time.Second
			if tt.name == "timeout" {
				s.Timeout = 100 * time.Millisecond
			}
			start := time.Now()
			a := s.Send(context.Background(), tt.url, callbackBody(842, "EP-2", "decline"), secret)
			assert.Less(t, time.Since(start), 3*time.Second)
			assert.Equal(t, tt.err, a.Error)
			assert.Equal(t, tt.status, a.Status)
			assert.Equal(t, tt.response, a.ResponseBody)
			assert.False(t, a.OK())
			assert.Equal(t, tt.name == "timeout", callback.TimedOut(a), "TimedOut tells the attempts that got no answer in time")
			assert.NotEmpty(t, a.RequestBody, "the signed body is kept even when it did not arrive")
		})
	}
	t.Cleanup(func() { assert.Len(t, moved.requests(), 2, "neither redirect was followed") })
}

func TestSendKeepsTheStartOfTheAnswer(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("0123456789abcdef", 1024) // 16 KiB
	straddles := strings.Repeat("a", 4095) + "é and more"
	for _, tt := range []struct{ name, answer, kept string }{
		{"4 KiB", long, long[:callback.MaxResponseBody]},
		{"at a rune boundary", straddles, strings.Repeat("a", 4095)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newMerchant(t, status(http.StatusOK, tt.answer))
			a := callback.New(nil).Send(context.Background(), m.URL, callbackBody(842, "EP-5", "success"), secret)
			assert.Equal(t, tt.kept, a.ResponseBody)
			assert.True(t, a.OK())
		})
	}
}

// TestSendTrickledAnswer is a merchant that answers 200 at once and then
// trickles its body past the timeout: the callback counts as delivered,
// and the attempt says what happened.
func TestSendTrickledAnswer(t *testing.T) {
	t.Parallel()
	m := newMerchant(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		for range 250 { // 5s, well past the timeout
			if _, err := w.Write([]byte("x")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	})
	s := callback.New(nil)
	s.Timeout = time.Second // the status line must arrive within it on a loaded machine
	a := s.Send(context.Background(), m.URL, callbackBody(842, "EP-6", "success"), secret)
	assert.True(t, a.OK(), "%+v", a)
	assert.Equal(t, "the merchant answered 200 but its body did not arrive within 1s; the status is what counts, so the callback is delivered", a.Note)
}

// TestSendNotesAPageAnswered is a callback URL that reaches a page (a login
// page, a framework's catch-all) rather than the callback handler: a 200,
// so delivered, with a note that says what the page likely means.
func TestSendNotesAPageAnswered(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, contentType, note string }{
		{"an HTML page", "text/html; charset=utf-8", "the merchant answered 200 with an HTML page: the callback is delivered, as the status is what counts, but a page usually means a login page or a catch-all route answered rather than your callback handler"},
		{"JSON", "application/json", ""},
		{"no content type", "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newMerchant(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
				w.Header()["Content-Type"] = []string{tt.contentType}
				io.WriteString(w, "<html><body>Sign in</body></html>")
			})
			a := callback.New(nil).Send(context.Background(), m.URL, callbackBody(842, "EP-7", "success"), secret)
			assert.True(t, a.OK(), "%+v", a)
			assert.Equal(t, tt.note, a.Note)
		})
	}
}

func TestSendMeasuresLatencyWithWall(t *testing.T) {
	t.Parallel()
	m := newMerchant(t, status(http.StatusOK, ""))
	s := callback.New(nil)
	wall := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	s.Wall = func() time.Time { wall = wall.Add(250 * time.Millisecond); return wall }
	a := s.Send(context.Background(), m.URL, callbackBody(842, "EP-14", "success"), secret)
	assert.Equal(t, 250*time.Millisecond, a.Latency)
}

// TestSendReusesConnections counts the connections a merchant accepts:
// callbacks sent one after another share one, whatever the merchant
// answers, and a second burst of concurrent callbacks reuses the first's.
func TestSendReusesConnections(t *testing.T) {
	t.Parallel()
	answers := []struct {
		code int
		body string
	}{
		{http.StatusOK, ""},
		{http.StatusOK, `{"status":"ok"}`},
		{http.StatusInternalServerError, "down for maintenance\n"},
		{http.StatusOK, strings.Repeat("x", 3*callback.MaxResponseBody)}, // more than an attempt keeps
		{http.StatusFound, ""},                                           // a redirect, not followed
	}
	var opened atomic.Int32
	m := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		a := answers[n%len(answers)]
		if a.code == http.StatusFound {
			w.Header().Set("Location", "/elsewhere")
		}
		w.WriteHeader(a.code)
		io.WriteString(w, a.body)
	}))
	m.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			opened.Add(1)
		}
	}
	m.Start()
	t.Cleanup(m.Close)
	s := callback.New(nil)
	send := func(n int) platform.Attempt {
		return s.Send(context.Background(), fmt.Sprintf("%s/callback?n=%d", m.URL, n), callbackBody(842, "EP-R", "success"), secret)
	}

	for n := range 3 * len(answers) {
		a := send(n)
		want := answers[n%len(answers)].code
		require.Equal(t, want, a.Status, "attempt %d: %s", n, a.Error)
	}
	assert.EqualValues(t, 1, opened.Load(), "callbacks sent one after another share one connection")

	const burst = 16
	for wave := range 2 {
		var wg sync.WaitGroup
		for n := range burst {
			wg.Go(func() { assert.True(t, send(n*len(answers)).OK(), "wave %d", wave) })
		}
		wg.Wait()
	}
	assert.LessOrEqual(t, opened.Load(), int32(1+burst), "the second burst reuses the first's connections")
}

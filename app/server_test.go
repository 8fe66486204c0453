package app_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/app"
)

// serve runs the sandbox on 127.0.0.1:0 with short timeouts and returns
// its address.
func serve(t *testing.T, timeouts app.Timeouts) string {
	t.Helper()
	r := newRig(t, func(o *app.Options) { o.Timeouts = timeouts })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.sb.Run(ctx, ln, nil) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	return ln.Addr().String()
}

// closedWithin reports whether the server closes conn within d: reading
// ends (EOF or reset) before the client's own deadline.
func closedWithin(t *testing.T, conn net.Conn, d time.Duration) bool {
	t.Helper()
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(d)))
	_, err := io.Copy(io.Discard, conn)
	var ne net.Error
	return !(errors.As(err, &ne) && ne.Timeout())
}

// TestStalledConnectionsAreClosed replays the probe: a request whose body
// never comes after its headers, and a kept-alive connection that never
// sends its next request, are closed by the server.
func TestStalledConnectionsAreClosed(t *testing.T) {
	t.Parallel()
	addr := serve(t, app.Timeouts{Read: 200 * time.Millisecond, Idle: 200 * time.Millisecond})

	t.Run("stalls after its headers", func(t *testing.T) {
		t.Parallel()
		conn, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		defer conn.Close()
		_, err = io.WriteString(conn, "POST /sandbox/projects HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"id\":")
		require.NoError(t, err)
		assert.True(t, closedWithin(t, conn, 10*time.Second), "the server still holds a connection whose body stalled")
	})

	t.Run("idle between requests", func(t *testing.T) {
		t.Parallel()
		conn, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		defer conn.Close()
		_, err = io.WriteString(conn, "GET /sandbox/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
		require.NoError(t, err)
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		require.NoError(t, err)
		body, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, res.StatusCode)
		require.True(t, strings.Contains(string(body), "ok"))
		assert.True(t, closedWithin(t, conn, 10*time.Second), "the server still holds an idle connection")
	})
}

// TestSlowBodyIsAnsweredWithinTheReadTimeout checks that a body that
// arrives slowly but within the read timeout is taken.
func TestSlowBodyIsAnsweredWithinTheReadTimeout(t *testing.T) {
	t.Parallel()
	addr := serve(t, app.Timeouts{})
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	body := `{"id":9,"secret":"slow"}`
	_, err = io.WriteString(conn, "POST /sandbox/projects HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: "+
		strconv.Itoa(len(body))+"\r\n\r\n")
	require.NoError(t, err)
	for _, part := range []string{body[:10], body[10:]} {
		time.Sleep(50 * time.Millisecond)
		_, err = io.WriteString(conn, part)
		require.NoError(t, err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	defer res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode)
}

// TestShutdownClosesConnectionsThatSentNothing: a browser keeps connections
// open that it has not sent a request on yet. Stopping the sandbox closes
// them at once, rather than after the 5 s that http.Server gives them.
func TestShutdownClosesConnectionsThatSentNothing(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.sb.Run(ctx, ln, nil) }()

	conn, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	defer conn.Close()
	// The server has accepted it once it answers a request on another.
	res, err := http.Get("http://" + ln.Addr().String() + "/sandbox/health")
	require.NoError(t, err)
	res.Body.Close()

	cancel()
	assert.True(t, closedWithin(t, conn, 4*time.Second), "shutdown left open a connection that sent no request")
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(4 * time.Second):
		t.Fatal("Run did not return while a connection that sent no request was open")
	}
}

// TestShutdownCancelsWhatOutlastsItsGrace: a request still running at the
// end of the shutdown grace (an advance waiting for a merchant that does
// not answer) is canceled, so that Run returns; its log line is a warning
// that says the shutdown cut it short, not a failure of the sandbox.
func TestShutdownCancelsWhatOutlastsItsGrace(t *testing.T) {
	t.Parallel()
	r := newRig(t, func(o *app.Options) { o.Timeouts = app.Timeouts{ShutdownGrace: 50 * time.Millisecond} })
	started := make(chan struct{})
	r.sb.Handler.(*echo.Echo).GET("/test/slow", func(c echo.Context) error {
		close(started)
		<-c.Request().Context().Done() // as long as it takes
		return c.JSON(http.StatusInternalServerError, map[string]string{"error": c.Request().Context().Err().Error()})
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.sb.Run(ctx, ln, nil) }()
	answered := make(chan error, 1)
	go func() {
		res, err := http.Get("http://" + ln.Addr().String() + "/test/slow")
		if err == nil {
			res.Body.Close()
		}
		answered <- err
	}()
	<-started

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return while a request outlasted the shutdown grace")
	}
	require.NoError(t, <-answered, "the request got its answer")
	var line string
	for _, l := range r.log.Lines() {
		if strings.Contains(l, "uri=/test/slow") {
			line = l
		}
	}
	assert.Contains(t, line, "level=WARN")
	assert.Contains(t, line, `stopped="the sandbox stopped it at the end of the shutdown grace"`)
}

package callback

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/ecommpay-sandbox/sandbox/platform"
)

const (
	// MaxResponseBody is how much of a merchant's answer an attempt keeps.
	MaxResponseBody = 4 << 10
	// maxRead is how much of an answer is read at all: enough to interpret a
	// check_deposit answer and to let the connection be reused.
	maxRead = 64 << 10
)

// exchange is the outcome of one POST to a merchant.
type exchange struct {
	status  int    // 0 when no answer came
	body    []byte // up to maxRead bytes of the answer
	latency time.Duration
	err     string // why no answer came, in a few words
	timeout bool   // no answer within the timeout
	readErr error  // the answer's body could not be read in full
	// location and contentType are the answer's Location and Content-Type
	// headers, which explain a redirect and a page answered for a message.
	location, contentType string
}

// post sends body to url as JSON with the per-attempt timeout and reads the
// answer. It never returns a Go error: what went wrong is in the exchange,
// worded for the delivery log.
func (d *Sender) post(ctx context.Context, url string, body []byte) exchange {
	timeout := d.timeout()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var x exchange
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		x.err = fmt.Sprintf("invalid URL %q: %v", url, err)
		return x
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if ua := d.UserAgent; ua != "" {
		req.Header.Set("User-Agent", ua)
	}
	wall := d.wall()
	start := wall()
	resp, err := d.client().Do(req)
	if err != nil {
		x.latency = wall().Sub(start)
		x.err, x.timeout = describe(ctx, err, timeout, req.URL)
		return x
	}
	x.status = resp.StatusCode
	x.contentType = resp.Header.Get("Content-Type")
	if loc, err := resp.Location(); err == nil {
		// Absolute: resolved against the URL asked. Cut to a project URL's
		// length, as the attempt's error quotes it and the attempt is kept.
		x.location = loc.String()
		if len(x.location) > platform.MaxURLLength {
			x.location = platform.Clip(x.location, platform.MaxURLLength) + "…"
		}
	}
	x.body, x.readErr = io.ReadAll(io.LimitReader(resp.Body, maxRead))
	// Drain a little more so that the connection can be reused; a merchant
	// sending more than that loses its connection instead.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxRead))
	resp.Body.Close()
	x.latency = wall().Sub(start)
	if x.readErr != nil {
		_, x.timeout = describe(ctx, x.readErr, timeout, req.URL)
	}
	return x
}

// timeoutPrefix starts the error of an attempt the merchant did not answer
// before the callback timeout: "timeout after 10s: …".
const timeoutPrefix = "timeout after "

// timeoutError words an attempt that got no answer within timeout.
func timeoutError(timeout time.Duration) string { return timeoutPrefix + timeout.String() }

// TimedOut reports whether attempt a got no answer before the callback
// timeout, as the delivery log records it: no status, and an error that
// says so.
func TimedOut(a platform.Attempt) bool {
	return a.Status == 0 && strings.HasPrefix(a.Error, timeoutPrefix)
}

// describe words a transport error for the delivery log, with what the
// merchant can do about it, and says whether it was a timeout. u is the URL
// the request went to.
func describe(ctx context.Context, err error, timeout time.Duration, u *url.URL) (string, bool) {
	var dns *net.DNSError
	var nerr net.Error
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded),
		errors.Is(err, context.DeadlineExceeded),
		errors.As(err, &nerr) && nerr.Timeout():
		return timeoutError(timeout) + ": your server did not answer in time; answer first and do slow work afterwards (sandbox serve --callback-timeout sets the limit)", true
	case errors.Is(err, context.Canceled):
		return "canceled: the sandbox is shutting down", false
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused: nothing listens at " + u.Host + "; start your server or correct the port" + containerHint(u), false
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset by the merchant", false
	case errors.As(err, &dns):
		return "cannot resolve host " + dns.Name + ": " + dns.Err + "; correct the host name of the URL", false
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the merchant closed the connection without an answer", false
	case u.Scheme == "https" && strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return "the server at " + u.Host + " speaks plain HTTP, not HTTPS: write the URL with http://", false
	}
	// Drop the "Post \"url\": " prefix of *url.Error: the URL is in the log.
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return uerr.Err.Error(), false
	}
	return err.Error(), false
}

// containerHint is what a refused connection to the loopback interface may
// mean: a sandbox in a container reaches itself there, not the merchant.
func containerHint(u *url.URL) string {
	host := u.Hostname()
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return ""
	}
	return "; if the sandbox runs in a container, " + host + " is the container itself: use host.docker.internal or your machine's address"
}

// refusal words an answer other than 200 for the delivery log: the status,
// and what usually makes a server answer it.
func refusal(x exchange) string {
	msg := fmt.Sprintf("merchant answered %d", x.status)
	switch {
	case x.status >= 300 && x.status < 400:
		if x.location != "" {
			msg += " redirecting to " + x.location
		}
		return msg + ": redirects are not followed, as on ecommpay; use the URL your server redirects to, and answer 200 there"
	case x.status == http.StatusNotFound:
		return msg + ": your server has no handler at this path; correct the URL's path or add the route"
	case x.status == http.StatusMethodNotAllowed:
		return msg + ": your server does not take POST at this path; messages are POSTed as JSON"
	case x.status == http.StatusBadRequest, x.status == http.StatusUnauthorized,
		x.status == http.StatusForbidden, x.status == http.StatusUnprocessableEntity:
		return msg + ": your server refused the message; if it checks the signature, give sandbox verify the body sent and the signature your server computes (--signature): it shows the string to sign and names the usual mistakes; the sandbox sends no credentials, only the signature"
	case x.status >= 500:
		return msg + ": your server failed; its answer's body and its log say why"
	}
	return msg + ": only 200 accepts the message"
}

// keep returns the part of an answer an attempt stores: the first
// MaxResponseBody bytes, cut at a rune boundary.
func keep(body []byte) string { return platform.Clip(string(body), MaxResponseBody) }

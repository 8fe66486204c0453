package callback

import (
	"context"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/signature"
)

// Defaults of a Sender.
const (
	// DefaultTimeout is how long an attempt waits for the merchant's answer
	// (docs/callbacks.md "Delivery and retries", a sandbox choice).
	DefaultTimeout = 10 * time.Second
	// MaxTimeout is the longest Timeout that holds: past it the transport
	// stops waiting for the headers of an answer.
	MaxTimeout = 2 * time.Minute
	// DefaultUserAgent is the User-Agent of the sandbox's requests.
	DefaultUserAgent = "ecommpay-sandbox/1 (+callback)"
)

// Sender signs and posts messages to merchants. New returns one with every
// default set; the exported fields may be changed before first use. It is
// safe for concurrent use.
type Sender struct {
	// Client sends the requests. Its redirects policy matters: only a 200
	// answer delivers, so the default client does not follow redirects.
	Client *http.Client
	// Timeout bounds each attempt, from connecting to reading the answer.
	Timeout time.Duration
	// Log receives what the sender notices; attempts are logged by the
	// engine that records them.
	Log *slog.Logger
	// UserAgent is sent with every request; empty sends Go's default.
	UserAgent string
	// Wall reads the wall clock to measure an attempt's latency: the only
	// use of wall time in the package.
	Wall func() time.Time

	once     sync.Once
	fallback *http.Client
}

var _ platform.Sender = (*Sender)(nil)

// New returns a sender with its defaults: NewClient, a 10 s timeout,
// DefaultUserAgent and the wall clock. A nil log discards.
func New(log *slog.Logger) *Sender {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Sender{
		Client:    NewClient(),
		Timeout:   DefaultTimeout,
		Log:       log,
		UserAgent: DefaultUserAgent,
		Wall:      time.Now,
	}
}

// NewClient returns the HTTP client a Sender uses by default. Its transport
// keeps up to 64 idle connections per merchant host and opens at most 256 at
// once, so a burst of callbacks reuses connections instead of exhausting
// ports. It does not follow redirects: a merchant answering 3xx has not
// accepted the message. Each request is bounded by the sender's Timeout
// through its context; the transport's own timeouts only bound its phases.
func NewClient() *http.Client {
	dialer := &net.Dialer{Timeout: DefaultTimeout, KeepAlive: 30 * time.Second}
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           dialer.DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          1024,
			MaxIdleConnsPerHost:   platform.DefaultSendsPerMerchant,
			MaxConnsPerHost:       256,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   DefaultTimeout,
			ResponseHeaderTimeout: MaxTimeout,
			ExpectContinueTimeout: time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func (s *Sender) client() *http.Client {
	if s.Client != nil {
		return s.Client
	}
	s.once.Do(func() { s.fallback = NewClient() })
	return s.fallback
}

func (s *Sender) timeout() time.Duration {
	if s.Timeout > 0 {
		return s.Timeout
	}
	return DefaultTimeout
}

func (s *Sender) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.New(slog.DiscardHandler)
}

func (s *Sender) wall() func() time.Time {
	if s.Wall != nil {
		return s.Wall
	}
	return time.Now
}

// Send signs body, an unsigned callback, with secret and POSTs it to url. It
// returns the attempt without its time, which the engine sets: the signed
// request body, the answer's status and first MaxResponseBody bytes, the
// latency, and Error when the merchant did not accept (any status but 200,
// no answer within the timeout, a failed connection). A 200 whose body does
// not arrive in time still delivers, with a Note that says so.
func (s *Sender) Send(ctx context.Context, url string, body []byte, secret string) platform.Attempt {
	a := platform.Attempt{URL: url}
	signed, err := signature.SignJSON(body, secret)
	if err != nil {
		a.Error = "cannot sign the stored body: " + err.Error()
		return a
	}
	a.RequestBody = string(signed)
	x := s.post(ctx, url, signed)
	a.Status, a.ResponseBody, a.Latency = x.status, keep(x.body), x.latency
	switch {
	case x.err != "":
		a.Error = x.err
	case x.status != http.StatusOK:
		a.Error = refusal(x)
	case x.timeout:
		a.Note = "the merchant answered 200 but its body did not arrive within " + s.timeout().String() + "; the status is what counts, so the callback is delivered"
	case x.readErr != nil:
		a.Note = "the merchant answered 200 but its body could not be read (" + x.readErr.Error() + "); the status is what counts, so the callback is delivered"
	case isPage(x.contentType):
		a.Note = "the merchant answered 200 with an HTML page: the callback is delivered, as the status is what counts, but a page usually means a login page or a catch-all route answered rather than your callback handler"
	}
	return a
}

// isPage reports whether contentType is an HTML page's.
func isPage(contentType string) bool {
	mt, _, _ := mime.ParseMediaType(contentType)
	return mt == "text/html" || mt == "application/xhtml+xml"
}

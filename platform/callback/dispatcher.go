package callback

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/signature"
)

// Defaults of a Dispatcher.
const (
	// DefaultTimeout is how long an attempt waits for the merchant's answer
	// (SPEC.md §5, a sandbox choice).
	DefaultTimeout = 10 * time.Second
	// DefaultUserAgent is the User-Agent of the sandbox's requests.
	DefaultUserAgent = "ecommpay-sandbox/1 (+callback)"
)

// Dispatcher delivers the outbox: it runs deliver jobs for the engine and
// makes check_deposit requests. New returns one with every default set; the
// exported fields may be changed before first use. It is safe for concurrent
// use.
type Dispatcher struct {
	// Store holds the deliveries, their jobs and the projects' secrets.
	Store platform.Store
	// Client sends the requests. Its redirects policy matters: only a 200
	// answer delivers, so the default client does not follow redirects.
	Client *http.Client
	// Timeout bounds each attempt, from connecting to reading the answer.
	Timeout time.Duration
	// Log receives a record of every attempt.
	Log *slog.Logger
	// UserAgent is sent with every request; empty sends Go's default.
	UserAgent string
	// Wall reads the wall clock to measure an attempt's latency: the only
	// use of wall time in the dispatcher. Attempt times and the retry
	// schedule follow the sandbox clock passed to Deliver and CheckDeposit.
	Wall func() time.Time

	once     sync.Once
	fallback *http.Client
}

var _ platform.Deliverer = (*Dispatcher)(nil)

// New returns a dispatcher over store with its defaults: NewClient, a 10 s
// timeout, DefaultUserAgent and the wall clock. A nil log discards.
func New(store platform.Store, log *slog.Logger) *Dispatcher {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Dispatcher{
		Store:     store,
		Client:    NewClient(),
		Timeout:   DefaultTimeout,
		Log:       log,
		UserAgent: DefaultUserAgent,
		Wall:      time.Now,
	}
}

// NewClient returns the HTTP client a Dispatcher uses by default. Its
// transport keeps up to 64 idle connections per merchant host and opens at
// most 256 at once, so a burst of callbacks reuses connections instead of
// exhausting ports. It does not follow redirects: a merchant answering 3xx
// has not accepted the message. Each request is bounded by the
// dispatcher's Timeout through its context; the transport's own timeouts
// only bound its phases.
func NewClient() *http.Client {
	dialer := &net.Dialer{Timeout: DefaultTimeout, KeepAlive: 30 * time.Second}
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           dialer.DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          1024,
			MaxIdleConnsPerHost:   64,
			MaxConnsPerHost:       256,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   DefaultTimeout,
			ResponseHeaderTimeout: 2 * time.Minute,
			ExpectContinueTimeout: time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func (d *Dispatcher) client() *http.Client {
	if d.Client != nil {
		return d.Client
	}
	d.once.Do(func() { d.fallback = NewClient() })
	return d.fallback
}

func (d *Dispatcher) timeout() time.Duration {
	if d.Timeout > 0 {
		return d.Timeout
	}
	return DefaultTimeout
}

func (d *Dispatcher) log() *slog.Logger {
	if d.Log != nil {
		return d.Log
	}
	return slog.New(slog.DiscardHandler)
}

func (d *Dispatcher) wall() func() time.Time {
	if d.Wall != nil {
		return d.Wall
	}
	return time.Now
}

// Deliver makes one attempt to deliver the delivery of a deliver job at now,
// the sandbox time of the attempt. It signs the stored body with the
// project's current secret, POSTs it to the delivery's URL outside any
// transaction and then, in one transaction, deletes the job, records the
// attempt and decides what follows: a 200 answer delivers; any other
// outcome schedules the next attempt after Gap, or fails the delivery after
// MaxAttempts attempts. Attempts count from when the delivery last became
// pending (NotBefore), so a resent callback gets the whole schedule again. A
// delivery that ends lets the payment's next pending
// callback go out. A job whose delivery is gone, no longer pending or
// rescheduled by someone else (a resend) is deleted without a request.
//
// Deliver returns an error only when the store fails; an unreachable or
// refusing merchant is a recorded attempt, not an error.
func (d *Dispatcher) Deliver(ctx context.Context, job platform.Job, now time.Time) error {
	now = now.Round(0) // stored times carry no monotonic reading
	var (
		dl      *platform.Delivery
		project platform.Project
		projErr error
		skip    string
	)
	err := d.Store.View(ctx, func(tx platform.Tx) error {
		dl, project, projErr, skip = nil, platform.Project{}, nil, ""
		var err error
		dl, err = tx.Delivery(job.DeliveryID)
		switch {
		case errors.Is(err, platform.ErrNotFound):
			skip = "the delivery no longer exists"
			return nil
		case err != nil:
			return err
		}
		if skip = stale(dl, job); skip != "" {
			return nil
		}
		project, projErr = tx.Project(dl.ProjectID)
		if projErr != nil && !errors.Is(projErr, platform.ErrNotFound) {
			return projErr
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("deliver %d: load delivery: %w", job.DeliveryID, err)
	}
	if skip != "" {
		d.log().Debug("deliver job dropped", "job", job.ID, "delivery", job.DeliveryID, "payment_id", job.Payment.PaymentID, "reason", skip)
		if err := d.Store.Update(ctx, func(tx platform.Tx) error { return tx.DeleteJob(job) }); err != nil {
			return fmt.Errorf("deliver %d: drop job %d: %w", job.DeliveryID, job.ID, err)
		}
		return nil
	}
	a := d.attempt(ctx, now, dl, project, projErr)
	return d.record(ctx, job, a, now)
}

// stale says why job is not the one to deliver d now, or "" when it is.
func stale(d *platform.Delivery, job platform.Job) string {
	switch {
	case d.Status != platform.DeliveryPending:
		return "the delivery is " + string(d.Status)
	case !d.NextAttempt.IsZero() && !d.NextAttempt.Equal(job.Due):
		return "the delivery was rescheduled for " + platform.FormatDate(d.NextAttempt)
	}
	return ""
}

// attempt signs and sends a delivery, outside any transaction.
func (d *Dispatcher) attempt(ctx context.Context, now time.Time, dl *platform.Delivery, project platform.Project, projErr error) platform.Attempt {
	a := platform.Attempt{At: now, URL: dl.URL}
	if a.URL == "" {
		a.URL = project.CallbackURL
	}
	if projErr != nil {
		a.Error = fmt.Sprintf("project %d does not exist, so its callback cannot be signed", dl.ProjectID)
		return a
	}
	if a.URL == "" {
		a.Error = fmt.Sprintf("project %d has no callback URL", dl.ProjectID)
		return a
	}
	signed, err := signature.SignJSON(dl.Body, project.Secret)
	if err != nil {
		a.Error = "cannot sign the stored body: " + err.Error()
		return a
	}
	a.RequestBody = string(signed)
	x := d.post(ctx, a.URL, signed)
	a.Status, a.ResponseBody, a.Latency = x.status, keep(x.body), x.latency
	switch {
	case x.err != "":
		a.Error = x.err
	case x.status != http.StatusOK:
		a.Error = fmt.Sprintf("merchant answered %d", x.status)
	}
	// A 200 whose body could not be read in full is still delivered: the
	// answer's status is what counts for a callback.
	return a
}

// record stores an attempt and its consequences in one transaction. It runs
// even when ctx was canceled during the attempt, so that a delivery with a
// next attempt always has the job that makes it.
func (d *Dispatcher) record(ctx context.Context, job platform.Job, a platform.Attempt, now time.Time) error {
	var (
		cur     *platform.Delivery
		n       int
		outcome string
	)
	err := d.Store.Update(context.WithoutCancel(ctx), func(tx platform.Tx) error {
		cur, n, outcome = nil, 0, ""
		if err := tx.DeleteJob(job); err != nil {
			return err
		}
		var err error
		cur, err = tx.Delivery(job.DeliveryID)
		if errors.Is(err, platform.ErrNotFound) {
			outcome = "gone" // reset while the request was under way
			return nil
		} else if err != nil {
			return err
		}
		owner := stale(cur, job) == ""
		cur.Attempts = append(cur.Attempts, a)
		n = len(cur.Attempts)
		switch run := attemptsInRun(cur); {
		case a.OK() && cur.Status == platform.DeliveryPending:
			cur.Status, cur.NextAttempt, outcome = platform.DeliveryDelivered, time.Time{}, "delivered"
		case a.OK() || !owner:
			outcome = "recorded" // someone else decides this delivery's fate
		case run < MaxAttempts:
			cur.NextAttempt = now.Add(Gap(run + 1))
			outcome = "retry"
			id, err := tx.NextID("jobs")
			if err != nil {
				return err
			}
			next := platform.Job{ID: id, Kind: platform.JobDeliver, Due: cur.NextAttempt, Payment: cur.Key(), DeliveryID: cur.ID}
			if err := tx.PutJob(next); err != nil {
				return err
			}
		default:
			cur.Status, cur.NextAttempt, outcome = platform.DeliveryFailed, time.Time{}, "failed"
		}
		if err := tx.PutDelivery(cur); err != nil {
			return err
		}
		if cur.Status == platform.DeliveryPending {
			return nil
		}
		return platform.ScheduleNextDelivery(tx, cur.Key(), now)
	})
	if err != nil {
		return fmt.Errorf("deliver %d: record attempt: %w", job.DeliveryID, err)
	}
	d.logAttempt(ctx, job, cur, n, a, outcome)
	return nil
}

// attemptsInRun counts the attempts since the delivery last became pending:
// its first attempt or a resend, which sets NotBefore to its own time. The
// retry schedule and MaxAttempts apply per run, so a resent callback gets
// the whole schedule again.
func attemptsInRun(d *platform.Delivery) int {
	n := 0
	for _, a := range d.Attempts {
		if !a.At.Before(d.NotBefore) {
			n++
		}
	}
	return n
}

func (d *Dispatcher) logAttempt(ctx context.Context, job platform.Job, cur *platform.Delivery, n int, a platform.Attempt, outcome string) {
	attrs := []any{
		"project_id", job.Payment.ProjectID, "payment_id", job.Payment.PaymentID,
		"delivery", job.DeliveryID, "attempt", n, "url", a.URL,
		"status", a.Status, "latency", a.Latency, "outcome", outcome,
	}
	if a.Error != "" {
		attrs = append(attrs, "err", a.Error)
	}
	if outcome == "retry" {
		attrs = append(attrs, "next_attempt", platform.FormatDate(cur.NextAttempt))
	}
	level := slog.LevelInfo
	if !a.OK() {
		level = slog.LevelWarn
	}
	d.log().Log(ctx, level, "callback attempt", attrs...)
}

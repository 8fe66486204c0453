package platform

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/url"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// The outbox: every callback a payment causes is a Delivery, stored with the
// state change that caused it. The engine decides when each is tried, in
// order per payment, on ecommpay's retry schedule, and records every
// attempt; a Sender (platform/callback) only signs and posts. An attempt is
// read from the store, sent outside any transaction, and recorded with its
// consequences in one Update. Sends run beside the job runner, at most
// Config.SendsPerMerchant at once per merchant host, so a merchant that is
// slow or does not answer holds back only its own payments' callbacks.

// Sender signs messages and posts them to merchants: platform/callback
// implements it.
type Sender interface {
	// Send signs body with secret and POSTs it to url. It returns the
	// attempt with everything but its time (At) filled in; an answer other
	// than 200, no answer or a refused connection is an attempt with Error
	// set, never a Go error.
	Send(ctx context.Context, url string, body []byte, secret string) Attempt
}

// Retry schedule of ecommpay's callbacks (docs/callbacks.md "Delivery and retries").
const (
	// MaxAttempts is how many times a callback is tried before it fails.
	MaxAttempts = 120
	// MaxGap is the longest wait between two attempts.
	MaxGap = 4 * time.Hour
	// shortGap is the wait between the first six attempts.
	shortGap = 10 * time.Second
	// shortAttempts is how many attempts are shortGap apart.
	shortAttempts = 6
)

// RetryGap returns how long to wait after attempt n-1 before attempt n: 10
// seconds up to the sixth attempt, then 70 + 10·1.12^(n−4) seconds, rounded
// to whole seconds, until that reaches MaxGap, and MaxGap from then on. The
// first attempt has no gap: RetryGap returns 0 for n < 2.
func RetryGap(n int) time.Duration {
	switch {
	case n < 2:
		return 0
	case n <= shortAttempts:
		return shortGap
	}
	secs := 70 + 10*math.Pow(1.12, float64(n-4))
	if secs >= MaxGap.Seconds() { // also +Inf for huge n
		return MaxGap
	}
	return time.Duration(math.Round(secs)) * time.Second
}

// deliverJobBase sets the IDs of deliver jobs apart from sequence-numbered
// jobs: a delivery's job has the ID deliverJobBase|deliveryID, the same for
// its whole life, so recording an attempt never draws an ID and a seeded run
// numbers its jobs the same however its sends interleave. It stays inside
// JavaScript's safe integers.
const deliverJobBase = 1 << 52

func deliverJobID(deliveryID uint64) uint64 { return deliverJobBase | deliveryID }

// leaseFor is how far a deliver job is pushed while its attempt is under
// way, so that the runner does not pick it again; recording the attempt
// replaces it, and an engine that starts puts leases left by a crash back.
const leaseFor = time.Hour

// DefaultSendsPerMerchant bounds the callbacks sent at once to one merchant
// host.
const DefaultSendsPerMerchant = 64

// outbox sends due deliveries and records their attempts.
type outbox struct {
	e       *Engine
	sender  Sender
	perHost int
	grace   time.Duration // how long stop lets the sends under way finish

	ctx    context.Context // sends; canceled when the engine's Run ends
	cancel context.CancelFunc

	mu    sync.Mutex
	hosts map[string]*hostQueue
	// all are the sends in flight, and projects those of each project
	// that has some, for a move of the clock that waits for one
	// project's alone.
	all      inFlight
	projects map[int64]*inFlight

	// waiters counts those who wait for the sends to end (an advance of
	// the clock, a reset, a stop): while one does, attempts are recorded at
	// once rather than lingering for company (see record).
	waiters atomic.Int32
}

// hurry tells the outbox that someone waits for its sends to end, until
// the function it returns is called: attempts are recorded at once, and
// those already lingering commit now.
func (o *outbox) hurry() (done func()) {
	o.waiters.Add(1)
	o.e.store.Flush()
	return func() { o.waiters.Add(-1) }
}

// inFlight counts sends in flight, with a channel closed when the last
// of them ends; the zero value has none.
type inFlight struct {
	n    int
	idle chan struct{}
}

// add counts one more send in flight.
func (f *inFlight) add() {
	if f.n == 0 {
		f.idle = make(chan struct{})
	}
	f.n++
}

// done counts a send that ended, and reports whether none is left.
func (f *inFlight) done() (none bool) {
	f.n--
	if f.n > 0 {
		return false
	}
	close(f.idle)
	return true
}

// idleChan returns a channel closed once no send counted is in flight.
func (f *inFlight) idleChan() <-chan struct{} {
	if f.n == 0 {
		idle := make(chan struct{})
		close(idle)
		return idle
	}
	return f.idle
}

// hostQueue is the sends waiting for one merchant host and how many of its
// workers run.
type hostQueue struct {
	waiting []send
	workers int
}

// send is one attempt to make: a leased deliver job and what it carries.
type send struct {
	job      Job // as it was due, before its lease
	delivery *Delivery
	url      string
	secret   string
	problem  string // why it cannot be sent at all (no URL, no project)
	at       time.Time
}

func newOutbox(e *Engine, s Sender, perHost int, grace time.Duration) *outbox {
	if perHost <= 0 {
		perHost = DefaultSendsPerMerchant
	}
	switch {
	case grace == 0:
		grace = DefaultStopGrace
	case grace < 0:
		grace = 0
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &outbox{e: e, sender: s, perHost: perHost, grace: grace, ctx: ctx, cancel: cancel, hosts: map[string]*hostQueue{},
		projects: map[int64]*inFlight{}}
}

// enqueue stores a callback for payment p, which the caller stores after
// it: the delivery, its place in the payment's queue, and p's summary.
func (o *outbox) enqueue(tx Tx, project Project, p *Payment, body []byte, now time.Time) error {
	id, err := tx.NextID("deliveries")
	if err != nil {
		return err
	}
	d := &Delivery{
		ID: id, Kind: DeliveryCallback, ProjectID: p.ProjectID, PaymentID: p.ID,
		URL: p.CallbackURL(project), Body: body, CreatedAt: now, Attempts: []Attempt{},
	}
	switch {
	case p.Callback.Disabled:
		d.Status = DeliverySuppressed
	case d.URL == "":
		d.Status = DeliveryNoURL
	default:
		d.Status = DeliveryPending
		d.NotBefore = now.Add(p.Callback.Delay)
	}
	ds, err := paymentDeliveries(tx, p.Key())
	if err != nil {
		return err
	}
	ds = append(ds, d)
	var head *Delivery
	if d.Status == DeliveryPending {
		if head, err = o.scheduleHead(tx, ds, now); err != nil {
			return err
		}
	}
	if head != d { // scheduleHead stored d already when it made it the head
		if err := tx.PutDelivery(d); err != nil {
			return err
		}
	}
	summarize(p, ds)
	return nil
}

// paymentDeliveries returns every delivery of payment k, oldest first: what
// scheduleHead and summarize read, once per transaction step.
func paymentDeliveries(tx Tx, k PaymentKey) ([]*Delivery, error) {
	return tx.Deliveries(DeliveryFilter{ProjectID: k.ProjectID, PaymentID: k.PaymentID})
}

// sendingTx is a transaction that leases the callbacks falling due in it
// (see Engine.updateSending): their sends go out as soon as it commits,
// without waiting for the job runner and a transaction of its own.
type sendingTx struct {
	Tx
	sends    []*send
	projects map[int64]Project // read in this transaction: a sale and its lease read the same project
}

// Project returns project id, read from the store once per transaction.
func (t *sendingTx) Project(id int64) (Project, error) {
	if p, ok := t.projects[id]; ok {
		return p, nil
	}
	p, err := t.Tx.Project(id)
	if err != nil {
		return p, err
	}
	if t.projects == nil {
		t.projects = map[int64]Project{}
	}
	t.projects[id] = p
	return p, nil
}

// PutProject stores p and forgets what was read of it.
func (t *sendingTx) PutProject(p Project) error {
	delete(t.projects, p.ID)
	return t.Tx.PutProject(p)
}

// updateSending runs fn in one Update with a tx that leases the callbacks
// falling due in it, and returns their sends, to be dispatched once the
// caller has published the change. fn may run more than once (group
// commit): only the sends of its last run count.
func (e *Engine) updateSending(ctx context.Context, fn func(tx Tx) error) ([]*send, error) {
	return e.updateSendingWith(ctx, e.store.Update, fn)
}

// updateSendingWith is updateSending through update, Store.Update or
// Store.UpdateSoon.
func (e *Engine) updateSendingWith(ctx context.Context, update func(context.Context, func(Tx) error) error, fn func(tx Tx) error) ([]*send, error) {
	var sends []*send
	err := update(ctx, func(tx Tx) error {
		st := &sendingTx{Tx: tx}
		sends = nil
		if err := fn(st); err != nil {
			return err
		}
		sends = st.sends
		return nil
	})
	if err != nil {
		return nil, err
	}
	return sends, nil
}

// scheduleHead gives the first pending delivery of a payment, among ds (all
// of its deliveries, oldest first, as stored in tx), its deliver job, unless
// it has one: this is what keeps a payment's callbacks in order. It
// returns the delivery it scheduled and stored, if any.
// In a sendingTx, a job due by now is leased at once and its send handed to
// the transaction: a crash before the send leaves the lease, which the next
// start puts back.
func (o *outbox) scheduleHead(tx Tx, ds []*Delivery, now time.Time) (*Delivery, error) {
	i := slices.IndexFunc(ds, func(d *Delivery) bool { return d.Status == DeliveryPending })
	if i < 0 {
		return nil, nil
	}
	head := ds[i]
	k := head.Key()
	if !head.NextAttempt.IsZero() {
		return nil, nil // already scheduled
	}
	due := now
	if head.NotBefore.After(due) {
		due = head.NotBefore
	}
	head.NextAttempt = due
	if err := tx.PutDelivery(head); err != nil {
		return nil, err
	}
	job := Job{ID: deliverJobID(head.ID), Kind: JobDeliver, Due: due, Payment: k, DeliveryID: head.ID}
	st, ok := tx.(*sendingTx)
	if !ok || due.After(now) {
		return head, tx.PutJob(job)
	}
	s, err := o.leaseDelivery(tx, head, job, now)
	if err != nil {
		return nil, err
	}
	st.sends = append(st.sends, s)
	return head, nil
}

// summarize sets p.Callbacks from ds, every delivery of p, oldest first;
// the caller stores p.
func summarize(p *Payment, ds []*Delivery) {
	var s CallbackSummary
	var head *Delivery
	for _, d := range ds {
		if d.Kind != DeliveryCallback {
			continue
		}
		s.Count++
		s.Attempts += len(d.Attempts)
		if n := len(d.Attempts); n > 0 && !d.Attempts[n-1].At.Before(s.LastAt) {
			a := d.Attempts[n-1]
			s.LastAt, s.LastStatus, s.LastError = a.At, a.Status, a.Error
		}
		if head == nil && d.Status != DeliveryDelivered {
			head = d
		}
	}
	switch {
	case s.Count == 0:
	case head == nil:
		s.Health = CallbacksOK
	case head.Status == DeliveryFailed:
		s.Health = CallbacksFailed
	case head.Status == DeliveryNoURL, head.Status == DeliverySuppressed:
		s.Health = CallbacksHeld
	case attemptsInRun(head) > 0:
		s.Health, s.NextAttempt = CallbacksFailing, head.NextAttempt
	default:
		s.Health, s.NextAttempt = CallbacksPending, head.NextAttempt
	}
	p.Callbacks = s
}

// resummarize stores payment k with its callbacks summed up anew from ds,
// its deliveries in tx; a payment that is gone (a reset) is no error.
func resummarize(tx Tx, k PaymentKey, ds []*Delivery) error {
	p, err := tx.Payment(k)
	if errors.Is(err, ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	summarize(p, ds)
	return tx.PutPayment(p)
}

// attemptsInRun counts the attempts since the delivery last became pending:
// its first attempt or a resend, which sets NotBefore to its own time. The
// retry schedule and MaxAttempts apply per run, so a resent callback gets
// the whole schedule again.
func attemptsInRun(d *Delivery) int {
	n := 0
	for _, a := range d.Attempts {
		if !a.At.Before(d.NotBefore) {
			n++
		}
	}
	return n
}

// stale says why job is not the one to deliver d now, or "" when it is.
func stale(d *Delivery, job Job) string {
	switch {
	case d.Status != DeliveryPending:
		return "the delivery is " + string(d.Status)
	case !d.NextAttempt.IsZero() && !d.NextAttempt.Equal(job.Due):
		return "the delivery was rescheduled for " + FormatDate(d.NextAttempt)
	}
	return ""
}

// lease takes a due deliver job in tx at now: a job whose delivery is gone
// or no longer waits for it is deleted; otherwise the job is pushed out by
// leaseFor and the send it stands for is returned.
func (o *outbox) lease(tx Tx, j Job, now time.Time) (*send, error) {
	d, err := tx.Delivery(j.DeliveryID)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, tx.DeleteJob(j)
	case err != nil:
		return nil, err
	}
	if why := stale(d, j); why != "" {
		o.e.log.Debug("deliver job dropped", "job", j.ID, "delivery", d.ID, "payment_id", d.PaymentID, "reason", why)
		return nil, tx.DeleteJob(j)
	}
	return o.leaseDelivery(tx, d, j, now)
}

// leaseDelivery stores j, the deliver job of d, pushed out by leaseFor, and
// returns the send it stands for.
func (o *outbox) leaseDelivery(tx Tx, d *Delivery, j Job, now time.Time) (*send, error) {
	s := &send{job: j, delivery: d, url: d.URL, at: now.Round(0)}
	project, err := tx.Project(d.ProjectID)
	switch {
	case errors.Is(err, ErrNotFound):
		s.problem = fmt.Sprintf("project %d does not exist, so its callback cannot be signed", d.ProjectID)
	case err != nil:
		return nil, err
	default:
		s.secret = project.Secret
		if s.url == "" {
			s.url = project.CallbackURL
		}
		if s.url == "" {
			s.problem = fmt.Sprintf("project %d has no callback URL", d.ProjectID)
		}
	}
	leased := j
	leased.ID = deliverJobID(d.ID)
	leased.Due = now.Add(leaseFor)
	if leased.ID != j.ID {
		if err := tx.DeleteJob(j); err != nil { // a job from an older data file
			return nil, err
		}
	}
	if err := tx.PutJob(leased); err != nil {
		return nil, err
	}
	return s, nil
}

// releaseLeases puts back deliver jobs that a crash left leased: those due
// after now whose delivery waits for an earlier attempt. New does it, before
// anything can take a lease.
func releaseLeases(tx Tx, now time.Time) error {
	js, err := tx.DueJobs(now.Add(leaseFor+time.Minute), 0)
	if err != nil {
		return err
	}
	for _, j := range js {
		if j.Kind != JobDeliver || !j.Due.After(now) {
			continue
		}
		d, err := tx.Delivery(j.DeliveryID)
		if errors.Is(err, ErrNotFound) {
			if err := tx.DeleteJob(j); err != nil {
				return err
			}
			continue
		} else if err != nil {
			return err
		}
		if d.Status == DeliveryPending && !d.NextAttempt.IsZero() && d.NextAttempt.Before(j.Due) {
			j.Due = d.NextAttempt
			if err := tx.PutJob(j); err != nil {
				return err
			}
		}
	}
	return nil
}

// dispatch queues sends by merchant host and starts workers as the limit
// allows. It does not wait for them.
func (o *outbox) dispatch(sends []*send) {
	if len(sends) == 0 {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, s := range sends {
		o.all.add()
		p := o.projects[s.job.Payment.ProjectID]
		if p == nil {
			p = &inFlight{}
			o.projects[s.job.Payment.ProjectID] = p
		}
		p.add()
		host := hostOf(s.url)
		q := o.hosts[host]
		if q == nil {
			q = &hostQueue{}
			o.hosts[host] = q
		}
		q.waiting = append(q.waiting, *s)
		if q.workers < o.perHost {
			q.workers++
			go o.work(host, q)
		}
	}
}

func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return u.Host
	}
	return raw
}

// work sends what waits for one host until nothing does.
func (o *outbox) work(host string, q *hostQueue) {
	for {
		o.mu.Lock()
		if len(q.waiting) == 0 {
			q.workers--
			if q.workers == 0 {
				delete(o.hosts, host)
			}
			o.mu.Unlock()
			return
		}
		s := q.waiting[0]
		q.waiting[0] = send{}
		q.waiting = q.waiting[1:]
		o.mu.Unlock()

		o.attempt(s)

		o.mu.Lock()
		o.all.done()
		if o.projects[s.job.Payment.ProjectID].done() {
			delete(o.projects, s.job.Payment.ProjectID)
		}
		o.mu.Unlock()
		o.e.poke()
	}
}

// attempt makes one attempt and records it. A panic is logged, not fatal:
// the job's lease brings the attempt back.
func (o *outbox) attempt(s send) {
	defer func() {
		if r := recover(); r != nil {
			o.e.log.Error("callback attempt panicked", "delivery", s.delivery.ID, "panic", r, "stack", string(debug.Stack()))
		}
	}()
	if o.ctx.Err() != nil {
		return // dispatched after a stop: the lease brings the attempt back at the next start
	}
	var a Attempt
	switch {
	case s.problem != "":
		a = Attempt{URL: s.url, Error: s.problem}
	case o.sender == nil:
		a = Attempt{URL: s.url, Error: "the sandbox has no callback sender"}
	default:
		a = o.send(s)
		if !a.OK() && o.ctx.Err() != nil {
			return // cut short by a stop: the lease brings the attempt back at the next start
		}
	}
	a.At = s.at
	if err := o.record(s.job, a); err != nil {
		o.e.log.Error("record a callback attempt", "delivery", s.delivery.ID, "payment", s.job.Payment.String(), "err", err)
	}
}

// send sends s. A sender that panics makes a failed attempt, logged, which
// is retried on the schedule as any other.
func (o *outbox) send(s send) (a Attempt) {
	defer func() {
		if r := recover(); r != nil {
			o.e.log.Error("callback sender panicked", "delivery", s.delivery.ID, "panic", r, "stack", string(debug.Stack()))
			a = Attempt{URL: s.url, Error: fmt.Sprintf("the sandbox's callback sender failed (it panicked: %v)", r)}
		}
	}()
	return o.sender.Send(o.ctx, s.url, s.delivery.Body, s.secret)
}

// record stores an attempt of the delivery of job, made at a.At, and what
// follows from it, in one transaction: a 200 delivers, anything else
// schedules the next attempt after RetryGap, or fails the delivery after
// MaxAttempts; a delivery that ends lets the payment's next callback go.
func (o *outbox) record(job Job, a Attempt) error {
	var (
		cur     *Delivery
		n       int
		outcome string
	)
	now := a.At
	// The payment's next callback, when this one ends, goes at once: at
	// the clock's time, as the job runner would send it.
	next := o.e.clock.Now()
	if next.Before(now) {
		next = now
	}
	// Unless someone waits for the sends to end, nobody waits on the
	// record at once: it rides in the commit of the next sale, or whatever
	// comes first, rather than costing a commit and an fsync of its own.
	update := o.e.store.UpdateSoon
	if o.waiters.Load() > 0 {
		update = o.e.store.Update
	}
	sends, err := o.e.updateSendingWith(context.Background(), update, func(tx Tx) error {
		cur, n, outcome = nil, 0, ""
		settled := false // this delivery let go of its place: the next may go
		// The payment's deliveries, this one among them, are read once.
		ds, err := paymentDeliveries(tx, job.Payment)
		if err != nil {
			return err
		}
		if i := slices.IndexFunc(ds, func(d *Delivery) bool { return d.ID == job.DeliveryID }); i >= 0 {
			cur = ds[i]
		} else {
			outcome = "gone" // reset while the request was under way
			return tx.DeleteJob(Job{ID: deliverJobID(job.DeliveryID)})
		}
		owner := stale(cur, job) == ""
		cur.Attempts = append(cur.Attempts, a)
		n = len(cur.Attempts)
		jobID := deliverJobID(cur.ID)
		switch run := attemptsInRun(cur); {
		case a.OK() && cur.Status == DeliveryPending:
			cur.Status, cur.NextAttempt, outcome = DeliveryDelivered, time.Time{}, "delivered"
		case a.OK() || !owner:
			outcome = "recorded" // someone else decides this delivery's fate
		case run < MaxAttempts:
			cur.NextAttempt = now.Add(RetryGap(run + 1))
			outcome = "retry"
		default:
			cur.Status, cur.NextAttempt, outcome = DeliveryFailed, time.Time{}, "failed"
		}
		if err := tx.PutDelivery(cur); err != nil {
			return err
		}
		switch {
		case outcome == "retry":
			if err := tx.PutJob(Job{ID: jobID, Kind: JobDeliver, Due: cur.NextAttempt, Payment: cur.Key(), DeliveryID: cur.ID}); err != nil {
				return err
			}
		case owner || cur.Status != DeliveryPending:
			if err := tx.DeleteJob(Job{ID: jobID}); err != nil {
				return err
			}
			settled = true
		}
		if settled {
			if _, err := o.scheduleHead(tx, ds, next); err != nil {
				return err
			}
		}
		return resummarize(tx, cur.Key(), ds)
	})
	if err != nil {
		return fmt.Errorf("deliver %d: record attempt: %w", job.DeliveryID, err)
	}
	o.e.events.publish(Event{Kind: EventDelivery, Project: job.Payment.ProjectID, Payment: job.Payment, Delivery: job.DeliveryID, At: now})
	o.logAttempt(job, cur, n, a, outcome)
	o.dispatch(sends)
	return nil
}

func (o *outbox) logAttempt(job Job, cur *Delivery, n int, a Attempt, outcome string) {
	level := slog.LevelInfo
	if !a.OK() {
		level = slog.LevelWarn
	}
	if !o.e.log.Enabled(context.Background(), level) {
		return
	}
	// Typed attributes: a line per callback boxes no value.
	attrs := make([]slog.Attr, 0, 11)
	attrs = append(attrs, slog.Int64("project_id", job.Payment.ProjectID), slog.String("payment_id", job.Payment.PaymentID),
		slog.Uint64("delivery", job.DeliveryID), slog.Int("attempt", n), slog.String("url", a.URL),
		slog.Int("status", a.Status), slog.Duration("latency", a.Latency), slog.String("outcome", outcome))
	if a.Error != "" {
		attrs = append(attrs, slog.String("err", a.Error))
	}
	if a.Note != "" {
		attrs = append(attrs, slog.String("note", a.Note))
	}
	if outcome == "retry" && cur != nil {
		attrs = append(attrs, slog.String("next_attempt", FormatDate(cur.NextAttempt)))
	}
	o.e.log.LogAttrs(context.Background(), level, "callback attempt", attrs...)
}

// busy reports whether sends of project (of any project when it is
// AllProjects) are in flight.
func (o *outbox) busy(project int64) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if project == AllProjects {
		return o.all.n > 0
	}
	return o.projects[project] != nil
}

// idleChan returns a channel closed once nothing is in flight.
func (o *outbox) idleChan() <-chan struct{} { return o.idleOf(AllProjects) }

// idleOf returns a channel closed once no send of project (of any project
// when it is AllProjects) is in flight.
func (o *outbox) idleOf(project int64) <-chan struct{} {
	o.mu.Lock()
	defer o.mu.Unlock()
	if project == AllProjects {
		return o.all.idleChan()
	}
	if p := o.projects[project]; p != nil {
		return p.idleChan()
	}
	return (&inFlight{}).idleChan()
}

// wait returns once nothing is in flight.
func (o *outbox) wait() { <-o.idleChan() }

// DefaultStopGrace is how long a stopping sandbox lets the callbacks under
// way finish before it cuts them short (Config.StopGrace).
const DefaultStopGrace = 5 * time.Second

// stop lets the sends under way finish for up to the outbox's grace, then
// cancels the rest and waits for their workers. A send cut short is not
// recorded: its lease brings it back at the next start.
func (o *outbox) stop() {
	defer o.hurry()()
	select {
	case <-o.idleChan():
	case <-time.After(o.grace):
	}
	o.cancel()
	o.wait()
}

// Resend delivers a callback again by hand, now, whatever its status: it
// gets the whole retry schedule again.
func (e *Engine) Resend(ctx context.Context, id uint64) (*Delivery, error) {
	now := e.clock.Now()
	if err := e.checkNow(now); err != nil {
		return nil, err
	}
	var d *Delivery
	err := e.store.Update(ctx, func(tx Tx) error {
		var err error
		if d, err = tx.Delivery(id); err != nil {
			if errors.Is(err, ErrNotFound) {
				return Errorf(CodeNotFound, "there is no delivery %d; list them with GET /sandbox/deliveries", id)
			}
			return err
		}
		if d.Kind != DeliveryCallback {
			return Errorf(CodeStatusForbids, "delivery %d is a %s request, which is made while the customer waits and cannot be resent", id, d.Kind)
		}
		project, err := tx.Project(d.ProjectID)
		if err != nil {
			return projectError(d.ProjectID, err)
		}
		// A resent callback goes where the payment's callbacks go now: its
		// merchant_callback_url, else the project's callback URL as it is
		// now, which a merchant may have fixed since the callback failed.
		p, err := tx.Payment(d.Key())
		var to string
		switch {
		case err == nil:
			to = p.CallbackURL(project)
		case errors.Is(err, ErrNotFound):
			to = project.CallbackURL
		default:
			return err
		}
		if to != "" {
			d.URL = to
		}
		if d.URL == "" {
			return Errorf(CodeStatusForbids, "project %d has no callback URL: set one with POST /sandbox/projects, then resend", d.ProjectID)
		}
		d.Status = DeliveryPending
		d.NextAttempt = now
		d.NotBefore = now
		if err := tx.PutDelivery(d); err != nil {
			return err
		}
		if err := tx.PutJob(Job{ID: deliverJobID(d.ID), Kind: JobDeliver, Due: now, Payment: d.Key(), DeliveryID: d.ID}); err != nil {
			return err
		}
		ds, err := paymentDeliveries(tx, d.Key())
		if err != nil {
			return err
		}
		return resummarize(tx, d.Key(), ds)
	})
	if err != nil {
		return nil, fmt.Errorf("resend delivery %d: %w", id, err)
	}
	e.events.publish(Event{Kind: EventDelivery, Project: d.ProjectID, Payment: d.Key(), Delivery: d.ID, At: now})
	e.poke()
	return d, nil
}

package sandboxtest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/callback"
	"github.com/ecommpay-sandbox/sandbox/platform/signature"
)

// DefaultWithin is how far AwaitCallback may move the clock: past every
// voucher's bank window and every callback's retries.
const DefaultWithin = 31 * 24 * time.Hour

// Wait says which callback WaitCallback waits for.
type Wait struct {
	// ProjectID is the payment's project; 0 matches any project.
	ProjectID int64
	PaymentID string
	// Status is the callback's payment.status; "" matches any.
	Status string
	// Within is how far the sandbox clock may be moved forward while
	// waiting; 0 waits only for the work that is due now.
	Within time.Duration
}

// AwaitCallback waits for the next callback of a payment with payment.status
// status that the merchant accepted, moving the frozen clock forward as far
// as needed (up to DefaultWithin), checks its signature and returns it. It
// fails the test with WaitCallback's error when none comes: what the
// merchant received instead, where the payment stands, what to do.
func (s *Sandbox) AwaitCallback(t testing.TB, paymentID, status string) Request {
	t.Helper()
	r, err := s.WaitCallback(context.Background(), Wait{PaymentID: paymentID, Status: status, Within: DefaultWithin})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// WaitCallback waits for the next callback of a payment that the merchant
// accepted (answered 200) and that has w.Status, and returns it after
// checking its signature with the project's secret. Callbacks already
// returned, and those before them, are not returned again: each call moves
// on. While none has come it lets the work due now finish, then moves the
// sandbox clock to the payment's next job (a retry, a lapse, a timeout)
// until w.Within of sandbox time have passed, so a 10-day lapse costs no
// wall time. It returns an error that says what the merchant received, or
// what the sandbox's delivery log has, when none came; and it stops early
// when a callback of the payment goes unanswered twice in a row until the
// sandbox's callback timeout, which each retry would cost again in wall time.
func (s *Sandbox) WaitCallback(ctx context.Context, w Wait) (Request, error) {
	if r, ok := s.take(w); ok {
		return r, s.verify(r)
	}
	var r Request
	start, now, ok, err := s.until(ctx, w.ProjectID, w.PaymentID, w.Within, func(context.Context) (bool, error) {
		var ok bool
		r, ok = s.take(w)
		return ok, nil
	})
	switch {
	case err != nil:
		return Request{}, err
	case !ok:
		return Request{}, s.noneCame(ctx, w, start, now)
	}
	return r, s.verify(r)
}

// WaitDeliveries waits until a payment's callbacks, as the delivery log
// has them, are as done says: it lets the work due now finish, then moves
// the sandbox clock to the payment's next job (a retry, a lapse) until
// within of sandbox time have passed. It returns the callbacks as they were
// last seen and whether done said so; a merchant of your own, whose
// requests the sandbox's merchant does not see, is waited for this way.
// As WaitCallback, it stops with an error when a callback goes unanswered
// twice in a row until the callback timeout.
func (s *Sandbox) WaitDeliveries(ctx context.Context, projectID int64, paymentID string, within time.Duration, done func([]Delivery) bool) ([]Delivery, bool, error) {
	var ds []Delivery
	_, _, ok, err := s.until(ctx, projectID, paymentID, within, func(ctx context.Context) (bool, error) {
		all, err := s.Deliveries(ctx, projectID, paymentID)
		ds = slices.DeleteFunc(all, func(d Delivery) bool { return d.Kind != KindCallback })
		return err == nil && done(ds), err
	})
	return ds, ok, err
}

// until lets a payment's work due now finish and asks done, then moves the
// clock to the payment's next job and asks again, until done says so or
// within of sandbox time have passed from start. It returns the sandbox
// time it started and stopped at, and whether done said so.
func (s *Sandbox) until(ctx context.Context, projectID int64, paymentID string, within time.Duration, done func(context.Context) (bool, error)) (start, now time.Time, ok bool, err error) {
	if start, err = s.Now(ctx); err != nil {
		return start, start, false, err
	}
	deadline := start.Add(within)
	for {
		var jobs []job
		if jobs, now, err = s.settle(ctx, projectID, paymentID); err != nil {
			return start, now, false, err
		}
		if ok, err = done(ctx); ok || err != nil {
			return start, now, ok, err
		}
		if err = s.heldUp(ctx, projectID, paymentID, start); err != nil {
			return start, now, false, err
		}
		next, due := nextJob(jobs, now)
		switch {
		case due && !next.After(deadline):
			_, err = s.advance(ctx, next.Sub(now), projectID)
		case now.Before(deadline):
			_, err = s.advance(ctx, deadline.Sub(now), projectID)
		default:
			return start, now, false, nil
		}
		if err != nil {
			return start, now, false, err
		}
	}
}

// maxHeld is how many attempts in a row of one callback may go unanswered
// until the sandbox's callback timeout before a wait gives up: each holds
// the wait that long in wall time, and a callback is tried
// platform.MaxAttempts times.
const maxHeld = 2

// heldUp returns an error when a callback of the payment has gone
// unanswered, each attempt held until the sandbox's callback timeout, its
// last maxHeld attempts since the sandbox time start: a merchant's handler
// that never answers would otherwise hold the wait for every retry.
func (s *Sandbox) heldUp(ctx context.Context, projectID int64, paymentID string, start time.Time) error {
	ids := s.projectIDs(projectID)
	for _, id := range ids {
		ds, err := s.Deliveries(ctx, id, paymentID)
		var he *HTTPError
		if errors.As(err, &he) && he.Status == http.StatusNotFound {
			continue
		}
		if err != nil {
			return err
		}
		for _, d := range ds {
			if d.Kind == platform.DeliveryCallback && heldAttempts(d.Attempts, start) >= maxHeld {
				return fmt.Errorf("sandboxtest: payment %s: callback %d%s; each of its up to %d attempts would wait as long, so the wait stops here (a test of a merchant that stays silent gives the sandbox a shorter callback timeout: WithCallbackTimeout in Go, sandbox: {callback_timeout: 1s} in a scenario file, sandbox serve --callback-timeout 1s for a running one)",
					paymentID, d.ID, s.DescribeDelivery(d), platform.MaxAttempts)
			}
		}
	}
	return nil
}

// heldAttempts counts the attempts at the end of attempts, since the
// sandbox time start, that got no answer before the callback timeout.
func heldAttempts(attempts []platform.Attempt, start time.Time) int {
	n := 0
	for i := len(attempts) - 1; i >= 0; i-- {
		a := attempts[i]
		if a.At.Before(start) || !callback.TimedOut(a) {
			break
		}
		n++
	}
	return n
}

// NoCallback checks that a payment gets no callback beyond those already
// returned by WaitCallback, while the work due now finishes and the clock
// moves forward by within, from one of the payment's jobs to the next; the
// first callback that comes stops it there. Its error lists those that
// came, with the merchant's answers.
func (s *Sandbox) NoCallback(ctx context.Context, projectID int64, paymentID string, within time.Duration) error {
	// The clock moves from one of the payment's jobs to the next, as
	// WaitCallback's does, so that the first callback ends the wait: a
	// merchant that holds it would otherwise hold every retry of the
	// period in wall time.
	_, _, came, err := s.until(ctx, projectID, paymentID, within, func(context.Context) (bool, error) {
		return len(s.since(projectID, paymentID)) > 0, nil
	})
	if err != nil {
		return err
	}
	rs := s.since(projectID, paymentID)
	if !came || len(rs) == 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "payment %s got %d callback(s) it should not have", paymentID, len(rs))
	if within > 0 {
		fmt.Fprintf(&b, " within %s of sandbox time", days(within))
	}
	b.WriteString(":")
	describeRequests(&b, rs)
	return errors.New(b.String())
}

// Callbacks returns every callback the merchant received for a payment
// (of any project when projectID is 0), in arrival order, whatever it
// answered.
func (s *Sandbox) Callbacks(projectID int64, paymentID string) []Request {
	var out []Request
	for _, r := range s.merchant.Requests() {
		if matches(r, projectID, paymentID) {
			out = append(out, r)
		}
	}
	return out
}

// Settle waits until a payment (of any project the sandbox knows when
// projectID is 0) has no job due now: its processing, its provider's steps
// and its callback attempts due at the current sandbox time have run.
func (s *Sandbox) Settle(ctx context.Context, projectID int64, paymentID string) error {
	_, _, err := s.settle(ctx, projectID, paymentID)
	return err
}

// take returns the next accepted callback matching w after the payment's
// cursor, and moves the cursor past it.
func (s *Sandbox) take(w Wait) (Request, bool) {
	rs := s.merchant.Requests()
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := s.cursor(w.ProjectID, w.PaymentID); i < len(rs); i++ {
		r := rs[i]
		if matches(r, w.ProjectID, w.PaymentID) && r.Accepted() && (w.Status == "" || r.Status == w.Status) {
			if s.cursors[w.PaymentID] == nil {
				s.cursors[w.PaymentID] = map[int64]int{}
			}
			s.cursors[w.PaymentID][w.ProjectID] = i + 1
			return r, true
		}
	}
	return Request{}, false
}

// since returns the callbacks of a payment after its cursor.
func (s *Sandbox) since(projectID int64, paymentID string) []Request {
	rs := s.merchant.Requests()
	s.mu.Lock()
	from := s.cursor(projectID, paymentID)
	s.mu.Unlock()
	var out []Request
	for _, r := range rs[min(from, len(rs)):] {
		if matches(r, projectID, paymentID) {
			out = append(out, r)
		}
	}
	return out
}

// cursor returns where the next callback of a payment is looked for:
// past those taken for its project and those taken for any project (for
// project 0, past every one taken of that payment ID). The caller holds
// s.mu.
func (s *Sandbox) cursor(projectID int64, paymentID string) int {
	from := 0
	for p, i := range s.cursors[paymentID] {
		if projectID == 0 || p == 0 || p == projectID {
			from = max(from, i)
		}
	}
	return from
}

func matches(r Request, projectID int64, paymentID string) bool {
	return r.Kind == KindCallback && r.PaymentID == paymentID && (projectID == 0 || r.ProjectID == projectID)
}

// verify checks a callback's signature with its project's secret.
func (s *Sandbox) verify(r Request) error {
	secret, err := s.secret(r.ProjectID)
	if err != nil {
		return fmt.Errorf("callback of %s: %w", r.PaymentID, err)
	}
	data, err := signature.Decode(r.Body)
	if err != nil {
		return fmt.Errorf("callback of %s: %w", r.PaymentID, err)
	}
	got, _ := data["signature"].(string)
	if err := signature.Verify(data, got, secret); err != nil {
		return fmt.Errorf("callback of %s is not signed with project %d's secret: %w", r.PaymentID, r.ProjectID, err)
	}
	return nil
}

// job is a pending job as the control API shows it.
type job struct {
	Due  time.Time `json:"due"`
	Kind string    `json:"kind"`
	Name string    `json:"name"`
}

// settle lets the work due now finish: the jobs due at the sandbox's
// current time and the callbacks under way, as an advance by nothing does.
// It returns the payment's pending jobs and the sandbox time.
func (s *Sandbox) settle(ctx context.Context, projectID int64, paymentID string) ([]job, time.Time, error) {
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, s.settleWithin)
	defer cancel()
	now, err := s.advance(ctx, 0, projectID)
	if err != nil {
		if ctx.Err() != nil && parent.Err() == nil {
			return nil, now, fmt.Errorf("sandboxtest: the work due now on payment %s did not finish within %s of wall time: %w", paymentID, s.settleWithin, err)
		}
		return nil, now, err
	}
	jobs, err := s.jobs(ctx, projectID, paymentID)
	return jobs, now, err
}

// jobs returns the pending jobs of a payment, of one project or of every
// project the sandbox knows; a payment that does not exist has none.
func (s *Sandbox) jobs(ctx context.Context, projectID int64, paymentID string) ([]job, error) {
	ids := s.projectIDs(projectID)
	var all []job
	for _, id := range ids {
		var p struct {
			Jobs []job `json:"jobs"`
		}
		err := s.control(ctx, http.MethodGet, paymentPath(id, paymentID), nil, &p)
		var he *HTTPError
		if errors.As(err, &he) && he.Status == http.StatusNotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		all = append(all, p.Jobs...)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Due.Before(all[j].Due) })
	return all, nil
}

// projectIDs returns project, or when it is 0 (any project) the IDs of
// every project the sandbox was given, in order.
func (s *Sandbox) projectIDs(project int64) []int64 {
	if project != 0 {
		return []int64{project}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]int64, 0, len(s.projects))
	for id := range s.projects {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// nextJob returns when the first job after now falls due.
func nextJob(jobs []job, now time.Time) (time.Time, bool) {
	for _, j := range jobs {
		if j.Due.After(now) {
			return j.Due, true
		}
	}
	return time.Time{}, false
}

// noneCame explains why WaitCallback found nothing.
func (s *Sandbox) noneCame(ctx context.Context, w Wait, start, now time.Time) error {
	var b strings.Builder
	what := "callback"
	if w.Status != "" {
		what = fmt.Sprintf("callback with status %q", w.Status)
	}
	fmt.Fprintf(&b, "payment %s got no %s that the merchant accepted", w.PaymentID, what)
	if w.Within > 0 {
		fmt.Fprintf(&b, " within %s of sandbox time (%s to %s)", days(w.Within), start.Format(time.RFC3339), now.Format(time.RFC3339))
	} else {
		b.WriteString(" without moving the clock (say how long it may take: within)")
	}
	all, rs := s.Callbacks(w.ProjectID, w.PaymentID), s.since(w.ProjectID, w.PaymentID)
	switch {
	case len(all) == 0:
		b.WriteString("; the merchant received no callback of it")
		b.WriteString(s.undelivered(ctx, w))
	case len(rs) == 0:
		fmt.Fprintf(&b, "; besides the %d callback(s) taken before, the merchant received none", len(all))
	case len(rs) == len(all):
		b.WriteString("; the merchant received:")
		describeRequests(&b, rs)
	default:
		b.WriteString("; after those already taken, the merchant received:")
		describeRequests(&b, rs)
	}
	if len(rs) > 0 && !slices.ContainsFunc(rs, Request.Accepted) {
		b.WriteString("\n(a callback is accepted when the merchant answers 200)")
	}
	b.WriteString(s.paymentState(ctx, w.ProjectID, w.PaymentID))
	return errors.New(b.String())
}

// paymentState says where a payment stands and how its last operation
// ended ("\nthe payment is now \"decline\", its last operation sale
// decline: 20000 General decline"), or that the sandbox has no such
// payment, to close a message; "" when the sandbox cannot say.
func (s *Sandbox) paymentState(ctx context.Context, projectID int64, paymentID string) string {
	ids := s.projectIDs(projectID)
	missing := true
	for _, id := range ids {
		var p struct {
			Status     string               `json:"status"`
			Operations []platform.Operation `json:"operations"`
		}
		err := s.control(ctx, http.MethodGet, paymentPath(id, paymentID), nil, &p)
		var he *HTTPError
		if !errors.As(err, &he) || he.Status != http.StatusNotFound {
			missing = false
		}
		if err != nil {
			continue // a hint: its absence is not the failure
		}
		state := fmt.Sprintf("\nthe payment is now %q", p.Status)
		if n := len(p.Operations); n > 0 {
			op := p.Operations[n-1]
			state += fmt.Sprintf(", its last operation %s %s", op.Type, op.Status)
			if op.Code != "" && op.Code != "0" {
				state += fmt.Sprintf(": %s %s", op.Code, op.Message)
			}
		}
		return state
	}
	if !missing {
		return ""
	}
	in := fmt.Sprintf("project %d", projectID)
	if projectID == 0 {
		names := make([]string, len(ids))
		for i, id := range ids {
			names[i] = strconv.FormatInt(id, 10)
		}
		in = "any of its projects (" + strings.Join(names, ", ") + ")"
	}
	return fmt.Sprintf("\nthe sandbox has no payment %q in %s: did the sale reach it, with this payment ID?", paymentID, in)
}

// undelivered says what became of the callbacks of a payment that the
// merchant never received, as the sandbox's delivery log has them: not
// sent, sent elsewhere, or failing to reach the merchant (a sandbox that
// cannot reach 127.0.0.1 of this machine, say). It is "" when the log has
// none.
func (s *Sandbox) undelivered(ctx context.Context, w Wait) string {
	ids := s.projectIDs(w.ProjectID)
	var b strings.Builder
	for _, id := range ids {
		ds, err := s.Deliveries(ctx, id, w.PaymentID)
		if err != nil {
			continue // the payment's log is a hint: its absence is not the failure
		}
		n := 0
		for _, d := range ds {
			if d.Kind != platform.DeliveryCallback {
				continue
			}
			n++
			fmt.Fprintf(&b, "\n  callback %d%s", n, s.DescribeDelivery(d))
		}
	}
	if b.Len() == 0 {
		return ""
	}
	return "; the sandbox's delivery log has:" + b.String()
}

// DescribeDelivery says where a callback went and how it fared, to follow
// its name in a message (" to URL: pending after 2 attempts, the last:
// answered 500"): whether it went to this sandbox's merchant, its status,
// its attempts and how the last one ended.
func (s *Sandbox) DescribeDelivery(d Delivery) string {
	switch d.Status {
	case platform.DeliverySuppressed:
		return " was not sent: the payment disabled its callbacks (callback.force_disable)"
	case platform.DeliveryNoURL:
		return fmt.Sprintf(" was not sent: project %d has no callback URL", d.ProjectID)
	}
	where := " to " + d.URL
	if m := s.merchant.URL(); !strings.HasPrefix(d.URL, m+"/") {
		where += fmt.Sprintf(", not to this merchant (%s)", m)
	}
	n := len(d.Attempts)
	if n == 0 {
		return fmt.Sprintf("%s: %s, not attempted yet", where, d.Status)
	}
	last := d.Attempts[n-1]
	why := last.Error
	if why == "" {
		why = fmt.Sprintf("answered %d", last.Status)
	}
	return fmt.Sprintf("%s: %s after %s, the last: %s", where, d.Status, platform.Count(n, "attempt"), why)
}

// describeRequests lists callbacks, one line per run of alike ones.
func describeRequests(b *strings.Builder, rs []Request) {
	line := func(r Request) string {
		answer := "no answer"
		if r.Answered != 0 {
			answer = fmt.Sprintf("answered %d", r.Answered)
		}
		return fmt.Sprintf("status %q (%s)", r.Status, answer)
	}
	for i := 0; i < len(rs); {
		j := i + 1
		for j < len(rs) && line(rs[j]) == line(rs[i]) {
			j++
		}
		fmt.Fprintf(b, "\n  %s", line(rs[i]))
		if j-i > 1 {
			fmt.Fprintf(b, " × %d", j-i)
		}
		i = j
	}
}

// days writes a duration with whole days as such: 9d, 1d12h0m0s, 30s.
func days(d time.Duration) string {
	const day = 24 * time.Hour
	switch {
	case d >= day && d%day == 0:
		return fmt.Sprintf("%dd", d/day)
	case d > day:
		return fmt.Sprintf("%dd%s", d/day, d%day)
	}
	return d.String()
}

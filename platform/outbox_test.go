package platform_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/bolt"
	"github.com/ecommpay-sandbox/sandbox/platform/enginetest"
)

func TestRetryGap(t *testing.T) {
	t.Parallel()
	assert.Zero(t, platform.RetryGap(1), "the first attempt does not wait")
	for n := 2; n <= 6; n++ {
		assert.Equal(t, 10*time.Second, platform.RetryGap(n), "attempt %d", n)
	}
	assert.Equal(t, 84*time.Second, platform.RetryGap(7)) // 70 + 10·1.12³ = 84.05
	assert.Equal(t, 86*time.Second, platform.RetryGap(8)) // 70 + 10·1.12⁴ = 85.74

	var total time.Duration
	capped := 0
	for n := 2; n <= platform.MaxAttempts; n++ {
		g := platform.RetryGap(n)
		assert.GreaterOrEqual(t, g, platform.RetryGap(n-1), "monotone at %d", n)
		assert.LessOrEqual(t, g, 4*time.Hour, "capped at %d", n)
		assert.Zero(t, g%time.Second, "whole seconds at %d", n)
		if g == platform.MaxGap && capped == 0 {
			capped = n
		}
		total += g
	}
	assert.Equal(t, 4*time.Hour, platform.RetryGap(platform.MaxAttempts))
	assert.Equal(t, 4*time.Hour, platform.RetryGap(1_000_000), "no overflow")
	assert.LessOrEqual(t, total, 11*24*time.Hour, "120 attempts within 11 days")
	t.Logf("first gap of 4h before attempt %d; 120 attempts span %s = %.3f days", capped, total, total.Hours()/24)
}

func whole(t *testing.T, eng *platform.Engine, id string) platform.PaymentView {
	t.Helper()
	v, err := eng.PaymentWhole(context.Background(), platform.PaymentKey{ProjectID: 5, PaymentID: id})
	require.NoError(t, err)
	return v
}

func TestCallbackRetriesUntil200(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	eng, _, m := newEngine(t, filepath.Join(t.TempDir(), "db"))
	m.script = func(n int, _ string) int {
		if n <= 3 {
			return 500
		}
		return 200
	}
	_, err := eng.Sale(ctx, sale("r"))
	require.NoError(t, err)
	_, err = eng.RunDue(ctx, t0)
	require.NoError(t, err)
	v := whole(t, eng, "r")
	assert.Equal(t, platform.CallbacksFailing, v.Payment.Callbacks.Health, "the first attempt failed")
	assert.Equal(t, 500, v.Payment.Callbacks.LastStatus)
	assert.True(t, v.Payment.Callbacks.NextAttempt.Equal(t0.Add(10*time.Second)))

	_, err = eng.Advance(ctx, 59*time.Minute) // before the provider's first job
	require.NoError(t, err)
	v = whole(t, eng, "r")
	require.Len(t, v.Deliveries, 1)
	d := v.Deliveries[0]
	assert.Equal(t, platform.DeliveryDelivered, d.Status)
	require.Len(t, d.Attempts, 4)
	for i, a := range d.Attempts {
		assert.True(t, a.At.Equal(t0.Add(time.Duration(i)*10*time.Second)), "attempt %d at %s", i+1, a.At)
		assert.Equal(t, i == 3, a.OK())
	}
	assert.Equal(t, platform.CallbackSummary{Health: platform.CallbacksOK, Count: 1, Attempts: 4, LastStatus: 200,
		LastAt: t0.Add(30 * time.Second)}, v.Payment.Callbacks)
	for _, j := range v.Jobs {
		assert.NotEqual(t, platform.JobDeliver, j.Kind, "no deliver job is left")
	}
}

func TestCallbackFailsAfterMaxAttemptsAndTheNextGoes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	eng, _, m := newEngine(t, filepath.Join(t.TempDir(), "db"))
	m.script = func(_ int, body string) int {
		if strings.Contains(body, `"awaiting redirect result"`) {
			return 502
		}
		return 200
	}
	_, err := eng.Sale(ctx, sale("f"))
	require.NoError(t, err)
	_, err = eng.Pay(ctx, platform.PaymentKey{ProjectID: 5, PaymentID: "f"}, nil)
	require.NoError(t, err)
	_, err = eng.Advance(ctx, 30*24*time.Hour)
	require.NoError(t, err)

	v := whole(t, eng, "f")
	require.Len(t, v.Deliveries, 2)
	first, second := v.Deliveries[0], v.Deliveries[1]
	assert.Equal(t, platform.DeliveryFailed, first.Status)
	require.Len(t, first.Attempts, platform.MaxAttempts)
	for i := 1; i < len(first.Attempts); i++ {
		require.Equal(t, platform.RetryGap(i+1), first.Attempts[i].At.Sub(first.Attempts[i-1].At), "gap before attempt %d", i+1)
	}
	last := first.Attempts[len(first.Attempts)-1].At
	assert.LessOrEqual(t, last.Sub(t0), 11*24*time.Hour)
	assert.Equal(t, platform.DeliveryDelivered, second.Status, "the payment's next callback goes out after the failure")
	require.Len(t, second.Attempts, 1)
	assert.True(t, second.Attempts[0].At.Equal(last), "at the time the first one failed")
	assert.Equal(t, platform.CallbacksFailed, v.Payment.Callbacks.Health)
	assert.Equal(t, platform.MaxAttempts+1, v.Payment.Callbacks.Attempts)
}

func TestResendRestartsTheSchedule(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	eng, _, m := newEngine(t, filepath.Join(t.TempDir(), "db"))
	m.answer(500)
	_, err := eng.Sale(ctx, sale("s"))
	require.NoError(t, err)
	_, err = eng.Advance(ctx, 15*24*time.Hour)
	require.NoError(t, err)
	d := whole(t, eng, "s").Deliveries[0]
	require.Equal(t, platform.DeliveryFailed, d.Status)

	resent := eng.Clock().Now()
	_, err = eng.Resend(ctx, d.ID)
	require.NoError(t, err)
	_, err = eng.Advance(ctx, time.Minute)
	require.NoError(t, err)
	v := whole(t, eng, "s")
	d = v.Deliveries[0]
	assert.Equal(t, platform.DeliveryPending, d.Status, "a resent callback gets the whole schedule again")
	require.Len(t, d.Attempts, platform.MaxAttempts+6) // at +0, 10, 20, 30, 40, 50 s
	assert.True(t, d.Attempts[platform.MaxAttempts].At.Equal(resent))
	assert.True(t, d.NextAttempt.Equal(resent.Add(50*time.Second+platform.RetryGap(7))), "next attempt %s", d.NextAttempt)
	assert.Equal(t, platform.CallbacksFailing, v.Payment.Callbacks.Health)

	m.answer(200)
	_, err = eng.Resend(ctx, d.ID)
	require.NoError(t, err)
	_, err = eng.RunDue(ctx, eng.Clock().Now())
	require.NoError(t, err)
	v = whole(t, eng, "s")
	assert.Equal(t, platform.DeliveryDelivered, v.Deliveries[0].Status)
	require.Len(t, v.Deliveries, 2, "the provider declined the payment meanwhile")
	assert.Equal(t, platform.CallbacksFailing, v.Payment.Callbacks.Health, "the decline's callback is still being retried")
	_, err = eng.Advance(ctx, platform.MaxGap)
	require.NoError(t, err)
	v = whole(t, eng, "s")
	assert.Equal(t, platform.DeliveryDelivered, v.Deliveries[1].Status)
	assert.Equal(t, platform.CallbacksOK, v.Payment.Callbacks.Health)
}

// TestResentDuringAttempt resends a callback while an attempt is under way:
// the attempt is recorded, and the resend alone decides what follows, so the
// delivery never has two chains of retries.
func TestResentDuringAttempt(t *testing.T) {
	t.Parallel()
	for _, answer := range []int{500, 200} {
		t.Run(fmt.Sprint(answer), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			store, err := bolt.Open(filepath.Join(t.TempDir(), "db"))
			require.NoError(t, err)
			t.Cleanup(func() { store.Close() })
			var wall atomic.Int64 // the clock runs: a minute passes during the attempt
			wall.Store(t0.UnixNano())
			m := &merchant{status: answer}
			eng, err := platform.New(ctx, platform.Config{
				Store: store, Wall: func() time.Time { return time.Unix(0, wall.Load()).UTC() },
				Providers: []platform.Provider{&scripted{}}, Sender: m,
			})
			require.NoError(t, err)
			require.NoError(t, eng.PutProject(ctx, project5))
			resentAt := t0.Add(time.Minute)
			m.during = func() {
				m.during = nil
				wall.Store(resentAt.UnixNano())
				ds, err := eng.Deliveries(ctx, platform.DeliveryFilter{ProjectID: 5, PaymentID: "d"})
				if assert.NoError(t, err) && assert.Len(t, ds, 1) {
					_, err = eng.Resend(ctx, ds[0].ID)
					assert.NoError(t, err)
				}
			}
			_, err = eng.Sale(ctx, sale("d"))
			require.NoError(t, err)
			_, err = eng.RunDue(ctx, t0)
			require.NoError(t, err)

			v := whole(t, eng, "d")
			d := v.Deliveries[0]
			require.Len(t, d.Attempts, 1)
			var deliverJobs []platform.Job
			for _, j := range v.Jobs {
				if j.Kind == platform.JobDeliver {
					deliverJobs = append(deliverJobs, j)
				}
			}
			if answer == 200 {
				assert.Equal(t, platform.DeliveryDelivered, d.Status, "the merchant has it")
				assert.Empty(t, deliverJobs, "the resend's job is gone with it")
			} else {
				assert.Equal(t, platform.DeliveryPending, d.Status)
				assert.True(t, d.NextAttempt.Equal(resentAt), "the resend decides: %s", d.NextAttempt)
				require.Len(t, deliverJobs, 1, "one chain of retries")
				assert.True(t, deliverJobs[0].Due.Equal(resentAt))
			}
			_, err = eng.RunDue(ctx, resentAt)
			require.NoError(t, err)
			d = whole(t, eng, "d").Deliveries[0]
			if answer == 200 {
				assert.Len(t, d.Attempts, 1, "nothing more is sent once delivered")
			} else {
				assert.Len(t, d.Attempts, 2)
				assert.True(t, d.NextAttempt.Equal(resentAt.Add(10*time.Second)), "the resend's run goes on: %s", d.NextAttempt)
			}
		})
	}
}

// TestLeasesLeftByACrashArePutBack: a callback under way when the sandbox
// died keeps its job pushed out by the lease; the next start puts it back
// at its due time, so the callback is not held for the lease's hour.
func TestLeasesLeftByACrashArePutBack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, err := bolt.Open(filepath.Join(t.TempDir(), "db"))
	require.NoError(t, err)
	t.Cleanup(func() { store.Close() })
	eng, _, m := newEngineOn(t, store)
	m.answer(500)
	_, err = eng.Sale(ctx, sale("crash"))
	require.NoError(t, err)
	_, err = eng.RunDue(ctx, t0)
	require.NoError(t, err)

	// The state a crash leaves while the second attempt is under way.
	var job platform.Job
	for _, j := range whole(t, eng, "crash").Jobs {
		if j.Kind == platform.JobDeliver {
			job = j
		}
	}
	require.Equal(t, platform.JobDeliver, job.Kind)
	require.True(t, job.Due.Equal(t0.Add(10*time.Second)))
	leased := job
	leased.Due = job.Due.Add(time.Hour)
	require.NoError(t, store.Update(ctx, func(tx platform.Tx) error { return tx.PutJob(leased) }))

	// The next start, with the clock at the attempt's due time.
	up := &merchant{}
	next, err := platform.New(ctx, platform.Config{
		Store: store, Wall: func() time.Time { return t0 }, Seed: [32]byte{1},
		Clock:     platform.ClockState{Frozen: true, FrozenAt: t0},
		Providers: []platform.Provider{&scripted{}}, Sender: up,
	})
	require.NoError(t, err)
	_, err = next.SetClock(ctx, job.Due)
	require.NoError(t, err)
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- next.Run(runCtx) }()
	t.Cleanup(func() { stop(); <-done })
	require.Eventually(t, func() bool {
		return whole(t, next, "crash").Deliveries[0].Status == platform.DeliveryDelivered
	}, 5*time.Second, 10*time.Millisecond, "the released callback goes out at once")
	d := whole(t, next, "crash").Deliveries[0]
	require.Len(t, d.Attempts, 2)
	assert.True(t, d.Attempts[1].At.Equal(job.Due), "at its due time: %s", d.Attempts[1].At)
}

// viewSignal is a store that signals a View once armed.
type viewSignal struct {
	platform.Store
	armed atomic.Bool
	views chan struct{}
}

func (s *viewSignal) View(ctx context.Context, fn func(platform.Tx) error) error {
	if s.armed.Load() {
		select {
		case s.views <- struct{}{}:
		default:
		}
	}
	return s.Store.View(ctx, fn)
}

// holding is a merchant that counts the callbacks sent to it and answers
// none until released.
type holding struct {
	calls   atomic.Int32
	arrived chan struct{}
	release chan struct{}
}

func (h *holding) Send(ctx context.Context, url string, body []byte, _ string) platform.Attempt {
	h.calls.Add(1)
	h.arrived <- struct{}{}
	select {
	case <-h.release:
	case <-ctx.Done(): // the engine stops: a test that failed before the release ends
		return platform.Attempt{URL: url, Error: ctx.Err().Error()}
	}
	return platform.Attempt{URL: url, RequestBody: string(body), Status: 200}
}

// TestACallbackUnderWayAsRunStartsGoesOnce: a sandbox serves while Run
// starts beside it, so a sale can lease its callback before Run's first
// look at the jobs. Run used to put every lease back as it started, as if a
// stop had left it, and that sale's callback went twice; New puts them back
// now, before anything can take one.
func TestACallbackUnderWayAsRunStartsGoesOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "db"))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	store := &viewSignal{Store: db, views: make(chan struct{}, 1)}
	h := &holding{arrived: make(chan struct{}, 4), release: make(chan struct{})}
	eng, err := platform.New(ctx, platform.Config{
		Store: store, Wall: func() time.Time { return t0 }, Seed: [32]byte{1},
		Clock:     platform.ClockState{Frozen: true, FrozenAt: t0},
		Providers: []platform.Provider{&scripted{}}, Sender: h,
	})
	require.NoError(t, err)
	require.NoError(t, eng.PutProject(ctx, project5))
	_, err = eng.Sale(ctx, sale("once"))
	require.NoError(t, err)
	<-h.arrived // the sale's callback is under way

	store.armed.Store(true)
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- eng.Run(runCtx) }()
	t.Cleanup(func() { stop(); <-done })
	<-store.views // Run looks for due jobs
	close(h.release)
	_, err = eng.Advance(ctx, 0) // after Run's look: what is due runs, the sends end
	require.NoError(t, err)
	assert.EqualValues(t, 1, h.calls.Load(), "the merchant gets the callback once")
	assert.Len(t, whole(t, eng, "once").Deliveries[0].Attempts, 1)
}

func TestSubscribersSeeCommittedChanges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	eng, _, _ := newEngine(t, filepath.Join(t.TempDir(), "db"))
	sub := eng.Subscribe()
	defer sub.Close()
	_, err := eng.Sale(ctx, sale("ev"))
	require.NoError(t, err)
	ev := <-sub.C
	assert.Equal(t, platform.EventPayment, ev.Kind)
	assert.Equal(t, platform.PaymentKey{ProjectID: 5, PaymentID: "ev"}, ev.Payment)
	assert.Equal(t, platform.StatusAwaitingRedirect, ev.Status)
	_, err = eng.RunDue(ctx, t0)
	require.NoError(t, err)
	ev = <-sub.C
	assert.Equal(t, platform.EventDelivery, ev.Kind)
	assert.NotZero(t, ev.Delivery)
	assert.False(t, sub.Lagged())

	// A subscriber that does not read misses events, is told so, and never
	// holds the engine back.
	for i := range 300 {
		require.NoError(t, eng.PutProject(ctx, platform.Project{ID: int64(100 + i), Secret: "k"}))
	}
	assert.True(t, sub.Lagged())
	assert.False(t, sub.Lagged(), "Lagged clears")
}

// heldSender is a merchant whose every answer waits for release (or the
// attempt's context); it tells arrived of each callback as it comes.
type heldSender struct {
	arrived chan string
	release chan struct{}
}

func newHeldSender() *heldSender {
	return &heldSender{arrived: make(chan string, 16), release: make(chan struct{})}
}

func (h *heldSender) Send(ctx context.Context, url string, body []byte, _ string) platform.Attempt {
	h.arrived <- string(body)
	select {
	case <-h.release:
		return platform.Attempt{URL: url, Status: 200}
	case <-ctx.Done():
		return platform.Attempt{URL: url, Error: "canceled"}
	}
}

// next waits for the next callback to arrive.
func (h *heldSender) next(t *testing.T) string {
	t.Helper()
	select {
	case b := <-h.arrived:
		return b
	case <-time.After(5 * time.Second):
		t.Fatal("no callback arrived within 5s")
		return ""
	}
}

// heldEngine is an engine over the data file at path whose callbacks h
// holds.
func heldEngine(t *testing.T, path string, h *heldSender) (*platform.Engine, *bolt.DB) {
	t.Helper()
	s := enginetest.New(t, &scripted{}, enginetest.Options{At: t0, Seed: 1, Project: project5, Sender: h, Path: path})
	return s.Engine, s.DB
}

// TestCallbacksGoAtCommit: a callback due when its transaction commits is
// sent at once, with no job runner (neither Run nor RunDue is called), and
// its job is leased meanwhile so the runner cannot send it twice; when it
// is delivered, the payment's next callback goes at once too.
func TestCallbacksGoAtCommit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHeldSender()
	eng, _ := heldEngine(t, filepath.Join(t.TempDir(), "db"), h)
	k := platform.PaymentKey{ProjectID: 5, PaymentID: "c"}

	p, err := eng.Sale(ctx, sale("c"))
	require.NoError(t, err)
	assert.Equal(t, platform.StatusAwaitingRedirect, p.Status, "processed in the sale's own transaction, not left to a job")
	assert.Contains(t, h.next(t), `"awaiting redirect result"`, "sent without a job runner")
	var deliver []platform.Job
	for _, j := range whole(t, eng, "c").Jobs {
		if j.Kind == platform.JobDeliver {
			deliver = append(deliver, j)
		}
	}
	require.Len(t, deliver, 1)
	assert.True(t, deliver[0].Due.After(t0), "leased while under way: due %s", deliver[0].Due)
	for _, j := range whole(t, eng, "c").Jobs {
		assert.NotEqual(t, platform.JobProcess, j.Kind, "no processing was left for later")
	}

	_, err = eng.Pay(ctx, k, nil)
	require.NoError(t, err)
	select {
	case b := <-h.arrived:
		t.Fatalf("the success callback overtook the redirect: %s", b)
	case <-time.After(100 * time.Millisecond):
	}
	h.release <- struct{}{}
	assert.Contains(t, h.next(t), `"success"`, "the next callback goes once the first is delivered")
	h.release <- struct{}{}
	eventually(t, func() bool {
		v := whole(t, eng, "c")
		return len(v.Deliveries) == 2 && v.Deliveries[1].Status == platform.DeliveryDelivered
	})
	v := whole(t, eng, "c")
	assert.Equal(t, platform.DeliveryDelivered, v.Deliveries[0].Status)
	for _, j := range v.Jobs {
		assert.NotEqual(t, platform.JobDeliver, j.Kind, "no deliver job is left")
	}
}

// TestCallbackLeasedAtCommitSurvivesACrash: the sandbox stops while a
// callback leased at commit is under way and never records it; the next
// start puts the lease back and sends it.
func TestCallbackLeasedAtCommitSurvivesACrash(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "db")
	h := newHeldSender()
	eng, store := heldEngine(t, path, h)
	_, err := eng.Sale(ctx, sale("k"))
	require.NoError(t, err)
	h.next(t) // under way, and it never answers
	require.NoError(t, store.Close(), "the crash: the store goes away under the send")
	t.Cleanup(func() { close(h.release) }) // its attempt cannot be recorded any more

	again := newHeldSender()
	close(again.release)
	eng2, _ := heldEngine(t, path, again)
	run, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- eng2.Run(run) }()
	defer func() { stop(); require.NoError(t, <-done) }()
	assert.Contains(t, again.next(t), `"awaiting redirect result"`, "the lease was put back and the callback sent")
	eventually(t, func() bool { return whole(t, eng2, "k").Deliveries[0].Status == platform.DeliveryDelivered })
}

// eventually polls cond every 10 ms for up to 5 s.
func eventually(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("the condition did not hold within 5s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestAttemptRecordsRideWithTheNextCommit checks that the record of a
// callback attempt costs no commit of its own: it waits for the next
// transaction (a sale here) and rides in its commit, and an advance of the
// clock, which waits for the callbacks, does not wait for company.
func TestAttemptRecordsRideWithTheNextCommit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, err := bolt.Open(filepath.Join(t.TempDir(), "db"))
	require.NoError(t, err)
	t.Cleanup(func() { store.Close() })
	store.SetLinger(time.Hour) // only another commit, or a Flush, carries a record
	eng, _, m := newEngineOn(t, store)
	sent := func() int {
		m.mu.Lock()
		defer m.mu.Unlock()
		return len(m.got)
	}
	status := func(id string) platform.DeliveryStatus { return whole(t, eng, id).Deliveries[0].Status }

	_, err = eng.Sale(ctx, sale("a"))
	require.NoError(t, err)
	require.Eventually(t, func() bool { return sent() == 1 && store.Waiting() == 1 }, 10*time.Second, time.Millisecond,
		"the attempt's record waits for company")
	assert.Equal(t, platform.DeliveryPending, status("a"), "the record is not committed yet")

	before := store.Commits()
	_, err = eng.Sale(ctx, sale("b"))
	require.NoError(t, err)
	assert.Equal(t, before+1, store.Commits(), "one commit for the sale and the record")
	assert.Equal(t, platform.DeliveryDelivered, status("a"), "the record rode in the sale's commit")

	require.Eventually(t, func() bool { return sent() == 2 }, 10*time.Second, time.Millisecond)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	_, err = eng.Advance(ctx, time.Second)
	require.NoError(t, err, "an advance flushes the records it waits for")
	assert.Equal(t, platform.DeliveryDelivered, status("b"))
}

// hangingMerchant holds the callbacks sent to the URL hung until release,
// and answers every other at once with a 500.
type hangingMerchant struct {
	hung    string
	arrived chan string
	release chan struct{}
}

func (m *hangingMerchant) Send(ctx context.Context, url string, body []byte, _ string) platform.Attempt {
	if url != m.hung {
		return platform.Attempt{URL: url, Status: http.StatusInternalServerError}
	}
	m.arrived <- string(body)
	select {
	case <-m.release:
		return platform.Attempt{URL: url, Status: http.StatusOK}
	case <-ctx.Done():
		return platform.Attempt{URL: url, Error: "canceled"}
	}
}

// TestAnAdvanceForAProjectDoesNotWaitForAnothersMerchant: project 5's
// merchant does not answer; an advance that waits for project 6's
// callbacks runs project 6's retries, each at its due time, and returns
// while project 5's callback is still under way. An advance that waits for
// every project's callbacks waits for it.
func TestAnAdvanceForAProjectDoesNotWaitForAnothersMerchant(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := &hangingMerchant{hung: project5.CallbackURL, arrived: make(chan string, 4), release: make(chan struct{})}
	s := enginetest.New(t, &scripted{}, enginetest.Options{At: t0, Seed: 1, Project: project5, Sender: m})
	eng := s.Engine
	require.NoError(t, eng.PutProject(ctx, platform.Project{ID: 6, Secret: "k6", CallbackURL: "http://other.test/cb"}))

	_, err := eng.Sale(ctx, sale("hung"))
	require.NoError(t, err)
	select {
	case <-m.arrived:
	case <-time.After(5 * time.Second):
		t.Fatal("project 5's callback was not sent")
	}
	other := sale("other")
	other.ProjectID = 6
	_, err = eng.Sale(ctx, other)
	require.NoError(t, err)

	advanced := make(chan error, 1)
	go func() {
		_, err := eng.AdvanceFor(ctx, time.Minute, 6)
		advanced <- err
	}()
	select {
	case err := <-advanced:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		close(m.release)
		t.Fatal("project 5's merchant, which does not answer, held an advance that waits for project 6's callbacks")
	}
	v, err := eng.PaymentWhole(ctx, platform.PaymentKey{ProjectID: 6, PaymentID: "other"})
	require.NoError(t, err)
	require.Len(t, v.Deliveries, 1)
	d := v.Deliveries[0]
	assert.Len(t, d.Attempts, 6, "attempts at 0, 10, 20, 30, 40 and 50 s, within the minute")
	for i, a := range d.Attempts {
		assert.True(t, a.At.Equal(t0.Add(time.Duration(i)*10*time.Second)), "attempt %d at its due time: %s", i+1, a.At)
	}
	assert.True(t, d.NextAttempt.Equal(t0.Add(134*time.Second)), "the 7th after 84 s more: %s", d.NextAttempt)
	assert.Empty(t, whole(t, eng, "hung").Deliveries[0].Attempts, "project 5's attempt is still under way")

	go func() {
		_, err := eng.Advance(ctx, 0)
		advanced <- err
	}()
	select {
	case err := <-advanced:
		t.Fatalf("an advance that waits for every project's callbacks returned while one was under way (err %v)", err)
	case <-time.After(200 * time.Millisecond):
	}
	close(m.release)
	require.NoError(t, <-advanced)
	hung := whole(t, eng, "hung").Deliveries[0]
	assert.Equal(t, platform.DeliveryDelivered, hung.Status)
	require.Len(t, hung.Attempts, 1)
	assert.True(t, hung.Attempts[0].At.Equal(t0), "made at the time it was sent: %s", hung.Attempts[0].At)
}

package callback_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/callback"
	"github.com/ecommpay-sandbox/sandbox/platform/signature"
)

func TestDeliverSuccess(t *testing.T) {
	st := openStore(t)
	m := newMerchant(t, status(http.StatusOK, `{"status":"ok"}`))
	putProject(t, st, platform.Project{ID: 842, Secret: "old secret", CallbackURL: m.URL + "/callback"})
	body := callbackBody(842, "EP-1", "success")
	dl := enqueue(t, st, &platform.Delivery{ProjectID: 842, PaymentID: "EP-1", URL: m.URL + "/callback", Body: body}, t0)
	// The merchant rotates its secret before the callback goes out: the
	// callback is signed with the current one.
	putProject(t, st, platform.Project{ID: 842, Secret: secret, CallbackURL: m.URL + "/callback"})

	var logs bytes.Buffer
	d := newDispatcher(st)
	d.Log = slog.New(slog.NewJSONHandler(&logs, nil))
	jobs := dueJobs(t, st, t0)
	require.Len(t, jobs, 1)
	require.Equal(t, dl.ID, jobs[0].DeliveryID)
	require.NoError(t, d.Deliver(context.Background(), jobs[0], t0))

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

	dl = delivery(t, st, dl.ID)
	assert.Equal(t, platform.DeliveryDelivered, dl.Status)
	assert.True(t, dl.NextAttempt.IsZero())
	require.Len(t, dl.Attempts, 1)
	a := dl.Attempts[0]
	assert.True(t, a.At.Equal(t0), "attempt at the sandbox time, got %s", a.At)
	assert.Equal(t, m.URL+"/callback", a.URL)
	assert.Equal(t, string(reqs[0].Body), a.RequestBody)
	assert.Equal(t, http.StatusOK, a.Status)
	assert.Equal(t, `{"status":"ok"}`, a.ResponseBody)
	assert.Empty(t, a.Error)
	assert.Positive(t, a.Latency)
	assert.True(t, a.OK())
	assert.Empty(t, jobsOf(t, st, dl.Key()), "no job is left")

	var rec map[string]any
	require.NoError(t, json.Unmarshal(logs.Bytes(), &rec), "one log record: %s", logs.String())
	assert.Equal(t, "callback attempt", rec["msg"])
	assert.Equal(t, "EP-1", rec["payment_id"])
	assert.EqualValues(t, 842, rec["project_id"])
	assert.EqualValues(t, dl.ID, rec["delivery"])
	assert.EqualValues(t, 1, rec["attempt"])
	assert.EqualValues(t, 200, rec["status"])
	assert.Equal(t, "delivered", rec["outcome"])
	assert.Contains(t, rec, "latency")
}

func TestDeliverRetriesUntil200(t *testing.T) {
	st := openStore(t)
	m := newMerchant(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n <= 3 {
			http.Error(w, "down for maintenance", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	putProject(t, st, platform.Project{ID: 842, Secret: secret})
	dl := enqueue(t, st, &platform.Delivery{ProjectID: 842, PaymentID: "EP-2", URL: m.URL, Body: callbackBody(842, "EP-2", "success")}, t0)
	d := newDispatcher(st)

	assert.Equal(t, 4, drive(t, d, t0.Add(time.Hour)))

	dl = delivery(t, st, dl.ID)
	assert.Equal(t, platform.DeliveryDelivered, dl.Status)
	require.Len(t, dl.Attempts, 4)
	for i, a := range dl.Attempts {
		assert.True(t, a.At.Equal(t0.Add(time.Duration(i)*10*time.Second)), "attempt %d at %s", i+1, a.At)
		if i < 3 {
			assert.Equal(t, 500, a.Status)
			assert.Equal(t, "merchant answered 500", a.Error)
			assert.Equal(t, "down for maintenance\n", a.ResponseBody)
			assert.False(t, a.OK())
		} else {
			assert.True(t, a.OK())
		}
	}
	assert.Len(t, m.requests(), 4)
	assert.Empty(t, jobsOf(t, st, dl.Key()))
}

func TestDeliverConnectionRefused(t *testing.T) {
	st := openStore(t)
	putProject(t, st, platform.Project{ID: 842, Secret: secret})
	url := closedURL(t)
	dl := enqueue(t, st, &platform.Delivery{ProjectID: 842, PaymentID: "EP-3", URL: url, Body: callbackBody(842, "EP-3", "decline")}, t0)
	d := newDispatcher(st)
	jobs := dueJobs(t, st, t0)
	require.Len(t, jobs, 1)
	require.NoError(t, d.Deliver(context.Background(), jobs[0], t0))

	dl = delivery(t, st, dl.ID)
	assert.Equal(t, platform.DeliveryPending, dl.Status)
	require.Len(t, dl.Attempts, 1)
	a := dl.Attempts[0]
	assert.Equal(t, "connection refused", a.Error)
	assert.Zero(t, a.Status)
	assert.Equal(t, url, a.URL)
	assert.NotEmpty(t, a.RequestBody, "the signed body is kept even when it did not arrive")
	assert.True(t, dl.NextAttempt.Equal(t0.Add(10*time.Second)), "next attempt %s", dl.NextAttempt)

	jobs = jobsOf(t, st, dl.Key())
	require.Len(t, jobs, 1, "the first job is gone, the retry is scheduled")
	assert.Equal(t, platform.JobDeliver, jobs[0].Kind)
	assert.Equal(t, dl.ID, jobs[0].DeliveryID)
	assert.True(t, jobs[0].Due.Equal(t0.Add(10*time.Second)), "retry due %s", jobs[0].Due)
	assert.Empty(t, dueJobs(t, st, t0.Add(9*time.Second)))
}

func TestDeliverTimeout(t *testing.T) {
	st := openStore(t)
	m := newMerchant(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
		w.WriteHeader(http.StatusOK)
	})
	putProject(t, st, platform.Project{ID: 842, Secret: secret})
	dl := enqueue(t, st, &platform.Delivery{ProjectID: 842, PaymentID: "EP-4", URL: m.URL, Body: callbackBody(842, "EP-4", "success")}, t0)
	d := newDispatcher(st)
	d.Timeout = 100 * time.Millisecond
	jobs := dueJobs(t, st, t0)
	require.Len(t, jobs, 1)
	start := time.Now()
	require.NoError(t, d.Deliver(context.Background(), jobs[0], t0))
	assert.Less(t, time.Since(start), 3*time.Second)

	dl = delivery(t, st, dl.ID)
	require.Len(t, dl.Attempts, 1)
	a := dl.Attempts[0]
	assert.Equal(t, "timeout after 100ms", a.Error)
	assert.Zero(t, a.Status)
	assert.GreaterOrEqual(t, a.Latency, 100*time.Millisecond)
	assert.Equal(t, platform.DeliveryPending, dl.Status)
	assert.True(t, dl.NextAttempt.Equal(t0.Add(10*time.Second)))
}

func TestDeliverTruncatesResponse(t *testing.T) {
	st := openStore(t)
	long := strings.Repeat("0123456789abcdef", 1024) // 16 KiB
	m := newMerchant(t, status(http.StatusOK, long))
	putProject(t, st, platform.Project{ID: 842, Secret: secret})
	dl := enqueue(t, st, &platform.Delivery{ProjectID: 842, PaymentID: "EP-5", URL: m.URL, Body: callbackBody(842, "EP-5", "success")}, t0)
	d := newDispatcher(st)
	drive(t, d, t0)

	dl = delivery(t, st, dl.ID)
	require.Len(t, dl.Attempts, 1)
	assert.Len(t, dl.Attempts[0].ResponseBody, callback.MaxResponseBody)
	assert.Equal(t, long[:4096], dl.Attempts[0].ResponseBody)
	assert.Equal(t, platform.DeliveryDelivered, dl.Status)
}

func TestDeliverTruncatesAtRuneBoundary(t *testing.T) {
	st := openStore(t)
	long := strings.Repeat("a", 4095) + "é and more" // é straddles the 4 KiB limit
	m := newMerchant(t, status(http.StatusOK, long))
	putProject(t, st, platform.Project{ID: 842, Secret: secret})
	dl := enqueue(t, st, &platform.Delivery{ProjectID: 842, PaymentID: "EP-5b", URL: m.URL, Body: callbackBody(842, "EP-5b", "success")}, t0)
	drive(t, newDispatcher(st), t0)
	dl = delivery(t, st, dl.ID)
	assert.Equal(t, strings.Repeat("a", 4095), dl.Attempts[0].ResponseBody)
}

func TestDeliverInOrder(t *testing.T) {
	st := openStore(t)
	m := newMerchant(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	putProject(t, st, platform.Project{ID: 842, Secret: secret})
	first := enqueue(t, st, &platform.Delivery{ProjectID: 842, PaymentID: "EP-6", URL: m.URL, Body: callbackBody(842, "EP-6", "awaiting redirect result")}, t0)
	second := enqueue(t, st, &platform.Delivery{ProjectID: 842, PaymentID: "EP-6", URL: m.URL, Body: callbackBody(842, "EP-6", "success")}, t0)
	k := first.Key()
	d := newDispatcher(st)

	jobs := jobsOf(t, st, k)
	require.Len(t, jobs, 1, "only the head of the payment's outbox has a job")
	assert.Equal(t, first.ID, jobs[0].DeliveryID)
	assert.True(t, delivery(t, st, second.ID).NextAttempt.IsZero())

	// The head fails: the second still waits.
	require.NoError(t, d.Deliver(context.Background(), jobs[0], t0))
	jobs = jobsOf(t, st, k)
	require.Len(t, jobs, 1)
	assert.Equal(t, first.ID, jobs[0].DeliveryID)
	assert.True(t, jobs[0].Due.Equal(t0.Add(10*time.Second)))

	// The head is delivered: the second gets its job at once.
	at := t0.Add(10 * time.Second)
	require.NoError(t, d.Deliver(context.Background(), jobs[0], at))
	assert.Equal(t, platform.DeliveryDelivered, delivery(t, st, first.ID).Status)
	jobs = jobsOf(t, st, k)
	require.Len(t, jobs, 1)
	assert.Equal(t, second.ID, jobs[0].DeliveryID)
	assert.True(t, jobs[0].Due.Equal(at))

	require.NoError(t, d.Deliver(context.Background(), jobs[0], at))
	assert.Equal(t, platform.DeliveryDelivered, delivery(t, st, second.ID).Status)
	assert.Empty(t, jobsOf(t, st, k))

	reqs := m.requests()
	require.Len(t, reqs, 3)
	statuses := make([]string, len(reqs))
	for i, r := range reqs {
		statuses[i] = verified(t, r.Body, secret)["payment"].(map[string]any)["status"].(string)
	}
	assert.Equal(t, []string{"awaiting redirect result", "awaiting redirect result", "success"}, statuses)
}

func TestDeliverFailsAfterMaxAttempts(t *testing.T) {
	st := openStore(t)
	m := newMerchant(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/broken" {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	putProject(t, st, platform.Project{ID: 842, Secret: secret})
	first := enqueue(t, st, &platform.Delivery{ProjectID: 842, PaymentID: "EP-7", URL: m.URL + "/broken", Body: callbackBody(842, "EP-7", "awaiting redirect result")}, t0)
	second := enqueue(t, st, &platform.Delivery{ProjectID: 842, PaymentID: "EP-7", URL: m.URL + "/ok", Body: callbackBody(842, "EP-7", "decline")}, t0)
	d := newDispatcher(st)

	assert.Equal(t, callback.MaxAttempts+1, drive(t, d, t0.Add(30*24*time.Hour)))

	first = delivery(t, st, first.ID)
	assert.Equal(t, platform.DeliveryFailed, first.Status)
	assert.True(t, first.NextAttempt.IsZero())
	require.Len(t, first.Attempts, callback.MaxAttempts)
	for i := 1; i < len(first.Attempts); i++ {
		gap := first.Attempts[i].At.Sub(first.Attempts[i-1].At)
		require.Equal(t, callback.Gap(i+1), gap, "gap before attempt %d", i+1)
	}
	last := first.Attempts[len(first.Attempts)-1].At
	span := last.Sub(t0)
	assert.LessOrEqual(t, span, 11*24*time.Hour)
	t.Logf("120 attempts span %s (%.2f days)", span, span.Hours()/24)

	second = delivery(t, st, second.ID)
	assert.Equal(t, platform.DeliveryDelivered, second.Status, "the payment's next callback goes out after the failure")
	require.Len(t, second.Attempts, 1)
	assert.True(t, second.Attempts[0].At.Equal(last), "at the time the first one failed")
	assert.Len(t, m.requests(), callback.MaxAttempts+1)
	assert.Empty(t, jobsOf(t, st, first.Key()))
}

func TestDeliverSkipsWhatIsNotDue(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(d *platform.Delivery) // applied to the delivery after its job was made
		delete bool                       // point the job at a delivery that does not exist
	}{
		{name: "delivered", change: func(d *platform.Delivery) { d.Status = platform.DeliveryDelivered; d.NextAttempt = time.Time{} }},
		{name: "failed", change: func(d *platform.Delivery) { d.Status = platform.DeliveryFailed; d.NextAttempt = time.Time{} }},
		{name: "suppressed", change: func(d *platform.Delivery) { d.Status = platform.DeliverySuppressed; d.NextAttempt = time.Time{} }},
		{name: "rescheduled by a resend", change: func(d *platform.Delivery) { d.NextAttempt = t0.Add(time.Minute) }},
		{name: "gone", delete: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := openStore(t)
			m := newMerchant(t, status(http.StatusOK, ""))
			putProject(t, st, platform.Project{ID: 842, Secret: secret})
			dl := enqueue(t, st, &platform.Delivery{ProjectID: 842, PaymentID: "EP-8", URL: m.URL, Body: callbackBody(842, "EP-8", "success")}, t0)
			jobs := jobsOf(t, st, dl.Key())
			require.Len(t, jobs, 1)
			job := jobs[0]
			if tc.change != nil {
				tc.change(dl)
				require.NoError(t, st.Update(context.Background(), func(tx platform.Tx) error { return tx.PutDelivery(dl) }))
			}
			if tc.delete {
				job.DeliveryID = 999
			}

			require.NoError(t, newDispatcher(st).Deliver(context.Background(), job, t0))

			assert.Empty(t, m.requests(), "no request is made")
			assert.Empty(t, jobsOf(t, st, dl.Key()), "the job is deleted")
			after := delivery(t, st, dl.ID)
			assert.Empty(t, after.Attempts)
			if tc.change != nil {
				assert.Equal(t, dl.Status, after.Status)
			}
		})
	}
}

func TestDeliverFallsBackToProjectURL(t *testing.T) {
	st := openStore(t)
	m := newMerchant(t, status(http.StatusOK, ""))
	putProject(t, st, platform.Project{ID: 842, Secret: secret})
	dl := enqueue(t, st, &platform.Delivery{ProjectID: 842, PaymentID: "EP-9", Body: callbackBody(842, "EP-9", "success")}, t0)
	d := newDispatcher(st)

	drive(t, d, t0)
	dl = delivery(t, st, dl.ID)
	require.Len(t, dl.Attempts, 1)
	assert.Equal(t, "project 842 has no callback URL", dl.Attempts[0].Error)
	assert.Equal(t, platform.DeliveryPending, dl.Status)

	// The merchant sets a callback URL; the retry uses it.
	putProject(t, st, platform.Project{ID: 842, Secret: secret, CallbackURL: m.URL + "/cb"})
	drive(t, d, t0.Add(10*time.Second))
	dl = delivery(t, st, dl.ID)
	require.Len(t, dl.Attempts, 2)
	assert.Equal(t, m.URL+"/cb", dl.Attempts[1].URL)
	assert.Equal(t, platform.DeliveryDelivered, dl.Status)
}

func TestDeliverDoesNotFollowRedirects(t *testing.T) {
	st := openStore(t)
	m := newMerchant(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/moved" {
			http.Redirect(w, r, "/ok", http.StatusFound)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	putProject(t, st, platform.Project{ID: 842, Secret: secret})
	dl := enqueue(t, st, &platform.Delivery{ProjectID: 842, PaymentID: "EP-10", URL: m.URL + "/moved", Body: callbackBody(842, "EP-10", "success")}, t0)
	drive(t, newDispatcher(st), t0)
	dl = delivery(t, st, dl.ID)
	require.Len(t, dl.Attempts, 1)
	assert.Equal(t, "merchant answered 302", dl.Attempts[0].Error)
	assert.Equal(t, platform.DeliveryPending, dl.Status)
	assert.Len(t, m.requests(), 1)
}

// TestEngineDrivesRetries runs the dispatcher under the engine's own job
// runner: advancing the sandbox clock plays the whole retry schedule, and a
// resend of the failed callback starts a new run.
func TestEngineDrivesRetries(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	var up atomic.Bool
	m := newMerchant(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		if !up.Load() {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	e, err := platform.New(ctx, platform.Config{
		Store: st,
		Wall:  time.Now,
		Rand:  strings.NewReader(strings.Repeat("seed", 1024)),
		Clock: platform.ClockState{Frozen: true, FrozenAt: t0},
	})
	require.NoError(t, err)
	d := newDispatcher(st)
	e.SetDeliverer(d)
	putProject(t, st, platform.Project{ID: 842, Secret: secret})
	dl := enqueue(t, st, &platform.Delivery{ProjectID: 842, PaymentID: "EP-11", URL: m.URL, Body: callbackBody(842, "EP-11", "success")}, t0)

	_, err = e.Advance(ctx, 11*24*time.Hour)
	require.NoError(t, err)
	dl = delivery(t, st, dl.ID)
	assert.Equal(t, platform.DeliveryFailed, dl.Status)
	require.Len(t, dl.Attempts, callback.MaxAttempts)
	assert.True(t, dl.Attempts[1].At.Equal(t0.Add(10*time.Second)))

	up.Store(true) // the merchant is fixed; the developer resends by hand
	_, err = e.Resend(ctx, dl.ID)
	require.NoError(t, err)
	_, err = e.RunDue(ctx, e.Clock().Now())
	require.NoError(t, err)
	dl = delivery(t, st, dl.ID)
	assert.Equal(t, platform.DeliveryDelivered, dl.Status)
	assert.Len(t, dl.Attempts, callback.MaxAttempts+1)
	assert.Empty(t, jobsOf(t, st, dl.Key()))
}

func TestResendRestartsTheSchedule(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	m := newMerchant(t, status(http.StatusInternalServerError, ""))
	e, err := platform.New(ctx, platform.Config{
		Store: st, Wall: time.Now, Rand: strings.NewReader(strings.Repeat("seed", 1024)),
		Clock: platform.ClockState{Frozen: true, FrozenAt: t0},
	})
	require.NoError(t, err)
	e.SetDeliverer(newDispatcher(st))
	putProject(t, st, platform.Project{ID: 842, Secret: secret})
	dl := enqueue(t, st, &platform.Delivery{ProjectID: 842, PaymentID: "EP-12", URL: m.URL, Body: callbackBody(842, "EP-12", "success")}, t0)
	_, err = e.Advance(ctx, 15*24*time.Hour)
	require.NoError(t, err)
	require.Equal(t, platform.DeliveryFailed, delivery(t, st, dl.ID).Status)

	resent := e.Clock().Now()
	_, err = e.Resend(ctx, dl.ID)
	require.NoError(t, err)
	_, err = e.Advance(ctx, time.Minute)
	require.NoError(t, err)
	dl = delivery(t, st, dl.ID)
	assert.Equal(t, platform.DeliveryPending, dl.Status, "a resent callback gets the whole schedule again")
	require.Len(t, dl.Attempts, callback.MaxAttempts+6) // at +0, 10, 20, 30, 40, 50 s
	assert.True(t, dl.Attempts[callback.MaxAttempts].At.Equal(resent))
	assert.True(t, dl.NextAttempt.Equal(resent.Add(50*time.Second+callback.Gap(7))), "next attempt %s", dl.NextAttempt)
}

// TestDeliverResentDuringAttempt resends a delivery while an attempt is
// under way: the attempt is recorded, and the resend's job alone decides
// what follows, so the delivery never has two chains of retries.
func TestDeliverResentDuringAttempt(t *testing.T) {
	for _, answer := range []int{http.StatusInternalServerError, http.StatusOK} {
		t.Run(http.StatusText(answer), func(t *testing.T) {
			st := openStore(t)
			resendAt := t0.Add(time.Minute)
			var id atomic.Uint64
			m := newMerchant(t, func(_ int, w http.ResponseWriter, r *http.Request) {
				// What Engine.Resend does, while the request is in flight.
				assert.NoError(t, st.Update(context.Background(), func(tx platform.Tx) error {
					dl, err := tx.Delivery(id.Load())
					if err != nil {
						return err
					}
					dl.NextAttempt, dl.NotBefore = resendAt, resendAt
					if err := tx.PutDelivery(dl); err != nil {
						return err
					}
					jid, err := tx.NextID("jobs")
					if err != nil {
						return err
					}
					return tx.PutJob(platform.Job{ID: jid, Kind: platform.JobDeliver, Due: resendAt, Payment: dl.Key(), DeliveryID: dl.ID})
				}))
				w.WriteHeader(answer)
			})
			putProject(t, st, platform.Project{ID: 842, Secret: secret})
			dl := enqueue(t, st, &platform.Delivery{ProjectID: 842, PaymentID: "EP-13", URL: m.URL, Body: callbackBody(842, "EP-13", "success")}, t0)
			id.Store(dl.ID)
			jobs := jobsOf(t, st, dl.Key())
			require.Len(t, jobs, 1)

			require.NoError(t, newDispatcher(st).Deliver(context.Background(), jobs[0], t0))

			dl = delivery(t, st, dl.ID)
			require.Len(t, dl.Attempts, 1)
			jobs = jobsOf(t, st, dl.Key())
			require.Len(t, jobs, 1, "only the resend's job is left")
			assert.True(t, jobs[0].Due.Equal(resendAt))
			if answer == http.StatusOK {
				assert.Equal(t, platform.DeliveryDelivered, dl.Status, "the merchant has it")
				require.NoError(t, newDispatcher(st).Deliver(context.Background(), jobs[0], resendAt))
				assert.Empty(t, jobsOf(t, st, dl.Key()))
				assert.Len(t, delivery(t, st, dl.ID).Attempts, 1, "the resend's job sends nothing more")
			} else {
				assert.Equal(t, platform.DeliveryPending, dl.Status)
				assert.True(t, dl.NextAttempt.Equal(resendAt))
			}
		})
	}
}

func TestDeliverMeasuresLatencyWithWall(t *testing.T) {
	st := openStore(t)
	m := newMerchant(t, status(http.StatusOK, ""))
	putProject(t, st, platform.Project{ID: 842, Secret: secret})
	dl := enqueue(t, st, &platform.Delivery{ProjectID: 842, PaymentID: "EP-14", URL: m.URL, Body: callbackBody(842, "EP-14", "success")}, t0)
	d := newDispatcher(st)
	wall := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	d.Wall = func() time.Time { wall = wall.Add(250 * time.Millisecond); return wall }
	drive(t, d, t0)
	dl = delivery(t, st, dl.ID)
	require.Len(t, dl.Attempts, 1)
	assert.Equal(t, 250*time.Millisecond, dl.Attempts[0].Latency)
	assert.True(t, dl.Attempts[0].At.Equal(t0), "the attempt's time is the sandbox time, not the wall")
}

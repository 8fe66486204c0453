package callback_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/bolt"
	"github.com/ecommpay-sandbox/sandbox/platform/callback"
	"github.com/ecommpay-sandbox/sandbox/platform/signature"
)

// t0 is the sandbox time the tests start at.
var t0 = time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)

const secret = "qwerty"

// openStore opens a real bbolt store in a temporary directory.
func openStore(t testing.TB) platform.Store {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "sandbox.db"))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

func putProject(t testing.TB, st platform.Store, p platform.Project) {
	t.Helper()
	require.NoError(t, st.Update(context.Background(), func(tx platform.Tx) error { return tx.PutProject(p) }))
}

// callbackBody returns an unsigned callback body for a payment.
func callbackBody(projectID int64, paymentID, status string) []byte {
	return fmt.Appendf(nil, `{"project_id":%d,`+
		`"payment":{"id":%q,"type":"purchase","status":%q,"date":"2026-03-04T12:00:00+0000","method":"oxxo",`+
		`"sum":{"amount":10000,"currency":"MXN"},"description":""},"customer":{"id":"12"},`+
		`"operation":{"id":1000000001,"type":"sale","status":%q,"sum_initial":{"amount":10000,"currency":"MXN"},`+
		`"provider":{"id":1414,"payment_id":"9d7e3e16b6a5"},"code":"0","message":"Success"}}`,
		projectID, paymentID, status, status)
}

// enqueue stores a pending delivery the way the engine does and gives the
// payment's first pending delivery its job.
func enqueue(t testing.TB, st platform.Store, d *platform.Delivery, now time.Time) *platform.Delivery {
	t.Helper()
	require.NoError(t, st.Update(context.Background(), func(tx platform.Tx) error {
		id, err := tx.NextID("deliveries")
		if err != nil {
			return err
		}
		d.ID = id
		if d.Kind == "" {
			d.Kind = platform.DeliveryCallback
		}
		if d.Status == "" {
			d.Status = platform.DeliveryPending
		}
		d.CreatedAt, d.NotBefore, d.Attempts = now, now, []platform.Attempt{}
		if err := tx.PutDelivery(d); err != nil {
			return err
		}
		return platform.ScheduleNextDelivery(tx, d.Key(), now)
	}))
	return d
}

func delivery(t testing.TB, st platform.Store, id uint64) *platform.Delivery {
	t.Helper()
	var d *platform.Delivery
	require.NoError(t, st.View(context.Background(), func(tx platform.Tx) (err error) {
		d, err = tx.Delivery(id)
		return err
	}))
	return d
}

func jobsOf(t testing.TB, st platform.Store, k platform.PaymentKey) []platform.Job {
	t.Helper()
	var js []platform.Job
	require.NoError(t, st.View(context.Background(), func(tx platform.Tx) (err error) {
		js, err = tx.Jobs(k)
		return err
	}))
	return js
}

func dueJobs(t testing.TB, st platform.Store, until time.Time) []platform.Job {
	t.Helper()
	var js []platform.Job
	require.NoError(t, st.View(context.Background(), func(tx platform.Tx) (err error) {
		js, err = tx.DueJobs(until, 512)
		return err
	}))
	return js
}

// drive runs every deliver job due up to until, each at its due time, as the
// engine's runner does during a clock advance, and returns how many ran.
func drive(t testing.TB, d *callback.Dispatcher, until time.Time) int {
	t.Helper()
	n := 0
	for {
		js := dueJobs(t, d.Store, until)
		if len(js) == 0 {
			return n
		}
		for _, j := range js {
			require.Equal(t, platform.JobDeliver, j.Kind)
			require.NoError(t, d.Deliver(context.Background(), j, j.Due))
			n++
		}
	}
}

// request is what a merchant stub received.
type request struct {
	Path        string
	ContentType string
	UserAgent   string
	Body        []byte
}

// merchant is a merchant's server on 127.0.0.1 that records requests and
// answers with answer(n, r), n counting requests from 1.
type merchant struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []request
}

func newMerchant(t testing.TB, answer func(n int, w http.ResponseWriter, r *http.Request)) *merchant {
	t.Helper()
	m := &merchant{}
	m.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		m.mu.Lock()
		m.reqs = append(m.reqs, request{Path: r.URL.Path, ContentType: r.Header.Get("Content-Type"), UserAgent: r.UserAgent(), Body: body})
		n := len(m.reqs)
		m.mu.Unlock()
		answer(n, w, r)
	}))
	t.Cleanup(m.Close)
	return m
}

func (m *merchant) requests() []request {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]request(nil), m.reqs...)
}

// status answers every request with code and body.
func status(code int, body string) func(int, http.ResponseWriter, *http.Request) {
	return func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(code)
		io.WriteString(w, body)
	}
}

// closedURL returns a URL on 127.0.0.1 where nothing listens.
func closedURL(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return "http://" + addr + "/callback"
}

// verified decodes a signed body received by a merchant, checks its
// signature with secret and returns it without the signature.
func verified(t testing.TB, body []byte, secret string) map[string]any {
	t.Helper()
	got, err := signature.Decode(body)
	require.NoError(t, err)
	sig, ok := got["signature"].(string)
	require.True(t, ok, "the body has a string signature: %s", body)
	require.NoError(t, signature.Verify(got, sig, secret))
	delete(got, "signature")
	return got
}

func newDispatcher(st platform.Store) *callback.Dispatcher {
	return callback.New(st, nil)
}

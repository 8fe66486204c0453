package callback_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/platform/signature"
)

// t0 is the sandbox time the tests start at.
var t0 = time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)

const secret = "qwerty"

// callbackBody returns an unsigned callback body for a payment.
func callbackBody(projectID int64, paymentID, status string) []byte {
	return fmt.Appendf(nil, `{"project_id":%d,`+
		`"payment":{"id":%q,"type":"purchase","status":%q,"date":"2026-03-04T12:00:00+0000","method":"oxxo",`+
		`"sum":{"amount":10000,"currency":"MXN"},"description":""},"customer":{"id":"12"},`+
		`"operation":{"id":1000000001,"type":"sale","status":%q,"sum_initial":{"amount":10000,"currency":"MXN"},`+
		`"provider":{"id":1414,"payment_id":"9d7e3e16b6a5"},"code":"0","message":"Success"}}`,
		projectID, paymentID, status, status)
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

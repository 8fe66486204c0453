package scenarios_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/platform/signature"
	"github.com/ecommpay-sandbox/sandbox/sandboxtest"
	"github.com/ecommpay-sandbox/sandbox/scenarios"
)

// shop is a merchant's own server, as a merchant's CI runs it beside the
// sandbox: its checkout sends the customer to a signed Payment Page link,
// it keeps each order's status from the callbacks it checks, and shows it.
type shop struct {
	secret string
	mu     sync.Mutex
	status map[string]string // payment ID → the status its last callback said
}

func (s *shop) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /checkout/{id}", func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		params := map[string]any{"project_id": "842", "payment_id": id, "payment_amount": "5000", "payment_currency": "USD",
			"customer_id": "shopper-1", "force_payment_method": "loterica",
			"merchant_success_url": "http://" + r.Host + "/orders/" + id}
		q := url.Values{}
		for k, v := range params {
			q.Set(k, v.(string))
		}
		q.Set("signature", signature.Sign(params, s.secret))
		http.Redirect(w, r, r.URL.Query().Get("sandbox")+"/payment?"+q.Encode(), http.StatusSeeOther)
	})
	mux.HandleFunc("POST /ecommpay/callback", func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		data, err := signature.Decode(raw)
		if err != nil || signature.Verify(data, fmt.Sprint(data["signature"]), s.secret) != nil {
			http.Error(w, "bad signature", http.StatusBadRequest)
			return
		}
		p, _ := data["payment"].(map[string]any)
		s.mu.Lock()
		s.status[fmt.Sprint(p["id"])] = fmt.Sprint(p["status"])
		s.mu.Unlock()
	})
	mux.HandleFunc("GET /orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		fmt.Fprintf(w, "<html><body><p>Order %s: %s</p></body></html>", r.PathValue("id"), s.status[r.PathValue("id")])
	})
	return mux
}

// TestAScenarioVisitsTheMerchantsOwnServer runs the README's file whose customer
// starts at the merchant's own checkout, on a server of its own, and
// comes back to it, at the address the environment gives (${env.SHOP_URL}):
// a page step's get of another site's URL visits it,
// follows its redirect to the sandbox, and the link back to it. Against a
// running sandbox, the payment the checkout makes is named with the run's
// suffix from the first step on, as the steps after it name it; and a
// check of a payment that only the checkout makes is not refused as one
// of a payment no step makes.
func TestAScenarioVisitsTheMerchantsOwnServer(t *testing.T) {
	t.Parallel()
	s := &shop{secret: "s3cret-key", status: map[string]string{}}
	srv := httptest.NewServer(s.routes())
	t.Cleanup(srv.Close)
	// The README's example, told where the shop runs as CI tells it.
	file := filepath.Join(t.TempDir(), "checkout.yaml")
	require.NoError(t, os.WriteFile(file, []byte(readmeExample(t, "${env.SHOP_URL}/checkout")), 0o600))
	env := func(name string) (string, bool) { return srv.URL, name == "SHOP_URL" }

	rep, out := run(t, &scenarios.Runner{LookupEnv: env}, file)
	assert.Equal(t, 1, rep.Passed, out)

	host := sandboxtest.New(t)
	rep, out = run(t, &scenarios.Runner{Target: host.URL(), LookupEnv: env}, file)
	assert.Equal(t, 1, rep.Passed, out)
	s.mu.Lock()
	defer s.mu.Unlock()
	assert.Len(t, s.status, 2, "the shop had two orders, one a run: %v", s.status)
}

// TestStepsOfTheRunnersMerchantSayWhereRequestsWent: a callback or
// check_deposit step of a project whose requests go to a server of the
// merchant's own, which the runner's merchant never sees, says so and
// what checks them instead.
func TestStepsOfTheRunnersMerchantSayWhereRequestsWent(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		data, _ := signature.Decode(raw)
		fmt.Fprintf(w, `{"code":0,"payment_id":%q}`, fmt.Sprint(data["payment_id"]))
	}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	project := "projects:\n  - {id: 842, secret: s, callback_url: 'SHOP/cb', check_deposit_url: 'SHOP/cd'}\n"
	files := map[string]string{
		"callback.yaml":      "name: a callback sent elsewhere\n" + project + "steps:\n  - gate: {sale: oxxo, payment_id: o-1}\n  - callback: {payment: o-1}\n",
		"check-deposit.yaml": "name: a check_deposit sent elsewhere\n" + project + "steps:\n  - gate: {sale: eco-voucher, payment_id: e-1}\n  - pay: {payment: e-1}\n  - check_deposit: {payment: e-1}\n",
	}
	var paths []string
	for name, text := range files {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(strings.ReplaceAll(text, "SHOP", srv.URL)), 0o600))
		paths = append(paths, path)
	}
	rep, out := run(t, &scenarios.Runner{}, paths...)
	assert.Equal(t, 2, rep.Failed, out)
	assert.Contains(t, out, "project 842 sends its callbacks to "+srv.URL+"/cb, not to the runner's merchant (http://127.0.0.1:")
	assert.Contains(t, out, "whose requests are all this step sees: a delivery step shows what was sent there and how it was answered")
	assert.Contains(t, out, "the merchant received no check_deposit request for e-1; project 842 sends its check_deposit requests to "+srv.URL+"/cd, not to the runner's merchant")
	assert.Contains(t, out, "the callback that follows says how it was answered (success, or a decline with code 30000)")
}

// TestAServerThatIsNotRunning: a page step's get of a server that does
// not answer says so, and what to do, once.
func TestAServerThatIsNotRunning(t *testing.T) {
	t.Parallel()
	// Port 1 is privileged: no test's listener on 127.0.0.1:0 gets it.
	file := filepath.Join(t.TempDir(), "down.yaml")
	require.NoError(t, os.WriteFile(file, []byte("name: the shop is down\nsteps:\n  - page: {get: 'http://127.0.0.1:1/checkout/o-1'}\n"), 0o600))
	rep, out := run(t, &scenarios.Runner{}, file)
	assert.Equal(t, 1, rep.Failed, out)
	assert.Contains(t, out, "GET http://127.0.0.1:1/checkout/o-1: nothing answers at 127.0.0.1:1 (connect: connection refused): start that server before sandbox test, or correct the URL\n")
}

// TestADeliveryNotAsExpectedSaysHowItFared: a delivery step that fails
// says where the callback went and how its last attempt ended, which the
// fields it expected may not show (a status of pending, say).
func TestADeliveryNotAsExpectedSaysHowItFared(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
	}))
	t.Cleanup(srv.Close)
	file := filepath.Join(t.TempDir(), "down.yaml")
	require.NoError(t, os.WriteFile(file, []byte(strings.ReplaceAll(`name: the shop answers 503
projects:
  - {id: 842, secret: s, callback_url: 'SHOP/cb'}
steps:
  - gate: {sale: oxxo, payment_id: o-1}
  - delivery: {payment: o-1}
    expect: {body: {status: delivered}}
`, "SHOP", srv.URL)), 0o600))
	rep, out := run(t, &scenarios.Runner{}, file)
	assert.Equal(t, 1, rep.Failed, out)
	assert.Contains(t, out, "status: want \"delivered\" (a string), got \"pending\" (a string)\n        callback 1 to "+srv.URL+
		"/cb, not to this merchant (http://127.0.0.1:")
	assert.Contains(t, out, "): pending after 1 attempt, the last: merchant answered 503: your server failed; its answer's body and its log say why\n")
}

// TestAServerThatHoldsItsPageSaysSoWhenOutOfTime: a scenario out of time
// while the customer waits for a page of the merchant's own server says
// that server is what it waited for, not the callback timeout.
func TestAServerThatHoldsItsPageSaysSoWhenOutOfTime(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		var held []net.Conn // accepted, never answered
		defer func() {
			for _, c := range held {
				_ = c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	page := "http://" + ln.Addr().String() + "/checkout/o-1"
	file := filepath.Join(t.TempDir(), "held.yaml")
	require.NoError(t, os.WriteFile(file, []byte("name: the shop holds its page\nsteps:\n  - page: {get: '"+page+"'}\n"), 0o600))
	// Time for a busy machine to start the sandbox before the page.
	rep, out := run(t, &scenarios.Runner{Timeout: 4 * time.Second}, file)
	assert.Equal(t, 1, rep.Failed, out)
	assert.Contains(t, out, "the scenario ran out of time: it may run for 4s of wall time (sandbox test --timeout), and the customer was still waiting for "+
		page+" to answer: a server that holds its answer costs the scenario's time; check that it answers, or give the scenario more time\n")
	assert.NotContains(t, out, "callback timeout")
}

// TestADeliveryWaitsForTheRetryOurServerTakes: a server of the merchant's
// own that fails a callback's first attempt takes the retry 10 s later; a
// delivery step with within moves the clock to that retry, and no further,
// and says what it saw when the retry has not come within it.
func TestADeliveryWaitsForTheRetryOurServerTakes(t *testing.T) {
	t.Parallel()
	var (
		mu    sync.Mutex
		tries = map[string]int{}
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		data, _ := signature.Decode(raw)
		p, _ := data["payment"].(map[string]any)
		mu.Lock()
		defer mu.Unlock()
		if tries[fmt.Sprint(p["id"])]++; tries[fmt.Sprint(p["id"])] == 1 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
		}
	}))
	t.Cleanup(srv.Close)
	file := filepath.Join(t.TempDir(), "retry.yaml")
	require.NoError(t, os.WriteFile(file, []byte(`name: our server takes the retry
projects: [{id: 842, secret: s, callback_url: '${env.SHOP_URL}/cb'}]
steps:
  - gate: {sale: card-partner, payment_id: o-1}
  - delivery: {payment: o-1, status: delivered, within: 1h}
    expect: {body: {attempts: [{response_status: 503}, {response_status: 200}]}}
  - name: the clock moved to the retry, not the hour
    clock: {advance: 0s}
    expect: {body: {now: "2026-01-05T09:00:10Z"}}
  - gate: {sale: card-partner, payment_id: o-2}
  - delivery: {payment: o-2, status: delivered, within: 5s}
`), 0o600))
	env := func(name string) (string, bool) { return srv.URL, name == "SHOP_URL" }
	rep, out := run(t, &scenarios.Runner{LookupEnv: env}, file)
	assert.Equal(t, 1, rep.Failed, out)
	assert.Contains(t, out, "step 5 (delivery) at "+file+":11\n      the delivery of callback 1 of o-2 is not as expected\n        status: want delivered, got pending\n", "the first waits, the second is out of time")
}

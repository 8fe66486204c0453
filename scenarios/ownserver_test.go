package scenarios_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

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
// comes back to it: a page step's get of another site's URL visits it,
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
	// The README's example, with the shop where this test runs it.
	example := readmeExample(t, "127.0.0.1:9000/checkout")
	file := filepath.Join(t.TempDir(), "checkout.yaml")
	require.NoError(t, os.WriteFile(file, []byte(strings.ReplaceAll(example, "http://127.0.0.1:9000", srv.URL)), 0o600))

	rep, out := run(t, &scenarios.Runner{}, file)
	assert.Equal(t, 1, rep.Passed, out)

	host := sandboxtest.New(t)
	rep, out = run(t, &scenarios.Runner{Target: host.URL()}, file)
	assert.Equal(t, 1, rep.Passed, out)
	s.mu.Lock()
	defer s.mu.Unlock()
	assert.Len(t, s.status, 2, "the shop had two orders, one a run: %v", s.status)
}

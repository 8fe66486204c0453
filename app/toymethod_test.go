package app_test

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/app"
	"github.com/ecommpay-sandbox/sandbox/internal/toymethod"
	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/signature"
)

// toy is a served sandbox with the Toy method registered beside the
// sandbox's own, and a merchant that collects its callbacks.
type toy struct {
	t         *testing.T
	url       string
	callbacks chan map[string]any
}

const (
	toyProject = 77
	toySecret  = "toy-secret"
)

func startToy(t *testing.T) *toy {
	t.Helper()
	tt := &toy{t: t, callbacks: make(chan map[string]any, 16)}
	merchant := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		tt.callbacks <- body
	}))
	t.Cleanup(merchant.Close)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	tt.url = "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	sb, err := app.New(ctx, app.Options{
		DataFile:  filepath.Join(t.TempDir(), "sandbox.db"),
		PublicURL: tt.url,
		Seed:      1,
		Clock:     platform.ClockState{Frozen: true, FrozenAt: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)},
		Config: app.Config{Projects: []platform.Project{
			{ID: toyProject, Secret: toySecret, CallbackURL: merchant.URL + "/callbacks"},
		}},
		// The one wiring line a method needs, here in a test.
		Providers: append(app.Providers(), toymethod.New()),
	})
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- sb.Run(ctx, ln, nil) }()
	t.Cleanup(func() {
		cancel()
		assert.NoError(t, <-done)
		assert.NoError(t, sb.Close())
	})
	return tt
}

// noFollow is a client that shows redirects instead of following them.
var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// send sends a request and returns the status, the Location and the body.
func (tt *toy) send(method, u, ctype, body string) (int, string, string) {
	tt.t.Helper()
	if strings.HasPrefix(u, "/") {
		u = tt.url + u
	}
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	require.NoError(tt.t, err)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	res, err := noFollow.Do(req)
	require.NoError(tt.t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(tt.t, err)
	return res.StatusCode, res.Header.Get("Location"), string(b)
}

func (tt *toy) get(u string) (int, string, string) { return tt.send(http.MethodGet, u, "", "") }

func (tt *toy) postForm(u string, form url.Values) (int, string, string) {
	return tt.send(http.MethodPost, u, "application/x-www-form-urlencoded", form.Encode())
}

// gate signs body, with general naming paymentID in the Toy's project,
// and posts it to the Gate at path; it returns the status and the answer.
func (tt *toy) gate(path, paymentID string, body map[string]any) (int, string) {
	tt.t.Helper()
	body["general"] = map[string]any{"project_id": toyProject, "payment_id": paymentID}
	raw, err := json.Marshal(body)
	require.NoError(tt.t, err)
	data, err := signature.Decode(raw)
	require.NoError(tt.t, err)
	body["general"].(map[string]any)["signature"] = signature.Sign(data, toySecret)
	raw, err = json.Marshal(body)
	require.NoError(tt.t, err)
	status, _, answer := tt.send(http.MethodPost, path, "application/json", string(raw))
	return status, answer
}

// callback waits for the merchant's next callback and checks its signature.
func (tt *toy) callback() map[string]any {
	tt.t.Helper()
	select {
	case cb := <-tt.callbacks:
		raw, err := json.Marshal(cb)
		require.NoError(tt.t, err)
		data, err := signature.Decode(raw)
		require.NoError(tt.t, err)
		sig, _ := cb["signature"].(string)
		require.NoError(tt.t, signature.Verify(data, sig, toySecret), "the callback is signed with the project's secret")
		return cb
	case <-time.After(10 * time.Second):
		tt.t.Fatal("no callback reached the merchant")
		return nil
	}
}

// field reads a nested field of a decoded JSON object: "payment.status".
func field(m map[string]any, path string) any {
	var v any = m
	for _, k := range strings.Split(path, ".") {
		obj, _ := v.(map[string]any)
		v = obj[k]
	}
	return v
}

var carried = regexp.MustCompile(`name="request" value="([^"]*)"`)

// TestAToyMethodIsOneFolder registers a method from its own folder
// (internal/toymethod) beside the sandbox's and walks it through the Gate,
// its own page, the Payment Page (in Spanish), the dashboard and a refund
// at its own Gate endpoint: a method needs nothing outside its folder but
// the line that registers it.
func TestAToyMethodIsOneFolder(t *testing.T) {
	t.Parallel()
	tt := startToy(t)

	// The control API lists the Toy with its example sale, and the Gate
	// has the Toy's sale endpoint, which takes that sale.
	status, _, listed := tt.get(tt.url + "/sandbox/methods")
	require.Equal(t, http.StatusOK, status, listed)
	var list struct {
		Methods []struct {
			Code        string         `json:"code"`
			GatePath    string         `json:"gate_path"`
			ExampleSale map[string]any `json:"example_sale"`
		} `json:"methods"`
	}
	require.NoError(t, json.Unmarshal([]byte(listed), &list))
	toy := list.Methods[len(list.Methods)-1]
	require.Equal(t, "toy", toy.Code, listed)
	require.Equal(t, toymethod.Method().GatePath, toy.GatePath)
	status, answer := tt.gate(toy.GatePath, "toy-1", toy.ExampleSale)
	require.Equal(t, http.StatusOK, status, answer)
	assert.Contains(t, answer, `"status":"success"`)

	cb := tt.callback()
	assert.Equal(t, "awaiting redirect result", field(cb, "payment.status"))
	assert.Equal(t, "toy", field(cb, "payment.method"))
	assert.Equal(t, float64(4242), field(cb, "operation.provider.id"))
	tab, _ := field(cb, "redirect_data.url").(string)
	require.True(t, strings.HasPrefix(tab, tt.url+"/providers/toy/tabs/"), tab)

	// The dashboard offers what any open payment takes, and nothing of
	// another method's.
	status, _, page := tt.get("/dashboard/payments/77/toy-1")
	require.Equal(t, http.StatusOK, status, page)
	assert.Contains(t, page, `data-action="pay">Pay</button>`)
	assert.NotContains(t, page, `data-action="refund"`, "an open tab is not refunded")

	// The Toy's own page, in its brand, from its own folder's template.
	status, _, page = tt.get(tab)
	require.Equal(t, http.StatusOK, status, page)
	assert.Contains(t, page, "<h1>Your tab</h1>")
	assert.Contains(t, page, "--brand: #5b21b6")
	assert.Contains(t, page, ">TOY</span>")
	assert.Contains(t, page, "$15.00")

	// The control API hands the Toy its own pay input, and the Toy refuses
	// another method's.
	status, _, answer = tt.send(http.MethodPost, "/sandbox/payments/77/toy-1/pay", "application/json", `{"channel":"bank"}`)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, answer, `the pay input of Toy has the field \"channel\", which it does not take; Toy takes a JSON object with the field \"answer\"`)

	// The customer pays on the page.
	status, loc, _ := tt.postForm(tab, url.Values{"answer": {"pay"}})
	require.Equal(t, http.StatusSeeOther, status)
	_, _, page = tt.get(loc)
	assert.Contains(t, page, "This tab is success.")
	cb = tt.callback()
	assert.Equal(t, "success", field(cb, "payment.status"))
	assert.Equal(t, "toy-1", field(cb, "payment.id"))

	// The Payment Page offers the Toy with its tile and its Spanish hint.
	params := map[string]string{
		"project_id": "77", "payment_id": "toy-pp", "payment_amount": "2500", "payment_currency": "USD",
		"customer_id": "c-2", "language_code": "es",
	}
	signed := map[string]any{}
	q := url.Values{}
	for k, v := range params {
		signed[k] = v
		q.Set(k, v)
	}
	q.Set("signature", signature.Sign(signed, toySecret))
	status, _, page = tt.get("/payment?" + q.Encode())
	require.Equal(t, http.StatusOK, status, page)
	assert.Contains(t, page, `value="toy"`)
	assert.Contains(t, page, `--mark-bg: #5b21b6; --mark-ink: #ffffff`)
	assert.Contains(t, page, "Una cuenta que saldas en la página de Toy")
	m := carried.FindStringSubmatch(page)
	require.NotNil(t, m, page)

	// Chosen, it sends the customer to the Toy's page, and back to the
	// Payment Page's result once paid.
	status, loc, page = tt.postForm("/payment/pay", url.Values{"request": {html.UnescapeString(m[1])}, "method": {"toy"}})
	require.Equal(t, http.StatusSeeOther, status, page)
	var ppTab string
	for deadline := time.Now().Add(10 * time.Second); ppTab == "" && time.Now().Before(deadline); {
		if status, where, _ := tt.get(loc); status == http.StatusSeeOther && strings.Contains(where, "/providers/toy/tabs/") {
			ppTab = where
		}
		time.Sleep(10 * time.Millisecond)
	}
	require.NotEmpty(t, ppTab, "the processing page sends the customer to the Toy")
	status, loc, _ = tt.postForm(ppTab, url.Values{"answer": {"pay"}})
	require.Equal(t, http.StatusSeeOther, status)
	assert.Contains(t, loc, "/payment/result/77/toy-pp")
	_, _, page = tt.get(loc)
	assert.Contains(t, page, "Pago realizado")
	assert.Equal(t, "success", field(tt.callback(), "payment.status"))

	// The dashboard shows the Toy's payments like any other.
	status, _, page = tt.get("/dashboard?project_id=77")
	require.Equal(t, http.StatusOK, status, page)
	assert.Contains(t, page, "toy-1")
	assert.Contains(t, page, "toy-pp")
	status, _, page = tt.get("/dashboard/payments/77/toy-1")
	require.Equal(t, http.StatusOK, status, page)
	assert.Contains(t, page, "Toy")
	assert.Contains(t, page, "success")
	assert.Contains(t, page, tab[len(tt.url):], "the payment's redirect to the Toy's page")
	assert.Contains(t, page, `data-action="refund"`, "a settled tab is refunded")
	assert.Contains(t, page, "POST /v2/payment/toy/refund", "at the Toy's own refund endpoint")

	// The Gate mounts the Toy's refund endpoint, which refunds its payment.
	status, answer = tt.gate(toymethod.Method().RefundPath, "toy-1", map[string]any{})
	require.Equal(t, http.StatusOK, status, answer)
	cb = tt.callback()
	assert.Equal(t, "refunded", field(cb, "payment.status"))
	assert.Equal(t, "refund", field(cb, "operation.type"))
}

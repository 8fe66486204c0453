package sandboxtest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/sandboxtest"
)

const (
	project  = 842
	secret   = "s3cret"
	oxxoPath = "/v2/payment/voucher/oxxo/sale"
)

func oxxoSale(paymentID string) map[string]any {
	return map[string]any{
		"general": map[string]any{"payment_id": paymentID},
		"payment": map[string]any{"amount": 10000, "currency": "MXN"},
		"customer": map[string]any{
			"id": "c-1", "ip_address": "198.51.100.7", "first_name": "Ana", "last_name": "Lopez",
			"email": "ana@example.com", "identify": map[string]any{"doc_number": "1234567890"},
		},
	}
}

func start(t *testing.T, opts ...sandboxtest.Option) *sandboxtest.Sandbox {
	t.Helper()
	t.Parallel()
	opts = append([]sandboxtest.Option{sandboxtest.WithProject(sandboxtest.Project{ID: project, Secret: secret})}, opts...)
	return sandboxtest.New(t, opts...)
}

func sale(t *testing.T, sb *sandboxtest.Sandbox, id string) {
	t.Helper()
	res, err := sb.Gate(context.Background(), project, oxxoPath, oxxoSale(id))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
}

func TestNewServesAFrozenSeededSandbox(t *testing.T) {
	sb := start(t)
	ctx := context.Background()
	now, err := sb.Now(ctx)
	require.NoError(t, err)
	assert.Equal(t, sandboxtest.DefaultTime, now.Format(time.RFC3339))
	p, ok := sb.Project(project)
	require.True(t, ok)
	assert.Equal(t, sb.Merchant().CallbackURL(), p.CallbackURL)
	assert.Equal(t, sb.Merchant().CheckDepositURL(), p.CheckDepositURL)
	assert.True(t, strings.HasPrefix(sb.URL(), "http://127.0.0.1:"), sb.URL())

	// Nothing moves by itself.
	time.Sleep(20 * time.Millisecond)
	again, err := sb.Now(ctx)
	require.NoError(t, err)
	assert.Equal(t, now, again)
}

// TestMethodsGiveASaleEachMethodTakes sends every method's example sale
// as its Gate endpoint's own, with general added: each is taken on.
func TestMethodsGiveASaleEachMethodTakes(t *testing.T) {
	sb := start(t)
	ms, err := sb.Methods(context.Background())
	require.NoError(t, err)
	require.NotEmpty(t, ms)
	for _, m := range ms {
		require.NotEmpty(t, m.GatePath, m.Code)
		body, err := m.Sale("example-" + m.Code)
		require.NoError(t, err)
		res, err := sb.Gate(context.Background(), project, m.GatePath, body)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, res.Status, "%s: %s", m.Code, res.Body)
		cb := sb.AwaitCallback(t, "example-"+m.Code, "")
		assert.NotEqual(t, "decline", cb.Status, "%s's example sale is declined", m.Code)
	}
	assert.Equal(t, "oxxo", ms[0].Code)
	assert.Equal(t, oxxoPath, ms[0].GatePath)
}

func TestAwaitCallbackFollowsAPaymentToItsEnd(t *testing.T) {
	sb := start(t)
	sale(t, sb, "o-1")
	cb := sb.AwaitCallback(t, "o-1", "awaiting redirect result")
	assert.Equal(t, int64(project), cb.ProjectID)
	require.NoError(t, sb.Pay(context.Background(), project, "o-1", sandboxtest.PayInput{Channel: "terminal"}))
	cb = sb.AwaitCallback(t, "o-1", "success")
	var body struct {
		Operation struct {
			Code string `json:"code"`
		} `json:"operation"`
	}
	require.NoError(t, cb.Decode(&body))
	assert.Equal(t, "0", body.Operation.Code)
	require.NoError(t, sb.NoCallback(context.Background(), project, "o-1", 40*24*time.Hour))
}

// TestPayTakesAMethodsOwnInput: Pay sends the input of any method as it
// is, so that a method whose fields PayInput lacks can be paid too; the
// method reads it, and refuses what it does not take.
func TestPayTakesAMethodsOwnInput(t *testing.T) {
	sb := start(t)
	ctx := context.Background()
	sale(t, sb, "o-own")
	sb.AwaitCallback(t, "o-own", "awaiting redirect result")

	err := sb.Pay(ctx, project, "o-own", map[string]any{"answer": "pay"})
	var he *sandboxtest.HTTPError
	require.ErrorAs(t, err, &he)
	assert.Equal(t, http.StatusBadRequest, he.Response.Status)
	assert.Contains(t, string(he.Response.Body), `has the field \"answer\", which it does not take`)

	require.NoError(t, sb.Pay(ctx, project, "o-own", map[string]string{"channel": "bank"}))
	sb.AwaitCallback(t, "o-own", "success")
	p, err := sb.Payment(ctx, project, "o-own")
	require.NoError(t, err)
	assert.Equal(t, "bank", p["voucher"].(map[string]any)["channel"], "Oxxo read the channel")
}

func TestAwaitCallbackMovesTheClockAsFarAsALapseNeeds(t *testing.T) {
	sb := start(t)
	sale(t, sb, "o-lapse")
	sb.AwaitCallback(t, "o-lapse", "awaiting redirect result")
	began := time.Now()
	cb := sb.AwaitCallback(t, "o-lapse", "decline")
	assert.Less(t, time.Since(began), 5*time.Second, "a lapse costs no wall time")
	assert.Equal(t, "decline", cb.Status)
	now, err := sb.Now(context.Background())
	require.NoError(t, err)
	// Oxxo's voucher lapses when its bank window closes, 30 days on.
	start, _ := time.Parse(time.RFC3339, sandboxtest.DefaultTime)
	assert.Equal(t, 30*24*time.Hour, now.Sub(start))
}

func TestWaitCallbackWithinBoundsTheClock(t *testing.T) {
	sb := start(t)
	ctx := context.Background()
	sale(t, sb, "o-2")
	_, err := sb.WaitCallback(ctx, sandboxtest.Wait{PaymentID: "o-2", Status: "awaiting redirect result"})
	require.NoError(t, err)
	_, err = sb.WaitCallback(ctx, sandboxtest.Wait{PaymentID: "o-2", Status: "decline", Within: 29 * 24 * time.Hour})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `payment o-2 got no callback with status "decline" that the merchant accepted within 29d of sandbox time`)
	now, err := sb.Now(ctx)
	require.NoError(t, err)
	start, _ := time.Parse(time.RFC3339, sandboxtest.DefaultTime)
	assert.Equal(t, 29*24*time.Hour, now.Sub(start), "the clock moved exactly as far as allowed")
}

func TestRetriesUntilTheMerchantRecovers(t *testing.T) {
	sb := start(t)
	ctx := context.Background()
	sb.Merchant().SetReply(sandboxtest.KindCallback, "", sandboxtest.Reply{FailFirst: 7})
	sale(t, sb, "o-3")
	sb.AwaitCallback(t, "o-3", "awaiting redirect result")
	assert.Len(t, sb.Callbacks(project, "o-3"), 8, "seven refused, the eighth accepted")

	ds, err := sb.Deliveries(ctx, project, "o-3")
	require.NoError(t, err)
	require.Len(t, ds, 1)
	require.Len(t, ds[0].Attempts, 8)
	var gaps []time.Duration
	for i := 1; i < len(ds[0].Attempts); i++ {
		gaps = append(gaps, ds[0].Attempts[i].At.Sub(ds[0].Attempts[i-1].At))
	}
	s := 10 * time.Second
	assert.Equal(t, []time.Duration{s, s, s, s, s, 84 * time.Second, 86 * time.Second}, gaps)
	assert.Equal(t, "delivered", string(ds[0].Status))
}

func TestMerchantReplies(t *testing.T) {
	t.Parallel()
	m, err := sandboxtest.StartMerchant()
	require.NoError(t, err)
	defer m.Close()
	m.SetReply(sandboxtest.KindCheckDeposit, "", sandboxtest.Reply{Code: 7})
	m.SetReply(sandboxtest.KindCheckDeposit, "p-500", sandboxtest.Reply{Status: 500})
	m.SetReply(sandboxtest.KindCallback, "", sandboxtest.Reply{FailFirst: 1, FailStatus: 503})
	m.SetReply(sandboxtest.KindCallback, "p-gone", sandboxtest.Reply{HangUp: true})

	post := func(u, body string) (int, string, error) {
		res, err := http.Post(u, "application/json", strings.NewReader(body))
		if err != nil {
			return 0, "", err
		}
		defer res.Body.Close()
		var b json.RawMessage
		_ = json.NewDecoder(res.Body).Decode(&b)
		return res.StatusCode, string(b), nil
	}
	status, body, err := post(m.CheckDepositURL(), `{"type":"check_deposit","project_id":842,"payment_id":"p-1"}`)
	require.NoError(t, err)
	assert.Equal(t, 200, status)
	assert.JSONEq(t, `{"code":7,"payment_id":"p-1"}`, body)
	status, _, err = post(m.CheckDepositURL(), `{"type":"check_deposit","project_id":842,"payment_id":"p-500"}`)
	require.NoError(t, err)
	assert.Equal(t, 500, status)

	cb := `{"project_id":842,"payment":{"id":"p-1","status":"success"}}`
	status, _, err = post(m.CallbackURL(), cb)
	require.NoError(t, err)
	assert.Equal(t, 503, status, "the first fails")
	status, _, err = post(m.URL()+"/any/path", cb)
	require.NoError(t, err)
	assert.Equal(t, 200, status, "then it recovers")
	_, _, err = post(m.CallbackURL(), `{"project_id":842,"payment":{"id":"p-gone","status":"success"}}`)
	require.Error(t, err, "the merchant hangs up")

	rs := m.Requests()
	require.Len(t, rs, 5)
	assert.Equal(t, sandboxtest.KindCheckDeposit, rs[0].Kind)
	assert.Equal(t, "p-1", rs[0].PaymentID)
	assert.Equal(t, int64(842), rs[0].ProjectID)
	assert.Equal(t, []int{200, 500, 503, 200, 0}, []int{rs[0].Answered, rs[1].Answered, rs[2].Answered, rs[3].Answered, rs[4].Answered})
	assert.Equal(t, "success", rs[3].Status)
	assert.Equal(t, "/any/path", rs[3].Path)
}

// TestMerchantFailsFirstPerPayment: FailFirst counts the requests of one
// payment, and the same payment ID in two projects is two payments: each
// fails first.
func TestMerchantFailsFirstPerPayment(t *testing.T) {
	t.Parallel()
	m, err := sandboxtest.StartMerchant()
	require.NoError(t, err)
	defer m.Close()
	m.SetReply(sandboxtest.KindCallback, "", sandboxtest.Reply{FailFirst: 1})
	for _, cb := range []string{
		`{"project_id":842,"payment":{"id":"p-1","status":"success"}}`,
		`{"project_id":843,"payment":{"id":"p-1","status":"success"}}`,
		`{"project_id":842,"payment":{"id":"p-1","status":"success"}}`,
		`{"project_id":842,"payment":{"id":"p-2","status":"success"}}`,
	} {
		res, err := http.Post(m.CallbackURL(), "application/json", strings.NewReader(cb))
		require.NoError(t, err)
		res.Body.Close()
	}
	var answered []int
	for _, r := range m.Requests() {
		answered = append(answered, r.Answered)
	}
	assert.Equal(t, []int{500, 500, 200, 500}, answered, "each payment's first callback fails, project 843's p-1 too")
}

// TestMerchantRepliesPerProject: the same payment ID in two projects is
// two payments, and each may be scripted apart; the most specific reply
// wins: the project's payment, the payment in any project, the project,
// then any request.
func TestMerchantRepliesPerProject(t *testing.T) {
	t.Parallel()
	m, err := sandboxtest.StartMerchant()
	require.NoError(t, err)
	defer m.Close()
	m.SetReply(sandboxtest.KindCallback, "", sandboxtest.Reply{Status: 501})
	m.SetReply(sandboxtest.KindCallback, "p-1", sandboxtest.Reply{Status: 502})
	m.SetProjectReply(sandboxtest.KindCallback, 843, "p-1", sandboxtest.Reply{Status: 503})
	m.SetProjectReply(sandboxtest.KindCallback, 843, "", sandboxtest.Reply{Status: 504})
	m.SetProjectReply(sandboxtest.KindCheckDeposit, 843, "p-1", sandboxtest.Reply{Code: 9})
	tests := []struct {
		name, url, body string
		want            int
	}{
		{"project 843's p-1", m.CallbackURL(), `{"project_id":843,"payment":{"id":"p-1","status":"success"}}`, 503},
		{"p-1 of another project", m.CallbackURL(), `{"project_id":842,"payment":{"id":"p-1","status":"success"}}`, 502},
		{"another payment of project 843", m.CallbackURL(), `{"project_id":843,"payment":{"id":"p-2","status":"success"}}`, 504},
		{"anything else", m.CallbackURL(), `{"project_id":842,"payment":{"id":"p-2","status":"success"}}`, 501},
		{"a check_deposit is scripted apart", m.CheckDepositURL(), `{"type":"check_deposit","project_id":842,"payment_id":"p-1"}`, 200},
	}
	for _, tt := range tests {
		res, err := http.Post(tt.url, "application/json", strings.NewReader(tt.body))
		require.NoError(t, err, tt.name)
		res.Body.Close()
		assert.Equal(t, tt.want, res.StatusCode, tt.name)
	}
	res, err := http.Post(m.CheckDepositURL(), "application/json", strings.NewReader(`{"type":"check_deposit","project_id":843,"payment_id":"p-1"}`))
	require.NoError(t, err)
	defer res.Body.Close()
	var answer struct{ Code int }
	require.NoError(t, json.NewDecoder(res.Body).Decode(&answer))
	assert.Equal(t, 9, answer.Code, "project 843's p-1 check_deposit gets its own code")
}

// TestMerchantHoldingAnAnswerHasNotAnswered: a held answer counts as no
// answer until it leaves, so a callback the sandbox gave up on is never
// taken for accepted while the merchant sleeps.
func TestMerchantHoldingAnAnswerHasNotAnswered(t *testing.T) {
	t.Parallel()
	m, err := sandboxtest.StartMerchant()
	require.NoError(t, err)
	defer m.Close()
	m.SetReply(sandboxtest.KindCallback, "", sandboxtest.Reply{Delay: time.Hour})
	m.SetReply(sandboxtest.KindCallback, "p-quick", sandboxtest.Reply{Delay: time.Millisecond})

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, m.CallbackURL(),
			strings.NewReader(`{"project_id":842,"payment":{"id":"p-slow","status":"success"}}`))
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			res.Body.Close()
		}
		done <- err
	}()
	require.Eventually(t, func() bool { return len(m.Requests()) == 1 }, 10*time.Second, time.Millisecond)
	assert.Equal(t, 0, m.Requests()[0].Answered, "held, not answered")
	assert.False(t, m.Requests()[0].Accepted())
	cancel()
	require.Error(t, <-done, "the caller gave up")
	assert.Equal(t, 0, m.Requests()[0].Answered)

	res, err := http.Post(m.CallbackURL(), "application/json",
		strings.NewReader(`{"project_id":842,"payment":{"id":"p-quick","status":"success"}}`))
	require.NoError(t, err)
	res.Body.Close()
	require.Len(t, m.Requests(), 2)
	assert.Equal(t, 200, m.Requests()[1].Answered, "answered once the delay passed")
}

// TestWaitCallbackKeepsProjectsApart: the same payment ID in two projects
// is two payments; taking the callback of one leaves the other's.
func TestWaitCallbackKeepsProjectsApart(t *testing.T) {
	sb := start(t, sandboxtest.WithProject(sandboxtest.Project{ID: 9001, Secret: "other"}))
	ctx := context.Background()
	for _, p := range []int64{project, 9001} {
		res, err := sb.Gate(ctx, p, oxxoPath, oxxoSale("o-1"))
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	}
	for _, p := range []int64{9001, project} {
		r, err := sb.WaitCallback(ctx, sandboxtest.Wait{ProjectID: p, PaymentID: "o-1", Status: "awaiting redirect result"})
		require.NoError(t, err, "project %d", p)
		assert.Equal(t, p, r.ProjectID)
	}
	assert.NoError(t, sb.NoCallback(ctx, project, "o-1", 0))
	assert.NoError(t, sb.NoCallback(ctx, 9001, "o-1", 0))
}

func TestPaymentPageURLIsSigned(t *testing.T) {
	sb := start(t)
	link, err := sb.PaymentPageURL(project, map[string]string{
		"payment_id": "pp-1", "payment_amount": "1000", "payment_currency": "MXN", "customer_id": "c-1",
		"force_payment_method": "oxxo",
	})
	require.NoError(t, err)
	u, err := url.Parse(link)
	require.NoError(t, err)
	assert.Equal(t, "842", u.Query().Get("project_id"))
	res, err := sb.Do(context.Background(), http.MethodGet, link, nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, res.Status, "%s", res.Body)

	_, err = sb.PaymentPageURL(77, nil)
	assert.ErrorContains(t, err, "project 77 is unknown")
}

// TestSetClock: forward, the jobs due on the way run; backward, the clock
// moves and pending jobs wait for it; a time the sandbox cannot hold is
// refused with the control API's answer, the clock left where it stood.
func TestSetClock(t *testing.T) {
	sb := start(t)
	ctx := context.Background()
	sale(t, sb, "sc-1")
	issued, err := sb.Now(ctx)
	require.NoError(t, err)

	now, err := sb.SetClock(ctx, issued.Add(-24*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, issued.Add(-24*time.Hour), now, "backward")
	now, err = sb.SetClock(ctx, issued.Add(31*24*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, issued.Add(31*24*time.Hour), now)
	assert.Equal(t, []string{"awaiting redirect result", "decline"}, statuses(sb.Callbacks(project, "sc-1")),
		"the voucher lapsed on the way, the bank window closed at day 30")

	_, err = sb.SetClock(ctx, time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC))
	var he *sandboxtest.HTTPError
	require.ErrorAs(t, err, &he)
	assert.Equal(t, http.StatusBadRequest, he.Status)
	again, err := sb.Now(ctx)
	require.NoError(t, err)
	assert.Equal(t, now, again, "a refused time leaves the clock where it stood")
}

func statuses(rs []sandboxtest.Request) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Status
	}
	return out
}

func TestConnectDrivesARunningSandbox(t *testing.T) {
	host := start(t)
	ctx := context.Background()
	sb, err := sandboxtest.Connect(ctx, host.URL(), sandboxtest.WithProject(sandboxtest.Project{ID: 900, Secret: "other"}))
	require.NoError(t, err)
	defer sb.Close()
	res, err := sb.Gate(ctx, 900, oxxoPath, oxxoSale("c-1"))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	cb, err := sb.WaitCallback(ctx, sandboxtest.Wait{ProjectID: 900, PaymentID: "c-1", Status: "awaiting redirect result"})
	require.NoError(t, err)
	assert.Equal(t, int64(900), cb.ProjectID)
	assert.Empty(t, host.Callbacks(0, "c-1"), "the callbacks go to the connected merchant")

	_, err = sandboxtest.Connect(ctx, "http://127.0.0.1:1")
	assert.ErrorContains(t, err, "no sandbox answers at http://127.0.0.1:1")
	for _, notURL := range []string{"localhost:8080", "http://", "ftp://127.0.0.1:8080"} {
		_, err = sandboxtest.Connect(ctx, notURL)
		assert.ErrorContains(t, err, "is not the http(s) URL of a sandbox", notURL)
	}
}

func TestOptions(t *testing.T) {
	t.Parallel()
	start := time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
	sb := sandboxtest.New(t,
		sandboxtest.WithProject(sandboxtest.Project{ID: project, Secret: secret}),
		sandboxtest.WithTime(start), sandboxtest.WithRunningClock(),
		sandboxtest.WithMethodSettings("oxxo", sandboxtest.MethodSettings{Variant: "3days"}))
	ctx := context.Background()
	now, err := sb.Now(ctx)
	require.NoError(t, err)
	assert.WithinDuration(t, start, now, time.Minute, "the clock starts where asked")
	sale(t, sb, "o-1")
	sb.AwaitCallback(t, "o-1", "awaiting redirect result")
	p, err := sb.Payment(ctx, project, "o-1")
	require.NoError(t, err)
	voucher, _ := p["voucher"].(map[string]any)
	require.NotNil(t, voucher, "%v", p)
	assert.NotContains(t, voucher, "bank_until", "the 3-day variant has no bank window")
}

// TestAnotherProjectsHungMerchantHoldsNoHelper: while project 77's merchant
// does not answer a callback (for a minute, the callback timeout), the
// helpers given project 842 wait for 842's callbacks only.
func TestAnotherProjectsHungMerchantHoldsNoHelper(t *testing.T) {
	release := make(chan struct{})
	hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(hung.Close)
	sb := start(t, sandboxtest.WithCallbackTimeout(time.Minute))
	t.Cleanup(func() { close(release) }) // before the sandbox stops, which waits for its callbacks
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := sb.PutProject(ctx, sandboxtest.Project{ID: 77, Secret: "s77", CallbackURL: hung.URL + "/callbacks"})
	require.NoError(t, err)
	res, err := sb.Gate(ctx, 77, oxxoPath, oxxoSale("held-1"))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)

	sale(t, sb, "o-1")
	_, err = sb.WaitCallback(ctx, sandboxtest.Wait{ProjectID: project, PaymentID: "o-1", Status: "awaiting redirect result", Within: time.Hour})
	require.NoError(t, err, "WaitCallback held by project 77's merchant")
	require.NoError(t, sb.Settle(ctx, project, "o-1"), "Settle held by project 77's merchant")
	require.NoError(t, sb.NoCallback(ctx, project, "o-1", time.Minute), "NoCallback held by project 77's merchant")
}

package platform_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/bolt"
)

var t0 = time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC)

// scripted is a provider whose decisions the test sets, and which records
// when each of its jobs ran.
type scripted struct {
	mu   sync.Mutex
	ran  []string // "<payment>:<job>@<time>"
	refs []string
}

func (s *scripted) Method() platform.Method {
	return platform.Method{Code: "test", Name: "Test", PaymentMethod: "test", ProviderID: 9, Currencies: []string{"USD"}}
}

func (s *scripted) Start(p *platform.Payment, env platform.Env) (platform.Step, error) {
	return platform.Step{
		Status: platform.StatusAwaitingRedirect, Notify: true, References: s.refs,
		Redirect: &platform.Redirect{URL: env.BaseURL + "/x", Method: "GET", Body: []byte("[]")},
		Jobs:     []platform.ProviderJob{{Name: "first", Due: env.Now.Add(time.Hour)}, {Name: "second", Due: env.Now.Add(2 * time.Hour)}},
	}, nil
}

func (s *scripted) Pay(*platform.Payment, json.RawMessage, platform.Env) (platform.Step, error) {
	return platform.Step{Status: platform.StatusSuccess}, nil
}

func (s *scripted) Fail(_ *platform.Payment, code int, _ platform.Env) (platform.Step, error) {
	return platform.Decline(code), nil
}

func (s *scripted) Expire(*platform.Payment, platform.Env) (platform.Step, error) {
	return platform.Decline(platform.DeclineGeneral), nil
}

func (s *scripted) Job(p *platform.Payment, name string, env platform.Env) (platform.Step, error) {
	s.mu.Lock()
	s.ran = append(s.ran, p.ID+":"+name+"@"+env.Now.Format("15:04"))
	s.mu.Unlock()
	if name == "second" {
		return platform.Decline(platform.DeclineGeneral), nil
	}
	return platform.Step{}, nil
}

// merchant answers every callback with the status it holds (200 by
// default), or with what its script says, and keeps the bodies.
type merchant struct {
	mu     sync.Mutex
	status int
	script func(n int, body string) int // n counts callbacks from 1
	during func()                       // runs while the request is under way
	got    []string                     // the bodies, in the order they came
}

func (m *merchant) Send(_ context.Context, url string, body []byte, _ string) platform.Attempt {
	if m.during != nil {
		m.during()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.got = append(m.got, string(body))
	st := m.status
	if m.script != nil {
		st = m.script(len(m.got), string(body))
	}
	if st == 0 {
		st = 200
	}
	a := platform.Attempt{URL: url, RequestBody: string(body), Status: st}
	if st != 200 {
		a.Error = fmt.Sprintf("merchant answered %d", st)
	}
	return a
}

func (m *merchant) answer(status int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.status = status
}

func newEngine(t *testing.T, path string) (*platform.Engine, *scripted, *merchant) {
	t.Helper()
	store, err := bolt.Open(path)
	require.NoError(t, err)
	t.Cleanup(func() { store.Close() })
	return newEngineOn(t, store)
}

// newEngineOn is newEngine over an open store.
func newEngineOn(t *testing.T, store platform.Store) (*platform.Engine, *scripted, *merchant) {
	t.Helper()
	prov, m := &scripted{}, &merchant{}
	eng, err := platform.New(context.Background(), platform.Config{
		Store: store, Wall: func() time.Time { return t0 }, Seed: [32]byte{1},
		BaseURL: "http://sandbox.test", Clock: platform.ClockState{Frozen: true, FrozenAt: t0},
		Providers: []platform.Provider{prov}, Sender: m,
	})
	require.NoError(t, err)
	require.NoError(t, eng.PutProject(context.Background(), project5))
	return eng, prov, m
}

// project5 is the project of the engine tests.
var project5 = platform.Project{ID: 5, Secret: "k", CallbackURL: "http://merchant.test/cb"}

func sale(id string) platform.SaleRequest {
	return platform.SaleRequest{ProjectID: 5, PaymentID: id, Method: "test", Interface: platform.InterfaceGate,
		Amount: platform.Sum{Amount: 100, Currency: "USD"}, Customer: platform.Customer{ID: "c"}}
}

func TestSaleChecks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	eng, _, _ := newEngine(t, filepath.Join(t.TempDir(), "db"))
	_, err := eng.Sale(ctx, sale("a"))
	require.NoError(t, err)

	tests := []struct {
		name string
		req  platform.SaleRequest
		code int
	}{
		{"reused payment id", sale("a"), platform.CodePaymentExists},
		{"unknown project", func() platform.SaleRequest { r := sale("b"); r.ProjectID = 77; return r }(), platform.CodeProjectNotFound},
		{"unknown method", func() platform.SaleRequest { r := sale("c"); r.Method = "boleto"; return r }(), platform.CodeUnknownMethod},
		// Whatever the interface: a callback the JS SDK could not verify.
		{"amount beyond JavaScript's whole numbers", func() platform.SaleRequest { r := sale("d"); r.Amount.Amount = platform.MaxAmount + 1; return r }(), platform.CodeInvalidJSON},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := eng.Sale(ctx, tt.req)
			assert.Equal(t, tt.code, platform.ErrorCode(err), "%v", err)
		})
	}
	// The same payment id in another project is fine.
	require.NoError(t, eng.PutProject(ctx, platform.Project{ID: 6, Secret: "k"}))
	r := sale("a")
	r.ProjectID = 6
	_, err = eng.Sale(ctx, r)
	assert.NoError(t, err)
}

func TestAdvanceRunsJobsAtTheirDueTimeInOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	eng, prov, _ := newEngine(t, filepath.Join(t.TempDir(), "db"))
	_, err := eng.Sale(ctx, sale("p1"))
	require.NoError(t, err)
	_, err = eng.RunDue(ctx, eng.Clock().Now()) // jobs due now run while frozen
	require.NoError(t, err)
	p, err := eng.Payment(ctx, platform.PaymentKey{ProjectID: 5, PaymentID: "p1"})
	require.NoError(t, err)
	assert.Equal(t, platform.StatusAwaitingRedirect, p.Status)

	_, err = eng.Advance(ctx, 30*time.Minute)
	require.NoError(t, err)
	_, err = eng.Sale(ctx, sale("p2")) // at 12:30: its jobs fall at 13:30 and 14:30
	require.NoError(t, err)

	now, err := eng.Advance(ctx, 3*time.Hour)
	require.NoError(t, err)
	assert.Equal(t, t0.Add(3*time.Hour+30*time.Minute), now)
	assert.Equal(t, []string{"p1:first@13:00", "p2:first@13:30", "p1:second@14:00", "p2:second@14:30"}, prov.ran)

	p, err = eng.Payment(ctx, platform.PaymentKey{ProjectID: 5, PaymentID: "p1"})
	require.NoError(t, err)
	assert.Equal(t, platform.StatusDecline, p.Status)
	assert.Equal(t, t0.Add(2*time.Hour), p.Sale().UpdatedAt, "the decline happened at the job's due time")
	assert.Equal(t, "20000", p.Sale().Code)

	// A second advance finds nothing left to run.
	_, err = eng.Advance(ctx, 24*time.Hour)
	require.NoError(t, err)
	assert.Len(t, prov.ran, 4)
}

// TestAnEndedPaymentKeepsNoProviderJobs checks that a payment whose
// operation ends (paid, expired) drops the jobs its provider asked for: they
// would do nothing, and the console would list them as work still due.
func TestAnEndedPaymentKeepsNoProviderJobs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	eng, prov, _ := newEngine(t, filepath.Join(t.TempDir(), "db"))
	for _, id := range []string{"paid", "expired", "open"} {
		_, err := eng.Sale(ctx, sale(id))
		require.NoError(t, err)
	}
	_, err := eng.RunDue(ctx, eng.Clock().Now())
	require.NoError(t, err)
	providerJobs := func(id string) []string {
		v, err := eng.PaymentWhole(ctx, platform.PaymentKey{ProjectID: 5, PaymentID: id})
		require.NoError(t, err)
		var names []string
		for _, j := range v.Jobs {
			if j.Kind == platform.JobProvider {
				names = append(names, j.Name)
			}
		}
		return names
	}
	require.Equal(t, []string{"first", "second"}, providerJobs("paid"))

	_, err = eng.Pay(ctx, platform.PaymentKey{ProjectID: 5, PaymentID: "paid"}, json.RawMessage(`{}`))
	require.NoError(t, err)
	_, err = eng.Expire(ctx, platform.PaymentKey{ProjectID: 5, PaymentID: "expired"})
	require.NoError(t, err)
	assert.Empty(t, providerJobs("paid"))
	assert.Empty(t, providerJobs("expired"))
	assert.Equal(t, []string{"first", "second"}, providerJobs("open"), "a payment under way keeps its jobs")

	_, err = eng.Advance(ctx, 3*time.Hour)
	require.NoError(t, err)
	assert.Equal(t, []string{"open:first@13:00", "open:second@14:00"}, prov.ran, "only the open payment's jobs ran")
}

func TestCallbacksOfAPaymentQueueInOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	eng, _, m := newEngine(t, filepath.Join(t.TempDir(), "db"))
	k := platform.PaymentKey{ProjectID: 5, PaymentID: "q"}
	// The merchant refuses: the first callback is still pending when the payment moves on.
	m.answer(500)
	_, err := eng.Sale(ctx, sale("q"))
	require.NoError(t, err)
	_, err = eng.RunDue(ctx, eng.Clock().Now())
	require.NoError(t, err)
	_, err = eng.Pay(ctx, k, nil)
	require.NoError(t, err)

	w, err := eng.PaymentWhole(ctx, k)
	require.NoError(t, err)
	require.Len(t, w.Deliveries, 2)
	assert.Equal(t, platform.DeliveryPending, w.Deliveries[0].Status)
	assert.Equal(t, platform.DeliveryPending, w.Deliveries[1].Status)
	assert.Contains(t, string(w.Deliveries[0].Body), `"status":"awaiting redirect result"`)
	assert.Contains(t, string(w.Deliveries[1].Body), `"status":"success"`)
	var deliverJobs int
	for _, j := range w.Jobs {
		if j.Kind == platform.JobDeliver {
			deliverJobs++
			assert.Equal(t, w.Deliveries[0].ID, j.DeliveryID, "only the head of the queue is scheduled")
		}
	}
	assert.GreaterOrEqual(t, deliverJobs, 1)
	assert.True(t, w.Deliveries[1].NextAttempt.IsZero(), "the second callback waits for the first")

	_, err = eng.Expire(ctx, k)
	assert.Equal(t, platform.CodeStatusForbids, platform.ErrorCode(err), "a final payment takes no more actions")
}

func TestReferencesAreUnique(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	eng, prov, _ := newEngine(t, filepath.Join(t.TempDir(), "db"))
	prov.refs = []string{"R1"}
	for _, id := range []string{"r1", "r2"} {
		_, err := eng.Sale(ctx, sale(id))
		require.NoError(t, err)
	}
	_, err := eng.RunDue(ctx, eng.Clock().Now())
	require.NoError(t, err)
	owner, err := eng.PaymentByReference(ctx, "test", "R1")
	require.NoError(t, err)
	// One payment got the reference; the other's Start was refused, so it
	// stayed processing and the reference still points at the first.
	var awaiting []string
	for _, id := range []string{"r1", "r2"} {
		p, err := eng.Payment(ctx, platform.PaymentKey{ProjectID: 5, PaymentID: id})
		require.NoError(t, err)
		if p.Status == platform.StatusAwaitingRedirect {
			awaiting = append(awaiting, id)
		} else {
			assert.Equal(t, platform.StatusProcessing, p.Status)
		}
	}
	assert.Equal(t, []string{owner.ID}, awaiting, "exactly the reference's owner went on")
}

func TestClockSurvivesRestartAndUnfreezeContinues(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "db")
	store, err := bolt.Open(path)
	require.NoError(t, err)
	wall := t0
	cfg := platform.Config{Store: store, Wall: func() time.Time { return wall },
		Clock: platform.ClockState{Frozen: true, FrozenAt: t0}}
	eng, err := platform.New(ctx, cfg)
	require.NoError(t, err)
	_, err = eng.Advance(ctx, 48*time.Hour)
	require.NoError(t, err)
	require.NoError(t, eng.Unfreeze(ctx))
	wall = wall.Add(10 * time.Minute)
	assert.Equal(t, t0.Add(48*time.Hour+10*time.Minute), eng.Clock().Now(), "the clock runs on from where it stood")
	require.NoError(t, store.Close())

	store, err = bolt.Open(path)
	require.NoError(t, err)
	defer store.Close()
	cfg.Store = store
	cfg.Clock = platform.ClockState{Frozen: true, FrozenAt: t0} // ignored: the stored state wins
	wall = wall.Add(5 * time.Minute)
	eng, err = platform.New(ctx, cfg)
	require.NoError(t, err)
	assert.False(t, eng.Clock().Frozen())
	assert.Equal(t, t0.Add(48*time.Hour+15*time.Minute), eng.Clock().Now())
	_, err = eng.Advance(ctx, -time.Second)
	assert.Equal(t, platform.CodeInvalidRequest, platform.ErrorCode(err))
}

func TestCheckAmount(t *testing.T) {
	t.Parallel()
	m := platform.Method{Name: "M", Currencies: []string{"USD", "MXN"}}
	tests := []struct {
		name     string
		s        platform.MethodSettings
		sum      platform.Sum
		declined bool
		code     string
	}{
		{"fits", platform.MethodSettings{}, platform.Sum{Amount: 100, Currency: "USD"}, false, ""},
		{"currency", platform.MethodSettings{}, platform.Sum{Amount: 100, Currency: "EUR"}, true, "payment.currency"},
		{"zero", platform.MethodSettings{}, platform.Sum{Amount: 0, Currency: "USD"}, true, "payment.amount"},
		{"over max", platform.MethodSettings{MaxAmount: 500}, platform.Sum{Amount: 501, Currency: "USD"}, true, ""},
		{"at max", platform.MethodSettings{MaxAmount: 500}, platform.Sum{Amount: 500, Currency: "USD"}, false, ""},
		{"under min", platform.MethodSettings{MinAmount: 500}, platform.Sum{Amount: 499, Currency: "USD"}, true, "payment.amount"},
		{"not whole", platform.MethodSettings{WholeUnits: true}, platform.Sum{Amount: 1050, Currency: "USD"}, true, "payment.amount"},
		{"whole", platform.MethodSettings{WholeUnits: true}, platform.Sum{Amount: 1000, Currency: "USD"}, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, declined := platform.CheckAmount(m, tt.s, tt.sum)
			assert.Equal(t, tt.declined, declined)
			if declined {
				require.NotEmpty(t, s.Errors)
				assert.Equal(t, tt.code, s.Errors[0].Field)
			}
		})
	}
	s, _ := platform.CheckAmount(m, platform.MethodSettings{MaxAmount: 500}, platform.Sum{Amount: 501, Currency: "USD"})
	assert.Equal(t, platform.DeclineOverMaxLimit, s.Code)
}

// refunding is scripted that refunds, at the Gate endpoint path ("": it
// claims none).
type refunding struct {
	scripted
	code, path string
}

func (r *refunding) Method() platform.Method {
	m := r.scripted.Method()
	m.Code, m.RefundPath = r.code, r.path
	return m
}

func (r *refunding) Refund(*platform.Payment, platform.Env) (platform.Step, error) {
	return platform.Step{Status: platform.StatusSuccess}, nil
}

// claiming is scripted that claims a refund endpoint but cannot refund.
type claiming struct{ scripted }

func (c *claiming) Method() platform.Method {
	m := c.scripted.Method()
	m.RefundPath = "/v2/payment/test/refund"
	return m
}

func TestRefundsAreRoutedByTheRefunderInterface(t *testing.T) {
	t.Parallel()
	open := func(provs ...platform.Provider) (*platform.Engine, error) {
		store, err := bolt.Open(filepath.Join(t.TempDir(), "db"))
		require.NoError(t, err)
		t.Cleanup(func() { store.Close() })
		return platform.New(context.Background(), platform.Config{
			Store: store, Wall: func() time.Time { return t0 }, Clock: platform.ClockState{Frozen: true, FrozenAt: t0},
			Providers: provs, Sender: &merchant{},
		})
	}
	_, err := open(&refunding{code: "test"})
	assert.ErrorContains(t, err, "needs a RefundPath", "a Refunder must say where its refunds arrive")
	_, err = open(&claiming{})
	assert.ErrorContains(t, err, "only such a provider may have one", "a refund endpoint needs a Refunder behind it")

	eng, err := open(&refunding{code: "a", path: "/v2/payment/a/refund"}, &refunding{code: "b", path: "/v2/payment/b/refund"}, &scripted{})
	require.NoError(t, err)
	a, _ := eng.Method("a")
	assert.True(t, a.Refunds, "the engine says which methods refund")
	plain, _ := eng.Method("test")
	assert.False(t, plain.Refunds)

	ctx := context.Background()
	require.NoError(t, eng.PutProject(ctx, platform.Project{ID: 5, Secret: "k"}))
	req := sale("p-a")
	req.Method = "a"
	p, err := eng.Sale(ctx, req)
	require.NoError(t, err)
	_, err = eng.RunDue(ctx, t0)
	require.NoError(t, err)
	_, err = eng.Pay(ctx, p.Key(), nil)
	require.NoError(t, err)

	_, err = eng.Refund(ctx, p.Key(), platform.RefundRequest{Method: "b"})
	assert.Equal(t, platform.CodeStatusForbids, platform.ErrorCode(err))
	assert.ErrorContains(t, err, "refund it at /v2/payment/a/refund")
	p, err = eng.Refund(ctx, p.Key(), platform.RefundRequest{Method: "a"})
	require.NoError(t, err)
	_, err = eng.RunDue(ctx, t0)
	require.NoError(t, err)
	p, err = eng.Payment(ctx, p.Key())
	require.NoError(t, err)
	assert.Equal(t, platform.StatusRefunded, p.Status)
}

// selling is scripted with a Gate sale endpoint and the example sale given.
type selling struct {
	scripted
	example string
}

func (s *selling) Method() platform.Method {
	m := s.scripted.Method()
	m.GatePath, m.ExampleSale = "/v2/payment/test/sale", json.RawMessage(s.example)
	return m
}

// TestAMethodWithASaleEndpointHasAnExampleSale: GET /sandbox/methods and
// the scenarios' sale step send a method's example sale, so the engine
// refuses a method whose example is missing or not a body one can send.
func TestAMethodWithASaleEndpointHasAnExampleSale(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ example, wrong string }{
		{"", "ExampleSale must be a JSON object"},
		{`[1]`, "ExampleSale must be a JSON object"},
		{`null`, "ExampleSale must be a JSON object"},
		{`{"general": {"project_id": 1}, "payment": {}}`, "ExampleSale has general"},
		{`{"payment": {"amount": 100, "currency": "USD"}}`, ""},
	} {
		store, err := bolt.Open(filepath.Join(t.TempDir(), "db"))
		require.NoError(t, err)
		_, err = platform.New(context.Background(), platform.Config{
			Store: store, Wall: func() time.Time { return t0 }, Clock: platform.ClockState{Frozen: true, FrozenAt: t0},
			Providers: []platform.Provider{&selling{example: tc.example}}, Sender: &merchant{},
		})
		require.NoError(t, store.Close())
		if tc.wrong == "" {
			assert.NoError(t, err, tc.example)
		} else {
			assert.ErrorContains(t, err, tc.wrong, tc.example)
		}
	}
}

// refundsInTurn refunds with the steps it is given, one per refund, in turn.
type refundsInTurn struct {
	scripted
	mu    sync.Mutex
	steps []platform.Step
}

func (r *refundsInTurn) Method() platform.Method {
	m := r.scripted.Method()
	m.RefundPath = "/v2/payment/test/refund"
	return m
}

func (r *refundsInTurn) Refund(*platform.Payment, platform.Env) (platform.Step, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.steps[0]
	r.steps = r.steps[1:]
	return s, nil
}

// TestRefundAfterADeclinedRefund: a declined refund leaves the payment
// success with its whole sum, so the merchant may ask again; the card
// partner's documentation shows exactly that state after a declined refund
// and limits refunds to full ones, not to one attempt (docs/gate.md
// "Refund"). A refund still under way, or one that succeeded, refuses
// another with 3060 and says why.
func TestRefundAfterADeclinedRefund(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	prov := &refundsInTurn{steps: []platform.Step{
		platform.Decline(platform.DeclineGeneral),
		{Status: platform.StatusSuccess},
		{}, // the partner has not answered: the refund stays processing
	}}
	store, err := bolt.Open(filepath.Join(t.TempDir(), "db"))
	require.NoError(t, err)
	t.Cleanup(func() { store.Close() })
	eng, err := platform.New(ctx, platform.Config{
		Store: store, Wall: func() time.Time { return t0 }, Clock: platform.ClockState{Frozen: true, FrozenAt: t0},
		Providers: []platform.Provider{prov}, Sender: &merchant{},
	})
	require.NoError(t, err)
	require.NoError(t, eng.PutProject(ctx, platform.Project{ID: 5, Secret: "k"}))
	paid := func(id string) platform.PaymentKey {
		t.Helper()
		p, err := eng.Sale(ctx, sale(id))
		require.NoError(t, err)
		_, err = eng.RunDue(ctx, t0)
		require.NoError(t, err)
		_, err = eng.Pay(ctx, p.Key(), nil)
		require.NoError(t, err)
		return p.Key()
	}

	k := paid("retry")
	p, err := eng.Refund(ctx, k, platform.RefundRequest{})
	require.NoError(t, err)
	assert.Equal(t, platform.StatusSuccess, p.Status, "a declined refund leaves the payment success")
	assert.Equal(t, int64(100), p.Sum.Amount)
	assert.True(t, p.Refundable())

	p, err = eng.Refund(ctx, k, platform.RefundRequest{})
	require.NoError(t, err, "a refund may follow a declined one")
	assert.Equal(t, platform.StatusRefunded, p.Status)
	assert.Equal(t, int64(0), p.Sum.Amount)
	require.Len(t, p.Operations, 3)
	assert.Equal(t, platform.StatusDecline, p.Operations[1].Status)
	assert.Equal(t, platform.StatusSuccess, p.Operations[2].Status)
	assert.NotEqual(t, p.Operations[1].ID, p.Operations[2].ID)
	assert.Equal(t, &p.Operations[2], p.Refund(), "the newest refund")
	assert.False(t, p.Refundable())

	_, err = eng.Refund(ctx, k, platform.RefundRequest{})
	assert.Equal(t, platform.CodeStatusForbids, platform.ErrorCode(err))
	assert.ErrorContains(t, err, "was refunded in full already")

	pending := paid("pending")
	p, err = eng.Refund(ctx, pending, platform.RefundRequest{})
	require.NoError(t, err)
	assert.Equal(t, platform.StatusProcessing, p.Refund().Status)
	assert.False(t, p.Refundable())
	_, err = eng.Refund(ctx, pending, platform.RefundRequest{})
	assert.Equal(t, platform.CodeStatusForbids, platform.ErrorCode(err))
	assert.ErrorContains(t, err, "has a refund under way")
}

package enginetest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/enginetest"
	"github.com/ecommpay-sandbox/sandbox/platform/hosted"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// tab is a provider that waits for the customer an hour: its page shows the
// payment's status and a POST to it pays.
type tab struct{}

func (tab) Method() platform.Method {
	return platform.Method{Code: "tab", Name: "Tab", PaymentMethod: "tab", ProviderID: 9, Currencies: []string{"USD"}}
}

func (tab) Start(p *platform.Payment, env platform.Env) (platform.Step, error) {
	return platform.Step{
		Status:   platform.StatusAwaitingRedirect,
		Redirect: &platform.Redirect{URL: env.BaseURL + "/tab/" + p.ID, Method: "GET", Body: []byte(`[]`)},
		Jobs:     []platform.ProviderJob{{Name: "lapse", Due: env.Now.Add(time.Hour)}},
	}, nil
}

func (tab) Pay(*platform.Payment, json.RawMessage, platform.Env) (platform.Step, error) {
	return platform.Step{Status: platform.StatusSuccess}, nil
}

func (tab) Fail(_ *platform.Payment, code int, _ platform.Env) (platform.Step, error) {
	return platform.Decline(code), nil
}

func (tab) Expire(*platform.Payment, platform.Env) (platform.Step, error) {
	return platform.Decline(platform.DeclineGeneral), nil
}

func (tab) Job(p *platform.Payment, _ string, _ platform.Env) (platform.Step, error) {
	if p.Status != platform.StatusAwaitingRedirect {
		return platform.Step{}, nil
	}
	return platform.Decline(platform.DeclineGeneral), nil
}

// pagedTab is tab with a page.
type pagedTab struct{ tab }

var _ hosted.Pages = pagedTab{}

// Templates: the tab's page is plain text.
func (pagedTab) Templates() []fs.FS { return nil }

func (pagedTab) Routes(e *echo.Echo, eng hosted.Engine, _ *web.Renderer) {
	key := func(c echo.Context) platform.PaymentKey {
		return platform.PaymentKey{ProjectID: 1, PaymentID: c.Param("id")}
	}
	e.GET("/tab/:id", func(c echo.Context) error {
		p, err := eng.Payment(c.Request().Context(), key(c))
		if err != nil {
			return c.String(http.StatusNotFound, err.Error())
		}
		return c.String(http.StatusOK, string(p.Status))
	})
	e.POST("/tab/:id", func(c echo.Context) error {
		if c.FormValue("pay") != "yes" {
			return c.String(http.StatusBadRequest, "pay=yes, please")
		}
		p, err := eng.Pay(c.Request().Context(), key(c), nil)
		if err != nil {
			return c.String(http.StatusConflict, err.Error())
		}
		return c.String(http.StatusOK, string(p.Status))
	})
}

// checkedTab is tab whose merchant confirms each payment.
type checkedTab struct{ tab }

func (checkedTab) Pay(*platform.Payment, json.RawMessage, platform.Env) (platform.Step, error) {
	return platform.Step{Status: platform.StatusProcessing, Confirm: true}, nil
}

func (checkedTab) Confirmed(_ *platform.Payment, a platform.DepositAnswer, _ platform.Env) (platform.Step, error) {
	if !a.Confirmed {
		return platform.Decline(a.Code), nil
	}
	return platform.Step{Status: platform.StatusSuccess}, nil
}

// merchant confirms every check_deposit and counts them.
type merchant struct{ n int }

func (m *merchant) CheckDeposit(_ context.Context, now time.Time, project platform.Project, _ []byte) (platform.Attempt, platform.DepositAnswer) {
	m.n++
	return platform.Attempt{At: now, URL: project.CheckDepositURL, Status: 200}, platform.DepositAnswer{Confirmed: true}
}

// order is the n-th sale of a test.
func order(n int) platform.SaleRequest {
	return platform.SaleRequest{
		ProjectID: 1, PaymentID: fmt.Sprintf("order-%d", n), Method: "tab", Interface: platform.InterfaceGate,
		Amount: platform.Sum{Amount: 1000, Currency: "USD"}, Customer: platform.Customer{ID: "c1", IPAddress: "192.0.2.1"},
	}
}

func TestSaleIsProcessedAtTheFrozenTime(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 22, 14, 0, 0, 0, time.UTC)
	s := enginetest.New(t, tab{}, enginetest.Options{Sale: order, At: at, Seed: 42})
	p := s.Sale()
	assert.Equal(t, platform.StatusAwaitingRedirect, p.Status, "processed, not just accepted")
	assert.Equal(t, enginetest.BaseURL+"/tab/order-1", p.Redirect.URL)
	assert.Equal(t, at, p.CreatedAt)
	assert.Equal(t, at, s.Engine.Clock().Now())

	s.Advance(time.Hour - time.Second)
	assert.Equal(t, platform.StatusAwaitingRedirect, s.Payment(p.Key()).Status)
	s.Advance(time.Second)
	assert.Equal(t, platform.StatusDecline, s.Payment(p.Key()).Status, "the job ran when it fell due")
	assert.Equal(t, at.Add(time.Hour), s.Engine.Clock().Now())
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	s := enginetest.New(t, tab{}, enginetest.Options{})
	assert.Equal(t, testing.TB(t), s.T())
	assert.Equal(t, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), s.Engine.Clock().Now())
	project, err := s.Engine.Project(context.Background(), 1)
	require.NoError(t, err)
	assert.Equal(t, platform.DemoProject(), project)
	assert.Equal(t, http.StatusNotFound, s.Get("/tab/order-1").Code, "no pages: nothing is mounted")
	assert.Equal(t, http.StatusNotFound, s.Get(web.AssetURL("style.css")).Code)
}

func TestSeedDecides(t *testing.T) {
	t.Parallel()
	id := func(seed byte) string {
		return enginetest.New(t, tab{}, enginetest.Options{Seed: seed}).Engine.NewID(16)
	}
	assert.Equal(t, id(7), id(7))
	assert.NotEqual(t, id(7), id(42))
}

func TestOptions(t *testing.T) {
	t.Parallel()
	project := platform.Project{ID: 842, Secret: "s3cret"}
	settings := map[string]platform.MethodSettings{"tab": {MaxAmount: 500}}
	s := enginetest.New(t, tab{}, enginetest.Options{Project: project, Settings: settings})
	got, err := s.Engine.Project(context.Background(), 842)
	require.NoError(t, err)
	assert.Equal(t, project, got)
	m, ok := s.Engine.Method("tab")
	require.True(t, ok)
	assert.Equal(t, int64(500), s.Engine.Settings(got, m).MaxAmount)
}

func TestPages(t *testing.T) {
	t.Parallel()
	s := enginetest.New(t, pagedTab{}, enginetest.Options{Sale: order})
	p := s.Sale()

	rec := s.Get("/tab/order-1")
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, string(platform.StatusAwaitingRedirect), rec.Body.String())

	rec = s.Post("/tab/order-1", "", "pay=yes")
	assert.Equal(t, http.StatusBadRequest, rec.Code, "no content type, no form")
	rec = s.PostForm("/tab/order-1", url.Values{"pay": {"yes"}})
	assert.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, platform.StatusSuccess, s.Payment(p.Key()).Status)

	rec = s.Get(web.AssetURL("style.css"))
	assert.Equal(t, http.StatusOK, rec.Code, "the static files are served with the pages")
}

func TestCheckDeposit(t *testing.T) {
	t.Parallel()
	m := &merchant{}
	s := enginetest.New(t, checkedTab{}, enginetest.Options{Sale: order, CheckDeposit: m})
	p := s.Sale()
	p, err := s.Engine.Pay(context.Background(), p.Key(), nil)
	require.NoError(t, err)
	assert.Equal(t, platform.StatusSuccess, p.Status)
	assert.Equal(t, 1, m.n)

	without := enginetest.New(t, checkedTab{}, enginetest.Options{Sale: order})
	p = without.Sale()
	p, err = without.Engine.Pay(context.Background(), p.Key(), nil)
	require.NoError(t, err)
	assert.Equal(t, platform.StatusDecline, p.Status, "no checker: the merchant never answers")
}

func TestSaleStartsTheNextOrderAsChanged(t *testing.T) {
	t.Parallel()
	s := enginetest.New(t, tab{}, enginetest.Options{Sale: order})
	assert.Equal(t, "order-1", s.Sale(nil).ID)
	p := s.Sale(func(r *platform.SaleRequest) { r.PaymentID += "-a" }, nil, func(r *platform.SaleRequest) { r.PaymentID += "-b" })
	assert.Equal(t, "order-2-a-b", p.ID, "each change in turn, nil ones skipped")
	assert.Equal(t, "order-3", s.Sale().ID)
}

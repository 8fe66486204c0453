package enginetest

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/bolt"
	"github.com/ecommpay-sandbox/sandbox/platform/hosted"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// BaseURL is where the sandbox says it serves its pages: the prefix of
// redirect URLs.
const BaseURL = "http://sandbox.test"

// Options shape a Sandbox. Without Sale it starts no payments; the zero
// value of the others is a sandbox frozen at 2026-03-02 09:00 UTC with the
// demo project, the seed {0}, the methods' default settings and no
// check_deposit endpoint.
type Options struct {
	// Sale is the n-th sale request of a test (n counts from 1), before the
	// test changes it: the method's test data, with a payment ID of its own.
	Sale func(n int) platform.SaleRequest
	// Project is put in the store; zero keeps the demo project the engine
	// creates, {ID: 1, Secret: "secret"}.
	Project platform.Project
	// At is the frozen sandbox time, and the wall clock's too; zero is
	// 2026-03-02 09:00 UTC.
	At time.Time
	// Seed is the first byte of the ChaCha8 seed of the engine's randomness.
	Seed byte
	// Settings are the sandbox-wide method settings, by method code.
	Settings map[string]platform.MethodSettings
	// CheckDeposit answers the engine's check_deposit requests.
	CheckDeposit platform.DepositChecker
	// Sender delivers the callbacks; nil accepts every one at once.
	Sender platform.Sender
	// Log receives what the engine logs; nil discards it.
	Log *slog.Logger
	// Path is the data file; "" is a new one in t.TempDir(). A second
	// Sandbox on the Path of one whose DB is closed is the same sandbox
	// started again.
	Path string
	// Store, when not nil, wraps the bbolt store before the engine gets it:
	// a test's way to make the store misbehave.
	Store func(platform.Store) platform.Store
}

// accepting is a merchant that accepts every callback at once.
type accepting struct{}

func (accepting) Send(_ context.Context, url string, body []byte, _ string) platform.Attempt {
	return platform.Attempt{URL: url, RequestBody: string(body), Status: http.StatusOK}
}

// Sandbox is a real engine over a bbolt file in t.TempDir(), with one
// provider registered and, when it has pages, those pages and the static
// files on an echo router. Its helpers fail the test on any error.
type Sandbox struct {
	Engine *platform.Engine
	Echo   *echo.Echo
	// DB is the data file, open until the test ends.
	DB *bolt.DB

	t     testing.TB
	sale  func(n int) platform.SaleRequest
	sales int
}

// New returns a Sandbox with prov registered; the store closes when the test
// ends.
func New(t testing.TB, prov platform.Provider, o Options) *Sandbox {
	t.Helper()
	if o.At.IsZero() {
		o.At = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	}
	if o.Path == "" {
		o.Path = filepath.Join(t.TempDir(), "sandbox.db")
	}
	if o.Sender == nil {
		o.Sender = accepting{}
	}
	ctx := context.Background()
	db, err := bolt.Open(o.Path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	var store platform.Store = db
	if o.Store != nil {
		store = o.Store(db)
	}
	eng, err := platform.New(ctx, platform.Config{
		Store:     store,
		Wall:      func() time.Time { return o.At },
		Seed:      [32]byte{o.Seed},
		BaseURL:   BaseURL,
		Settings:  o.Settings,
		Clock:     platform.ClockState{Frozen: true, FrozenAt: o.At},
		Providers: []platform.Provider{prov},
		Sender:    o.Sender,
		Checker:   o.CheckDeposit,
		Log:       o.Log,
	})
	require.NoError(t, err)
	if o.Project.ID != 0 {
		require.NoError(t, eng.PutProject(ctx, o.Project))
	}
	e := echo.New()
	if _, ok := prov.(hosted.Pages); ok {
		r, err := pagesOf(prov)
		require.NoError(t, err)
		hosted.Mount(e, eng, r, []platform.Provider{prov})
		e.GET(web.StaticPrefix+"*", echo.WrapHandler(web.StaticHandler()))
	}
	return &Sandbox{Engine: eng, Echo: e, DB: db, t: t, sale: o.Sale}
}

// parsedPages holds the renderer of each provider's pages, by the
// provider's type and method code, parsed once per test binary: parsing the
// templates was most of the CPU time of a sandbox's start, and a provider's
// tests start many.
var parsedPages sync.Map // pagesKey → func() (*web.Renderer, error)

type pagesKey struct {
	provider reflect.Type
	method   string
}

// pagesOf returns the renderer of prov's pages.
func pagesOf(prov platform.Provider) (*web.Renderer, error) {
	key := pagesKey{reflect.TypeOf(prov), prov.Method().Code}
	parse, _ := parsedPages.LoadOrStore(key, sync.OnceValues(func() (*web.Renderer, error) {
		return hosted.Renderer([]platform.Provider{prov})
	}))
	return parse.(func() (*web.Renderer, error))()
}

// T is the test the sandbox serves, for the helpers built on it.
func (s *Sandbox) T() testing.TB { return s.t }

// Sale starts the next sale of Options.Sale changed by each mutate (nil
// ones are skipped), runs what fell due at the sandbox's now (its
// processing) and returns the payment as stored then.
func (s *Sandbox) Sale(mutate ...func(*platform.SaleRequest)) *platform.Payment {
	s.t.Helper()
	require.NotNil(s.t, s.sale, "enginetest: Sale needs Options.Sale")
	s.sales++
	req := s.sale(s.sales)
	for _, m := range mutate {
		if m != nil {
			m(&req)
		}
	}
	ctx := context.Background()
	p, err := s.Engine.Sale(ctx, req)
	require.NoError(s.t, err)
	_, err = s.Engine.RunDue(ctx, s.Engine.Clock().Now())
	require.NoError(s.t, err)
	return s.Payment(p.Key())
}

// Payment returns a payment as stored.
func (s *Sandbox) Payment(k platform.PaymentKey) *platform.Payment {
	s.t.Helper()
	p, err := s.Engine.Payment(context.Background(), k)
	require.NoError(s.t, err)
	return p
}

// Advance moves the frozen clock by d and runs what fell due.
func (s *Sandbox) Advance(d time.Duration) {
	s.t.Helper()
	_, err := s.Engine.Advance(context.Background(), d)
	require.NoError(s.t, err)
}

// Do serves req on the router.
func (s *Sandbox) Do(req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	s.Echo.ServeHTTP(rec, req)
	return rec
}

// Get serves a GET of path.
func (s *Sandbox) Get(path string) *httptest.ResponseRecorder {
	return s.Do(httptest.NewRequest(http.MethodGet, path, nil))
}

// Post serves a POST of body to path, with contentType unless it is "".
func (s *Sandbox) Post(path, contentType, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return s.Do(req)
}

// PostForm serves a POST of form to path, as a browser submits it.
func (s *Sandbox) PostForm(path string, form url.Values) *httptest.ResponseRecorder {
	return s.Post(path, "application/x-www-form-urlencoded", form.Encode())
}

package app

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/sync/errgroup"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/bolt"
	"github.com/ecommpay-sandbox/sandbox/platform/callback"
	"github.com/ecommpay-sandbox/sandbox/platform/control"
	"github.com/ecommpay-sandbox/sandbox/platform/gate"
	"github.com/ecommpay-sandbox/sandbox/platform/hosted"
	"github.com/ecommpay-sandbox/sandbox/platform/paymentpage"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// Options say how to build a sandbox. DataFile and PublicURL are required.
type Options struct {
	// DataFile is the path of the bbolt file; it is created when missing.
	DataFile string
	// PublicURL is where customers and merchants reach the sandbox, with no
	// trailing slash: redirect URLs and pages are built on it.
	PublicURL string
	// Config holds projects and method settings (LoadConfig reads a file).
	Config Config
	// ConfigName names where Config came from, for error messages.
	ConfigName string
	// Seed seeds IDs and voucher numbers; 0 draws a random seed.
	Seed uint64
	// Clock is the clock's state when the data file has none yet.
	Clock platform.ClockState
	// CallbackTimeout bounds each callback and check_deposit request;
	// 0 is callback.DefaultTimeout.
	CallbackTimeout time.Duration
	// SendsPerMerchant bounds the callbacks sent at once to one merchant
	// host; 0 is platform.DefaultSendsPerMerchant.
	SendsPerMerchant int
	// CallbackGrace is how long the callbacks under way have to finish
	// once the server has shut down: 0 is platform.DefaultStopGrace, a
	// negative one cuts them at once.
	CallbackGrace time.Duration
	// AllowedHosts are host names, besides loopback names, IP addresses
	// and PublicURL's host, by which the control API and the dashboard may
	// be reached (guard.go).
	AllowedHosts []string
	// Timeouts bound the server's connections; the zero value takes the
	// defaults.
	Timeouts Timeouts
	// Providers are the payment methods' mock providers; nil is
	// Providers(), the methods the sandbox emulates. A test may add a
	// method of its own.
	Providers []platform.Provider
	// Log receives structured logs; nil discards them.
	Log *slog.Logger
	// Wall reads the wall clock; nil is time.Now.
	Wall func() time.Time
}

// Sandbox is a wired sandbox: its store, its engine and its HTTP handler.
type Sandbox struct {
	Store  *bolt.DB
	Engine *platform.Engine
	// Handler serves every route of the sandbox.
	Handler  http.Handler
	log      *slog.Logger
	timeouts Timeouts
	// closeStreams ends the dashboard's live-update streams, which would
	// otherwise hold a shutting-down server open.
	closeStreams func()
}

// Seed returns the seed of the sandbox's randomness: seed spread over 32
// bytes, or 32 bytes from crypto/rand when seed is 0.
func Seed(seed uint64) [32]byte {
	var s [32]byte
	if seed == 0 {
		_, _ = crand.Read(s[:]) // crypto/rand never fails on supported platforms
	} else {
		binary.LittleEndian.PutUint64(s[:], seed)
	}
	return s
}

// defaultPages renders the pages of Providers(). Their templates are
// embedded in the binary, so they are parsed once per process, like a
// compiled expression: parsing them was most of the CPU time of starting a
// sandbox, and a test suite, sandboxtest or `sandbox test` starts many. A
// renderer holds nothing of one sandbox.
var defaultPages = sync.OnceValues(func() (*web.Renderer, error) { return hosted.Renderer(Providers()) })

// pagesOf returns the renderer of the options' own providers: the shared
// defaultPages when they name none (Options.Providers nil).
func pagesOf(own []platform.Provider) (*web.Renderer, error) {
	if own == nil {
		return defaultPages()
	}
	return hosted.Renderer(own)
}

// New opens the store and wires everything. Close releases the store.
func New(ctx context.Context, o Options) (*Sandbox, error) {
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	wall := o.Wall
	if wall == nil {
		wall = time.Now
	}
	provs := o.Providers
	if provs == nil {
		provs = Providers()
	}
	store, err := bolt.OpenLogged(o.DataFile, log)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*Sandbox, error) {
		store.Close()
		return nil, err
	}
	sender := callback.New(log)
	if o.CallbackTimeout > 0 {
		sender.Timeout = o.CallbackTimeout
	}
	eng, err := platform.New(ctx, platform.Config{
		Store: store, Wall: wall, Seed: Seed(o.Seed), Log: log,
		BaseURL: strings.TrimRight(o.PublicURL, "/"), Settings: o.Config.Methods, Clock: o.Clock,
		Providers: provs, Sender: sender, Checker: sender, SendsPerMerchant: o.SendsPerMerchant, StopGrace: o.CallbackGrace,
	})
	if err != nil {
		return fail(err)
	}
	for code, ms := range o.Config.Methods {
		if err := eng.CheckSettings(code, ms); err != nil {
			return fail(fmt.Errorf("config %s: %w", o.ConfigName, configDetail(err)))
		}
	}
	for _, p := range o.Config.Projects {
		if err := eng.PutProject(ctx, p); err != nil {
			return fail(fmt.Errorf("config %s: project %d: %w", o.ConfigName, p.ID, configDetail(err)))
		}
	}

	renderer, err := pagesOf(o.Providers)
	if err != nil {
		return fail(err)
	}
	guard, err := newGuard(o.PublicURL, o.AllowedHosts, renderer)
	if err != nil {
		return fail(err)
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Logger = slogEcho(log)
	e.HTTPErrorHandler = errorHandler(renderer)
	e.Use(requestLog(log), recoverPanics(), guard.middleware, limitBodies(MaxBody))
	served := servedLog(log)
	gate.New(eng, served).Routes(e)
	paymentpage.New(eng, renderer, served).Routes(e)
	ctl := control.New(eng, renderer, served)
	ctl.Backup = store
	ctl.Routes(e)
	hosted.Mount(e, eng, renderer, provs)
	e.GET("/static/*", echo.WrapHandler(web.StaticHandler()))
	return &Sandbox{Store: store, Engine: eng, Handler: e, log: log, timeouts: o.Timeouts, closeStreams: ctl.CloseStreams}, nil
}

// Close closes the store.
func (s *Sandbox) Close() error { return s.Store.Close() }

// Run serves on ln and runs the job loop until ctx ends, then shuts the
// server down gracefully. ready, when not nil, is called once serving.
//
// Shutting down, the server takes no more connections and the job loop
// stops, canceling the callbacks it sent. The requests under way have
// Timeouts.ShutdownGrace to end; then those still running are canceled
// (their clients get an error), so that a clock advance waiting for a
// merchant that does not answer, which holds the job loop, cannot keep the
// sandbox from stopping.
func (s *Sandbox) Run(ctx context.Context, ln net.Listener, ready func()) error {
	srv := s.timeouts.server(s.Handler)
	srv.RegisterOnShutdown(s.closeStreams)
	requests, stopRequests := context.WithCancelCause(context.Background())
	defer stopRequests(nil)
	srv.BaseContext = func(net.Listener) context.Context { return requests }
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return s.Engine.Run(gctx) })
	g.Go(func() error {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("serve: %w", err)
		}
		return nil
	})
	g.Go(func() error {
		<-gctx.Done()
		return s.shutdown(srv, stopRequests)
	})
	if ready != nil {
		ready()
	}
	return g.Wait()
}

// stopWait is how long the requests canceled at the end of the shutdown
// grace have to write their answers before their connections are closed.
const stopWait = 3 * time.Second

// errStopped is the cause of the requests canceled at the end of the
// shutdown grace: their log line says so (requestLog).
var errStopped = errors.New("the sandbox stopped it at the end of the shutdown grace")

// shutdown stops srv: it waits for the requests under way for the grace,
// then cancels those still running with stopRequests and waits stopWait
// more for their answers.
func (s *Sandbox) shutdown(srv *http.Server, stopRequests context.CancelCauseFunc) error {
	grace := s.timeouts.shutdownGrace()
	s.log.Info("shutting down", "grace", grace.String())
	stop := time.AfterFunc(grace, func() {
		s.log.Warn("requests still under way at the end of the shutdown grace are canceled: their clients get an error and may send them again once the sandbox is back",
			"grace", grace.String(), "hint", "a clock advance waits for callbacks under way: --callback-timeout bounds each attempt")
		stopRequests(errStopped)
	})
	defer stop.Stop()
	sctx, cancel := context.WithTimeout(context.Background(), grace+stopWait)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		_ = srv.Close()
		return fmt.Errorf("shut the server down: requests still under way %s after they were canceled: %w", stopWait, err)
	}
	return nil
}

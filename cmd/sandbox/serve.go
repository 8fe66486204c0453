package main

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/sync/errgroup"

	"github.com/ecommpay-sandbox/sandbox/platform"
	"github.com/ecommpay-sandbox/sandbox/platform/bolt"
	"github.com/ecommpay-sandbox/sandbox/platform/callback"
	"github.com/ecommpay-sandbox/sandbox/platform/control"
	"github.com/ecommpay-sandbox/sandbox/platform/gate"
	"github.com/ecommpay-sandbox/sandbox/platform/paymentpage"
	"github.com/ecommpay-sandbox/sandbox/providers/cardpartner"
	"github.com/ecommpay-sandbox/sandbox/providers/ecovoucher"
	"github.com/ecommpay-sandbox/sandbox/providers/loterica"
	"github.com/ecommpay-sandbox/sandbox/providers/oxxo"
	"github.com/ecommpay-sandbox/sandbox/providers/rapipago"
	"github.com/ecommpay-sandbox/sandbox/web"
)

// serveOptions are the flags of `sandbox serve`.
type serveOptions struct {
	Addr      string
	Data      string
	Config    string
	PublicURL string
	Seed      uint64
	Freeze    string
	LogFormat string
	LogLevel  string
	// CallbackTimeout bounds each callback and check_deposit request.
	CallbackTimeout time.Duration
}

func serveFlags(o *serveOptions, out io.Writer) (*flag.FlagSet, error) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&o.Addr, "addr", "127.0.0.1:8080", "`address` to listen on; loopback only unless you say otherwise")
	fs.StringVar(&o.Data, "data", "./sandbox-data", "`folder` of the data file (sandbox.db); state survives restarts")
	fs.StringVar(&o.Config, "config", "", "YAML `file` with projects and method settings (see README)")
	fs.StringVar(&o.PublicURL, "public-url", "", "`URL` customers and merchants reach the sandbox at (default http://ADDR)")
	fs.Uint64Var(&o.Seed, "seed", 0, "seed of IDs and voucher numbers, for byte-for-byte repeatable runs (0: random)")
	fs.StringVar(&o.Freeze, "freeze", "", "start with the clock frozen at this RFC 3339 `time` (only when the data has no clock yet)")
	fs.DurationVar(&o.CallbackTimeout, "callback-timeout", callback.DefaultTimeout, "how long (a `duration` such as 10s) a merchant has to answer a callback or a check_deposit request")
	fs.StringVar(&o.LogFormat, "log-format", "text", "log `format`: text or json")
	fs.StringVar(&o.LogLevel, "log-level", "info", "log `level`: debug, info, warn or error")
	return fs, nil
}

func parseServe(args []string, stderr io.Writer) (serveOptions, error) {
	var o serveOptions
	fs, _ := serveFlags(&o, stderr)
	fs.Usage = func() { printUsage(stderr) }
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("serve takes flags only; unexpected %q", fs.Arg(0))
	}
	return o, nil
}

// methods returns the mock providers: one line per payment method.
func methods() []platform.Provider {
	return []platform.Provider{
		oxxo.New(),
		loterica.New(),
		rapipago.New(),
		ecovoucher.New(),
		cardpartner.New(),
	}
}

// pages is a provider with customer-facing pages.
type pages interface {
	Routes(e *echo.Echo, eng *platform.Engine, r *web.Renderer)
}

// app is a wired sandbox: store, engine, dispatcher and HTTP handler.
type app struct {
	store  *bolt.DB
	engine *platform.Engine
	echo   *echo.Echo
	log    *slog.Logger
}

func newLogger(o serveOptions, w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.LogLevel)); err != nil {
		return nil, fmt.Errorf("--log-level %q: use debug, info, warn or error", o.LogLevel)
	}
	hopts := &slog.HandlerOptions{Level: level}
	switch o.LogFormat {
	case "text":
		return slog.New(slog.NewTextHandler(w, hopts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, hopts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: use text or json", o.LogFormat)
}

func randomSource(seed uint64) *rand.ChaCha8 {
	var s [32]byte
	if seed == 0 {
		_, _ = crand.Read(s[:]) // crypto/rand never fails on supported platforms
	} else {
		binary.LittleEndian.PutUint64(s[:], seed)
	}
	return rand.NewChaCha8(s)
}

// newApp opens the store and wires everything; the caller closes the store.
func newApp(ctx context.Context, o serveOptions, log *slog.Logger, wall func() time.Time) (*app, error) {
	provs := methods()
	var ms []platform.Method
	for _, p := range provs {
		ms = append(ms, p.Method())
	}
	cfg, err := loadConfig(o.Config, ms)
	if err != nil {
		return nil, err
	}
	var clock platform.ClockState
	if o.Freeze != "" {
		t, err := time.Parse(time.RFC3339, o.Freeze)
		if err != nil {
			return nil, fmt.Errorf("--freeze %q: write an RFC 3339 time such as 2026-01-02T15:04:05Z", o.Freeze)
		}
		clock = platform.ClockState{Frozen: true, FrozenAt: t.UTC()}
	}
	store, err := bolt.Open(strings.TrimRight(o.Data, "/") + "/sandbox.db")
	if err != nil {
		return nil, err
	}
	eng, err := platform.New(ctx, platform.Config{
		Store: store, Wall: wall, Rand: randomSource(o.Seed), Log: log,
		BaseURL: strings.TrimRight(o.PublicURL, "/"), Settings: cfg.Methods, Clock: clock,
	})
	if err != nil {
		store.Close()
		return nil, err
	}
	for _, p := range provs {
		eng.Register(p)
	}
	for code, ms := range cfg.Methods {
		if err := eng.CheckSettings(code, ms); err != nil {
			store.Close()
			return nil, fmt.Errorf("config file %s: %w", o.Config, err)
		}
	}
	for _, p := range cfg.Projects {
		if err := eng.PutProject(ctx, p); err != nil {
			store.Close()
			return nil, fmt.Errorf("config project %d: %w", p.ID, err)
		}
	}
	dispatcher := callback.New(store, log)
	if o.CallbackTimeout > 0 {
		dispatcher.Timeout = o.CallbackTimeout
	}
	eng.SetDeliverer(dispatcher)
	eng.SetDepositChecker(dispatcher)

	renderer, err := web.New()
	if err != nil {
		store.Close()
		return nil, err
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Use(middleware.Recover())
	e.Use(requestLog(log))
	gate.New(eng).Routes(e)
	paymentpage.New(eng, renderer).Routes(e)
	control.New(eng, renderer).Routes(e)
	for _, p := range provs {
		if pp, ok := p.(pages); ok {
			pp.Routes(e, eng, renderer)
		}
	}
	e.GET("/static/*", echo.WrapHandler(web.StaticHandler()))
	return &app{store: store, engine: eng, echo: e, log: log}, nil
}

// requestLog logs every request with slog.
func requestLog(log *slog.Logger) echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogMethod: true, LogURI: true, LogStatus: true, LogLatency: true, LogError: true, LogRemoteIP: true,
		HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			attrs := []any{"method", v.Method, "uri", v.URI, "status", v.Status, "latency", v.Latency, "remote", v.RemoteIP}
			if v.Error != nil {
				attrs = append(attrs, "err", v.Error)
			}
			log.Info("request", attrs...)
			return nil
		},
	})
}

// serve runs the sandbox until ctx ends, then shuts down gracefully.
func serve(ctx context.Context, o serveOptions, stdout io.Writer) error {
	log, err := newLogger(o, stdout)
	if err != nil {
		return err
	}
	start := time.Now()
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another sandbox running? pick another port with --addr)", o.Addr, err)
	}
	if o.PublicURL == "" {
		o.PublicURL = "http://" + ln.Addr().String()
	}
	a, err := newApp(ctx, o, log, time.Now)
	if err != nil {
		ln.Close()
		return err
	}
	defer a.store.Close()
	return a.run(ctx, ln, func() {
		log.Info("sandbox ready", "url", o.PublicURL, "data", a.store.Path(), "started_in", time.Since(start).String(),
			"demo_project", "project_id 1, secret \"secret\"")
	})
}

// run serves on ln and runs the job loop until ctx ends.
func (a *app) run(ctx context.Context, ln net.Listener, ready func()) error {
	srv := &http.Server{Handler: a.echo, ReadHeaderTimeout: 10 * time.Second}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return a.engine.Run(gctx) })
	g.Go(func() error {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("serve: %w", err)
		}
		return nil
	})
	g.Go(func() error {
		<-gctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		a.log.Info("shutting down")
		return srv.Shutdown(sctx)
	})
	if ready != nil {
		ready()
	}
	return g.Wait()
}

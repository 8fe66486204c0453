package platform

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// The engine, built once from its Config: the store, the clock, the
// registered methods and their providers, the outbox and the job runner.
// What it does lives beside it, a file a job: payments.go, queries.go,
// projects.go, clock.go, jobs.go, outbox.go, events.go, refusals.go.

// Config is what an Engine is made of; New builds it once and nothing is
// added later. Store and Wall are required.
type Config struct {
	Store Store
	// Wall reads the wall clock (time.Now); the sandbox clock adds its offset.
	Wall func() time.Time
	// Seed seeds the sandbox's randomness. Each payment draws from its own
	// stream derived from (Seed, project, payment ID), so what a merchant
	// sees depends only on the seed, the inputs and the clock, never on the
	// order in which payments arrive or run.
	Seed [32]byte
	Log  *slog.Logger
	// BaseURL is where the sandbox serves its pages, for redirect URLs.
	BaseURL string
	// Settings override the methods' defaults for every project.
	Settings map[string]MethodSettings
	// Clock is the clock's state when the store has none yet.
	Clock ClockState
	// Providers are the mock providers, one per payment method, in the
	// order pages list them.
	Providers []Provider
	// Sender signs and posts callbacks; without one every attempt fails
	// with an error that says so.
	Sender Sender
	// Checker sends check_deposit requests; nil declines every deposit as
	// unanswered.
	Checker DepositChecker
	// SendsPerMerchant bounds the callbacks sent at once to one merchant
	// host (default 64), so that a merchant who does not answer holds only
	// its own callbacks back.
	SendsPerMerchant int
	// StopGrace is how long a stopping engine lets the callbacks under way
	// finish before it cuts them short: 0 is DefaultStopGrace; a negative
	// one cuts them at once (a test's sandbox, whose merchant is gone).
	StopGrace time.Duration
}

// Engine moves payments through their states. It is safe for concurrent use.
type Engine struct {
	store    Store
	clock    *Clock
	seed     [32]byte
	global   *lockedReader // randomness tied to no payment
	log      *slog.Logger
	baseURL  string
	settings map[string]MethodSettings
	checker  DepositChecker

	providers map[string]Provider
	methods   []Method // in the order of Config.Providers

	outbox   *outbox
	events   *broker
	projects projectCache // what Project read
	refusals refusals     // the last Gate requests refused

	wake  chan struct{}
	runMu sync.Mutex // one job runner at a time: Run's loop, RunDue, Advance, SetClock
}

// New returns an engine over cfg.Store, with its clock restored from the
// store (or cfg.Clock the first time) and the demo project in place.
func New(ctx context.Context, cfg Config) (*Engine, error) {
	if cfg.Store == nil || cfg.Wall == nil {
		return nil, errors.New("platform: Config needs a Store and a Wall clock")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if err := CheckClockState(cfg.Clock); err != nil {
		return nil, err
	}
	e := &Engine{
		store:     cfg.Store,
		clock:     NewClock(cfg.Wall, cfg.Clock),
		seed:      cfg.Seed,
		global:    &lockedReader{r: rand.NewChaCha8(cfg.Seed)},
		log:       cfg.Log,
		baseURL:   cfg.BaseURL,
		settings:  cfg.Settings,
		checker:   cfg.Checker,
		providers: make(map[string]Provider, len(cfg.Providers)),
		events:    newBroker(),
		wake:      make(chan struct{}, 1),
	}
	for _, p := range cfg.Providers {
		m := p.Method()
		if _, dup := e.providers[m.Code]; dup {
			return nil, fmt.Errorf("platform: two providers for method %q", m.Code)
		}
		_, m.Refunds = p.(Refunder)
		if m.Refunds != (m.RefundPath != "") {
			return nil, fmt.Errorf("platform: method %q: a provider that refunds (a Refunder) needs a RefundPath, and only such a provider may have one", m.Code)
		}
		if err := checkExampleSale(m); err != nil {
			return nil, err
		}
		e.providers[m.Code] = p
		e.methods = append(e.methods, m)
	}
	e.outbox = newOutbox(e, cfg.Sender, cfg.SendsPerMerchant, cfg.StopGrace)
	err := e.store.Update(ctx, func(tx Tx) error {
		st, err := tx.ClockState()
		switch {
		case errors.Is(err, ErrNotFound):
			if err := tx.PutClockState(cfg.Clock); err != nil {
				return err
			}
			e.clock.restore(cfg.Clock)
		case err != nil:
			return err
		default:
			e.clock.restore(st)
		}
		if _, err := tx.Project(DemoProject().ID); errors.Is(err, ErrNotFound) {
			return tx.PutProject(DemoProject())
		} else if err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("open engine: %w", err)
	}
	if now := e.clock.Now(); CheckTime(now) != nil {
		e.log.Warn("the stored sandbox clock is outside what the sandbox can hold; set it back with POST /sandbox/clock/set",
			"now", now.Format(time.RFC3339), "from", MinTime.Format(time.RFC3339), "to", MaxTime.Format(time.RFC3339))
	}
	// Callbacks a stop left under way go again at their due times. This
	// is done here, before the engine serves anything: Run starts beside
	// the first requests, and there it put back the lease a sale had just
	// taken, so that the sale's callback went twice.
	err = func() (err error) {
		defer recovered(&err, "putting back leases")
		return e.store.Update(ctx, func(tx Tx) error { return releaseLeases(tx, e.clock.Now()) })
	}()
	if err != nil {
		e.log.Error("put back callbacks a stop left under way", "err", err)
	}
	return e, nil
}

// BaseURL returns where the sandbox serves its pages.
func (e *Engine) BaseURL() string { return e.baseURL }

// Clock returns the sandbox clock.
func (e *Engine) Clock() *Clock { return e.clock }

// Methods returns every method, in the order of Config.Providers.
func (e *Engine) Methods() []Method { return slices.Clone(e.methods) }

// Method returns the method with code, or false.
func (e *Engine) Method(code string) (Method, bool) {
	i := slices.IndexFunc(e.methods, func(m Method) bool { return m.Code == code })
	if i < 0 {
		return Method{}, false
	}
	return e.methods[i], true
}

// MethodByForceCode returns the method a force_payment_method value selects.
func (e *Engine) MethodByForceCode(code string) (Method, bool) {
	for _, m := range e.methods {
		if slices.Contains(m.ForceCodes, code) {
			return m, true
		}
	}
	return Method{}, false
}

// Settings returns the settings of method for project: the project's own,
// then the sandbox's, then the method's defaults.
func (e *Engine) Settings(project Project, method Method) MethodSettings {
	return project.Methods[method.Code].Merge(e.settings[method.Code]).Merge(method.Defaults)
}

// Takes reports whether method m takes a sale of sum in project: the
// currency, the amount limits of the project's settings and whole units
// (CheckAmount), and the provider's own amount rules (AmountChecker). The
// Payment Page offers only the methods that take the payment; a sale that
// does not fit is still declined as the seeds show.
func (e *Engine) Takes(project Project, m Method, sum Sum) bool {
	s := e.Settings(project, m)
	if _, declined := CheckAmount(m, s, sum); declined {
		return false
	}
	if c, ok := e.providers[m.Code].(AmountChecker); ok {
		if _, declined := c.CheckAmount(sum, s); declined {
			return false
		}
	}
	return true
}

// NewID returns n random bytes as lowercase hex from the sandbox's stream
// that belongs to no payment. Seeded runs repeat it only when requests
// arrive in the same order; a payment's own IDs come from its stream.
func (e *Engine) NewID(n int) string {
	return hex.EncodeToString(readN(e.global, n))
}

func (e *Engine) methodList() string {
	codes := make([]string, len(e.methods))
	for i, m := range e.methods {
		codes[i] = m.Code
	}
	return fmt.Sprint(codes)
}

// poke wakes the job runner: something may be due now.
func (e *Engine) poke() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

type lockedReader struct {
	mu sync.Mutex
	r  io.Reader
}

func (l *lockedReader) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return io.ReadFull(l.r, p)
}

// readN reads n bytes from r, a seeded PRNG that never fails.
func readN(r io.Reader, n int) []byte {
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		panic(fmt.Sprintf("platform: read random source: %v", err))
	}
	return b
}

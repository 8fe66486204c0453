package platform

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"
)

// operationIDBase makes operation IDs look like ecommpay's: large positive
// integers, unique in the sandbox, well inside JavaScript's safe range.
const operationIDBase = 1_000_000_000

// Deliverer runs deliver jobs: one attempt to deliver a message, recorded
// with its outcome, and the retry or the next message it leads to.
// platform/callback implements it.
type Deliverer interface {
	Deliver(ctx context.Context, job Job, now time.Time) error
}

// Config is what an Engine is made of. Store and Wall are required.
type Config struct {
	Store Store
	// Wall reads the wall clock (time.Now); the sandbox clock adds its offset.
	Wall func() time.Time
	// Rand is the source of IDs and references; seed it for repeatable runs.
	Rand io.Reader
	Log  *slog.Logger
	// BaseURL is where the sandbox serves its pages, for redirect URLs.
	BaseURL string
	// Settings override the methods' defaults for every project.
	Settings map[string]MethodSettings
	// Clock is the clock's state when the store has none yet.
	Clock ClockState
	// Workers bounds how many payments' jobs run at once (default 16).
	Workers int
}

// Engine moves payments through their states. It is safe for concurrent use.
type Engine struct {
	store     Store
	clock     *Clock
	rand      *lockedReader
	log       *slog.Logger
	baseURL   string
	settings  map[string]MethodSettings
	workers   int
	deliverer Deliverer
	checker   DepositChecker

	providers map[string]Provider
	methods   []Method // in registration order

	wake  chan struct{}
	runMu sync.Mutex // one job runner at a time: Run's loop, RunDue, Advance
}

// New returns an engine over cfg.Store, with its clock restored from the
// store (or cfg.Clock the first time) and the demo project in place.
func New(ctx context.Context, cfg Config) (*Engine, error) {
	if cfg.Store == nil || cfg.Wall == nil {
		return nil, errors.New("platform: Config needs a Store and a Wall clock")
	}
	if cfg.Rand == nil {
		return nil, errors.New("platform: Config needs a Rand source")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 16
	}
	e := &Engine{
		store:     cfg.Store,
		clock:     NewClock(cfg.Wall, cfg.Clock),
		rand:      &lockedReader{r: cfg.Rand},
		log:       cfg.Log,
		baseURL:   cfg.BaseURL,
		settings:  cfg.Settings,
		workers:   cfg.Workers,
		providers: make(map[string]Provider),
		wake:      make(chan struct{}, 1),
	}
	err := e.store.Update(ctx, func(tx Tx) error {
		st, err := tx.ClockState()
		switch {
		case errors.Is(err, ErrNotFound):
			if err := tx.PutClockState(cfg.Clock); err != nil {
				return err
			}
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
	return e, nil
}

// Register adds a provider. Call it before serving.
func (e *Engine) Register(p Provider) {
	m := p.Method()
	e.providers[m.Code] = p
	e.methods = append(e.methods, m)
}

// SetDeliverer sets who delivers callbacks. Call it before serving.
func (e *Engine) SetDeliverer(d Deliverer) { e.deliverer = d }

// SetDepositChecker sets who sends check_deposit requests.
func (e *Engine) SetDepositChecker(c DepositChecker) { e.checker = c }

// BaseURL returns where the sandbox serves its pages.
func (e *Engine) BaseURL() string { return e.baseURL }

// Clock returns the sandbox clock.
func (e *Engine) Clock() *Clock { return e.clock }

// Store returns the engine's store, for adapters that only read.
func (e *Engine) Store() Store { return e.store }

// Methods returns every registered method, in registration order.
func (e *Engine) Methods() []Method { return slices.Clone(e.methods) }

// Method returns the method with code, or false.
func (e *Engine) Method(code string) (Method, bool) {
	p, ok := e.providers[code]
	if !ok {
		return Method{}, false
	}
	return p.Method(), true
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

// NewID returns n random bytes as lowercase hex, from the sandbox's source.
func (e *Engine) NewID(n int) string {
	b := make([]byte, n)
	if _, err := io.ReadFull(e.rand, b); err != nil {
		// The source is a seeded PRNG or crypto/rand; neither fails.
		panic(fmt.Sprintf("platform: read random source: %v", err))
	}
	return hex.EncodeToString(b)
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

// poke wakes the job runner: something may be due now.
func (e *Engine) poke() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// SaleRequest is a merchant's request to start a payment, from the Gate or
// the Payment Page, after its signature and required fields were checked.
type SaleRequest struct {
	ProjectID   int64
	PaymentID   string
	Method      string // Method.Code
	Interface   Interface
	Amount      Sum
	Description string
	Customer    Customer
	ReturnURLs  ReturnURLs
	Callback    CallbackOptions
	Language    string
	PageOptions map[string]string
}

// Sale stores a new payment in status processing and schedules its
// processing at once. It answers 2442 for an unknown project, 2541 for an
// unknown method and 3041 for a payment ID already used in the project.
func (e *Engine) Sale(ctx context.Context, req SaleRequest) (*Payment, error) {
	prov, ok := e.providers[req.Method]
	if !ok {
		return nil, Errorf(CodeUnknownMethod, "the sandbox emulates %s; %q is not one of them", e.methodList(), req.Method)
	}
	now := e.clock.Now()
	p := &Payment{
		ProjectID:   req.ProjectID,
		ID:          req.PaymentID,
		Method:      prov.Method().Code,
		Interface:   req.Interface,
		Status:      StatusProcessing,
		Amount:      req.Amount,
		Sum:         req.Amount,
		Description: req.Description,
		Customer:    req.Customer,
		ReturnURLs:  req.ReturnURLs,
		Callback:    req.Callback,
		Language:    req.Language,
		PageOptions: req.PageOptions,
		CreatedAt:   now,
		UpdatedAt:   now,
	}
	requestID := e.NewID(10)
	err := e.store.Update(ctx, func(tx Tx) error {
		if _, err := tx.Project(req.ProjectID); err != nil {
			return projectError(req.ProjectID, err)
		}
		id, err := tx.NextID("operations")
		if err != nil {
			return err
		}
		p.Operations = []Operation{{
			ID:        operationIDBase + int64(id),
			Type:      OperationSale,
			Status:    StatusProcessing,
			RequestID: requestID,
			Sum:       req.Amount,
			Converted: req.Amount,
			CreatedAt: now,
			UpdatedAt: now,
		}}
		if err := tx.CreatePayment(p); err != nil {
			if errors.Is(err, ErrExists) {
				return Errorf(CodePaymentExists, "payment_id %q was already used in project %d; send a new payment_id for every payment", req.PaymentID, req.ProjectID)
			}
			return err
		}
		return e.schedule(tx, Job{Kind: JobProcess, Due: now, Payment: p.Key()})
	})
	if err != nil {
		return nil, fmt.Errorf("sale %d/%s: %w", req.ProjectID, req.PaymentID, err)
	}
	e.poke()
	e.log.Info("payment accepted", "project_id", p.ProjectID, "payment_id", p.ID, "method", p.Method, "interface", p.Interface, "amount", p.Amount.String())
	return p, nil
}

func (e *Engine) methodList() string {
	codes := make([]string, len(e.methods))
	for i, m := range e.methods {
		codes[i] = m.Code
	}
	return fmt.Sprint(codes)
}

func projectError(id int64, err error) error {
	if errors.Is(err, ErrNotFound) {
		return Errorf(CodeProjectNotFound, "project %d does not exist in this sandbox; create it with POST /sandbox/projects or the config file", id)
	}
	return err
}

func paymentError(k PaymentKey, err error) error {
	if errors.Is(err, ErrNotFound) {
		return Errorf(CodeNotFound, "project %d has no payment %q", k.ProjectID, k.PaymentID)
	}
	return err
}

// Project returns a project, or a 2442 error.
func (e *Engine) Project(ctx context.Context, id int64) (Project, error) {
	var p Project
	err := e.store.View(ctx, func(tx Tx) error {
		var err error
		p, err = tx.Project(id)
		return projectError(id, err)
	})
	return p, err
}

// Projects returns every project.
func (e *Engine) Projects(ctx context.Context) ([]Project, error) {
	var ps []Project
	err := e.store.View(ctx, func(tx Tx) (err error) {
		ps, err = tx.Projects()
		return err
	})
	return ps, err
}

// CheckSettings checks settings of the method with code.
func (e *Engine) CheckSettings(code string, s MethodSettings) error {
	prov, ok := e.providers[code]
	if !ok {
		return Errorf(CodeInvalidRequest, "there is no method %q; the methods are %s", code, e.methodList())
	}
	if c, ok := prov.(SettingsChecker); ok {
		if err := c.CheckSettings(s); err != nil {
			return Errorf(CodeInvalidRequest, "methods.%s: %v", code, err)
		}
	}
	return nil
}

// PutProject creates or replaces a project after checking it and its
// method settings.
func (e *Engine) PutProject(ctx context.Context, p Project) error {
	if err := ValidateProject(p); err != nil {
		return err
	}
	for code, s := range p.Methods {
		if err := e.CheckSettings(code, s); err != nil {
			return err
		}
	}
	return e.store.Update(ctx, func(tx Tx) error { return tx.PutProject(p) })
}

// Payment returns a payment, or a 3061 error.
func (e *Engine) Payment(ctx context.Context, k PaymentKey) (*Payment, error) {
	var p *Payment
	err := e.store.View(ctx, func(tx Tx) error {
		var err error
		p, err = tx.Payment(k)
		return paymentError(k, err)
	})
	return p, err
}

// PaymentView is a payment with everything that hangs off it.
type PaymentView struct {
	Payment    *Payment
	Project    Project
	Deliveries []*Delivery
	Jobs       []Job
}

// PaymentWhole returns a payment with its deliveries and pending jobs.
func (e *Engine) PaymentWhole(ctx context.Context, k PaymentKey) (PaymentView, error) {
	var v PaymentView
	err := e.store.View(ctx, func(tx Tx) error {
		var err error
		if v.Payment, err = tx.Payment(k); err != nil {
			return paymentError(k, err)
		}
		if v.Project, err = tx.Project(k.ProjectID); err != nil {
			return projectError(k.ProjectID, err)
		}
		if v.Deliveries, err = tx.Deliveries(DeliveryFilter{ProjectID: k.ProjectID, PaymentID: k.PaymentID}); err != nil {
			return err
		}
		v.Jobs, err = tx.Jobs(k)
		return err
	})
	return v, err
}

// Payments lists payments, newest first.
func (e *Engine) Payments(ctx context.Context, f PaymentFilter) ([]*Payment, error) {
	var ps []*Payment
	err := e.store.View(ctx, func(tx Tx) (err error) {
		ps, err = tx.Payments(f)
		return err
	})
	return ps, err
}

// Deliveries lists deliveries, oldest first.
func (e *Engine) Deliveries(ctx context.Context, f DeliveryFilter) ([]*Delivery, error) {
	var ds []*Delivery
	err := e.store.View(ctx, func(tx Tx) (err error) {
		ds, err = tx.Deliveries(f)
		return err
	})
	return ds, err
}

// PaymentByReference finds the payment a provider reference belongs to.
func (e *Engine) PaymentByReference(ctx context.Context, method, ref string) (*Payment, error) {
	var p *Payment
	err := e.store.View(ctx, func(tx Tx) error {
		k, err := tx.PaymentByReference(method, ref)
		if errors.Is(err, ErrNotFound) {
			return Errorf(CodeNotFound, "no %s payment has the reference %q; check the number", method, ref)
		} else if err != nil {
			return err
		}
		p, err = tx.Payment(k)
		return paymentError(k, err)
	})
	return p, err
}

// Pay is the customer paying at the provider: a terminal, a bank, a wallet or
// a card page, as in.Channel and the method say.
func (e *Engine) Pay(ctx context.Context, k PaymentKey, in PayInput) (*Payment, error) {
	return e.act(ctx, k, "pay", func(p *Payment, prov Provider, env Env) (Step, error) {
		return prov.Pay(p, in, env)
	})
}

// Fail is the provider declining the payment; code 0 means General decline.
func (e *Engine) Fail(ctx context.Context, k PaymentKey, code int) (*Payment, error) {
	if code == 0 {
		code = DeclineGeneral
	}
	if CodeMessage(code) == "" || code < 20000 {
		return nil, Errorf(CodeInvalidRequest, "decline code %d is not one the sandbox knows; use 20000 (General decline) or 20105 (Insufficient funds)", code)
	}
	return e.act(ctx, k, "fail", func(p *Payment, prov Provider, env Env) (Step, error) {
		return prov.Fail(p, code, env)
	})
}

// Expire lapses what the customer has not finished, now.
func (e *Engine) Expire(ctx context.Context, k PaymentKey) (*Payment, error) {
	return e.act(ctx, k, "expire", func(p *Payment, prov Provider, env Env) (Step, error) {
		return prov.Expire(p, env)
	})
}

// act applies a customer or provider action to a payment that is not final.
func (e *Engine) act(ctx context.Context, k PaymentKey, what string, fn func(*Payment, Provider, Env) (Step, error)) (*Payment, error) {
	var confirm bool
	p, err := e.update(ctx, k, func(p *Payment, prov Provider, env Env) (Step, error) {
		if last := p.Last(); last == nil || last.Status.Final() {
			return Step{}, Errorf(CodeStatusForbids, "payment %s is %s: there is nothing left to %s", k, p.Status, what)
		}
		s, err := fn(p, prov, env)
		confirm = s.Confirm
		return s, err
	})
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", what, k, err)
	}
	if confirm {
		if p, err = e.confirm(ctx, p); err != nil {
			return nil, fmt.Errorf("%s %s: %w", what, k, err)
		}
	}
	return p, nil
}

// confirm asks the merchant to confirm a payment's amount (check_deposit),
// records the request in the delivery log and lets the provider decide. The
// request is made outside any transaction; the customer waits for it.
func (e *Engine) confirm(ctx context.Context, p *Payment) (*Payment, error) {
	project, err := e.Project(ctx, p.ProjectID)
	if err != nil {
		return nil, err
	}
	body, err := marshalMessage(checkDeposit{
		Type: "check_deposit", ProjectID: p.ProjectID, PaymentID: p.ID, CustomerID: p.Customer.ID,
		Amount: p.Amount.Amount, Currency: p.Amount.Currency, PaymentMethod: e.methodName(p),
	})
	if err != nil {
		return nil, fmt.Errorf("check_deposit body: %w", err)
	}
	var (
		attempt Attempt
		answer  DepositAnswer
	)
	now := e.clock.Now()
	if e.checker == nil {
		answer = DepositAnswer{Code: DeclineMerchantNoAnswer, Reason: "the sandbox has no check_deposit client"}
	} else {
		attempt, answer = e.checker.CheckDeposit(ctx, now, project, body)
	}
	e.log.Info("check_deposit", "project_id", p.ProjectID, "payment_id", p.ID, "confirmed", answer.Confirmed, "reason", answer.Reason)
	return e.update(ctx, p.Key(), func(q *Payment, prov Provider, env Env) (Step, error) {
		c, ok := prov.(Confirmer)
		if !ok {
			return Step{}, fmt.Errorf("%s asked for a check_deposit but cannot take the answer", prov.Method().Name)
		}
		if err := e.recordDeposit(env.tx, q, project, body, attempt, answer, now); err != nil {
			return Step{}, err
		}
		if last := q.Last(); last == nil || last.Status != StatusProcessing {
			// The deposit timed out meanwhile: the answer is kept in the
			// log but changes nothing.
			return Step{}, nil
		}
		return c.Confirmed(q, answer, env)
	})
}

// checkDeposit is the check_deposit request of SPEC.md §6.2.
type checkDeposit struct {
	Type          string `json:"type"`
	ProjectID     int64  `json:"project_id"`
	PaymentID     string `json:"payment_id"`
	CustomerID    string `json:"customer_id"`
	Amount        int64  `json:"amount"`
	Currency      string `json:"currency"`
	PaymentMethod string `json:"payment_method"`
}

// recordDeposit keeps a check_deposit request and its one attempt in the
// delivery log.
func (e *Engine) recordDeposit(tx Tx, p *Payment, project Project, body []byte, a Attempt, ans DepositAnswer, now time.Time) error {
	id, err := tx.NextID("deliveries")
	if err != nil {
		return err
	}
	d := &Delivery{ID: id, Kind: DeliveryCheckDeposit, ProjectID: p.ProjectID, PaymentID: p.ID,
		URL: project.CheckDepositURL, Body: body, CreatedAt: now, Status: DeliveryDelivered, Attempts: []Attempt{}}
	if !ans.Confirmed {
		d.Status = DeliveryFailed
	}
	if !a.At.IsZero() {
		d.Attempts = append(d.Attempts, a)
	}
	return tx.PutDelivery(d)
}

// RefundRequest is what a refund request may say of the amount; both are
// optional, and what is given must match the payment: partial refunds are
// refused (3283, 3284).
type RefundRequest struct {
	Amount   *int64
	Currency string
}

// Refund starts a full refund of a successful payment.
func (e *Engine) Refund(ctx context.Context, k PaymentKey, req RefundRequest) (*Payment, error) {
	now := e.clock.Now()
	requestID := e.NewID(10)
	var p *Payment
	err := e.store.Update(ctx, func(tx Tx) error {
		var err error
		if p, err = tx.Payment(k); err != nil {
			return paymentError(k, err)
		}
		prov := e.providers[p.Method]
		if _, ok := prov.(Refunder); !ok {
			return Errorf(CodeStatusForbids, "%s payments cannot be refunded", prov.Method().Name)
		}
		if r := p.Refund(); r == nil && p.Status != StatusSuccess {
			return Errorf(CodeStatusForbids, "payment %s is %s; only a successful payment can be refunded", k, p.Status)
		}
		if r := p.Refund(); r != nil {
			return Errorf(CodeStatusForbids, "payment %s already had its one refund (operation %d, %s)", k, r.ID, r.Status)
		}
		if req.Currency != "" && req.Currency != p.Sum.Currency {
			return &Error{Code: CodeRefundCurrencyMismatch, Message: CodeMessage(CodeRefundCurrencyMismatch),
				Detail: fmt.Sprintf("the payment is in %s, the refund asks for %s", p.Sum.Currency, req.Currency),
				Fields: []FieldError{{Code: CodeRefundCurrencyMismatch, Field: "payment.currency", Message: "must be " + p.Sum.Currency}}}
		}
		if req.Amount != nil && *req.Amount != p.Sum.Amount {
			return &Error{Code: CodeRefundAmountMismatch, Message: CodeMessage(CodeRefundAmountMismatch),
				Detail: fmt.Sprintf("the payment captured %d, the refund asks for %d; only full refunds are supported", p.Sum.Amount, *req.Amount),
				Fields: []FieldError{{Code: CodeRefundAmountMismatch, Field: "payment.amount", Message: "must be " + strconv.FormatInt(p.Sum.Amount, 10)}}}
		}
		id, err := tx.NextID("operations")
		if err != nil {
			return err
		}
		p.Operations = append(p.Operations, Operation{
			ID:        operationIDBase + int64(id),
			Type:      OperationRefund,
			Status:    StatusProcessing,
			RequestID: requestID,
			Sum:       p.Sum,
			Converted: p.Sum,
			CreatedAt: now,
			UpdatedAt: now,
		})
		p.UpdatedAt = now
		if err := tx.PutPayment(p); err != nil {
			return err
		}
		return e.schedule(tx, Job{Kind: JobProcess, Due: now, Payment: k})
	})
	if err != nil {
		return nil, fmt.Errorf("refund %s: %w", k, err)
	}
	e.poke()
	return p, nil
}

// Clarify adds the fields a payment in awaiting clarification lacked and lets
// the provider go on. It answers 2004 naming what is still missing.
func (e *Engine) Clarify(ctx context.Context, k PaymentKey, c Customer) (*Payment, error) {
	p, err := e.update(ctx, k, func(p *Payment, prov Provider, env Env) (Step, error) {
		if p.Status != StatusAwaitingClarification {
			return Step{}, Errorf(CodeStatusForbids, "payment %s is %s, not %s", k, p.Status, StatusAwaitingClarification)
		}
		cl, ok := prov.(Clarifier)
		if !ok {
			return Step{}, Errorf(CodeStatusForbids, "%s payments are never clarified", prov.Method().Name)
		}
		if c.Phone != "" {
			p.Customer.Phone = c.Phone
		}
		if c.Email != "" {
			p.Customer.Email = c.Email
		}
		if c.FirstName != "" {
			p.Customer.FirstName = c.FirstName
		}
		if c.LastName != "" {
			p.Customer.LastName = c.LastName
		}
		return cl.Clarify(p, env)
	})
	if err != nil {
		return nil, fmt.Errorf("clarify %s: %w", k, err)
	}
	return p, nil
}

// stepFunc decides a payment's next step inside a transaction.
type stepFunc func(p *Payment, prov Provider, env Env) (Step, error)

// update lets fn decide a payment's next step now: see updateAt.
func (e *Engine) update(ctx context.Context, k PaymentKey, fn stepFunc) (*Payment, error) {
	return e.updateAt(ctx, k, nil, e.clock.Now(), fn)
}

// updateAt loads a payment, lets fn decide at now, applies the step with the
// callback and jobs it implies, and deletes job (when given), all in one
// transaction.
func (e *Engine) updateAt(ctx context.Context, k PaymentKey, job *Job, now time.Time, fn stepFunc) (*Payment, error) {
	var out *Payment
	err := e.store.Update(ctx, func(tx Tx) error {
		if job != nil {
			if err := tx.DeleteJob(*job); err != nil {
				return err
			}
		}
		p, err := tx.Payment(k)
		if err != nil {
			return paymentError(k, err)
		}
		project, err := tx.Project(k.ProjectID)
		if err != nil {
			return projectError(k.ProjectID, err)
		}
		prov, ok := e.providers[p.Method]
		if !ok {
			return fmt.Errorf("payment %s: no provider for method %q", k, p.Method)
		}
		env := Env{Now: now, Rand: e.rand, Settings: e.Settings(project, prov.Method()), BaseURL: e.baseURL, Project: project, tx: tx}
		step, err := fn(p, prov, env)
		if err != nil {
			return err
		}
		if err := e.apply(tx, project, p, step, now); err != nil {
			return err
		}
		out = p
		return nil
	})
	if err != nil {
		return nil, err
	}
	e.poke()
	return out, nil
}

// apply writes a provider's step into the payment and its current
// operation, emits the callback it implies and schedules its jobs.
func (e *Engine) apply(tx Tx, project Project, p *Payment, s Step, now time.Time) error {
	op := p.Last()
	if s.Amount != nil {
		p.Amount, p.Sum = *s.Amount, *s.Amount
		op.Sum, op.Converted = *s.Amount, *s.Amount
	}
	if s.Converted != nil {
		op.Converted = *s.Converted
	}
	if s.ProviderPaymentID != "" {
		op.ProviderPaymentID = s.ProviderPaymentID
	}
	if s.AuthCode != "" {
		op.AuthCode = s.AuthCode
	}
	if s.Redirect != nil {
		p.Redirect = s.Redirect
	}
	if s.Voucher != nil {
		p.Voucher = s.Voucher
	}
	if s.Data != nil {
		p.ProviderData = s.Data
	}
	if s.Clarification != nil {
		p.Clarification = s.Clarification
	}
	for _, ref := range s.References {
		switch k, err := tx.PaymentByReference(p.Method, ref); {
		case err == nil && k != p.Key():
			return Errorf(CodeStatusForbids, "%s %q already belongs to payment %s", p.Method, ref, k)
		case err != nil && !errors.Is(err, ErrNotFound):
			return err
		}
		if err := tx.PutReference(p.Method, ref, p.Key()); err != nil {
			return err
		}
	}
	for _, ref := range s.Release {
		if k, err := tx.PaymentByReference(p.Method, ref); err == nil && k == p.Key() {
			if err := tx.DeleteReference(p.Method, ref); err != nil {
				return err
			}
		}
	}
	for _, j := range s.Jobs {
		if err := e.schedule(tx, Job{Kind: JobProvider, Name: j.Name, Due: j.Due, Payment: p.Key()}); err != nil {
			return err
		}
	}
	changed := s.Status != "" && s.Status != op.Status
	if changed {
		op.Status = s.Status
		op.UpdatedAt = now
		op.ProviderDate = now
		op.Code, op.Message, op.Errors = outcome(s)
		switch {
		case op.Type == OperationSale:
			p.Status = s.Status
		case op.Type == OperationRefund && s.Status == StatusSuccess:
			p.Status = StatusRefunded
			p.Sum.Amount = 0
		}
		if s.Status != StatusAwaitingClarification {
			p.Clarification = nil
		}
		if s.Status.Final() {
			p.Redirect = nil
		}
	}
	p.UpdatedAt = now
	if err := tx.PutPayment(p); err != nil {
		return err
	}
	notify := changed && (s.Status.Final() || (s.Notify && p.Interface == InterfaceGate))
	if !notify {
		return nil
	}
	body, err := e.callbackBody(p, op)
	if err != nil {
		return err
	}
	return e.enqueue(tx, project, p, DeliveryCallback, body, now)
}

// outcome returns operation code, message and errors for a step.
func outcome(s Step) (code, message string, errs []OperationError) {
	switch s.Status {
	case StatusSuccess:
		return "0", "Success", nil
	case StatusDecline:
		c := s.Code
		if c == 0 {
			c = DeclineGeneral
		}
		m := s.Message
		if m == "" {
			m = CodeMessage(c)
		}
		return strconv.Itoa(c), m, s.Errors
	case StatusAwaitingRedirect:
		return "0", "Awaiting redirect result", nil
	case StatusAwaitingClarification:
		return "0", "Awaiting clarification", nil
	}
	return "", "", nil
}

// schedule stores a job with a fresh ID.
func (e *Engine) schedule(tx Tx, j Job) error {
	id, err := tx.NextID("jobs")
	if err != nil {
		return err
	}
	j.ID = id
	return tx.PutJob(j)
}

// enqueue puts a callback into the outbox of its payment. Callbacks of one
// payment go out in order: a new one waits while an earlier one is pending.
func (e *Engine) enqueue(tx Tx, project Project, p *Payment, kind DeliveryKind, body []byte, now time.Time) error {
	id, err := tx.NextID("deliveries")
	if err != nil {
		return err
	}
	d := &Delivery{
		ID: id, Kind: kind, ProjectID: p.ProjectID, PaymentID: p.ID,
		URL: p.Callback.URL, Body: body, CreatedAt: now, Attempts: []Attempt{},
	}
	if d.URL == "" {
		d.URL = project.CallbackURL
	}
	switch {
	case p.Callback.Disabled:
		d.Status = DeliverySuppressed
	case d.URL == "":
		d.Status = DeliveryNoURL
	default:
		d.Status = DeliveryPending
		d.NotBefore = now.Add(p.Callback.Delay)
	}
	if err := tx.PutDelivery(d); err != nil {
		return err
	}
	if d.Status != DeliveryPending {
		return nil
	}
	return ScheduleNextDelivery(tx, p.Key(), now)
}

// ScheduleNextDelivery gives the first pending delivery of a payment its
// deliver job, unless it already has one: this is what keeps a payment's
// callbacks in order. The dispatcher calls it when a delivery ends.
func ScheduleNextDelivery(tx Tx, k PaymentKey, now time.Time) error {
	ds, err := tx.Deliveries(DeliveryFilter{ProjectID: k.ProjectID, PaymentID: k.PaymentID, Status: DeliveryPending})
	if err != nil {
		return err
	}
	if len(ds) == 0 {
		return nil
	}
	head := ds[0]
	if !head.NextAttempt.IsZero() {
		return nil // already scheduled
	}
	due := now
	if head.NotBefore.After(due) {
		due = head.NotBefore
	}
	head.NextAttempt = due
	if err := tx.PutDelivery(head); err != nil {
		return err
	}
	id, err := tx.NextID("jobs")
	if err != nil {
		return err
	}
	return tx.PutJob(Job{ID: id, Kind: JobDeliver, Due: due, Payment: k, DeliveryID: head.ID})
}

// Resend delivers a message again by hand, now, whatever its status.
func (e *Engine) Resend(ctx context.Context, id uint64) (*Delivery, error) {
	now := e.clock.Now()
	var d *Delivery
	err := e.store.Update(ctx, func(tx Tx) error {
		var err error
		if d, err = tx.Delivery(id); err != nil {
			if errors.Is(err, ErrNotFound) {
				return Errorf(CodeNotFound, "there is no delivery %d; list them with GET /sandbox/deliveries", id)
			}
			return err
		}
		if d.Kind != DeliveryCallback {
			return Errorf(CodeStatusForbids, "delivery %d is a %s request, which is made while the customer waits and cannot be resent", id, d.Kind)
		}
		project, err := tx.Project(d.ProjectID)
		if err != nil {
			return projectError(d.ProjectID, err)
		}
		if d.URL == "" {
			d.URL = project.CallbackURL
		}
		if d.URL == "" {
			return Errorf(CodeStatusForbids, "project %d has no callback URL: set one with POST /sandbox/projects, then resend", d.ProjectID)
		}
		d.Status = DeliveryPending
		d.NextAttempt = now
		d.NotBefore = now
		if err := tx.PutDelivery(d); err != nil {
			return err
		}
		jid, err := tx.NextID("jobs")
		if err != nil {
			return err
		}
		return tx.PutJob(Job{ID: jid, Kind: JobDeliver, Due: now, Payment: d.Key(), DeliveryID: d.ID})
	})
	if err != nil {
		return nil, fmt.Errorf("resend delivery %d: %w", id, err)
	}
	e.poke()
	return d, nil
}

// Reset deletes every payment, delivery and job; projects and the clock stay.
func (e *Engine) Reset(ctx context.Context) error {
	e.runMu.Lock()
	defer e.runMu.Unlock()
	return e.store.Update(ctx, func(tx Tx) error { return tx.Reset() })
}

package platform

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"time"
	"unicode/utf8"
)

// The engine's write side for payments: a sale, what the customer and the
// provider do to it (pay, fail, expire, confirm), refunds and clarification,
// each a step of the provider applied in one Update with the callbacks and
// jobs it causes.

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

// processError marks a failure of the provider while it processed an
// accepted request: the request is stored anyway and its processing is left
// to a job, so that the merchant's request is never refused for it.
type processError struct{ err error }

func (p processError) Error() string { return "process: " + p.err.Error() }
func (p processError) Unwrap() error { return p.err }

// Sale stores a new payment and processes it at once, in one transaction:
// the checks every method shares (currency, limits), the provider's start
// (a voucher, a redirect) and the callback that follows. It answers 2442 for
// an unknown project, 2541 for an unknown method and 3041 for a payment ID
// already used in the project. Should the provider fail, the payment is
// stored in status processing with a job that processes it later.
func (e *Engine) Sale(ctx context.Context, req SaleRequest) (*Payment, error) {
	if n := utf8.RuneCountInString(req.PaymentID); n == 0 || n > MaxIDLength {
		return nil, &Error{Code: CodeInvalidJSON, Message: CodeMessage(CodeInvalidJSON),
			Detail: fmt.Sprintf("payment_id has %d characters; it must have 1 to %d", n, MaxIDLength),
			Fields: []FieldError{{Code: CodeInvalidJSON, Field: "general.payment_id", Message: fmt.Sprintf("must have 1 to %d characters", MaxIDLength)}}}
	}
	if req.Amount.Amount > MaxAmount {
		return nil, &Error{Code: CodeInvalidJSON, Message: CodeMessage(CodeInvalidJSON),
			Detail: fmt.Sprintf("the amount %d is larger than %d minor units, the most a payment may have (the largest whole number JavaScript reads exactly)", req.Amount.Amount, int64(MaxAmount)),
			Fields: []FieldError{{Code: CodeInvalidJSON, Field: "payment.amount", Message: fmt.Sprintf("must be at most %d minor units", int64(MaxAmount))}}}
	}
	prov, ok := e.providers[req.Method]
	if !ok {
		return nil, Errorf(CodeUnknownMethod, "the sandbox emulates %s; %q is not one of them", e.methodList(), req.Method)
	}
	now := e.clock.Now()
	if err := e.checkNow(now); err != nil {
		return nil, err
	}
	var out *Payment
	create := func(tx Tx, processNow bool) error {
		out = nil
		project, err := tx.Project(req.ProjectID)
		if err != nil {
			return projectError(req.ProjectID, err)
		}
		p := newPayment(req, prov.Method().Code, now)
		r := e.nextStream(p)
		opID, err := newOperationID(tx, r, p.Key())
		if err != nil {
			return err
		}
		p.Operations = []Operation{newOperation(opID, OperationSale, hexID(r, 10), req.Amount, now)}
		if err := tx.CreatePayment(p); err != nil {
			if errors.Is(err, ErrExists) {
				return Errorf(CodePaymentExists, "payment_id %q was already used in project %d; send a new payment_id for every payment", req.PaymentID, req.ProjectID)
			}
			return err
		}
		if processNow {
			if err := e.process(tx, project, p, prov, r, now); err != nil {
				return processError{err}
			}
		} else if err := e.schedule(tx, Job{Kind: JobProcess, Due: now, Payment: p.Key()}); err != nil {
			return err
		}
		out = p
		return nil
	}
	sends, err := e.updateSending(ctx, func(tx Tx) error { return create(tx, true) })
	if pe := (processError{}); errors.As(err, &pe) {
		e.log.Error("process a new payment", "project_id", req.ProjectID, "payment_id", req.PaymentID, "err", pe.err)
		err = e.store.Update(ctx, func(tx Tx) error { return create(tx, false) })
		e.poke()
	}
	if err != nil {
		return nil, fmt.Errorf("sale %d/%s: %w", req.ProjectID, req.PaymentID, err)
	}
	e.changed(out)
	e.outbox.dispatch(sends)
	e.poke()
	e.log.LogAttrs(context.Background(), slog.LevelInfo, "payment accepted", slog.Int64("project_id", out.ProjectID),
		slog.String("payment_id", out.ID), slog.String("method", out.Method), slog.String("interface", string(out.Interface)),
		slog.String("amount", out.Amount.String()), slog.String("status", string(out.Status)))
	return out, nil
}

// newPayment returns the payment a sale request starts, still without its
// sale operation.
func newPayment(req SaleRequest, method string, now time.Time) *Payment {
	return &Payment{
		ProjectID:   req.ProjectID,
		ID:          req.PaymentID,
		Method:      method,
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
}

func newOperation(id int64, typ, requestID string, sum Sum, now time.Time) Operation {
	return Operation{
		ID:        id,
		Type:      typ,
		Status:    StatusProcessing,
		RequestID: requestID,
		Sum:       sum,
		Converted: sum,
		CreatedAt: now,
		UpdatedAt: now,
	}
}

// process hands a payment's new operation to its provider, after the checks
// every method shares, and applies what the provider decided.
func (e *Engine) process(tx Tx, project Project, p *Payment, prov Provider, r io.Reader, now time.Time) error {
	env := e.env(tx, project, prov, r, now)
	step, err := decideProcess(p, prov, env)
	if err != nil {
		return err
	}
	return e.apply(tx, project, p, step, now)
}

// decideProcess is what a provider decides of a payment's operation that
// waits to be processed.
func decideProcess(p *Payment, prov Provider, env Env) (Step, error) {
	op := p.Last()
	if op == nil || op.Status != StatusProcessing {
		return Step{}, nil
	}
	if op.Type == OperationRefund {
		r, ok := prov.(Refunder)
		if !ok {
			return Decline(DeclineGeneral), nil
		}
		return r.Refund(p, env)
	}
	s, declined := CheckAmount(prov.Method(), env.Settings, p.Amount)
	if c, ok := prov.(AmountChecker); ok && !declined {
		// The method's own limits (card-partner's per currency) are the
		// platform's too, as Engine.Takes has them.
		s, declined = c.CheckAmount(p.Amount, env.Settings)
	}
	if declined {
		s.Platform = true
		if s.Code == DeclineGeneral {
			// The platform declines before any provider sees the payment:
			// ecommpay then sends a reference of the platform's own (as
			// for a currency the method does not take); an amount over the
			// limit has none (docs/callbacks.md "Shape").
			s.ProviderPaymentID = platformDeclineRef(env.Rand)
		}
		return s, nil
	}
	return prov.Start(p, env)
}

// platformDeclineRef returns a reference like the one ecommpay gives a
// payment it declines itself: "D-30006-" and a random UUID.
func platformDeclineRef(r io.Reader) string {
	b := readN(r, 16)
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	return fmt.Sprintf("D-30006-%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// CheckAmount applies the checks every method shares to a sale's amount:
// the currency, the settings' limits and whole units. It returns the decline
// step and true when the amount fails one.
func CheckAmount(m Method, s MethodSettings, sum Sum) (Step, bool) {
	switch {
	case !m.Supports(sum.Currency):
		return Decline(DeclineGeneral, OperationError{Code: DeclineGeneral, Field: "payment.currency",
			Message: fmt.Sprintf("%s accepts %v, not %s", m.Name, m.Currencies, sum.Currency)}), true
	case sum.Amount < 0, sum.Amount == 0 && !m.ZeroAmount:
		return Decline(DeclineGeneral, OperationError{Code: DeclineGeneral, Field: "payment.amount",
			Message: "the amount must be a positive number of minor units"}), true
	case s.MaxAmount > 0 && sum.Amount > s.MaxAmount:
		return Decline(DeclineOverMaxLimit, OperationError{Code: DeclineOverMaxLimit, Message: CodeMessage(DeclineOverMaxLimit)}), true
	case s.MinAmount > 0 && sum.Amount > 0 && sum.Amount < s.MinAmount:
		return Decline(DeclineGeneral, OperationError{Code: DeclineGeneral, Field: "payment.amount",
			Message: fmt.Sprintf("the amount is below the minimum of %s", Sum{Amount: s.MinAmount, Currency: sum.Currency})}), true
	case s.WholeUnits && sum.Amount%100 != 0:
		return Decline(DeclineGeneral, OperationError{Code: DeclineGeneral, Field: "payment.amount",
			Message: fmt.Sprintf("%s takes whole units only: %d minor units is not a multiple of 100", m.Name, sum.Amount)}), true
	}
	return Step{}, false
}

// env is what a provider may use while it decides in tx at now.
func (e *Engine) env(tx Tx, project Project, prov Provider, r io.Reader, now time.Time) Env {
	return Env{Now: now, Rand: r, Settings: e.Settings(project, prov.Method()), BaseURL: e.baseURL, Project: project, tx: tx}
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

// Pay is the customer paying at the provider (a terminal, a bank, a wallet
// or a card page): in says how, in the provider's own terms (see
// Provider.Pay); nil says nothing.
func (e *Engine) Pay(ctx context.Context, k PaymentKey, in json.RawMessage) (*Payment, error) {
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
func (e *Engine) act(ctx context.Context, k PaymentKey, what string, fn stepFunc) (*Payment, error) {
	var confirm bool
	p, err := e.update(ctx, k, func(p *Payment, prov Provider, env Env) (Step, error) {
		confirm = false
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

// checkDeposit is the check_deposit request (docs/callbacks.md
// "check_deposit (EcoVoucher)").
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
	// Method is the code of the method whose refund endpoint was called; a
	// payment of another method is refused. "": any method.
	Method string
}

// Refund refunds a successful payment in full, at once: the refund
// operation, the provider's decision and its callback in one transaction.
func (e *Engine) Refund(ctx context.Context, k PaymentKey, req RefundRequest) (*Payment, error) {
	now := e.clock.Now()
	if err := e.checkNow(now); err != nil {
		return nil, err
	}
	var out *Payment
	refund := func(tx Tx, processNow bool) error {
		out = nil
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
		if err := refundable(p, prov, req); err != nil {
			return err
		}
		if req.Method != "" && req.Method != p.Method {
			m := prov.Method()
			return Errorf(CodeStatusForbids, "payment %s is a %s payment: refund it at %s", k, m.Name, m.RefundPath)
		}
		r := e.nextStream(p)
		opID, err := newOperationID(tx, r, k)
		if err != nil {
			return err
		}
		p.Operations = append(p.Operations, newOperation(opID, OperationRefund, hexID(r, 10), p.Sum, now))
		p.UpdatedAt = now
		if processNow {
			if err := e.process(tx, project, p, prov, r, now); err != nil {
				return processError{err}
			}
			out = p
			return nil
		}
		if err := tx.PutPayment(p); err != nil {
			return err
		}
		out = p
		return e.schedule(tx, Job{Kind: JobProcess, Due: now, Payment: k})
	}
	sends, err := e.updateSending(ctx, func(tx Tx) error { return refund(tx, true) })
	if pe := (processError{}); errors.As(err, &pe) {
		e.log.Error("process a refund", "payment", k.String(), "err", pe.err)
		err = e.store.Update(ctx, func(tx Tx) error { return refund(tx, false) })
		e.poke()
	}
	if err != nil {
		return nil, fmt.Errorf("refund %s: %w", k, err)
	}
	e.changed(out)
	e.outbox.dispatch(sends)
	e.poke()
	return out, nil
}

// refundable says why p cannot be refunded as req asks, or nil.
func refundable(p *Payment, prov Provider, req RefundRequest) error {
	k := p.Key()
	if _, ok := prov.(Refunder); !ok {
		return Errorf(CodeStatusForbids, "%s payments cannot be refunded", prov.Method().Name)
	}
	// A declined refund leaves the payment success with its whole sum, and
	// the merchant may ask again; one refund that succeeds ends it.
	switch r := p.Refund(); {
	case r != nil && !r.Status.Final():
		return Errorf(CodeStatusForbids, "payment %s has a refund under way (operation %d, status %q): wait for its callback, and ask again only if it is declined", k, r.ID, r.Status)
	case r != nil && p.Status == StatusRefunded:
		return Errorf(CodeStatusForbids, "payment %s was refunded in full already (operation %d); a payment has one successful refund", k, r.ID)
	}
	if p.Status != StatusSuccess {
		return Errorf(CodeStatusForbids, "payment %s has status %q; only a payment with status %q can be refunded", k, p.Status, StatusSuccess)
	}
	if req.Amount != nil && req.Currency == "" {
		// ecommpay's 3284 is "mismatched or empty": an amount means nothing
		// without its currency.
		return &Error{Code: CodeRefundCurrencyMismatch, Message: CodeMessage(CodeRefundCurrencyMismatch),
			Detail: "the refund gives payment.amount without payment.currency",
			Fields: []FieldError{{Code: CodeRefundCurrencyMismatch, Field: "payment.currency", Message: "is required with payment.amount: send " + p.Sum.Currency + ", or leave payment out for the full refund"}}}
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
	return nil
}

// Clarify adds the fields a payment in awaiting clarification lacked and lets
// the provider go on. It answers 2004 naming what is still missing.
func (e *Engine) Clarify(ctx context.Context, k PaymentKey, c Customer) (*Payment, error) {
	p, err := e.update(ctx, k, func(p *Payment, prov Provider, env Env) (Step, error) {
		if p.Status != StatusAwaitingClarification {
			return Step{}, Errorf(CodeStatusForbids, "payment %s has status %q, not %q: only such a payment takes a clarification", k, p.Status, StatusAwaitingClarification)
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

// update lets fn decide a payment's next step now, in one transaction.
func (e *Engine) update(ctx context.Context, k PaymentKey, fn stepFunc) (*Payment, error) {
	now := e.clock.Now()
	if err := e.checkNow(now); err != nil {
		return nil, err
	}
	var out *Payment
	sends, err := e.updateSending(ctx, func(tx Tx) (err error) {
		out, err = e.stepIn(tx, k, now, fn)
		return err
	})
	if err != nil {
		return nil, err
	}
	e.changed(out)
	e.outbox.dispatch(sends)
	e.poke()
	return out, nil
}

// stepIn loads a payment in tx, lets fn decide at now with the payment's
// next random stream, and applies the step with the callback and jobs it
// implies.
func (e *Engine) stepIn(tx Tx, k PaymentKey, now time.Time, fn stepFunc) (*Payment, error) {
	p, err := tx.Payment(k)
	if err != nil {
		return nil, paymentError(k, err)
	}
	project, err := tx.Project(k.ProjectID)
	if err != nil {
		return nil, projectError(k.ProjectID, err)
	}
	prov, ok := e.providers[p.Method]
	if !ok {
		return nil, fmt.Errorf("payment %s: no provider for method %q", k, p.Method)
	}
	env := e.env(tx, project, prov, e.nextStream(p), now)
	step, err := fn(p, prov, env)
	if err != nil {
		return nil, err
	}
	if err := e.apply(tx, project, p, step, now); err != nil {
		return nil, err
	}
	return p, nil
}

// apply writes a provider's step into the payment and its current
// operation, emits the callback it implies, schedules its jobs and stores
// the payment.
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
		if !s.Platform {
			op.ProviderDate = now
		}
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
			if err := dropProviderJobs(tx, p.Key()); err != nil {
				return err
			}
		}
	}
	p.UpdatedAt = now
	if changed && (s.Status.Final() || (s.Notify && p.Interface == InterfaceGate)) {
		body, err := e.callbackBody(p, op)
		if err != nil {
			return err
		}
		if err := e.outbox.enqueue(tx, project, p, body, now); err != nil {
			return err
		}
	}
	return tx.PutPayment(p)
}

// dropProviderJobs deletes the pending provider jobs of payment k, once
// its operation has ended: a provider's job (a voucher's lapse, a page's
// timeout) is for a payment under way and would do nothing any more (see
// runJob), so it is not left on the queue, or in the console's timeline as
// work still due.
func dropProviderJobs(tx Tx, k PaymentKey) error {
	jobs, err := tx.Jobs(k)
	if err != nil {
		return fmt.Errorf("payment %s: its jobs: %w", k, err)
	}
	for _, j := range jobs {
		if j.Kind != JobProvider {
			continue
		}
		if err := tx.DeleteJob(j); err != nil {
			return fmt.Errorf("payment %s: drop job %d (%s): %w", k, j.ID, j.Name, err)
		}
	}
	return nil
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

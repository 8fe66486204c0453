package platform

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// maxIdle bounds how long the runner sleeps: the clock can be moved, and a
// job due by the moved clock must not wait for a stale timer.
const maxIdle = time.Second

// Run runs jobs as they fall due until ctx ends. It owns the only job loop
// of a serving sandbox.
func (e *Engine) Run(ctx context.Context) error {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		if _, err := e.RunDue(ctx, e.clock.Now()); err != nil && ctx.Err() == nil {
			e.log.Error("run due jobs", "err", err)
		}
		wait := maxIdle
		if j, ok, err := e.nextJob(ctx); err == nil && ok {
			if d := j.Due.Sub(e.clock.Now()); d < wait {
				wait = max(d, 0)
			}
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return nil
		case <-e.wake:
			if !timer.Stop() {
				<-timer.C
			}
		case <-timer.C:
		}
	}
}

func (e *Engine) nextJob(ctx context.Context) (Job, bool, error) {
	var (
		j  Job
		ok bool
	)
	err := e.store.View(ctx, func(tx Tx) (err error) {
		j, ok, err = tx.NextJob()
		return err
	})
	return j, ok, err
}

// RunDue runs every job due at or before now, including the jobs those jobs
// schedule for no later than now, and returns how many ran. Jobs of one
// payment run one after another in due order; different payments' jobs run
// side by side.
func (e *Engine) RunDue(ctx context.Context, now time.Time) (int, error) {
	e.runMu.Lock()
	defer e.runMu.Unlock()
	return e.runDueLocked(ctx, now)
}

func (e *Engine) runDueLocked(ctx context.Context, now time.Time) (int, error) {
	total := 0
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		var jobs []Job
		err := e.store.View(ctx, func(tx Tx) (err error) {
			jobs, err = tx.DueJobs(now, 512)
			return err
		})
		if err != nil {
			return total, fmt.Errorf("due jobs: %w", err)
		}
		if len(jobs) == 0 {
			return total, nil
		}
		e.runBatch(ctx, jobs, now)
		total += len(jobs)
	}
}

// runBatch runs jobs grouped by payment on a bounded pool of workers.
func (e *Engine) runBatch(ctx context.Context, jobs []Job, now time.Time) {
	groups := make(map[PaymentKey][]Job)
	var order []PaymentKey
	for _, j := range jobs {
		if _, ok := groups[j.Payment]; !ok {
			order = append(order, j.Payment)
		}
		groups[j.Payment] = append(groups[j.Payment], j)
	}
	sem := make(chan struct{}, e.workers)
	var wg sync.WaitGroup
	for _, k := range order {
		sem <- struct{}{}
		wg.Add(1)
		go func(js []Job) {
			defer wg.Done()
			defer func() { <-sem }()
			for _, j := range js {
				e.runJob(ctx, j, now)
			}
		}(groups[k])
	}
	wg.Wait()
}

// runJob runs one job. A job that fails is logged and dropped, so that a
// broken job cannot block the queue; the payment keeps its state.
func (e *Engine) runJob(ctx context.Context, j Job, now time.Time) {
	at := now
	if j.Due.After(at) {
		at = j.Due
	}
	var err error
	switch j.Kind {
	case JobProcess:
		_, err = e.updateAt(ctx, j.Payment, &j, at, e.process)
	case JobProvider:
		_, err = e.updateAt(ctx, j.Payment, &j, at, func(p *Payment, prov Provider, env Env) (Step, error) {
			if p.Last() == nil || p.Last().Status.Final() {
				return Step{}, nil // the payment moved on: nothing left to do
			}
			return prov.Job(p, j.Name, env)
		})
	case JobDeliver:
		if e.deliverer == nil {
			err = errors.New("no deliverer is set")
			break
		}
		err = e.deliverer.Deliver(ctx, j, at)
	default:
		err = fmt.Errorf("unknown job kind %q", j.Kind)
	}
	if err == nil {
		return
	}
	e.log.Error("job failed", "job", j.ID, "kind", j.Kind, "name", j.Name, "payment", j.Payment.String(), "err", err)
	derr := e.store.Update(ctx, func(tx Tx) error {
		if err := tx.DeleteJob(j); err != nil {
			return err
		}
		if j.Kind != JobDeliver {
			return nil
		}
		// The delivery keeps its place: try it again a minute later, so that
		// the payment's later callbacks are not stuck behind it.
		d, err := tx.Delivery(j.DeliveryID)
		if err != nil || d.Status != DeliveryPending {
			return nil
		}
		d.NextAttempt, d.NotBefore = time.Time{}, at.Add(time.Minute)
		if err := tx.PutDelivery(d); err != nil {
			return err
		}
		return ScheduleNextDelivery(tx, j.Payment, at)
	})
	if derr != nil {
		e.log.Error("drop failed job", "job", j.ID, "err", derr)
	}
}

// process hands a new operation to its provider, after the checks every
// method shares: currency, amount limits and whole units.
func (e *Engine) process(p *Payment, prov Provider, env Env) (Step, error) {
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
	if s, declined := CheckAmount(prov.Method(), env.Settings, p.Amount); declined {
		return s, nil
	}
	return prov.Start(p, env)
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

// Advance moves the clock forward by d and, before it returns, runs every job
// that falls due on the way, each at its own due time, in due order.
func (e *Engine) Advance(ctx context.Context, d time.Duration) (time.Time, error) {
	if d < 0 {
		return time.Time{}, Errorf(CodeInvalidRequest, "the clock only moves forward; got %s", d)
	}
	e.runMu.Lock()
	defer e.runMu.Unlock()
	target := e.clock.Now().Add(d)
	for {
		if _, err := e.runDueLocked(ctx, e.clock.Now()); err != nil {
			return e.clock.Now(), err
		}
		j, ok, err := e.nextJob(ctx)
		if err != nil {
			return e.clock.Now(), err
		}
		if !ok || j.Due.After(target) {
			break
		}
		if err := e.saveClock(ctx, e.clock.set(j.Due)); err != nil {
			return e.clock.Now(), err
		}
	}
	if err := e.saveClock(ctx, e.clock.set(target)); err != nil {
		return target, err
	}
	e.log.Info("clock advanced", "by", d.String(), "now", FormatDate(target))
	return target, nil
}

// Freeze stops the sandbox clock; jobs due now still run.
func (e *Engine) Freeze(ctx context.Context) error {
	return e.saveClock(ctx, e.clock.freeze())
}

// Unfreeze lets the sandbox clock run on from where it stood.
func (e *Engine) Unfreeze(ctx context.Context) error {
	err := e.saveClock(ctx, e.clock.unfreeze())
	e.poke()
	return err
}

func (e *Engine) saveClock(ctx context.Context, s ClockState) error {
	return e.store.Update(ctx, func(tx Tx) error { return tx.PutClockState(s) })
}

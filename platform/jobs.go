package platform

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"time"
)

// The job runner. Jobs are work due at a moment of the sandbox clock: a
// provider's lapse or timeout, an operation to process, a callback to try.
// Jobs that fall due together run in a fixed order (due time, payment, job
// ID) so that a seeded run repeats, and every job but a callback runs in one
// transaction with the others of its batch. Callbacks are leased in that
// transaction and sent outside it, beside the runner (see outbox.go).

// maxIdle bounds how long the runner sleeps: the clock can be moved, and a
// job due by the moved clock must not wait for a stale timer.
const maxIdle = time.Second

// batchSize is how many due jobs the runner takes at once.
const batchSize = 512

// Run runs jobs as they fall due until ctx ends, sending callbacks without
// waiting for them. It owns the only job loop of a serving sandbox; when it
// returns, the callbacks under way have ended.
func (e *Engine) Run(ctx context.Context) error {
	defer e.outbox.stop()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		e.runMu.Lock()
		_, err := e.runDueLocked(ctx, e.clock.Now(), noWait)
		e.runMu.Unlock()
		if err != nil && ctx.Err() == nil {
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

func (e *Engine) nextJob(ctx context.Context) (j Job, ok bool, err error) {
	defer recovered(&err, "reading the next job")
	err = e.store.View(ctx, func(tx Tx) (err error) {
		j, ok, err = tx.NextJob()
		return err
	})
	return j, ok, err
}

// RunDue runs every job due at or before now, including the jobs those jobs
// schedule for no later than now, waits for the callbacks they send, and
// returns how many jobs ran.
func (e *Engine) RunDue(ctx context.Context, now time.Time) (int, error) {
	e.runMu.Lock()
	defer e.runMu.Unlock()
	return e.runDueLocked(ctx, now, AllProjects)
}

// AllProjects, as the project a move of the clock waits for (AdvanceFor,
// SetClockFor), waits for the callbacks of every project.
const AllProjects int64 = 0

// noWait, as the project runDueLocked waits for, waits for none.
const noWait int64 = -1

// runDueLocked runs the jobs due at now, batch by batch. It returns only
// when nothing is due and no callback of the project wait names is under
// way (of any project for AllProjects), sending what falls due meanwhile;
// for noWait it leaves the sends running. A panic, of the store say, is an
// error: the runner logs it and tries again.
func (e *Engine) runDueLocked(ctx context.Context, now time.Time, wait int64) (total int, err error) {
	defer recovered(&err, "running due jobs")
	if wait != noWait {
		defer e.outbox.hurry()()
	}
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		var jobs []Job
		err := e.store.View(ctx, func(tx Tx) (err error) {
			jobs, err = tx.DueJobs(now, batchSize)
			return err
		})
		if err != nil {
			return total, fmt.Errorf("due jobs: %w", err)
		}
		if len(jobs) > 0 {
			total += len(jobs)
			e.runBatch(ctx, jobs, now)
			continue
		}
		if wait == noWait || !e.outbox.busy(wait) {
			return total, nil
		}
		select {
		case <-e.outbox.idleOf(wait):
		case <-e.wake: // a send ended or a request made something due
		case <-time.After(50 * time.Millisecond): // Run may have taken the wake
		case <-ctx.Done():
		}
	}
}

// runBatch runs a batch of due jobs in their fixed order, in one
// transaction, then hands the callbacks it leased to the outbox. Should the
// transaction fail, each job runs again alone, so that one broken job
// cannot hold the others back; a job that still fails is logged and dropped.
func (e *Engine) runBatch(ctx context.Context, jobs []Job, now time.Time) {
	slices.SortStableFunc(jobs, func(a, b Job) int {
		return cmp.Or(a.Due.Compare(b.Due), cmp.Compare(a.Payment.ProjectID, b.Payment.ProjectID),
			cmp.Compare(a.Payment.PaymentID, b.Payment.PaymentID), cmp.Compare(a.ID, b.ID))
	})
	sends, touched, err := e.runJobs(ctx, jobs, now)
	if err != nil {
		e.log.Warn("a batch of jobs failed; running them one by one", "jobs", len(jobs), "err", err)
		sends, touched = nil, nil
		for _, j := range jobs {
			s, t, err := e.runJobs(ctx, []Job{j}, now)
			if err != nil {
				e.drop(ctx, j, err)
				continue
			}
			sends, touched = append(sends, s...), append(touched, t...)
		}
	}
	for _, p := range touched {
		e.changed(p)
	}
	e.outbox.dispatch(sends)
}

// runJobs runs jobs in one transaction and returns the callbacks to send
// and the payments that changed. A panic is an error of the batch.
func (e *Engine) runJobs(ctx context.Context, jobs []Job, now time.Time) (sends []*send, touched []*Payment, err error) {
	err = e.store.Update(ctx, func(btx Tx) (err error) {
		sends, touched = nil, nil
		tx := &sendingTx{Tx: btx} // callbacks the jobs make due go out with the leased ones
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("job panicked: %v\n%s", r, debug.Stack())
			}
			sends = append(sends, tx.sends...)
		}()
		for _, j := range jobs {
			at := now
			if j.Due.After(at) {
				at = j.Due
			}
			if j.Kind == JobDeliver {
				s, err := e.outbox.lease(tx, j, at)
				if err != nil {
					return fmt.Errorf("job %d: %w", j.ID, err)
				}
				if s != nil {
					sends = append(sends, s)
				}
				continue
			}
			if err := tx.DeleteJob(j); err != nil {
				return err
			}
			p, err := e.runJob(tx, j, at)
			if err != nil {
				return fmt.Errorf("job %d (%s %s of %s): %w", j.ID, j.Kind, j.Name, j.Payment, err)
			}
			if p != nil {
				touched = append(touched, p)
			}
		}
		return nil
	})
	return sends, touched, err
}

// recovered, deferred, turns a panic of what the function does into *err,
// with the stack, so that a store or provider that panics fails that piece
// of work, which is logged and tried again, instead of ending the process.
func recovered(err *error, what string) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%s panicked: %v\n%s", what, r, debug.Stack())
	}
}

// runJob runs one job that is not a callback in tx at its time.
func (e *Engine) runJob(tx Tx, j Job, at time.Time) (*Payment, error) {
	switch j.Kind {
	case JobProcess:
		return e.stepIn(tx, j.Payment, at, func(p *Payment, prov Provider, env Env) (Step, error) {
			return decideProcess(p, prov, env)
		})
	case JobProvider:
		return e.stepIn(tx, j.Payment, at, func(p *Payment, prov Provider, env Env) (Step, error) {
			if p.Last() == nil || p.Last().Status.Final() {
				return Step{}, nil // the payment moved on: nothing left to do
			}
			return prov.Job(p, j.Name, env)
		})
	}
	return nil, fmt.Errorf("unknown job kind %q", j.Kind)
}

// drop deletes a job that fails, so that it cannot block the queue; the
// payment keeps its state. A callback keeps its place in its payment's
// queue and is tried again a minute later.
func (e *Engine) drop(ctx context.Context, j Job, cause error) {
	e.log.Error("job failed", "job", j.ID, "kind", j.Kind, "name", j.Name, "payment", j.Payment.String(), "err", cause)
	err := e.store.Update(context.WithoutCancel(ctx), func(tx Tx) error {
		if err := tx.DeleteJob(j); err != nil || j.Kind != JobDeliver {
			return err
		}
		d, err := tx.Delivery(j.DeliveryID)
		switch {
		case errors.Is(err, ErrNotFound):
			return nil
		case err != nil:
			return err
		case d.Status != DeliveryPending:
			return nil // nothing left to deliver
		}
		d.NextAttempt = j.Due.Add(time.Minute)
		if err := tx.PutDelivery(d); err != nil {
			return err
		}
		return tx.PutJob(Job{ID: deliverJobID(d.ID), Kind: JobDeliver, Due: d.NextAttempt, Payment: d.Key(), DeliveryID: d.ID})
	})
	if err != nil {
		e.log.Error("drop failed job", "job", j.ID, "err", err)
	}
}

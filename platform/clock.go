package platform

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Clock is the sandbox clock, the only clock of the sandbox: wall time plus a
// stored offset, or frozen at a moment. The engine moves it and persists its
// state, so a restart does not move time backwards.
type Clock struct {
	wall func() time.Time

	mu    sync.Mutex
	state ClockState
}

// NewClock returns a clock reading wall (time.Now in production) with state.
func NewClock(wall func() time.Time, state ClockState) *Clock {
	return &Clock{wall: wall, state: state}
}

// Now returns the sandbox time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nowLocked()
}

func (c *Clock) nowLocked() time.Time {
	if c.state.Frozen {
		return c.state.FrozenAt
	}
	return c.wall().UTC().Add(c.state.Offset)
}

// State returns the clock's state, to be stored.
func (c *Clock) State() ClockState {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// Frozen reports whether the clock stands still.
func (c *Clock) Frozen() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state.Frozen
}

// set moves the clock to t, frozen or not, and returns the new state.
func (c *Clock) set(t time.Time) ClockState {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state.Frozen {
		c.state.FrozenAt = t
	} else {
		c.state.Offset = t.Sub(c.wall().UTC())
	}
	return c.state
}

// freeze stops the clock at the current moment.
func (c *Clock) freeze() ClockState {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.state.Frozen {
		c.state.FrozenAt = c.nowLocked()
		c.state.Frozen = true
	}
	return c.state
}

// unfreeze lets the clock run on from where it stood.
func (c *Clock) unfreeze() ClockState {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state.Frozen {
		c.state.Offset = c.state.FrozenAt.Sub(c.wall().UTC())
		c.state.Frozen = false
		c.state.FrozenAt = time.Time{}
	}
	return c.state
}

func (c *Clock) restore(s ClockState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.state = s
}

// The span of time the sandbox clock may stand in: the store keys jobs by
// their due time in nanoseconds since 1970, which hold until 2262, and jobs
// fall due up to weeks after the clock.
var (
	MinTime = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	MaxTime = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// CheckTime returns an error saying the span when t is outside it.
func CheckTime(t time.Time) error {
	if t.Before(MinTime) || t.After(MaxTime) {
		return Errorf(CodeInvalidRequest, "%s is outside the time the sandbox clock can stand at: from %s to %s",
			t.UTC().Format(time.RFC3339), MinTime.Format(time.RFC3339), MaxTime.Format(time.RFC3339))
	}
	return nil
}

// CheckClockState checks a clock state given at start (a --freeze time).
func CheckClockState(s ClockState) error {
	if s.Frozen {
		return CheckTime(s.FrozenAt)
	}
	return nil
}

// checkNow refuses to change payments while the clock stands outside its
// span (a data file written by an older sandbox): jobs could not be stored.
func (e *Engine) checkNow(now time.Time) error {
	if err := CheckTime(now); err != nil {
		var pe *Error
		errors.As(err, &pe)
		pe.Detail += "; set the clock back with POST /sandbox/clock/set"
		return pe
	}
	return nil
}

// Advance moves the clock forward by d and, before it returns, runs every job
// that falls due on the way, each at its own due time, in due order, and
// waits for the callbacks they send. It refuses to move the clock outside
// the span it can stand in. It waits for the callbacks of every project:
// see AdvanceFor.
func (e *Engine) Advance(ctx context.Context, d time.Duration) (time.Time, error) {
	return e.AdvanceFor(ctx, d, AllProjects)
}

// AdvanceFor is Advance waiting only for the callbacks of project (of every
// project for AllProjects): on its way and before it returns, it waits for
// that project's callbacks under way, and no other project's merchant that
// is slow to answer, or does not, holds it. The jobs of every project still
// run, each at its own due time; another project's callback still under
// way when the clock passes the time of its retry is retried as soon as
// its attempt ends.
func (e *Engine) AdvanceFor(ctx context.Context, d time.Duration, project int64) (time.Time, error) {
	if project < 0 {
		return time.Time{}, Errorf(CodeInvalidRequest, "project %d is not a project's ID", project)
	}
	if d < 0 {
		return time.Time{}, Errorf(CodeInvalidRequest, "the clock only moves forward; got %s (set it back with POST /sandbox/clock/set)", d)
	}
	e.runMu.Lock()
	defer e.runMu.Unlock()
	now := e.clock.Now()
	if d > MaxTime.Sub(now) {
		return now, Errorf(CodeInvalidRequest, "advancing by %s would take the clock past %s, the last moment it can stand at; it stands at %s",
			d, MaxTime.Format(time.RFC3339), now.Format(time.RFC3339))
	}
	target, err := e.advanceLocked(ctx, now.Add(d), project)
	if err != nil {
		return target, err
	}
	e.log.Info("clock advanced", "by", d.String(), "now", FormatDate(target))
	return target, nil
}

// advanceLocked moves the clock to target, stopping at every job's due time
// on the way to run what fell due, and waits for the callbacks of project
// (see runDueLocked).
func (e *Engine) advanceLocked(ctx context.Context, target time.Time, project int64) (time.Time, error) {
	for {
		if _, err := e.runDueLocked(ctx, e.clock.Now(), project); err != nil {
			return e.clock.Now(), err
		}
		j, ok, err := e.nextJob(ctx)
		if err != nil {
			return e.clock.Now(), err
		}
		if !ok || j.Due.After(target) {
			break
		}
		if j.Due.After(e.clock.Now()) {
			if err := e.saveClock(ctx, e.clock.set(j.Due)); err != nil {
				return e.clock.Now(), err
			}
		}
	}
	if err := e.saveClock(ctx, e.clock.set(target)); err != nil {
		return target, err
	}
	return target, nil
}

// SetClock moves the clock to t. Forward, it is Advance: every job due on
// the way runs at its due time. Backward, the clock just moves: pending jobs
// keep their due times and run when the clock reaches them again.
func (e *Engine) SetClock(ctx context.Context, t time.Time) (time.Time, error) {
	return e.SetClockFor(ctx, t, AllProjects)
}

// SetClockFor is SetClock whose move forward is AdvanceFor project.
func (e *Engine) SetClockFor(ctx context.Context, t time.Time, project int64) (time.Time, error) {
	if project < 0 {
		return time.Time{}, Errorf(CodeInvalidRequest, "project %d is not a project's ID", project)
	}
	if err := CheckTime(t); err != nil {
		return time.Time{}, err
	}
	t = t.UTC().Round(0)
	e.runMu.Lock()
	defer e.runMu.Unlock()
	now := e.clock.Now()
	if t.After(now) && CheckTime(now) == nil {
		return e.advanceLocked(ctx, t, project)
	}
	if err := e.saveClock(ctx, e.clock.set(t)); err != nil {
		return now, err
	}
	e.log.Info("clock set", "now", FormatDate(t))
	e.poke()
	return t, nil
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
	if err := e.store.Update(ctx, func(tx Tx) error { return tx.PutClockState(s) }); err != nil {
		return fmt.Errorf("save the clock: %w", err)
	}
	e.events.publish(Event{Kind: EventClock, At: e.clock.Now()})
	return nil
}

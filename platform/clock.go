package platform

import (
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

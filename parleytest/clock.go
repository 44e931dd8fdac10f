package parleytest

import (
	"sync"
	"time"
)

// Clock is a fake clock that moves only when told to. Pass its Now method
// as parley.Config.Clock. It is safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock stopped at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d. A negative d panics: time in a
// helpdesk never runs backwards, and a test that moves it so has a bug.
func (c *Clock) Advance(d time.Duration) {
	if d < 0 {
		panic("parleytest: Clock.Advance with a negative duration")
	}
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Set moves the clock to t, which must not be before the current time.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.Before(c.now) {
		panic("parleytest: Clock.Set to an earlier time")
	}
	c.now = t
}

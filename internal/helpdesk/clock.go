package helpdesk

import (
	"sync"
	"time"
)

// Clock is the console's time: the wall clock run Speed times faster, plus
// every jump asked for with Advance. It is the Desk's only clock, so a
// fast clock closes a 24-hour WhatsApp window in minutes. It is safe for
// concurrent use.
type Clock struct {
	mu     sync.Mutex
	start  time.Time // the console's time when the wall clock read origin
	origin time.Time
	speed  float64
	skip   time.Duration
	wall   func() time.Time
}

// NewClock returns a clock that starts at start and runs speed times the
// wall clock's pace (rule 5); a speed below 1 is taken as 1.
func NewClock(start time.Time, speed float64) *Clock {
	return newClock(start, speed, time.Now)
}

func newClock(start time.Time, speed float64, wall func() time.Time) *Clock {
	if speed < 1 {
		speed = 1
	}
	return &Clock{start: start, origin: wall(), speed: speed, wall: wall}
}

// Now returns the console's current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	elapsed := time.Duration(float64(c.wall().Sub(c.origin)) * c.speed)
	return c.start.Add(elapsed + c.skip)
}

// Advance jumps the clock forward by d; a negative d is ignored, since the
// Desk's clock never goes back.
func (c *Clock) Advance(d time.Duration) {
	if d <= 0 {
		return
	}
	c.mu.Lock()
	c.skip += d
	c.mu.Unlock()
}

// Speed returns how many times faster than the wall clock it runs.
func (c *Clock) Speed() float64 { return c.speed }

// Real converts a span of console time into wall-clock time: what a
// countdown in the browser waits.
func (c *Clock) Real(d time.Duration) time.Duration {
	return time.Duration(float64(d) / c.speed)
}

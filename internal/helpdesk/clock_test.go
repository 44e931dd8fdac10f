package helpdesk

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestClock: the console's time is the wall clock's elapsed time times
// the speed, plus the jumps (rule 5).
func TestClock(t *testing.T) {
	for _, c := range []struct {
		name    string
		speed   float64
		elapsed time.Duration
		jumps   []time.Duration
		want    time.Duration
	}{
		{"real time", 1, time.Minute, nil, time.Minute},
		{"sixty times faster", 60, time.Minute, nil, time.Hour},
		{"below one is one", 0.5, time.Minute, nil, time.Minute},
		{"jumps add up", 1, time.Second, []time.Duration{25 * time.Hour, time.Hour}, 26*time.Hour + time.Second},
		{"no jump back", 1, 0, []time.Duration{-time.Hour}, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			wall := morning
			clock := newClock(morning, c.speed, func() time.Time { return wall })
			wall = wall.Add(c.elapsed)
			for _, j := range c.jumps {
				clock.Advance(j)
			}
			assert.Equal(t, morning.Add(c.want), clock.Now())
		})
	}
	assert.Equal(t, time.Second, NewClock(morning, 120).Real(2*time.Minute), "a countdown in wall time")
}

// TestClockConcurrent: jumps and reads at once, under -race.
func TestClockConcurrent(t *testing.T) {
	clock := NewClock(morning, 10)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				clock.Advance(time.Minute)
				_ = clock.Now()
			}
		})
	}
	wg.Wait()
	assert.False(t, clock.Now().Before(morning.Add(800*time.Minute)))
}

package conversation_test

import (
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/conversation"
)

// clockAt returns a clock that reads *at, for tests that move it.
func clockAt(at *time.Time) func() time.Time { return func() time.Time { return *at } }

// checkV7 fails unless id is a UUIDv7 with the RFC 9562 variant.
func checkV7(t *testing.T, id conversation.ID) {
	t.Helper()
	u := uuid.UUID(id)
	require.Equal(t, uuid.Version(7), u.Version(), "version of %s", id)
	require.Equal(t, uuid.RFC4122, u.Variant(), "variant of %s", id)
}

func TestNewIDGeneratorUsesTheGivenClock(t *testing.T) {
	at := t0.Add(123 * time.Millisecond)
	next := conversation.NewIDGenerator(clockAt(&at))
	first := next()
	checkV7(t, first)
	assert.Equal(t, at, first.Time(), "the ID carries the clock's millisecond")

	at = at.Add(5 * time.Second)
	later := next()
	assert.Equal(t, at, later.Time(), "the ID follows the clock forward")
	assert.Equal(t, 1, later.Compare(first), "%s after %s", later, first)
}

func TestNewIDGeneratorIsMonotonic(t *testing.T) {
	tests := []struct {
		name string
		// step moves the clock before each ID.
		step func(at time.Time, i int) time.Time
		// wantTime is the timestamp the IDs must not go below.
		wantTime time.Time
	}{
		{
			name:     "the clock stands still",
			step:     func(at time.Time, _ int) time.Time { return at },
			wantTime: t0,
		},
		{
			name:     "the clock goes back after the first ID",
			step:     func(at time.Time, i int) time.Time { return at.Add(-time.Duration(min(i, 1)) * time.Hour) },
			wantTime: t0,
		},
		{
			name:     "the clock jumps back and forth",
			step:     func(at time.Time, i int) time.Time { return at.Add(time.Duration(i%3-1) * time.Millisecond) },
			wantTime: t0.Add(-time.Millisecond),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at := t0
			next := conversation.NewIDGenerator(clockAt(&at))
			var prev conversation.ID
			seen := map[conversation.ID]bool{}
			for i := range 10_000 {
				at = tt.step(t0, i)
				id := next()
				checkV7(t, id)
				require.False(t, seen[id], "duplicate %s", id)
				require.Equal(t, 1, id.Compare(prev), "ID %d: %s not after %s", i, id, prev)
				require.False(t, id.Time().Before(tt.wantTime), "ID %d at %v, before %v", i, id.Time(), tt.wantTime)
				seen[id], prev = true, id
			}
		})
	}
}

// More than 4 096 IDs in one millisecond fill the counter: the generator
// moves to the next millisecond rather than repeat or go back.
func TestNewIDGeneratorOverflowsIntoTheNextMillisecond(t *testing.T) {
	at := t0
	next := conversation.NewIDGenerator(clockAt(&at))
	var last conversation.ID
	for range 3 * 4096 {
		last = next()
	}
	assert.True(t, last.Time().After(t0), "12 288 IDs at one millisecond end at %v, want after %v", last.Time(), t0)
	assert.LessOrEqual(t, last.Time().Sub(t0), 3*time.Millisecond, "they borrow no more milliseconds than they fill")
}

func TestNewIDGeneratorBefore1970(t *testing.T) {
	next := conversation.NewIDGenerator(func() time.Time { return time.Time{} })
	id := next()
	checkV7(t, id)
	assert.Equal(t, time.UnixMilli(0).UTC(), id.Time(), "a clock before 1970 stamps 1970")
}

func TestNewIDGeneratorNeedsAClock(t *testing.T) {
	assert.PanicsWithValue(t, "conversation: NewIDGenerator needs a clock, such as time.Now", func() {
		conversation.NewIDGenerator(nil)
	})
}

func TestNewIDGeneratorConcurrent(t *testing.T) {
	next := conversation.NewIDGenerator(func() time.Time { return t0 })
	var mu sync.Mutex
	seen := map[conversation.ID]bool{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 2_000 {
				id := next()
				mu.Lock()
				seen[id] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	assert.Len(t, seen, 16_000, "every ID unique across goroutines")
}

func BenchmarkNewID(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = conversation.NewID()
	}
}

func BenchmarkNewIDGenerator(b *testing.B) {
	next := conversation.NewIDGenerator(time.Now)
	b.ReportAllocs()
	for b.Loop() {
		_ = next()
	}
}

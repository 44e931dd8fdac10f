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

func TestNewIDGeneratorMakesOrderedUniqueV7(t *testing.T) {
	next := conversation.NewIDGenerator()
	prev := next()
	seen := map[conversation.ID]bool{prev: true}
	for range 20_000 {
		id := next()
		u := uuid.UUID(id)
		require.Equal(t, uuid.Version(7), u.Version())
		require.Equal(t, uuid.RFC4122, u.Variant())
		require.False(t, seen[id], "duplicate %s", id)
		require.Equal(t, 1, id.Compare(prev), "%s after %s", id, prev)
		seen[id], prev = true, id
	}
}

// The timestamp is the wall clock's millisecond (RFC 9562 §5.7), read as
// the creation time advanced by the monotonic clock.
func TestNewIDGeneratorTimestamp(t *testing.T) {
	before := time.Now().Truncate(time.Millisecond)
	next := conversation.NewIDGenerator()
	first := next().Time()
	time.Sleep(20 * time.Millisecond)
	later := next().Time()
	after := time.Now()
	assert.False(t, first.Before(before), "first ID at %v, before creation at %v", first, before)
	assert.GreaterOrEqual(t, later.Sub(first), 20*time.Millisecond, "the clock advances between IDs")
	assert.False(t, later.After(after), "ID at %v, after the wall clock's %v", later, after)
}

func TestNewIDGeneratorConcurrent(t *testing.T) {
	next := conversation.NewIDGenerator()
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
	assert.Len(t, seen, 16_000)
}

func BenchmarkNewID(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = conversation.NewID()
	}
}

func BenchmarkNewIDGenerator(b *testing.B) {
	next := conversation.NewIDGenerator()
	b.ReportAllocs()
	for b.Loop() {
		_ = next()
	}
}

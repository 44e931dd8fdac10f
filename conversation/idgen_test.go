package conversation_test

import (
	"sync"
	"testing"

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

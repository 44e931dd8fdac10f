package memory_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/memory"
)

// Visitor numbers start at 1 and are never given twice, however many
// callers ask at once.
func TestNextVisitorNeverRepeats(t *testing.T) {
	s := memory.NewConversationStore()
	ctx := context.Background()
	const callers, each = 8, 100
	got := make([][]uint64, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			for range each {
				n, err := s.NextVisitor(ctx)
				if assert.NoError(t, err) {
					got[i] = append(got[i], n)
				}
			}
		})
	}
	wg.Wait()
	seen := make(map[uint64]bool, callers*each)
	for _, ns := range got {
		for _, n := range ns {
			require.False(t, seen[n], "visitor %d given twice", n)
			seen[n] = true
		}
	}
	for n := uint64(1); n <= callers*each; n++ {
		assert.True(t, seen[n], "visitor %d skipped", n)
	}
}

package memory_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/optout"
	"github.com/parleyhq/parley/optout/optouttest"
)

func TestOptOutStoreConformance(t *testing.T) {
	optouttest.Run(t, func(*testing.T) optout.Store { return memory.NewOptOutStore() })
}

// TestOptOutStoreConcurrent appends, reads and redacts from many goroutines
// under -race: every address's history stays gapless, each append that
// succeeded is in it once, and the latest entry is the last one.
func TestOptOutStoreConcurrent(t *testing.T) {
	ctx := context.Background()
	s := memory.NewOptOutStore()
	at := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	const workers, rounds, contacts = 8, 200, 3
	addr := func(i int) channel.Address {
		return channel.Address{Kind: channel.SMS, ID: fmt.Sprintf("+1415555030%d", i)}
	}
	var wins [contacts]int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				c := (w + i) % contacts
				latest, _, err := s.Latest(ctx, optout.DefaultScope, addr(c))
				if !assert.NoError(t, err) {
					return
				}
				action := optout.OptOut
				if latest.Action == optout.OptOut {
					action = optout.OptIn
				}
				err = s.Append(ctx, optout.Entry{Seq: latest.Seq + 1, Scope: optout.DefaultScope, Address: addr(c), Action: action, At: at})
				switch {
				case err == nil:
					mu.Lock()
					wins[c]++
					mu.Unlock()
				case !errors.Is(err, optout.ErrConflict):
					t.Errorf("Append = %v", err)
				}
				if i%50 == 0 {
					_, err := s.Redact(ctx, addr(c))
					assert.NoError(t, err)
				}
			}
		}()
	}
	wg.Wait()
	for c := range contacts {
		h, err := s.History(ctx, optout.DefaultScope, addr(c))
		require.NoError(t, err)
		assert.Len(t, h, wins[c])
		for i, e := range h {
			assert.Equal(t, uint64(i+1), e.Seq)
			if i > 0 {
				assert.NotEqual(t, h[i-1].Action, e.Action, "each append flipped the state it read")
			}
		}
		latest, ok, err := s.Latest(ctx, optout.DefaultScope, addr(c))
		require.NoError(t, err)
		require.True(t, ok)
		assert.Equal(t, h[len(h)-1], latest)
	}
}

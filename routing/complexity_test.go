package routing_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/routing"
)

// countingLeastLoaded is LeastLoaded as a host strategy that counts its
// comparisons. The router cannot compare a host strategy's agents by the
// keys it keeps for the built-in ones, so every comparison its tree
// makes is a call to Less: the count is the tree's work, measured exactly,
// where a timing would measure the machine's caches too.
type countingLeastLoaded struct {
	routing.LeastLoaded
	calls *int
}

func (c countingLeastLoaded) Less(a, b *routing.Candidate) bool {
	*c.calls++
	return c.LeastLoaded.Less(a, b)
}

// TestDecisionIsLogarithmic counts that a decision is O(log n): in the
// benchmark's steady state (as many conversations held as agents, then
// one assignment and one release per operation, mixed channel weights) a
// queue of n agents costs about 1.5·log₂ n comparisons per operation, at
// most 2·log₂ n + 2, from 16 to 8 192 agents; a scan would make n. It
// holds with equal capacities and with half the agents too small for a
// web chat, which sends searches below the root.
func TestDecisionIsLogarithmic(t *testing.T) {
	kinds := []channel.Kind{channel.WhatsApp, channel.SMS, channel.WebChat, channel.Email}
	for _, mix := range []struct {
		name     string
		capacity func(i int) int
	}{
		{"equal capacities", func(int) int { return routing.DefaultCapacity }},
		{"half too small for a web chat", func(i int) int { return []int{1000, 20}[i%2] }},
	} {
		t.Run(mix.name, func(t *testing.T) {
			perOp := map[int]float64{}
			for _, n := range []int{16, 128, 1024, 8192} {
				calls := 0
				agents := make([]routing.Agent, n)
				for i := range agents {
					agents[i] = routing.Agent{ID: fmt.Sprintf("agent-%05d", i), Queues: []string{"support"}, Capacity: mix.capacity(i)}
				}
				r, err := routing.New(routing.Config{Agents: agents, Policies: []routing.Policy{
					{ID: "tp", Mode: routing.Automatic, Strategy: countingLeastLoaded{calls: &calls}},
				}})
				require.NoError(t, err)
				ctx, now := context.Background(), time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
				items := make([]routing.Item, 2*n)
				for i := range items {
					items[i] = routing.Item{ConversationID: fmt.Sprintf("conv-%06d", i), Kind: kinds[i%len(kinds)], Touchpoint: "tp", Queues: []string{"support"}}
				}
				for i := range n {
					_, err := r.Enqueue(ctx, items[i], now)
					require.NoError(t, err)
				}
				calls = 0
				const ops = 4000
				for i := range ops {
					now = now.Add(time.Millisecond)
					k := i % n
					in, out := items[n+k], items[k]
					_, err := r.Enqueue(ctx, in, now)
					require.NoError(t, err)
					_, err = r.Release(ctx, out.ConversationID, now)
					require.NoError(t, err)
					items[n+k], items[k] = out, in
				}
				require.NoError(t, r.Check())
				perOp[n] = float64(calls) / ops
				log := math.Log2(float64(n))
				assert.LessOrEqual(t, perOp[n], 2*log+2, "%d agents: %.1f comparisons per operation", n, perOp[n])
				assert.Positive(t, perOp[n], "%d agents: the strategy ranks the agents", n)
			}
			// 512 times the agents, 9 more levels: the count grows by about
			// 1.5 comparisons a level, never in proportion to n.
			assert.LessOrEqual(t, perOp[8192]-perOp[16], 2*9.0, "growth from 16 to 8 192 agents: %v", perOp)
		})
	}
}

package routing

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// byID is a host strategy: the tree can only call Less.
type byID struct{}

func (byID) Less(a, b *Candidate) bool { return a.AgentID > b.AgentID }

// TestTreeOrderMatchesStrategy checks the rank keys the tree compares in
// its nodes against the Strategy's own Less: after every change the tree's
// first agent with room must be the one a scan with Less picks. Large
// capacities take keys out of their exact bounds, so the fallback to
// Less is exercised too.
func TestTreeOrderMatchesStrategy(t *testing.T) {
	base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name     string
		strategy Strategy
		capacity func(r *rand.Rand) int
	}{
		{"least loaded, default capacity", LeastLoaded{}, func(*rand.Rand) int { return DefaultCapacity }},
		{"least loaded, mixed capacities", LeastLoaded{}, func(r *rand.Rand) int { return 1 + r.IntN(300) }},
		{"least loaded, capacities beyond exact keys", LeastLoaded{}, func(r *rand.Rand) int { return maxExactCapacity - 2 + r.IntN(4) }},
		{"longest idle", LongestIdle{}, func(*rand.Rand) int { return DefaultCapacity }},
		{"round robin", RoundRobin{}, func(*rand.Rand) int { return DefaultCapacity }},
		{"host strategy", byID{}, func(*rand.Rand) int { return DefaultCapacity }},
	} {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			tr := newTree(c.strategy, 0)
			agents := make([]*agentState, 40)
			slots := make([]int32, len(agents))
			for i := range agents {
				agents[i] = &agentState{cand: Candidate{AgentID: fmt.Sprintf("a%02d", i), Capacity: c.capacity(rng), Joined: uint64(i + 1)}}
				slots[i] = tr.add(agents[i])
			}
			for step := range 2000 {
				i := rng.IntN(len(agents))
				a := agents[i]
				// Few distinct loads and instants, so ties are common.
				a.cand.Load = rng.IntN(4) * 10
				a.cand.IdleSince = base.Add(time.Duration(rng.IntN(3)) * time.Second)
				a.cand.LastAssigned = base.Add(time.Duration(rng.IntN(3)) * time.Second)
				a.cand.Picked = uint64(rng.IntN(5))
				a.presence = Presence(rng.IntN(5) / 4) // mostly available
				tr.fix(slots[i])

				w := 1 + rng.IntN(40)
				var want *agentState
				for _, b := range agents {
					if b.presence == Available && b.cand.room() >= w && (want == nil || c.strategy.Less(&b.cand, &want.cand)) {
						want = b
					}
				}
				got := tr.first(w, &exclusion{})
				require.Equal(t, name(want), name(got), "step %d, weight %d", step, w)
			}
			assert.NotNil(t, tr.first(1, &exclusion{}), "someone has room at the end")
		})
	}
}

func name(a *agentState) string {
	if a == nil {
		return "<nobody>"
	}
	return a.cand.AgentID
}

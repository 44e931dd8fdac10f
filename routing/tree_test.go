package routing

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
)

// byID is a host strategy: the tree can only call Less.
type byID struct{}

func (byID) Less(a, b *Candidate) bool { return a.AgentID > b.AgentID }

// TestTreeOrderMatchesStrategy checks the rank keys the tree compares in
// its nodes against the Strategy's own Less: after every change the tree's
// first agent with room must be the one a scan with Less picks. The cases
// reach past every bound of the keys, so the fallback to Less is
// exercised too: capacities beyond exact keys, loads far over capacity,
// instants in one time step, instants before the epoch, time moving on
// by days (rekey), and round-robin counters past their bits.
func TestTreeOrderMatchesStrategy(t *testing.T) {
	base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	// Few distinct loads and instants, so ties are common.
	loads := func(r *rand.Rand) int { return r.IntN(4) * 10 }
	seconds := func(r *rand.Rand, _ int) time.Time { return base.Add(time.Duration(r.IntN(3)) * time.Second) }
	type tc struct {
		name     string
		strategy Strategy
		capacity func(r *rand.Rand) int
		load     func(r *rand.Rand) int
		instant  func(r *rand.Rand, step int) time.Time
		counter  func(r *rand.Rand) uint64 // Picked; Joined is the index unless it is large
	}
	cases := []tc{
		{name: "least loaded, default capacity", strategy: LeastLoaded{}},
		{name: "least loaded, mixed capacities", strategy: LeastLoaded{}, capacity: func(r *rand.Rand) int { return 1 + r.IntN(300) }},
		{name: "least loaded, capacities beyond exact keys", strategy: LeastLoaded{}, capacity: func(r *rand.Rand) int { return maxExactCapacity - 2 + r.IntN(4) }},
		{name: "least loaded, loads far over capacity", strategy: LeastLoaded{},
			capacity: func(r *rand.Rand) int { return 1 + r.IntN(3) }, load: func(r *rand.Rand) int { return r.IntN(4) * 14 }},
		{name: "least loaded, instants within one time step", strategy: LeastLoaded{},
			instant: func(r *rand.Rand, _ int) time.Time { return base.Add(time.Duration(r.IntN(4)) * 5 * time.Microsecond) }},
		{name: "least loaded, time moving on by days", strategy: LeastLoaded{},
			instant: func(r *rand.Rand, step int) time.Time {
				return base.Add(time.Duration(step)*time.Hour - time.Duration(r.IntN(3))*96*time.Hour)
			}},
		{name: "longest idle", strategy: LongestIdle{}},
		{name: "longest idle, time moving on by days", strategy: LongestIdle{},
			instant: func(r *rand.Rand, step int) time.Time {
				return base.Add(time.Duration(step)*time.Hour - time.Duration(r.IntN(3))*96*time.Hour)
			}},
		{name: "round robin", strategy: RoundRobin{}},
		{name: "round robin, counters past their bits", strategy: RoundRobin{},
			counter: func(r *rand.Rand) uint64 { return []uint64{0, 5, 1<<62 - 1, 1 << 62, 1<<63 + 7}[r.IntN(5)] }},
		{name: "host strategy", strategy: byID{}},
	}
	for _, c := range cases {
		if c.capacity == nil {
			c.capacity = func(*rand.Rand) int { return DefaultCapacity }
		}
		if c.load == nil {
			c.load = loads
		}
		if c.instant == nil {
			c.instant = seconds
		}
		if c.counter == nil {
			c.counter = func(r *rand.Rand) uint64 { return uint64(r.IntN(5)) }
		}
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			tr := newTree(c.strategy, 0)
			agents := make([]*agentState, 40)
			slots := make([]int32, len(agents))
			for i := range agents {
				agents[i] = &agentState{cand: Candidate{AgentID: fmt.Sprintf("a%02d", i), Capacity: c.capacity(rng), Joined: uint64(i + 1), IdleSince: c.instant(rng, 0)}}
				if i%4 == 0 {
					agents[i].cand.Joined = c.counter(rng) // equal or beyond the bits too
				}
				slots[i] = tr.add(agents[i])
			}
			in := make([]bool, len(agents)) // in the tree
			for i := range in {
				in[i] = true
			}
			for step := range 2000 {
				i := rng.IntN(len(agents))
				a := agents[i]
				// Now and then an agent leaves the queue, or comes back into
				// the slot another one left.
				if rng.IntN(10) == 0 {
					if in[i] {
						tr.remove(slots[i])
					} else {
						slots[i] = tr.add(a)
					}
					in[i] = !in[i]
				}
				a.cand.Load = c.load(rng)
				a.cand.IdleSince = c.instant(rng, step)
				a.cand.LastAssigned = c.instant(rng, step)
				a.cand.Picked = c.counter(rng)
				a.presence = Presence(rng.IntN(5) / 4) // mostly available
				if in[i] {
					tr.fix(slots[i])
				}

				w := 1 + rng.IntN(40)
				var want *agentState
				eligible := map[*agentState]bool{}
				for j, b := range agents {
					if in[j] && b.presence == Available && b.cand.room() >= w {
						eligible[b] = true
						if want == nil || c.strategy.Less(&b.cand, &want.cand) {
							want = b
						}
					}
				}
				got := tr.first(w, &exclusion{})
				if want == nil || got == nil {
					require.Equal(t, name(want), name(got), "step %d, weight %d", step, w)
					continue
				}
				// RoundRobin.Less leaves agents with the same Picked and
				// Joined unordered (the router never gives two the same
				// Joined), so any agent tied with the scan's pick will do.
				require.True(t, eligible[got], "step %d, weight %d: %s is not eligible", step, w, name(got))
				require.False(t, c.strategy.Less(&want.cand, &got.cand) || c.strategy.Less(&got.cand, &want.cand),
					"step %d, weight %d: got %s, want %s", step, w, name(got), name(want))
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

// TestKeyOrdersAsLess checks the property the tree relies on, pair by
// pair: of two agents whose keys are not 0, the smaller key is the one
// Less puts first, and equal keys leave the order to Less. The values sit
// on and around every bound: capacities at maxExactCapacity, where the
// closest ratios differ by the ratio's last bit, loads up to maxRatio
// times the capacity, instants a nanosecond apart within a time step, on
// step edges, at the epoch and past the span, and instants centuries
// away, to the ends of what time.UnixNano can express and beyond.
func TestKeyOrdersAsLess(t *testing.T) {
	base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(3, 4))
	capacities := []int{1, 2, 3, 7, 100, maxExactCapacity - 1, maxExactCapacity, maxExactCapacity + 1}
	for _, o := range []struct {
		order    order
		strategy Strategy
	}{{leastLoaded, LeastLoaded{}}, {longestIdle, LongestIdle{}}, {roundRobin, RoundRobin{}}} {
		tr := &tree{order: o.order}
		tr.timePart(base) // sets the epoch from base
		instant := func() time.Time {
			switch rng.IntN(7) {
			case 0:
				return time.Time{}
			case 1: // a step's edges
				return time.Unix(0, tr.epoch+int64(rng.IntN(4))<<timeShift-int64(rng.IntN(2)))
			case 2: // the span's edges
				return time.Unix(0, tr.epoch+timeSpan-int64(rng.IntN(2)))
			case 3: // far from the epoch, to the ends of UnixNano and beyond
				if rng.IntN(2) == 0 {
					return time.Unix(0, []int64{math.MinInt64 + 1e9, -9e18, 9e18, math.MaxInt64 - 1e9}[rng.IntN(4)])
				}
				return time.Date([]int{1000, 1677, 2263, 3000}[rng.IntN(4)], 1, 1, 0, 0, rng.IntN(3), 0, time.UTC)
			}
			return base.Add(time.Duration(rng.IntN(40)) * time.Microsecond)
		}
		candidate := func(id int) Candidate {
			c := Candidate{AgentID: strconv.Itoa(id), Capacity: capacities[rng.IntN(len(capacities))],
				IdleSince: instant(), LastAssigned: instant(),
				Picked: []uint64{0, 1, 2, 1<<62 - 1, 1 << 62}[rng.IntN(5)], Joined: uint64(rng.IntN(3))}
			switch rng.IntN(3) {
			case 0:
				c.Load = rng.IntN(4)
			case 1:
				c.Load = c.Capacity - rng.IntN(3)
			default:
				c.Load = maxRatio*c.Capacity - rng.IntN(2)
			}
			return c
		}
		keyed := 0
		for i := range 200_000 {
			a, b := candidate(2*i), candidate(2*i+1)
			ka, _ := tr.keyOf(&a)
			kb, _ := tr.keyOf(&b)
			if ka == 0 || kb == 0 {
				continue
			}
			keyed++
			if ka < kb && !o.strategy.Less(&a, &b) || kb < ka && !o.strategy.Less(&b, &a) {
				require.Failf(t, "key against Less", "order %d: %+v key %d, %+v key %d", o.order, a, ka, b, kb)
			}
		}
		assert.Greater(t, keyed, 50_000, "order %d: a good share of the pairs are keyed", o.order)
	}
}

// A router runs for weeks, so an instant past the time span moves the
// epoch instead of losing its key: after ten days of assignments the
// latest agents' leaves still have keys, while an agent idle since the
// first day has fallen behind the epoch and is left to Less.
func TestRekeyFollowsTime(t *testing.T) {
	base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	tr := newTree(LeastLoaded{}, 0)
	agents := make([]*agentState, 5)
	for i := range agents {
		agents[i] = &agentState{cand: Candidate{AgentID: strconv.Itoa(i), Capacity: DefaultCapacity, IdleSince: base}}
		tr.add(agents[i])
	}
	key := func(s int) uint64 { return tr.nodes[tr.size+s].key }
	require.NotZero(t, key(0), "precondition: the idle agents have keys")
	epoch := tr.epoch
	for day := 1; day <= 10; day++ {
		s := 1 + (day-1)%4 // agent 0 stays idle
		agents[s].cand.Load, agents[s].cand.LastAssigned = 1, base.Add(time.Duration(day)*24*time.Hour)
		tr.fix(int32(s))
		require.NotZero(t, key(s), "day %d: the assigned agent has a key", day)
	}
	assert.Greater(t, tr.epoch, epoch, "the epoch moved on")
	assert.NotZero(t, key(1), "day 9's agent kept its key")
	assert.Zero(t, key(0), "the agent idle since day 0 fell behind the epoch")
	assert.Same(t, agents[0], tr.first(1, &exclusion{}), "and still ranks first, by Less")
}

// Instants far from the epoch, at both ends of the range time.UnixNano
// covers, get no key rather than one whose distance from the epoch
// wrapped around: the agent idle since 1677 still ranks before the one
// idle since 2262, whichever the tree keyed first.
func TestKeysOfInstantsFarFromTheEpoch(t *testing.T) {
	early := time.Unix(0, math.MinInt64+1e9)
	late := time.Unix(0, math.MaxInt64-1e9)
	for _, first := range []time.Time{early, late} {
		tr := newTree(LongestIdle{}, 0)
		a := &agentState{cand: Candidate{AgentID: "first", Capacity: 1, IdleSince: first}}
		tr.add(a)
		for _, at := range []time.Time{early, late} {
			if at != first {
				tr.add(&agentState{cand: Candidate{AgentID: "other", Capacity: 1, IdleSince: at}})
			}
		}
		got := tr.first(1, &exclusion{})
		require.NotNil(t, got)
		assert.Equal(t, early, got.cand.IdleSince, "keyed first: %d", first.Year())
	}
}

// time.UnixNano wraps for instants beyond 1678–2262, so year 3000 would
// read as 1832 and key before an agent idle since 1832 and a second,
// which Less puts first. Such an instant gets no key.
func TestKeysOfInstantsBeyondUnixNano(t *testing.T) {
	far := time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)
	early := time.Unix(0, far.UnixNano()).Add(time.Second) // 1832, a second after far's wrapped reading
	require.Less(t, early.Year(), 2000, "precondition: far wraps into the past")
	tr := newTree(LongestIdle{}, 0)
	tr.add(&agentState{cand: Candidate{AgentID: "early", Capacity: 1, IdleSince: early}})
	tr.add(&agentState{cand: Candidate{AgentID: "far", Capacity: 1, IdleSince: far}})
	got := tr.first(1, &exclusion{})
	require.NotNil(t, got)
	assert.Equal(t, early, got.cand.IdleSince)
}

// monotonicSpy is a host strategy that records whether a candidate it
// compares carries a monotonic clock reading.
type monotonicSpy struct{ seen *int }

func (s monotonicSpy) Less(a, b *Candidate) bool {
	for _, c := range []*Candidate{a, b} {
		for _, at := range []time.Time{c.IdleSince, c.LastAssigned} {
			if at != at.Round(0) { // == compares the monotonic reading too
				*s.seen++
			}
		}
	}
	return LeastLoaded{}.Less(a, b)
}

// The router keeps a candidate's instants on the wall clock, the one the
// keys count, even when the host passes time.Now(), which carries a
// monotonic reading: Time.Compare would read that instead, and across a
// step of the wall clock Less and the keys could disagree.
func TestCandidateInstantsAreWallClock(t *testing.T) {
	seen := 0
	r, err := New(Config{
		Agents:   []Agent{{ID: "ana", Queues: []string{"q"}}, {ID: "bo", Queues: []string{"q"}}, {ID: "cy", Queues: []string{"q"}}},
		Policies: []Policy{{ID: "tp", Mode: Automatic, Strategy: monotonicSpy{seen: &seen}}},
	})
	require.NoError(t, err)
	ctx := context.Background()
	for i := range 6 {
		now := time.Now()
		require.NotEqual(t, now, now.Round(0), "precondition: time.Now carries a monotonic reading")
		id := "conv-" + strconv.Itoa(i)
		_, err := r.Enqueue(ctx, Item{ConversationID: id, Kind: channel.WhatsApp, Touchpoint: "tp", Queues: []string{"q"}}, now)
		require.NoError(t, err)
		if i%2 == 1 {
			_, err = r.Release(ctx, id, time.Now())
			require.NoError(t, err)
		}
	}
	assert.Zero(t, seen, "instants with a monotonic reading reached Less")
}

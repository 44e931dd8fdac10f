package routing

import (
	"math"
	"time"
)

// tree is one queue's available agents ordered by one Strategy: a
// tournament (segment) tree over slots. Every inner node keeps the slot of
// the best eligible agent below it and the largest room below it, so
//
//   - a load or presence change costs one walk to the root: O(log n);
//   - the best agent with room for a weight is usually read at the root,
//     and subtrees without enough room are never entered.
//
// That is what makes a routing decision O(log n) with no allocation
// (DESIGN.md §6) where helpdesks scan every agent of the queue.
type tree struct {
	less   Strategy
	order  order         // a built-in ordering compared on keys, or custom
	keys   []rankKey     // by slot: the agent's rank facts, kept inline
	size   int           // leaf count, a power of two
	agents []*agentState // by slot; nil is a free slot
	best   []int32       // by node: best eligible slot below, -1 for none
	room   []int32       // by node: largest room below, -1 for none
	free   []int32       // free slots
	used   int           // slots handed out, free ones included
	index  int           // which of the router's strategies this tree orders by
}

// order names the built-in orderings the tree compares without calling
// the Strategy, on keys stored side by side: a walk to the root then
// touches one array instead of one agent per level.
type order uint8

const (
	custom order = iota
	leastLoaded
	roundRobin
	longestIdle
)

// rankKey is what the built-in orderings rank by, copied from Candidate.
type rankKey struct {
	load, capacity int32
	idle           bool  // load is zero
	at             int64 // idle since (idle) or last assigned (busy), Unix ns
	picked, joined uint64
}

func keyOf(c *Candidate) rankKey {
	k := rankKey{load: int32(c.Load), capacity: int32(c.Capacity), idle: c.Load == 0, picked: c.Picked, joined: c.Joined}
	if k.idle {
		k.at = unixNano(c.IdleSince)
	} else {
		k.at = unixNano(c.LastAssigned)
	}
	return k
}

// unixNano orders the zero time (never) before every real instant.
func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return math.MinInt64
	}
	return t.UnixNano()
}

// lessKey is the built-in orderings of strategy.go on keys; ok is false
// on a full tie, which the agents' IDs then break.
func (o order) lessKey(a, b *rankKey) (less, ok bool) {
	switch o {
	case leastLoaded:
		if x, y := int64(a.load)*int64(b.capacity), int64(b.load)*int64(a.capacity); x != y {
			return x < y, true
		}
		fallthrough
	case longestIdle:
		if a.idle != b.idle {
			return a.idle, true
		}
		if a.at != b.at {
			return a.at < b.at, true
		}
	case roundRobin:
		if a.picked != b.picked {
			return a.picked < b.picked, true
		}
		return a.joined < b.joined, true
	}
	return false, false
}

func newTree(less Strategy, index int) *tree {
	t := &tree{less: less, index: index}
	switch less.(type) {
	case LeastLoaded:
		t.order = leastLoaded
	case RoundRobin:
		t.order = roundRobin
	case LongestIdle:
		t.order = longestIdle
	}
	t.grow(8)
	return t
}

// grow rebuilds the tree with at least n leaves.
func (t *tree) grow(n int) {
	size := 1
	for size < n {
		size *= 2
	}
	old := t.agents
	t.size = size
	t.agents = make([]*agentState, size)
	copy(t.agents, old)
	t.keys = make([]rankKey, size)
	t.best = make([]int32, 2*size)
	t.room = make([]int32, 2*size)
	for i := range t.best {
		t.best[i], t.room[i] = -1, -1
	}
	for s, a := range t.agents {
		if a != nil {
			t.setLeaf(s)
		}
	}
	for n := size - 1; n >= 1; n-- {
		t.pull(n)
	}
}

// add places a in a slot and returns it.
func (t *tree) add(a *agentState) int32 {
	var s int32
	if n := len(t.free); n > 0 {
		s, t.free = t.free[n-1], t.free[:n-1]
	} else {
		if t.used == t.size {
			t.grow(2 * t.size)
		}
		s = int32(t.used)
		t.used++
	}
	t.agents[s] = a
	t.fix(s)
	return s
}

// remove empties slot s.
func (t *tree) remove(s int32) {
	t.agents[s] = nil
	t.fix(s)
	t.free = append(t.free, s)
}

// setLeaf recomputes leaf s from its agent.
func (t *tree) setLeaf(s int) {
	n := t.size + s
	a := t.agents[s]
	if a == nil || a.presence != Available {
		t.best[n], t.room[n] = -1, -1
		return
	}
	t.best[n], t.room[n] = int32(s), int32(max(a.cand.room(), -1))
	if t.order != custom {
		t.keys[s] = keyOf(&a.cand)
	}
}

// pull recomputes inner node n from its children.
func (t *tree) pull(n int) {
	l, r := 2*n, 2*n+1
	t.best[n] = t.better(t.best[l], t.best[r])
	t.room[n] = max(t.room[l], t.room[r])
}

// fix refreshes slot s after its agent's load or presence changed.
func (t *tree) fix(s int32) {
	t.setLeaf(int(s))
	for n := (t.size + int(s)) / 2; n >= 1; n /= 2 {
		b, r := t.best[n], t.room[n]
		t.pull(n)
		if t.best[n] == b && t.room[n] == r && t.best[n] != s {
			// Nothing above can change when this node did not and the
			// moved agent is not its winner (a winner's rank may have
			// changed without its slot changing).
			break
		}
	}
}

func (t *tree) better(a, b int32) int32 {
	switch {
	case a < 0:
		return b
	case b < 0:
		return a
	}
	if t.order != custom {
		if less, ok := t.order.lessKey(&t.keys[b], &t.keys[a]); ok {
			if less {
				return b
			}
			return a
		}
	}
	if t.less.Less(&t.agents[b].cand, &t.agents[a].cand) {
		return b
	}
	return a
}

// first returns the best agent with room for weight that ex does not
// exclude, or nil.
func (t *tree) first(weight int, ex *exclusion) *agentState {
	s := t.find(1, int32(weight), ex)
	if s < 0 {
		return nil
	}
	return t.agents[s]
}

func (t *tree) find(n int, w int32, ex *exclusion) int32 {
	if t.room[n] < w {
		return -1 // nobody below has room: the all-busy case costs O(1)
	}
	b := t.best[n]
	if b >= 0 && int32(t.agents[b].cand.room()) >= w && !ex.has(t.agents[b]) {
		return b
	}
	if n >= t.size {
		return -1
	}
	return t.better(t.find(2*n, w, ex), t.find(2*n+1, w, ex))
}

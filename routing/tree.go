package routing

import (
	"math"
	"time"
)

// tree is one queue's available agents ordered by one Strategy: a
// tournament (segment) tree over slots. Every node keeps the best eligible
// agent below it, that agent's rank key and room, and the largest room
// below, so
//
//   - a load or presence change costs one walk to the root: O(log n);
//   - the best agent with room for a weight is usually read at the root,
//     and subtrees without enough room are never entered.
//
// That is what makes a routing decision O(log n) with no allocation
// (DESIGN.md §6) where helpdesks scan every agent of the queue.
//
// The nodes are 32 bytes and a node's two children sit side by side, so
// each level of a walk reads one cache line and never an agent: at 100 000
// agents the walks, not the arithmetic, are what costs. A node names its
// winner by pointer rather than by slot, so a search goes from the root
// straight to the agent without a load from agents in between.
type tree struct {
	less   Strategy
	order  order         // a built-in ordering compared on keys, or custom
	size   int           // leaf count, a power of two
	agents []*agentState // by slot; nil is a free slot
	nodes  []node        // heap order: root 1, children 2n and 2n+1, leaves from size
	free   []int32       // free slots
	used   int           // slots handed out, free ones included
	index  int           // which of the router's strategies this tree orders by
}

// node is one tournament node: the winner below it, with its rank key
// copied in so comparisons stay inside the nodes array.
// The winner's own room is not copied: a search that stops at a node
// reads it from the winner, whom it is about to charge anyway.
type node struct {
	k1, k2 uint64      // the winner's rank key, smaller first (keyOf)
	best   *agentState // the winner, nil for none
	room   int32       // largest room below, -1 for none
	exact  bool        // the key orders the winner exactly (keyOf)
}

// empty is a node with no winner. Its key is exact and after every real
// key (no built-in key reaches the largest word), so comparisons need no
// test for emptiness on the fast path.
var empty = node{k1: math.MaxUint64, k2: math.MaxUint64, room: -1, exact: true}

// order names the built-in orderings the tree compares without calling
// the Strategy, on keys stored in the nodes.
type order uint8

const (
	custom order = iota
	leastLoaded
	roundRobin
	longestIdle
)

// Bounds within which a least-loaded key is exact: for loads below 2³² and
// capacities of at most 2¹⁶, two different ratios differ by at least 2⁻³²,
// so their 32.32 fixed-point floors differ too, and equal ratios give equal
// keys. Larger capacities fall back to Strategy.Less, still correct.
const (
	maxExactLoad     = 1<<32 - 1
	maxExactCapacity = 1 << 16
)

// keyOf is c's rank under o as two words compared in order, smaller first;
// exact is false when the words cannot decide (a custom ordering, or a
// least-loaded ratio out of the exact bounds). Equal exact keys are a tie
// that Strategy.Less (by AgentID) breaks.
func keyOf(c *Candidate, o order) (k1, k2 uint64, exact bool) {
	idle := c.Load == 0
	at := c.LastAssigned
	if idle {
		at = c.IdleSince
	}
	switch o {
	case leastLoaded:
		// Equal ratios are both zero (both idle) or both not, so the ratio
		// then the time is LeastLoaded.Less's order.
		if c.Load < 0 || c.Load > maxExactLoad || c.Capacity <= 0 || c.Capacity > maxExactCapacity {
			return 0, 0, false
		}
		return uint64(c.Load) << 32 / uint64(c.Capacity), timeKey(at), true
	case longestIdle:
		if idle {
			return 0, timeKey(at), true
		}
		return 1, timeKey(at), true
	case roundRobin:
		return c.Picked, c.Joined, true
	}
	return 0, 0, false
}

// timeKey orders instants as unsigned words, the zero time (never) before
// every real instant.
func timeKey(t time.Time) uint64 {
	ns := int64(math.MinInt64)
	if !t.IsZero() {
		ns = t.UnixNano()
	}
	return uint64(ns) ^ 1<<63
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
	t.nodes = make([]node, 2*size)
	for i := range t.nodes {
		t.nodes[i] = empty
	}
	for s, a := range t.agents {
		if a != nil {
			t.setLeaf(s, a)
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

// setLeaf recomputes leaf s from a, its agent (nil for none).
func (t *tree) setLeaf(s int, a *agentState) {
	nd := &t.nodes[t.size+s]
	if a == nil || a.presence != Available {
		*nd = empty
		return
	}
	room := int32(max(min(a.cand.room(), math.MaxInt32), -1))
	k1, k2, exact := keyOf(&a.cand, t.order)
	nd.k1, nd.k2, nd.best, nd.room, nd.exact = k1, k2, a, room, exact // as in set
}

// set makes n hold w's winner with room as the largest room below. It
// copies field by field, never as a whole node: the next level reads the
// node straight back, and a whole-node copy compiles to 16-byte moves,
// which the CPU cannot forward from the 8-byte stores that wrote the node
// (a stall of some ten cycles per level, measured on the decision path).
func (n *node) set(w *node, room int32) {
	n.k1, n.k2, n.best, n.room, n.exact = w.k1, w.k2, w.best, room, w.exact
}

// pull recomputes inner node n from its children.
func (t *tree) pull(n int) {
	l, r := &t.nodes[2*n], &t.nodes[2*n+1]
	room := max(l.room, r.room)
	w := l
	if t.before(r, l) {
		w = r
	}
	t.nodes[n].set(w, room)
}

// fix refreshes slot s after its agent's load or presence changed.
func (t *tree) fix(s int32) { t.update(s, t.agents[s]) }

// update is fix for a caller that has slot s's agent at hand, moved (nil
// when the slot was just emptied), so the walk does not read agents: among
// 100 000 agents that would be one more cache miss per walk. It is one
// walk to the root, reading the sibling pair (one cache line) per level.
func (t *tree) update(s int32, moved *agentState) {
	t.setLeaf(int(s), moved)
	nodes := t.nodes
	for n := t.size + int(s); n > 1; n >>= 1 {
		l, r := &nodes[n&^1], &nodes[n|1]
		w := l
		// before, written out: the walk is the decision's inner loop.
		if r.exact && l.exact && (r.k1 != l.k1 || r.k2 != l.k2) {
			if r.k1 < l.k1 || r.k1 == l.k1 && r.k2 < l.k2 {
				w = r
			}
		} else if t.beforeSlow(r, l) {
			w = r
		}
		room := max(l.room, r.room)
		p := &nodes[n>>1]
		if p.best == w.best && p.room == room && (w.best != moved || w.best == nil) {
			// Nothing above can change when this node does not and the
			// moved agent is not its winner (a winner's key and room may
			// change without its slot changing).
			break
		}
		p.set(w, room)
	}
}

// before reports whether x's winner ranks strictly before y's; an empty
// node ranks after everything. Differing exact keys decide inline; ties,
// inexact keys and empty nodes go to beforeSlow.
func (t *tree) before(x, y *node) bool {
	if x.exact && y.exact && (x.k1 != y.k1 || x.k2 != y.k2) {
		return x.k1 < y.k1 || x.k1 == y.k1 && x.k2 < y.k2
	}
	return t.beforeSlow(x, y)
}

func (t *tree) beforeSlow(x, y *node) bool {
	switch {
	case x.best == nil:
		return false
	case y.best == nil:
		return true
	}
	return t.less.Less(&x.best.cand, &y.best.cand)
}

// first returns the best agent with room for weight that ex does not
// exclude, or nil.
func (t *tree) first(weight int, ex *exclusion) *agentState {
	if nd := t.find(1, weight, int32(min(weight, math.MaxInt32)), ex); nd != nil {
		return nd.best
	}
	return nil
}

// find returns the node below n whose winner is the best with room for
// weight (w32 clamped as rooms are) that ex does not exclude, or nil.
func (t *tree) find(n, weight int, w32 int32, ex *exclusion) *node {
	nd := &t.nodes[n]
	if nd.room < w32 {
		return nil // nobody below has room: the all-busy case costs O(1)
	}
	if a := nd.best; a != nil && a.cand.room() >= weight && (ex.empty() || !ex.has(a)) {
		return nd
	}
	if n >= t.size {
		return nil
	}
	l, r := t.find(2*n, weight, w32, ex), t.find(2*n+1, weight, w32, ex)
	switch {
	case l == nil:
		return r
	case r == nil:
		return l
	case t.before(r, l):
		return r
	}
	return l
}

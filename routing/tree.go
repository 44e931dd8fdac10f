package routing

import (
	"math"
	"time"
)

// tree is one queue's available agents ordered by one Strategy, as a
// tournament tree: each node keeps the best agent and the most room below
// it, so a decision usually reads the root and a change walks one path:
// O(log n). Nodes are kept small on purpose: see BenchmarkDecision.
type tree struct {
	less   Strategy
	order  order         // a built-in ordering compared on keys, or custom
	size   int           // leaf count, a power of two
	agents []*agentState // by slot; nil is a free slot
	nodes  []node        // heap order: root 1, children 2n and 2n+1, leaves from size
	free   []int32       // free slots
	used   int           // slots handed out, free ones included
	index  int           // which of the router's strategies this tree orders by

	// epoch is the instant, in Unix nanoseconds, from which keys count
	// time (timePart); set by the first instant keyed, moved by rekey.
	epoch    int64
	hasEpoch bool
	rekeying bool // rekey is recomputing every key
}

// node is one tournament node: the winner below it, with its rank key
// copied in so comparisons stay inside the nodes array.
// The winner's own room is not copied: a search that stops at a node
// reads it from the winner, whom it is about to charge anyway.
type node struct {
	key  uint64 // the winner's rank key (keyOf); 0 when no key orders it
	slot int32  // the winner's slot, -1 for none
	room int32  // largest room below, -1 for none
}

// empty is a node with no winner. Its key is after every real key (none
// reaches the largest word), so comparisons need no test for emptiness
// on the fast path.
var empty = node{key: math.MaxUint64, slot: -1, room: -1}

// order names the built-in orderings the tree compares without calling
// the Strategy, on keys stored in the nodes.
type order uint8

const (
	custom order = iota
	leastLoaded
	roundRobin
	longestIdle
)

// A key is one word whose order is the Strategy's: of two agents with
// keys other than 0, the smaller key ranks first; equal keys, or a key of
// 0 (an agent out of the bounds below, or a host's Strategy), leave the
// order to Strategy.Less, which breaks the ties by AgentID. A key is
// never 0 otherwise, and never the largest word (empty).
//
// Least loaded is the load ratio, then the time (LeastLoaded.Less): the
// ratio as a fixed-point number with ratioBits fractional bits, then the
// time in timeBits (timePart). For capacities up to maxExactCapacity, two
// different ratios differ by at least 1/maxExactCapacity², which is
// 2^-ratioBits, so their fixed-point floors differ too, and equal ratios
// give equal floors; a ratio of maxRatio or more (a load far over
// capacity) gets no key.
const (
	ratioBits        = 24
	maxExactCapacity = 1 << (ratioBits / 2)
	maxRatio         = 16 // a ratio below it takes 28 bits, so a key stays below 2⁶³
)

// A time part counts from the tree's epoch in steps of 2^timeShift ns
// (16 µs), in timeBits: a span of about six and a half days. Instants in
// the same step tie and go to Strategy.Less, as do instants before the
// epoch. An instant past the span moves the epoch (rekey), so keys keep
// up with a router that runs for weeks.
const (
	timeBits  = 35
	timeShift = 14
	timeSpan  = (1<<timeBits - 1) << timeShift // ns from the epoch a time part covers
)

// keyOf is c's rank key under t's order; see the constants above. It
// returns later when c's time is past the span, so the caller moves the
// epoch (rekey) and asks again.
func (t *tree) keyOf(c *Candidate) (key uint64, later bool) {
	idle, at := c.Load == 0, c.keyTime()
	switch t.order {
	case leastLoaded:
		// Equal ratios are both zero (both idle) or both not, so the ratio
		// then the time is LeastLoaded.Less's order.
		if c.Load < 0 || c.Capacity <= 0 || c.Capacity > maxExactCapacity || c.Load >= maxRatio*c.Capacity {
			return 0, false
		}
		tp, ok, later := t.timePart(at)
		if !ok {
			return 0, later
		}
		ratio := uint64(c.Load) << ratioBits / uint64(c.Capacity)
		return (ratio<<timeBits | tp) + 1, false
	case longestIdle:
		tp, ok, later := t.timePart(at)
		if !ok {
			return 0, later
		}
		if idle {
			return tp + 1, false
		}
		return (1<<timeBits | tp) + 1, false
	case roundRobin:
		// Picked is the router's sequence at the agent's last assignment,
		// so it is 0 (never picked, ordered by Joined) or distinct.
		const top = 1 << 62
		switch {
		case c.Picked >= top || c.Joined >= top:
			return 0, false
		case c.Picked == 0:
			return c.Joined + 1, false
		}
		return (top | c.Picked) + 1, false
	}
	return 0, false
}

// keyTime is the instant the built-in orders rank c by: since when it is
// idle, or when it was last assigned.
func (c *Candidate) keyTime() time.Time {
	if c.Load == 0 {
		return c.IdleSince
	}
	return c.LastAssigned
}

// wallClock is t without its monotonic clock reading, as the router keeps the
// instants of a Candidate. Keys count wall-clock nanoseconds, while
// Time.Compare (so Strategy.Less) reads the monotonic clock when both
// instants carry it: across a step of the wall clock the two could
// disagree about which instant came first.
func wallClock(t time.Time) time.Time { return t.Round(0) }

// timePart is at's time part: 0 for the zero time (never, before every
// instant), else 1 plus the steps from the epoch. ok is false when at
// falls outside the span, and later tells that it falls after it.
func (t *tree) timePart(at time.Time) (tp uint64, ok, later bool) {
	if at.IsZero() {
		return 0, true, false
	}
	if sec := at.Unix(); sec <= math.MinInt64/int64(time.Second) || sec >= math.MaxInt64/int64(time.Second) {
		return 0, false, false // beyond 1678–2262, where UnixNano wraps
	}
	ns := at.UnixNano()
	if !t.hasEpoch {
		t.epoch, t.hasEpoch = epochFor(ns), true
	}
	if ns < t.epoch {
		return 0, false, false
	}
	// ns and the epoch may lie anywhere in int64, so their distance is
	// taken as unsigned, where it cannot overflow.
	if d := uint64(ns) - uint64(t.epoch); d < timeSpan {
		return 1 + d>>timeShift, true, false
	}
	return 0, false, !t.rekeying
}

// epochFor is the epoch that puts the instant ns in the middle of the
// span, or as near it as the int64 range allows.
func epochFor(ns int64) int64 {
	if ns < math.MinInt64+timeSpan/2 {
		return math.MinInt64
	}
	return ns - timeSpan/2
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
	t.rebuild()
}

// rebuild recomputes every node from the agents.
func (t *tree) rebuild() {
	for i := range t.nodes {
		t.nodes[i] = empty
	}
	for s, a := range t.agents {
		if a != nil {
			t.setLeaf(s, a)
		}
	}
	for n := t.size - 1; n >= 1; n-- {
		t.pull(n)
	}
}

// rekey moves the epoch so that the instant ns, past the span, falls in
// its middle, and recomputes every key. It runs when time has moved on
// by about half a span since the epoch was set, so it costs O(n) every
// few days. An instant still past the span while it runs gets no key.
// The epoch only moves forward: after an instant far ahead of the others
// (a clock set wrong), the earlier instants have no key, and their
// comparisons go to Strategy.Less, correct but slower, until time
// catches up.
func (t *tree) rekey(ns int64) {
	t.epoch, t.rekeying = epochFor(ns), true
	t.rebuild()
	t.rekeying = false
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

// setLeaf recomputes leaf s from a, its agent (nil for none), which must
// be t.agents[s]: a rekey rebuilds every leaf from t.agents, this one
// included.
func (t *tree) setLeaf(s int, a *agentState) {
	nd := &t.nodes[t.size+s]
	if a == nil || a.presence != Available {
		*nd = empty
		return
	}
	key, later := t.keyOf(&a.cand)
	if later {
		// Every key is recomputed, this one with them.
		t.rekey(a.cand.keyTime().UnixNano())
		return
	}
	room := int32(max(min(a.cand.room(), math.MaxInt32), -1))
	nd.key, nd.slot, nd.room = key, int32(s), room
}

// set makes n hold w's winner with room as the largest room below.
// Copied field by field, not as a whole node: see BenchmarkDecision.
func (n *node) set(w *node, room int32) {
	n.key, n.slot, n.room = w.key, w.slot, room
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

// update is fix for a caller that has slot s's agent at hand, moved
// (t.agents[s], nil when the slot was just emptied), so the walk does not
// read agents. It is one walk to the root, reading the sibling pair per
// level.
func (t *tree) update(s int32, moved *agentState) {
	t.setLeaf(int(s), moved)
	nodes := t.nodes
	for n := t.size + int(s); n > 1; n >>= 1 {
		l, r := &nodes[n&^1], &nodes[n|1]
		w := l
		// before, written out: see BenchmarkDecision.
		if r.key != l.key && min(r.key, l.key) != 0 {
			if r.key < l.key {
				w = r
			}
		} else if t.beforeSlow(r, l) {
			w = r
		}
		room := max(l.room, r.room)
		p := &nodes[n>>1]
		if p.slot == w.slot && p.room == room && w.slot != s {
			// Nothing above can change when this node does not and the
			// moved agent is not its winner (a winner's key and room may
			// change without its slot changing).
			break
		}
		p.set(w, room)
	}
}

// before reports whether x's winner ranks strictly before y's; an empty
// node ranks after everything. Differing keys decide at once; ties, keys
// of 0 and empty nodes go to beforeSlow.
func (t *tree) before(x, y *node) bool {
	if x.key != y.key && min(x.key, y.key) != 0 {
		return x.key < y.key
	}
	return t.beforeSlow(x, y)
}

func (t *tree) beforeSlow(x, y *node) bool {
	switch {
	case x.slot < 0:
		return false
	case y.slot < 0:
		return true
	}
	return t.less.Less(&t.agents[x.slot].cand, &t.agents[y.slot].cand)
}

// first returns the best agent with room for weight that ex does not
// exclude, or nil.
func (t *tree) first(weight int, ex *exclusion) *agentState {
	if nd := t.find(1, weight, int32(min(weight, math.MaxInt32)), ex); nd != nil {
		return t.agents[nd.slot]
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
	if nd.slot >= 0 {
		if a := t.agents[nd.slot]; a.cand.room() >= weight && (ex.empty() || !ex.has(a)) {
			return nd
		}
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

package routing

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"sync"
	"time"
)

// Config describes a router. Its zero value is a working router with no
// agents, default weights, simplified touchpoints and capacity kept in the
// router's own memory.
type Config struct {
	// Agents are the agents at start; more can be added with AddAgent.
	Agents []Agent
	// Policies are the touchpoints' routing policies. A touchpoint
	// without one is simplified.
	Policies []Policy
	// Weights are the channel weights; the zero value is the defaults.
	Weights Weights
	// Ledger, when set, is where capacity is reserved, so several routers
	// (one per process) sharing it never put an agent over capacity. When
	// nil the router's own memory is the record: right for one process.
	Ledger Ledger
	// OfflineReturnsWork makes an agent going offline give their open
	// conversations back to be routed again.
	OfflineReturnsWork bool
	// DrainGrace is how long a draining agent keeps open work before it is
	// handed to available teammates (at the first Expire after it).
	DrainGrace time.Duration
	// Trace attaches a Trace to every automatic decision. Traces cost
	// memory on every decision; leave it off when nobody reads them.
	Trace bool
}

// Router routes conversations to agents. It is safe for concurrent use by
// multiple goroutines: every method takes the router's lock, and calls its
// Ledger while holding it.
//
// Methods that change assignments return the decisions they made, in
// order: a release frees room, which may at once dispatch conversations
// that were waiting. A host turns each into its own events ("assigned",
// "offered", "all agents busy").
type Router struct {
	mu      sync.Mutex
	weights Weights
	ledger  Ledger
	trace   bool
	offline bool
	grace   time.Duration

	touchpoints map[string]*touchpointState
	simplified  touchpointState
	lastTP      *touchpointState // the last touchpoint looked up
	strategies  []Strategy

	agents map[string]*agentState
	queues map[string]*queueState
	qcache [1 << queueCacheBits]*queueState // queues by queueSlot of their name
	auto   int                              // the sum of queueState.auto over all queues
	convs  convTable
	owned  map[string][]*itemState // dedicated items waiting for their owner
	spare  []*itemState
	timers timerHeap
	seq    uint64
	ex     exclusion
	faults faults // broken bookkeeping met on the way, for Check
}

type touchpointState struct {
	Policy
	strategy int    // index into Router.strategies
	name     string // the strategy's name, for traces
	prefer   Preferrer
}

// queueState is one queue: its members, their rankings and its inbox. It
// is kept while an agent is a member or a conversation names it (refs),
// and dropped after (dropQueue), so names seen once do not stay for ever.
type queueState struct {
	name    string
	members []*agentState
	trees   []*tree      // by strategy index; nil until first used
	waiting []*itemState // the inbox, by priority then age
	auto    int          // waiting items the router dispatches itself
	refs    int          // conversations held by the router that name it
}

// agentState is one agent; the agent's queues, in order, are its
// memberships' queues. Field order and size matter: see BenchmarkDecision.
type agentState struct {
	cand     Candidate
	presence Presence
	held     *itemState // list of held conversations, through itemState.next
	ranks    []rank     // every tree a is ranked in, flat, for changed
	rank0    [1]rank
	member   []membership
	drainGen uint64 // the drain deadline lives only in its timer
	// memberAt finds a membership by queue once an agent is in many
	// queues (memberIndexMin), so joining q queues costs O(q), not O(q²).
	memberAt map[*queueState]int
}

// memberIndexMin is how many queues an agent joins before its memberships
// are indexed; below it a scan is cheaper than a map.
const memberIndexMin = 16

// membership is an agent's place in one queue: its slot in each of the
// queue's trees (-1 where absent).
type membership struct {
	q     *queueState
	slots []int32
}

// rank is an agent's slot in one tree. agentState.ranks repeats what
// member says as one flat list, so a load change walks its trees without
// going through queue and membership records; it starts in
// agentState.rank0, as most agents are ranked in one tree.
type rank struct {
	t *tree
	s int32
}

type phase uint8

const (
	inInbox phase = iota
	offered
	assigned
)

// itemState is one conversation held by the router. What a release reads
// comes first; keep the field order: see BenchmarkDecision.
type itemState struct {
	agent     *agentState
	weight    int
	prev      *itemState
	next      *itemState
	gen       uint64
	phase     phase
	auto      bool // dispatched by the router while waiting
	voice     bool // escalated to voice
	automatic bool // placed by the router rather than by a person
	replied   bool
	moved     bool // auto-transferred once already
	item      Item
	qs        []*queueState
	tp        *touchpointState
	deadline  time.Time // a standing offer's; the reply deadline lives only in its timer
	declined  []string
	seq       uint64
}

// exclusion is the agents a search must pass over: those who declined the
// item and those that lost a race in the Ledger during this decision.
type exclusion struct {
	declined []string
	tried    []*agentState
}

// empty reports whether the search passes over nobody, the usual case,
// so the tree need not look at agents at all.
func (e *exclusion) empty() bool { return len(e.tried) == 0 && len(e.declined) == 0 }

func (e *exclusion) has(a *agentState) bool {
	for _, t := range e.tried {
		if t == a {
			return true
		}
	}
	for _, id := range e.declined {
		if id == a.cand.AgentID {
			return true
		}
	}
	return false
}

// errLostRace means the Ledger refused a reservation the local view
// allowed: another process took the room first.
var errLostRace = errors.New("routing: lost reservation race")

// New returns a router for cfg. It refuses an invalid agent or touchpoint,
// duplicate IDs and a dedicated touchpoint naming no agent (ErrInvalid,
// ErrDuplicate).
func New(cfg Config) (*Router, error) {
	r := &Router{
		weights:     cfg.Weights,
		ledger:      cfg.Ledger,
		trace:       cfg.Trace,
		offline:     cfg.OfflineReturnsWork,
		grace:       cfg.DrainGrace,
		touchpoints: make(map[string]*touchpointState, len(cfg.Policies)),
		strategies:  []Strategy{LeastLoaded{}, RoundRobin{}, LongestIdle{}},
		agents:      make(map[string]*agentState, len(cfg.Agents)),
		queues:      make(map[string]*queueState),
		convs:       newConvTable(),
		owned:       make(map[string][]*itemState),
	}
	if cfg.DrainGrace < 0 {
		return nil, invalidf("negative drain grace %s", cfg.DrainGrace)
	}
	for _, tp := range cfg.Policies {
		if err := tp.validate(); err != nil {
			return nil, err
		}
		if _, dup := r.touchpoints[tp.ID]; dup {
			return nil, errorf(ErrDuplicate, "touchpoint %q", tp.ID)
		}
		ts := &touchpointState{Policy: tp}
		if tp.Strategy == nil {
			ts.Strategy = LeastLoaded{}
		}
		ts.prefer, _ = ts.Strategy.(Preferrer)
		ts.strategy = r.strategyIndex(ts.Strategy)
		ts.name = strategyName(ts.Strategy)
		r.touchpoints[tp.ID] = ts
	}
	for _, a := range cfg.Agents {
		if _, err := r.addAgent(a, time.Time{}); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// strategyIndex returns the index of the tree ordering for s, sharing the
// built-in orderings between touchpoints.
func (r *Router) strategyIndex(s Strategy) int {
	switch v := s.(type) {
	case LeastLoaded:
		return 0
	case RoundRobin:
		return 1
	case LongestIdle:
		return 2
	case Sticky:
		return r.strategyIndex(v.fallback())
	}
	r.strategies = append(r.strategies, s)
	return len(r.strategies) - 1
}

// touchpoint returns id's state. Conversations of one touchpoint tend to
// come in runs, so the last one found is checked before the map.
func (r *Router) touchpoint(id string) *touchpointState {
	if tp := r.lastTP; tp != nil && tp.ID == id {
		return tp
	}
	if tp, ok := r.touchpoints[id]; ok {
		r.lastTP = tp
		return tp
	}
	return &r.simplified
}

// queueCacheBits sizes the router's queue-name cache: 1 024 slots, so a
// few dozen queues rarely share one.
const queueCacheBits = 10

// queueSlot is where name may sit in the queue-name cache: its length and
// its first and last eight bytes, mixed by multiplication. Queue names
// usually differ at one end ("support-2", "sales-eu"). A collision only
// costs a map lookup.
func queueSlot(name string) int {
	var first, last uint64
	if n := len(name); n >= 8 {
		first, last = word(name), word(name[n-8:])
	} else {
		for i := range n {
			first |= uint64(name[i]) << (8 * i)
		}
	}
	h := ((first^uint64(len(name)))*0x9e3779b97f4a7c15 ^ last) * 0xbf58476d1ce4e5b9
	return int(h >> (64 - queueCacheBits))
}

// word is s's first eight bytes, little-endian.
func word(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// queue returns name's queue, creating it on first use. Items name their
// queues by string on every Enqueue; a direct-mapped cache in front of the
// map usually finds it with one short comparison.
func (r *Router) queue(name string) *queueState {
	slot := queueSlot(name)
	if q := r.qcache[slot]; q != nil && q.name == name {
		return q
	}
	q, ok := r.queues[name]
	if !ok {
		q = &queueState{name: name}
		r.queues[name] = q
	}
	r.qcache[slot] = q
	return q
}

// dropQueue forgets q once no agent serves it and no conversation names
// it; it is made afresh if its name comes back.
func (r *Router) dropQueue(q *queueState) {
	if len(q.members) > 0 || q.refs > 0 {
		return
	}
	delete(r.queues, q.name)
	if slot := queueSlot(q.name); r.qcache[slot] == q {
		r.qcache[slot] = nil
	}
}

// nameQueues sets st's queues to those of names, deduplicated, counting
// st as naming each, then lets go of the queues it named before.
func (r *Router) nameQueues(st *itemState, names []string) {
	old := st.qs
	st.qs = make([]*queueState, 0, len(names))
	for _, name := range names {
		if q := r.queue(name); !slices.Contains(st.qs, q) {
			st.qs = append(st.qs, q)
			q.refs++
		}
	}
	for _, q := range old {
		q.refs--
		r.dropQueue(q)
	}
}

// tree returns q's ranking by strategy i, building it on first use.
func (r *Router) tree(q *queueState, i int) *tree {
	if i < len(q.trees) && q.trees[i] != nil {
		return q.trees[i]
	}
	for len(q.trees) <= i {
		q.trees = append(q.trees, nil)
	}
	t := newTree(r.strategies[i], i)
	if n := len(q.members); n > t.size {
		// Sized for the members at once, not doubled as they are added.
		t.grow(n)
	}
	q.trees[i] = t
	for _, a := range q.members {
		m := a.membership(q)
		for len(m.slots) <= i {
			m.slots = append(m.slots, -1)
		}
		m.slots[i] = t.add(a)
		a.ranks = append(a.ranks, rank{t: t, s: m.slots[i]})
	}
	return t
}

func (a *agentState) membership(q *queueState) *membership {
	if a.memberAt != nil {
		if i, ok := a.memberAt[q]; ok {
			return &a.member[i]
		}
		return nil
	}
	for i := range a.member {
		if a.member[i].q == q {
			return &a.member[i]
		}
	}
	return nil
}

// reindex rebuilds a.ranks from a.member after a slot was added or
// removed.
func (a *agentState) reindex() {
	a.ranks = a.ranks[:0]
	for _, m := range a.member {
		for ti, s := range m.slots {
			if s >= 0 {
				a.ranks = append(a.ranks, rank{t: m.q.trees[ti], s: s})
			}
		}
	}
}

// changed refreshes a's place in every ranking after its load or
// presence changed: O(queues × log n).
func (a *agentState) changed() {
	for _, rk := range a.ranks {
		rk.t.update(rk.s, a)
	}
}

func (a *agentState) inQueues(st *itemState) bool {
	for _, q := range st.qs {
		if a.membership(q) != nil {
			return true
		}
	}
	return false
}

// weightOf is what st would be charged now.
func (r *Router) weightOf(st *itemState) int {
	if st.voice {
		return VoiceWeight
	}
	return r.weights.Of(st.item.Kind)
}

// SetWeights replaces the channel weights for conversations assigned from
// now on. It is not retroactive: held conversations release what they were
// charged. Lighter weights may let waiting conversations fit where they
// did not: each available agent, in the order they joined, is offered
// what waits, and the decisions say what moved.
func (r *Router) SetWeights(ctx context.Context, w Weights, now time.Time) []Decision {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.weights = w
	if r.auto == 0 && len(r.owned) == 0 {
		return nil
	}
	agents := make([]*agentState, 0, len(r.agents))
	for _, a := range r.agents {
		if a.presence == Available {
			agents = append(agents, a)
		}
	}
	slices.SortFunc(agents, func(x, y *agentState) int { return cmp.Compare(x.cand.Joined, y.cand.Joined) })
	var out []Decision
	for _, a := range agents {
		out = r.dispatch(ctx, a, now, out)
	}
	return out
}

// commit charges w to a for st, through the Ledger when there is one.
func (r *Router) commit(ctx context.Context, a *agentState, st *itemState, w int, now time.Time) error {
	if a.cand.Load+w > a.cand.Capacity {
		return &CapacityError{AgentID: a.cand.AgentID, Load: a.cand.Load, Weight: w, Capacity: a.cand.Capacity}
	}
	if r.ledger != nil {
		err := r.ledger.Reserve(ctx, a.cand.AgentID, st.item.ConversationID, w, a.cand.Capacity)
		if errors.Is(err, ErrOverCapacity) {
			// Another process holds part of the room: learn the agent's
			// real load so the local view stops offering it.
			if load, lerr := r.ledger.Load(ctx, a.cand.AgentID); lerr == nil && load > a.cand.Load {
				a.cand.Load = load
				a.cand.IdleSince = time.Time{}
				a.changed()
			}
			return errLostRace
		}
		if err != nil {
			return err
		}
	}
	a.cand.Load += w
	a.cand.LastAssigned = wallClock(now)
	a.cand.IdleSince = time.Time{}
	r.seq++
	a.cand.Picked = r.seq
	st.agent, st.weight = a, w
	st.next, st.prev = a.held, nil
	if a.held != nil {
		a.held.prev = st
	}
	a.held = st
	a.changed()
	return nil
}

// uncharge frees st's charge from its agent, through the Ledger first so
// that a failing Ledger changes nothing.
func (r *Router) uncharge(ctx context.Context, st *itemState, now time.Time) error {
	a := st.agent
	if a == nil {
		return nil
	}
	if r.ledger != nil {
		if _, err := r.ledger.Release(ctx, st.item.ConversationID); err != nil {
			return err
		}
	}
	if a.cand.Load >= st.weight {
		a.cand.Load -= st.weight
	} else {
		r.unaccounted(a, st)
	}
	if a.cand.Load == 0 {
		a.cand.IdleSince = wallClock(now)
	}
	if st.prev != nil {
		st.prev.next = st.next
	} else {
		a.held = st.next
	}
	if st.next != nil {
		st.next.prev = st.prev
	}
	st.agent, st.weight, st.prev, st.next = nil, 0, nil, nil
	st.gen++ // invalidates the item's timers
	a.changed()
	return nil
}

func (r *Router) newItem(item *Item, now time.Time) *itemState {
	var st *itemState
	if n := len(r.spare); n > 0 {
		st, r.spare = r.spare[n-1], r.spare[:n-1]
	} else {
		st = &itemState{}
	}
	qs, declined, gen := st.qs[:0], st.declined[:0], st.gen+1
	// Cleared in place, then filled: see BenchmarkDecision.
	*st = itemState{}
	st.qs, st.declined, st.gen = qs, declined, gen
	st.item = *item
	st.item.Dedicated = false
	if st.item.Enqueued.IsZero() {
		st.item.Enqueued = now
	}
	st.tp = r.touchpoint(item.Touchpoint)
	for _, name := range item.Queues {
		q := r.queue(name)
		dup := false
		for _, have := range st.qs {
			dup = dup || have == q
		}
		if !dup {
			st.qs = append(st.qs, q)
			q.refs++
		}
	}
	r.seq++
	st.seq = r.seq
	return st
}

// recycle keeps st's memory for the next conversation, letting go of
// its queues; the caller has taken it out of r.convs.
func (r *Router) recycle(st *itemState) {
	for _, q := range st.qs {
		q.refs--
		r.dropQueue(q)
	}
	clear(st.qs)
	st.qs = st.qs[:0]
	st.gen++
	st.item = Item{}
	st.tp, st.agent = nil, nil
	r.spare = append(r.spare, st)
}

// Enqueue routes a new conversation by its touchpoint's mode and reports
// what happened: assigned or offered (automatic, dedicated, kept agent),
// queued in the inbox (simplified), or waiting because no eligible agent
// has room. It refuses an invalid item (ErrInvalid) and a conversation
// already held (ErrDuplicate); an error leaves the router unchanged.
func (r *Router) Enqueue(ctx context.Context, item Item, now time.Time) (d Decision, err error) {
	if err := item.validate(); err != nil {
		return Decision{}, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	dup, h, slot := r.convs.find(item.ConversationID)
	if dup != nil {
		return Decision{}, errorf(ErrDuplicate, "conversation %q", item.ConversationID)
	}
	st := r.newItem(&item, now)
	r.convs.put(h, slot, st)
	if err := r.place(ctx, st, now, &d); err != nil {
		r.convs.remove(item.ConversationID)
		r.recycle(st)
		return Decision{}, err
	}
	return d, nil
}

// Release ends a conversation (end or close): it frees exactly the weight
// charged at assignment and forgets the conversation, then dispatches
// waiting conversations into the freed room. Releasing an unknown or
// already released conversation does nothing, so Release is idempotent.
func (r *Router) Release(ctx context.Context, conversationID string, now time.Time) ([]Decision, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st, _, slot := r.convs.find(conversationID)
	if st == nil {
		return nil, nil
	}
	a := st.agent
	if err := r.uncharge(ctx, st, now); err != nil {
		return nil, err
	}
	if st.phase == inInbox {
		r.leaveInbox(st)
	}
	r.convs.removeAt(slot) // the Ledger and the inbox never touch r.convs
	r.recycle(st)
	if a == nil {
		return nil, nil
	}
	return r.dispatch(ctx, a, now, nil), nil
}

// Load returns the points the agent holds in this router's view.
func (r *Router) Load(agentID string) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	a, ok := r.agents[agentID]
	if !ok {
		return 0, errorf(ErrUnknownAgent, "%q", agentID)
	}
	return a.cand.Load, nil
}

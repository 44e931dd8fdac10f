package routing

import (
	"cmp"
	"slices"
	"time"
)

// Snapshot is a router's whole state as plain data (it encodes as JSON):
// its agents with their presence and load, the conversations it holds with
// their offers, declines and waiting order, its deadlines and its
// counters. [Router.Restore] takes it back into a router built from the
// same Config, which then decides exactly as the one it came from: this is
// how a desk starts again where it stopped, or another process takes over.
type Snapshot struct {
	// Counter orders conversations and assignments (the inbox's ties and
	// round robin); TimerCounter orders deadlines set at the same instant.
	Counter, TimerCounter uint64
	// Weights are the channel weights set by SetWeights, by channel.Kind;
	// 0 means the default.
	Weights []int `json:",omitempty"`
	// Agents are the agents, in the order they joined.
	Agents []AgentSnapshot
	// Conversations are the conversations held, in the order they came.
	Conversations []ConversationSnapshot
	// Owned lists, by owner, the conversations of dedicated touchpoints
	// waiting for their owner's room, in the order they are served.
	Owned map[string][]string `json:",omitempty"`
	// Deadlines are the standing deadlines, earliest first.
	Deadlines []DeadlineSnapshot `json:",omitempty"`
}

// AgentSnapshot is one agent in a [Snapshot].
type AgentSnapshot struct {
	// Agent is the agent's settings; its Capacity is the effective one.
	Agent
	// Load, IdleSince, LastAssigned, Picked and Joined are the agent's
	// [Candidate] facts.
	Load                    int
	IdleSince, LastAssigned time.Time
	Picked, Joined          uint64
	// Held lists the conversations assigned or offered to the agent, the
	// most recent first.
	Held []string `json:",omitempty"`
	// DrainGen tells the agent's drain deadline from older ones.
	DrainGen uint64 `json:",omitempty"`
}

// ConversationSnapshot is one conversation in a [Snapshot].
type ConversationSnapshot struct {
	Item Item
	// Outcome is where the conversation stands: Queued or Waiting in the
	// inbox, Offered or Assigned to AgentID, charged Weight.
	Outcome Outcome
	AgentID string `json:",omitempty"`
	Weight  int    `json:",omitempty"`
	// Deadline is a standing offer's.
	Deadline time.Time
	// Declined are the agents who declined it, or lost it by timeout.
	Declined []string `json:",omitempty"`
	// Voice: escalated to a call. Automatic: placed by the router.
	// Replied: its agent has answered. Moved: auto-transferred once.
	Voice, Automatic, Replied, Moved bool
	// Seq orders it among conversations.
	Seq uint64
}

// DeadlineSnapshot is one standing deadline in a [Snapshot]: an offer's
// expiry, an auto-transfer's reply deadline or a drain's end.
type DeadlineSnapshot struct {
	At time.Time
	// Kind is "offer", "reply" or "drain".
	Kind string
	// ConversationID names the conversation of an offer or reply
	// deadline; AgentID the agent of a drain.
	ConversationID string `json:",omitempty"`
	AgentID        string `json:",omitempty"`
	// Seq orders deadlines at the same instant.
	Seq uint64
}

var timerKindNames = [...]string{offerExpiry: "offer", replyDeadline: "reply", drainEnd: "drain"}

// Snapshot returns the router's state. It costs O(n) in agents and
// conversations: take it now and then, not per decision.
func (r *Router) Snapshot() Snapshot {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := Snapshot{Counter: r.seq, TimerCounter: r.timers.set}
	if r.weights != (Weights{}) {
		s.Weights = r.weights.list()
	}
	for _, a := range r.agents {
		as := AgentSnapshot{
			Agent: Agent{ID: a.cand.AgentID, Capacity: a.cand.Capacity, Presence: a.presence},
			Load:  a.cand.Load, IdleSince: a.cand.IdleSince, LastAssigned: a.cand.LastAssigned,
			Picked: a.cand.Picked, Joined: a.cand.Joined, DrainGen: a.drainGen,
		}
		for _, m := range a.member {
			as.Queues = append(as.Queues, m.q.name)
		}
		for st := a.held; st != nil; st = st.next {
			as.Held = append(as.Held, st.item.ConversationID)
		}
		s.Agents = append(s.Agents, as)
	}
	slices.SortFunc(s.Agents, func(x, y AgentSnapshot) int { return cmp.Compare(x.Joined, y.Joined) })
	for _, slot := range r.convs.slots {
		if st := slot.st; st != nil {
			s.Conversations = append(s.Conversations, st.snapshot())
		}
	}
	slices.SortFunc(s.Conversations, func(x, y ConversationSnapshot) int { return cmp.Compare(x.Seq, y.Seq) })
	for owner, sts := range r.owned {
		if len(sts) == 0 {
			continue
		}
		if s.Owned == nil {
			s.Owned = make(map[string][]string)
		}
		for _, st := range sts {
			s.Owned[owner] = append(s.Owned[owner], st.item.ConversationID)
		}
	}
	for _, t := range r.timers.ts {
		d := DeadlineSnapshot{At: t.at, Kind: timerKindNames[t.kind], Seq: t.seq}
		switch {
		case t.kind == drainEnd && t.a.drainGen == t.gen && r.agents[t.a.cand.AgentID] == t.a:
			d.AgentID = t.a.cand.AgentID
		case t.kind != drainEnd && t.st.gen == t.gen && t.st.tp != nil:
			d.ConversationID = t.st.item.ConversationID
		default:
			continue // stale: Expire would skip it
		}
		s.Deadlines = append(s.Deadlines, d)
	}
	slices.SortFunc(s.Deadlines, func(x, y DeadlineSnapshot) int {
		if c := x.At.Compare(y.At); c != 0 {
			return c
		}
		return cmp.Compare(x.Seq, y.Seq)
	})
	return s
}

func (st *itemState) snapshot() ConversationSnapshot {
	c := ConversationSnapshot{
		Item: st.item, Weight: st.weight, Deadline: st.deadline, Declined: slices.Clone(st.declined),
		Voice: st.voice, Automatic: st.automatic, Replied: st.replied, Moved: st.moved, Seq: st.seq,
	}
	c.Item.Queues = slices.Clone(st.item.Queues)
	c.Outcome, c.AgentID = st.standing()
	return c
}

// Restore replaces the router's state with s, taken from a router built
// from the same Config (the same touchpoint policies and strategies,
// which a snapshot does not carry). It refuses a snapshot that does not
// hold together — an unknown agent, a conversation held twice, an
// unknown deadline kind — with an error matching [ErrInvalid] (or
// [ErrFixedWeight] for a changed voice weight), leaving the router as it
// was.
func (r *Router) Restore(s Snapshot) error {
	n := &Router{
		touchpoints: r.touchpoints, simplified: r.simplified, strategies: r.strategies,
		agents: make(map[string]*agentState, len(s.Agents)), queues: make(map[string]*queueState),
		convs: newConvTable(), owned: make(map[string][]*itemState), seq: s.Counter,
	}
	n.timers.set = s.TimerCounter
	w, err := weightsFrom(s.Weights)
	if err != nil {
		return err
	}
	n.weights = w
	if err := n.restoreAgents(s.Agents); err != nil {
		return err
	}
	if err := n.restoreConversations(s); err != nil {
		return err
	}
	if err := n.restoreDeadlines(s.Deadlines); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.weights, r.agents, r.queues, r.qcache, r.auto = n.weights, n.agents, n.queues, n.qcache, n.auto
	r.convs, r.owned, r.spare, r.timers, r.seq = n.convs, n.owned, nil, n.timers, n.seq
	r.lastTP, r.ex, r.faults = nil, exclusion{}, faults{}
	return nil
}

func (r *Router) restoreAgents(agents []AgentSnapshot) error {
	for _, as := range agents {
		if err := as.Agent.validate(); err != nil {
			return err
		}
		if _, dup := r.agents[as.ID]; dup {
			return errorf(ErrInvalid, "snapshot: agent %q twice", as.ID)
		}
		if as.Load < 0 {
			return invalidf("snapshot: agent %q has load %d", as.ID, as.Load)
		}
		a := &agentState{
			cand: Candidate{AgentID: as.ID, Load: as.Load, Capacity: as.Agent.capacity(), IdleSince: as.IdleSince,
				LastAssigned: as.LastAssigned, Picked: as.Picked, Joined: as.Joined},
			presence: as.Presence, drainGen: as.DrainGen,
		}
		a.ranks = a.rank0[:0]
		r.agents[as.ID] = a
		r.join(a, as.Queues)
	}
	return nil
}

func (r *Router) restoreConversations(s Snapshot) error {
	for _, cs := range s.Conversations {
		if err := cs.Item.validate(); err != nil {
			return err
		}
		dup, h, slot := r.convs.find(cs.Item.ConversationID)
		if dup != nil {
			return invalidf("snapshot: conversation %q twice", cs.Item.ConversationID)
		}
		st := &itemState{
			item: cs.Item, deadline: cs.Deadline, declined: slices.Clone(cs.Declined), voice: cs.Voice,
			automatic: cs.Automatic, replied: cs.Replied, moved: cs.Moved, seq: cs.Seq,
			tp: r.touchpoint(cs.Item.Touchpoint),
		}
		st.item.Queues = slices.Clone(cs.Item.Queues)
		r.nameQueues(st, st.item.Queues)
		switch cs.Outcome {
		case Queued, Waiting:
			// Dedicated items join their owner's list below, in its order.
			st.auto = cs.Outcome == Waiting
			r.enterInbox(st)
		case Offered, Assigned:
			a := r.agents[cs.AgentID]
			if a == nil {
				return invalidf("snapshot: conversation %q held by unknown agent %q", cs.Item.ConversationID, cs.AgentID)
			}
			if cs.Weight < 1 {
				return invalidf("snapshot: conversation %q has weight %d", cs.Item.ConversationID, cs.Weight)
			}
			st.phase, st.agent, st.weight = assigned, a, cs.Weight
			if cs.Outcome == Offered {
				st.phase = offered
			}
		default:
			return invalidf("snapshot: conversation %q has outcome %s", cs.Item.ConversationID, cs.Outcome)
		}
		r.convs.put(h, slot, st)
	}
	// Held lists are linked in the order the snapshot gives, most recent
	// first, as handOff walks them.
	for _, as := range s.Agents {
		a := r.agents[as.ID]
		var last *itemState
		for _, id := range as.Held {
			st := r.convs.get(id)
			if st == nil || st.agent != a || st.prev != nil || st == a.held {
				return invalidf("snapshot: agent %q holds %q, which the conversations do not say", as.ID, id)
			}
			if last == nil {
				a.held = st
			} else {
				last.next, st.prev = st, last
			}
			last = st
		}
	}
	for _, slot := range r.convs.slots {
		if st := slot.st; st != nil && st.agent != nil && st.prev == nil && st.agent.held != st {
			return invalidf("snapshot: conversation %q is not in agent %q's held list", st.item.ConversationID, st.agent.cand.AgentID)
		}
	}
	for owner, ids := range s.Owned {
		for _, id := range ids {
			st := r.convs.get(id)
			if st == nil || st.phase != inInbox || !st.auto || st.tp.Mode != Dedicated || st.tp.Agent != owner {
				return invalidf("snapshot: %q is not a conversation waiting for owner %q", id, owner)
			}
			r.owned[owner] = append(r.owned[owner], st)
		}
	}
	return nil
}

func (r *Router) restoreDeadlines(ds []DeadlineSnapshot) error {
	for _, d := range ds {
		t := timer{at: d.At, seq: d.Seq}
		switch d.Kind {
		case "offer", "reply":
			t.kind = offerExpiry
			if d.Kind == "reply" {
				t.kind = replyDeadline
			}
			if t.st = r.convs.get(d.ConversationID); t.st == nil {
				return invalidf("snapshot: %s deadline for unknown conversation %q", d.Kind, d.ConversationID)
			}
			t.gen = t.st.gen
		case "drain":
			t.kind = drainEnd
			if t.a = r.agents[d.AgentID]; t.a == nil {
				return invalidf("snapshot: drain deadline for unknown agent %q", d.AgentID)
			}
			t.gen = t.a.drainGen
		default:
			return invalidf("snapshot: deadline kind %q", d.Kind)
		}
		r.timers.insert(t)
	}
	return nil
}

package routing

import (
	"context"
	"slices"
	"time"
)

// addAgent registers a, ranking it in every tree of its queues.
func (r *Router) addAgent(a Agent, now time.Time) (*agentState, error) {
	if err := a.validate(); err != nil {
		return nil, err
	}
	if _, dup := r.agents[a.ID]; dup {
		return nil, errorf(ErrDuplicate, "agent %q", a.ID)
	}
	r.seq++
	as := &agentState{
		cand:     Candidate{AgentID: a.ID, Capacity: a.capacity(), Joined: r.seq, IdleSince: wallClock(now)},
		presence: a.Presence,
	}
	as.ranks = as.rank0[:0]
	r.agents[a.ID] = as
	r.join(as, a.Queues)
	return as, nil
}

// join puts a, which is in no queue, in queues, deduplicated, ranked in
// each existing tree: O(q log n) for q queues.
func (r *Router) join(a *agentState, queues []string) {
	for _, name := range queues {
		q := r.queue(name)
		if a.membership(q) != nil {
			continue
		}
		q.members = append(q.members, a)
		m := membership{q: q, slots: make([]int32, len(q.trees))}
		for i, t := range q.trees {
			m.slots[i] = -1
			if t != nil {
				m.slots[i] = t.add(a)
			}
		}
		a.member = append(a.member, m)
		switch n := len(a.member); {
		case n == memberIndexMin:
			a.memberAt = make(map[*queueState]int, len(queues))
			for i, m := range a.member {
				a.memberAt[m.q] = i
			}
		case n > memberIndexMin:
			a.memberAt[q] = n - 1
		}
	}
	a.reindex()
}

// leave takes a out of every queue, and drops the queues nobody needs
// any more.
func (r *Router) leave(a *agentState) {
	for _, m := range a.member {
		for i, s := range m.slots {
			if s >= 0 {
				m.q.trees[i].remove(s)
			}
		}
		if i := slices.Index(m.q.members, a); i >= 0 {
			m.q.members = slices.Delete(m.q.members, i, i+1)
		}
		r.dropQueue(m.q)
	}
	clear(a.member)
	a.member = a.member[:0]
	a.memberAt = nil
	a.ranks = a.ranks[:0]
}

// AddAgent adds an agent at run time and dispatches waiting conversations
// it can take. It refuses an invalid agent (ErrInvalid) and a known ID
// (ErrDuplicate).
func (r *Router) AddAgent(ctx context.Context, a Agent, now time.Time) ([]Decision, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	as, err := r.addAgent(a, now)
	if err != nil {
		return nil, err
	}
	if r.ledger != nil {
		// Another process may already hold work for this agent.
		if load, err := r.ledger.Load(ctx, a.ID); err == nil && load > 0 {
			as.cand.Load, as.cand.IdleSince = load, time.Time{}
			as.changed()
		}
	}
	return r.dispatch(ctx, as, now, nil), nil
}

// UpdateAgent changes an agent's queues and capacity at run time; its
// presence, load and conversations stay (use SetPresence for presence). A
// capacity below the current load is allowed: the agent simply takes
// nothing new until enough is released. It then dispatches waiting
// conversations the agent can now take.
func (r *Router) UpdateAgent(ctx context.Context, a Agent, now time.Time) ([]Decision, error) {
	if err := a.validate(); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	as, ok := r.agents[a.ID]
	if !ok {
		return nil, errorf(ErrUnknownAgent, "%q", a.ID)
	}
	r.leave(as)
	as.cand.Capacity = a.capacity()
	r.join(as, a.Queues)
	return r.dispatch(ctx, as, now, nil), nil
}

// RemoveAgent removes an agent at run time. Conversations it held or was
// offered are routed again by their touchpoints' modes; the returned
// decisions say where they went.
//
// A dedicated touchpoint's conversations are assigned to its owner
// automatically, so with the owner gone nobody is left to
// give them to: those it held and those waiting for it go to their
// queues' inbox as ordinary work (Queued), for an agent of those queues to
// assign to self, and so do the touchpoint's new conversations until an
// agent with the owner's ID is added again.
func (r *Router) RemoveAgent(ctx context.Context, agentID string, now time.Time) ([]Decision, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	a, ok := r.agents[agentID]
	if !ok {
		return nil, errorf(ErrUnknownAgent, "%q", agentID)
	}
	a.presence = Offline // not eligible while its work is re-routed
	a.changed()
	delete(r.agents, agentID) // so place no longer finds it as an owner or kept agent
	out, err := r.handOff(ctx, a, now, nil)
	if err != nil {
		r.agents[agentID] = a
		return out, err
	}
	out = r.disown(agentID, out)
	r.leave(a)
	return out, nil
}

// disown turns the dedicated conversations waiting for owner, who has
// been removed, into ordinary inbox work.
func (r *Router) disown(owner string, out []Decision) []Decision {
	owned := r.owned[owner]
	delete(r.owned, owner)
	for _, st := range owned {
		r.leaveInbox(st)
		r.enterInbox(st) // not waiting for the router: st.auto is now false
		out = append(out, Decision{ConversationID: st.item.ConversationID, Outcome: Queued})
	}
	return out
}

// Agent returns the agent's settings as the router holds them.
func (r *Router) Agent(agentID string) (Agent, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	a, ok := r.agents[agentID]
	if !ok {
		return Agent{}, false
	}
	var queues []string
	for _, m := range a.member {
		queues = append(queues, m.q.name)
	}
	return Agent{ID: a.cand.AgentID, Queues: queues, Capacity: a.cand.Capacity, Presence: a.presence}, true
}

// SetPresence changes an agent's presence:
//   - Available: the agent receives new work at once, starting with what
//     waits.
//   - Away: the agent keeps its work and receives none; offers standing to
//     it go to the next agent.
//   - Offline: as Away; with Config.OfflineReturnsWork its conversations
//     are routed again.
//   - Draining: as Away; after Config.DrainGrace (at the first Expire
//     after it) its open work is handed to available teammates.
func (r *Router) SetPresence(ctx context.Context, agentID string, p Presence, now time.Time) ([]Decision, error) {
	if !p.Valid() {
		return nil, invalidf("presence %d", uint8(p))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	a, ok := r.agents[agentID]
	if !ok {
		return nil, errorf(ErrUnknownAgent, "%q", agentID)
	}
	if a.presence == p {
		return nil, nil
	}
	a.presence = p
	a.drainGen++
	if p == Available && a.cand.Load == 0 {
		a.cand.IdleSince = wallClock(now)
	}
	a.changed()
	switch p {
	case Available:
		return r.dispatch(ctx, a, now, nil), nil
	case Offline:
		if r.offline {
			return r.handOff(ctx, a, now, nil)
		}
	case Draining:
		if r.grace == 0 {
			return r.handOff(ctx, a, now, nil)
		}
		r.timers.push(timer{at: now.Add(r.grace), a: a, gen: a.drainGen, kind: drainEnd})
	}
	return r.withdraw(ctx, a, now, nil)
}

// withdraw passes offers standing to a, who no longer takes work, on.
func (r *Router) withdraw(ctx context.Context, a *agentState, now time.Time, out []Decision) ([]Decision, error) {
	for st := a.held; st != nil; {
		next := st.next
		if st.phase == offered {
			var err error
			if out, err = r.reroute(ctx, st, now, out); err != nil {
				return out, err
			}
		}
		st = next
	}
	return out, nil
}

// handOff routes every conversation a holds again, by its touchpoint's
// mode; a is not available, so it cannot get them back.
func (r *Router) handOff(ctx context.Context, a *agentState, now time.Time, out []Decision) ([]Decision, error) {
	for a.held != nil {
		var err error
		if out, err = r.reroute(ctx, a.held, now, out); err != nil {
			return out, err
		}
	}
	return out, nil
}

// reroute frees st and routes it again, keeping its queue age. A manually
// taken or simplified conversation goes back to the inbox, and waits to be
// dispatched there: it must not be left with someone who has gone.
func (r *Router) reroute(ctx context.Context, st *itemState, now time.Time, out []Decision) ([]Decision, error) {
	if err := r.uncharge(ctx, st, now); err != nil {
		return out, err
	}
	st.item.Dedicated = false
	if st.tp.Mode == Simplified {
		st.auto = false
		r.enterInbox(st)
		return append(out, Decision{ConversationID: st.item.ConversationID, Outcome: Queued}), nil
	}
	var d Decision
	if err := r.place(ctx, st, now, &d); err != nil {
		r.wait(st)
		return out, err
	}
	return append(out, d), nil
}

// Refresh reloads an agent's load from the Ledger, so a router sharing
// the Ledger with others sees room they freed. Without a Ledger it does
// nothing.
func (r *Router) Refresh(ctx context.Context, agentID string, now time.Time) ([]Decision, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	a, ok := r.agents[agentID]
	if !ok {
		return nil, errorf(ErrUnknownAgent, "%q", agentID)
	}
	if r.ledger == nil {
		return nil, nil
	}
	load, err := r.ledger.Load(ctx, agentID)
	if err != nil {
		return nil, err
	}
	own := 0
	for st := a.held; st != nil; st = st.next {
		own += st.weight
	}
	a.cand.Load = max(load, own)
	if a.cand.Load == 0 && a.cand.IdleSince.IsZero() {
		a.cand.IdleSince = wallClock(now)
	}
	a.changed()
	return r.dispatch(ctx, a, now, nil), nil
}

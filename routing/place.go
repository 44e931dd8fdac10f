package routing

import (
	"context"
	"fmt"
	"time"
)

// skip codes say why an agent could not take an item.
type skip uint8

const (
	eligible skip = iota
	skipUnknown
	skipPresence
	skipQueues
	skipDeclined
	skipRoom
)

// why checks whether a may take st at weight w.
func (r *Router) why(a *agentState, st *itemState, w int) skip {
	switch {
	case a == nil:
		return skipUnknown
	case a.presence != Available:
		return skipPresence
	case !a.inQueues(st):
		return skipQueues
	case r.ex.has(a):
		return skipDeclined
	case a.cand.room() < w:
		return skipRoom
	}
	return eligible
}

func (s skip) describe(a *agentState, w int) string {
	switch s {
	case skipUnknown:
		return "not a known agent"
	case skipPresence:
		return "presence is " + a.presence.String()
	case skipQueues:
		return "in none of the conversation's queues"
	case skipDeclined:
		return "declined or lost the reservation race"
	case skipRoom:
		return fmt.Sprintf("no room: load %d + weight %d > capacity %d", a.cand.Load, w, a.cand.Capacity)
	}
	return "eligible"
}

// place routes st, which is in no inbox and held by nobody, by its
// touchpoint's mode, and fills d, which the caller passes zeroed. With no
// agent it goes to the inbox. An error other than a capacity refusal (a
// failing Ledger) leaves st unplaced. d is filled in place rather than
// returned: see BenchmarkDecision.
func (r *Router) place(ctx context.Context, st *itemState, now time.Time, d *Decision) error {
	w := r.weightOf(st)
	r.ex.declined, r.ex.tried = st.declined, r.ex.tried[:0]
	var tr *Trace
	if r.trace {
		tr = &Trace{}
	}
	tp := st.tp

	// A reopened conversation keeps its agent only if that agent can take
	// it now; otherwise it is routed as usual.
	if st.item.KeepAgent && st.item.PreviousAgent != "" {
		a := r.agents[st.item.PreviousAgent]
		if s := r.why(a, st, w); s == eligible {
			if ok, err := r.try(ctx, a, st, w, now, false, tr, "kept agent", "the conversation keeps its previous agent", d); ok {
				return err
			}
		} else if tr != nil {
			tr.Skipped = append(tr.Skipped, Skip{AgentID: st.item.PreviousAgent, Reason: "kept agent: " + s.describe(a, w)})
		}
	}

	switch tp.Mode {
	case Dedicated:
		a := r.agents[tp.Agent]
		if a == nil {
			// No agent owns the touchpoint (removed, or not added yet):
			// waiting for it would be waiting on nobody, so the
			// conversation is ordinary inbox work, as if simplified.
			break
		}
		if a.presence == Available && a.cand.room() >= w {
			if ok, err := r.try(ctx, a, st, w, now, false, tr, "dedicated", "owner of dedicated touchpoint "+tp.ID, d); ok {
				if err == nil {
					d.Dedicated, st.item.Dedicated = true, true
				}
				return err
			}
		}
		if tr != nil {
			tr.Strategy = "dedicated"
			tr.Skipped = append(tr.Skipped, Skip{AgentID: tp.Agent, Reason: ownerSkip(a, w)})
		}
		r.wait(st)
		d.ConversationID, d.Outcome, d.Automatic, d.Trace = st.item.ConversationID, Waiting, true, tr
		return nil

	case Automatic:
		if tp.prefer != nil {
			if id := tp.prefer.Preferred(&st.item, now); id != "" {
				a := r.agents[id]
				if s := r.why(a, st, w); s == eligible {
					if ok, err := r.try(ctx, a, st, w, now, tp.Offer, tr, "sticky", "the contact's previous agent, within the sticky window", d); ok {
						return err
					}
				} else if tr != nil {
					tr.Skipped = append(tr.Skipped, Skip{AgentID: id, Reason: "sticky: " + s.describe(a, w)})
				}
			}
		}
		for {
			a := r.best(st, w)
			if a == nil {
				break
			}
			if ok, err := r.try(ctx, a, st, w, now, tp.Offer, tr, tp.name, "", d); ok {
				return err
			}
		}
		if tr != nil {
			r.explain(tr, st, w, tp.name, nil, "")
		}
		st.auto = true
		r.enterInbox(st)
		d.ConversationID, d.Outcome, d.Automatic, d.Trace = st.item.ConversationID, Waiting, true, tr
		return nil
	}

	st.auto = false
	r.enterInbox(st)
	d.ConversationID, d.Outcome = st.item.ConversationID, Queued
	return nil
}

// ownerSkip describes why a dedicated owner could not take an item.
func ownerSkip(a *agentState, w int) string {
	switch {
	case a == nil:
		return skipUnknown.describe(a, w)
	case a.presence != Available:
		return skipPresence.describe(a, w)
	}
	return skipRoom.describe(a, w)
}

// try commits st to a and fills d (zeroed) with the assignment or offer.
// ok is false when the Ledger said another process won the room, so the
// caller moves on to its next candidate; d is then untouched.
func (r *Router) try(ctx context.Context, a *agentState, st *itemState, w int, now time.Time, offer bool, tr *Trace, strategy, why string, d *Decision) (ok bool, err error) {
	err = r.commit(ctx, a, st, w, now)
	switch err {
	case nil:
	case errLostRace:
		r.ex.tried = append(r.ex.tried, a)
		return false, nil
	default:
		if _, full := err.(*CapacityError); full {
			r.ex.tried = append(r.ex.tried, a)
			return false, nil
		}
		return true, err
	}
	st.automatic = true
	d.ConversationID, d.Outcome, d.AgentID, d.Weight, d.Automatic = st.item.ConversationID, Assigned, a.cand.AgentID, w, true
	if offer {
		st.phase = offered
		st.deadline = now.Add(st.tp.offerTimeout())
		d.Outcome, d.Deadline = Offered, st.deadline
		r.timers.push(timer{at: st.deadline, st: st, gen: st.gen, kind: offerExpiry})
	} else {
		r.assigned(st, now)
	}
	if tr != nil {
		if why == "" {
			why = fmt.Sprintf("ranked first by %s among those with room (load %d/%d before this one)", strategy, a.cand.Load-w, a.cand.Capacity)
		}
		r.explain(tr, st, w, strategy, a, why)
		d.Trace = tr
	}
	return true, nil
}

// assigned marks st assigned and arms its auto-transfer deadline.
func (r *Router) assigned(st *itemState, now time.Time) {
	st.phase = assigned
	st.deadline = time.Time{}
	if st.automatic && !st.moved && st.tp.Mode == Automatic && st.tp.AutoTransfer > 0 && !st.replied {
		r.timers.push(timer{at: now.Add(st.tp.AutoTransfer), st: st, gen: st.gen, kind: replyDeadline})
	}
}

// best returns the first eligible agent across st's queues by the
// touchpoint's strategy: one tree search per queue, O(log n) each.
func (r *Router) best(st *itemState, w int) *agentState {
	var win *agentState
	for _, q := range st.qs {
		t := r.tree(q, st.tp.strategy)
		if a := t.first(w, &r.ex); a != nil && (win == nil || t.less.Less(&a.cand, &win.cand)) {
			win = a
		}
	}
	return win
}

// explain fills tr by looking at every agent of st's queues. It is O(n)
// and allocates; it runs only when Config.Trace is set.
func (r *Router) explain(tr *Trace, st *itemState, w int, strategy string, winner *agentState, why string) {
	tr.Strategy = strategy
	seen := make(map[*agentState]bool)
	for _, q := range st.qs {
		for _, a := range q.members {
			if seen[a] {
				continue
			}
			seen[a] = true
			room := w
			if a == winner {
				room = 0 // the winner's load already includes w
			}
			if s := r.why(a, st, room); s != eligible {
				tr.Skipped = append(tr.Skipped, Skip{AgentID: a.cand.AgentID, Reason: s.describe(a, w)})
				continue
			}
			tr.Eligible = append(tr.Eligible, a.cand.AgentID)
		}
	}
	if winner != nil {
		tr.Winner, tr.Why = winner.cand.AgentID, why
	} else {
		tr.Why = "no eligible agent has room: the conversation waits"
	}
}

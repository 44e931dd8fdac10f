package routing

import (
	"context"
	"slices"
	"time"
)

// Transfer moves a conversation to another agent, charging that agent the
// conversation's weight, capacity checked. It refuses an
// agent without room (*CapacityError), one who is not Available
// (ErrUnavailable: only available agents receive new work)
// and a conversation in the inbox (ErrUnknownConversation: use Assign).
// The returned decisions are the transfer itself, then anything dispatched
// into the room it freed.
func (r *Router) Transfer(ctx context.Context, conversationID, agentID string, now time.Time) ([]Decision, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st, to, err := r.lookup(conversationID, agentID)
	if err != nil {
		return nil, err
	}
	if st.phase == inInbox {
		return nil, errorf(ErrUnknownConversation, "conversation %q is not assigned; assign it instead", conversationID)
	}
	from := st.agent
	if from == to {
		return nil, nil
	}
	if to.presence != Available {
		// Away, offline or draining: a draining agent past its grace
		// period would otherwise keep the conversation for ever, as
		// nothing hands its work on again.
		return nil, errorf(ErrUnavailable, "agent %q is %s", agentID, to.presence)
	}
	w := r.weightOf(st)
	if to.cand.room() < w {
		return nil, &CapacityError{AgentID: agentID, Load: to.cand.Load, Weight: w, Capacity: to.cand.Capacity}
	}
	oldW := st.weight
	if err := r.uncharge(ctx, st, now); err != nil {
		return nil, err
	}
	if err := r.commit(ctx, to, st, w, now); err != nil {
		// Another process took the target's room between our check and
		// the reservation: give the conversation back to its agent, or
		// to the queues if even that room is gone.
		if r.commit(ctx, from, st, oldW, now) != nil {
			r.unplaced(st)
		}
		if err == errLostRace {
			return nil, &CapacityError{AgentID: agentID, Load: to.cand.Load, Weight: w, Capacity: to.cand.Capacity}
		}
		return nil, err
	}
	st.automatic = false
	st.item.Dedicated = false
	r.assigned(st, now)
	out := []Decision{{ConversationID: conversationID, Outcome: Assigned, AgentID: agentID, Weight: w}}
	return r.dispatch(ctx, from, now, out), nil
}

// TransferToQueues moves a conversation to other queues: it leaves its
// agent (if any), keeps its queue age and is routed by its touchpoint's
// mode in the new queues. It refuses an empty or blank queue list
// (ErrInvalid).
func (r *Router) TransferToQueues(ctx context.Context, conversationID string, queues []string, now time.Time) ([]Decision, error) {
	probe := Item{ConversationID: conversationID, Queues: queues}
	if err := probe.validate(); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.convs.get(conversationID)
	if st == nil {
		return nil, errorf(ErrUnknownConversation, "%q", conversationID)
	}
	from := st.agent
	if err := r.uncharge(ctx, st, now); err != nil {
		return nil, err
	}
	if st.phase == inInbox {
		r.leaveInbox(st)
	}
	st.item.Queues = slices.Clone(queues)
	st.item.Dedicated = false
	r.nameQueues(st, queues)
	st.declined = st.declined[:0]
	var d Decision
	if err := r.place(ctx, st, now, &d); err != nil {
		r.unplaced(st)
		return nil, err
	}
	out := []Decision{d}
	if from != nil {
		out = r.dispatch(ctx, from, now, out)
	}
	return out, nil
}

// Escalate turns a held digital conversation into a voice call: it
// charges VoiceWeight (51) in place of the digital weight, and refuses with
// *CapacityError (ErrOverCapacity) when that does not fit, changing
// nothing. Escalating again is a no-op.
func (r *Router) Escalate(ctx context.Context, conversationID string, now time.Time) ([]Decision, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.convs.get(conversationID)
	if st == nil || st.phase == inInbox {
		return nil, errorf(ErrUnknownConversation, "conversation %q is not assigned", conversationID)
	}
	if st.voice {
		return nil, nil
	}
	a := st.agent
	if a.cand.Load-st.weight+VoiceWeight > a.cand.Capacity {
		return nil, &CapacityError{AgentID: a.cand.AgentID, Load: a.cand.Load - st.weight, Weight: VoiceWeight, Capacity: a.cand.Capacity}
	}
	if r.ledger != nil {
		// Reserving again for the same agent re-weighs atomically (the
		// Ledger contract), so no other process can slip in between.
		if err := r.ledger.Reserve(ctx, a.cand.AgentID, conversationID, VoiceWeight, a.cand.Capacity); err != nil {
			return nil, err
		}
	}
	a.cand.Load += VoiceWeight - st.weight
	freed := st.weight > VoiceWeight
	st.weight, st.voice = VoiceWeight, true
	a.changed()
	if freed {
		return r.dispatch(ctx, a, now, nil), nil
	}
	return nil, nil
}

// Placement is where a conversation stands in the router.
type Placement struct {
	// Item is the conversation as routed (Dedicated set if it was).
	Item Item
	// Outcome is Queued, Waiting, Assigned or Offered.
	Outcome Outcome
	// AgentID is the assignee or the agent offered to.
	AgentID string
	// Weight is the points charged, exactly what a release frees.
	Weight int
	// Deadline is when a standing offer expires.
	Deadline time.Time
	// Voice reports an escalation to voice.
	Voice bool
}

// Conversation returns where a conversation stands; false, with a zero
// Placement (Outcome NotRouted), when the router does not hold it.
func (r *Router) Conversation(conversationID string) (Placement, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.convs.get(conversationID)
	if st == nil {
		return Placement{}, false
	}
	p := Placement{Item: st.item, Weight: st.weight, Deadline: st.deadline, Voice: st.voice}
	p.Item.Queues = slices.Clone(st.item.Queues)
	p.Outcome, p.AgentID = st.standing()
	return p, true
}

// standing is where st stands: in the inbox (Queued, or Waiting for the
// router), or Offered or Assigned to an agent.
func (st *itemState) standing() (Outcome, string) {
	o := Assigned
	switch st.phase {
	case inInbox:
		o = Queued
		if st.auto {
			o = Waiting
		}
	case offered:
		o = Offered
	}
	if st.agent == nil {
		return o, ""
	}
	return o, st.agent.cand.AgentID
}

// Held returns the IDs of the conversations assigned or offered to an
// agent.
func (r *Router) Held(agentID string) ([]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	a, ok := r.agents[agentID]
	if !ok {
		return nil, errorf(ErrUnknownAgent, "%q", agentID)
	}
	var ids []string
	for st := a.held; st != nil; st = st.next {
		ids = append(ids, st.item.ConversationID)
	}
	return ids, nil
}

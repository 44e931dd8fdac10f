package routing

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"
)

// Order is how an agent sorts the inbox: priority always comes first, then
// age (or, for WindowClosingFirst, the WhatsApp window). It encodes as
// text ("oldest_first").
type Order uint8

// The inbox orders.
const (
	// OldestFirst: highest priority first, then the longest waiting.
	OldestFirst Order = iota
	// NewestFirst: highest priority first, then the most recent.
	NewestFirst
	// WindowClosingFirst: highest priority first, then conversations whose
	// WhatsApp window closes soonest (so the agent can still reply
	// free-form), then the longest waiting.
	WindowClosingFirst
)

var orderNames = [...]string{
	OldestFirst:        "oldest_first",
	NewestFirst:        "newest_first",
	WindowClosingFirst: "window_closing_first",
}

// String returns the order's lower-case name ("oldest_first"), or
// "order(N)" for an unknown value.
func (o Order) String() string {
	if int(o) < len(orderNames) {
		return orderNames[o]
	}
	return fmt.Sprintf("order(%d)", uint8(o))
}

// ParseOrder returns the order named s, as [Order.String] spells it. Any
// other text is refused with an error matching [ErrInvalid].
func ParseOrder(s string) (Order, error) { return parseName[Order]("order", orderNames[:], s) }

// MarshalText encodes the order by name; an unknown value is an error
// matching [ErrInvalid].
func (o Order) MarshalText() ([]byte, error) { return marshalName("order", orderNames[:], o) }

// UnmarshalText decodes an order name, as [ParseOrder] reads it.
func (o *Order) UnmarshalText(b []byte) error { return unmarshalName(o, "order", orderNames[:], b) }

// Compare orders two inbox items as o sorts them, for slices.SortFunc:
// priority first, then, for WindowClosingFirst, the window closing soonest
// (none last), then age, oldest or newest first. Items it finds equal
// arrived at the same instant; [Router.Inbox] lists those in arrival order.
// A host that builds an inbox from its own store sorts with it to agree
// with the router.
func (o Order) Compare(x, y *Item) int {
	if c := cmp.Compare(y.Priority, x.Priority); c != 0 {
		return c
	}
	if o == WindowClosingFirst {
		xw, yw := x.WindowCloses, y.WindowCloses
		switch {
		case !xw.IsZero() && yw.IsZero():
			return -1
		case xw.IsZero() && !yw.IsZero():
			return 1
		case !xw.Equal(yw):
			return xw.Compare(yw)
		}
	}
	c := x.Enqueued.Compare(y.Enqueued)
	if o == NewestFirst {
		c = -c
	}
	return c
}

// waitLess is the dispatch order: priority, then queue age, then arrival.
func waitLess(a, b *itemState) bool {
	if a.item.Priority != b.item.Priority {
		return a.item.Priority > b.item.Priority
	}
	if c := a.item.Enqueued.Compare(b.item.Enqueued); c != 0 {
		return c < 0
	}
	return a.seq < b.seq
}

// enterInbox puts st, now unassigned, in each of its queues in order.
func (r *Router) enterInbox(st *itemState) {
	st.phase = inInbox
	st.agent, st.deadline = nil, time.Time{}
	for _, q := range st.qs {
		i, _ := slices.BinarySearchFunc(q.waiting, st, func(x, t *itemState) int {
			if waitLess(x, t) {
				return -1
			}
			return 1
		})
		q.waiting = slices.Insert(q.waiting, i, st)
		if st.auto {
			q.auto++
			r.auto++
		}
	}
}

// wait puts st, unplaced, in the inbox for the router to dispatch: in its
// queues and, when its touchpoint is dedicated, on its owner's list, the
// only place the owner's freed room looks (dispatch).
func (r *Router) wait(st *itemState) {
	st.auto = true
	if st.tp.Mode == Dedicated {
		r.owned[st.tp.Agent] = append(r.owned[st.tp.Agent], st)
	}
	r.enterInbox(st)
}

// unplaced returns st, which a failure left held by nobody, to the inbox:
// waiting for the router unless its touchpoint is simplified.
func (r *Router) unplaced(st *itemState) {
	if st.tp.Mode == Simplified {
		st.auto = false
		r.enterInbox(st)
		return
	}
	r.wait(st)
}

// leaveInbox takes st out of its queues (and its owner's list).
func (r *Router) leaveInbox(st *itemState) {
	for _, q := range st.qs {
		if i := slices.Index(q.waiting, st); i >= 0 {
			q.waiting = slices.Delete(q.waiting, i, i+1)
			if st.auto {
				q.auto--
				r.auto--
			}
		}
	}
	if st.auto && st.tp.Mode == Dedicated {
		owned := r.owned[st.tp.Agent]
		if i := slices.Index(owned, st); i >= 0 {
			r.owned[st.tp.Agent] = slices.Delete(owned, i, i+1)
		}
	}
	st.auto = false
}

// Inbox returns the unassigned conversations the agent may see and take:
// those in at least one of the agent's queues, by
// priority then age in the given order.
func (r *Router) Inbox(agentID string, order Order) ([]Item, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	a, ok := r.agents[agentID]
	if !ok {
		return nil, errorf(ErrUnknownAgent, "%q", agentID)
	}
	var sts []*itemState
	for _, m := range a.member {
		for _, st := range m.q.waiting {
			if !slices.Contains(sts, st) {
				sts = append(sts, st)
			}
		}
	}
	slices.SortFunc(sts, func(x, y *itemState) int {
		c := order.Compare(&x.item, &y.item)
		if c == 0 { // the same instant: the order they arrived in
			c = cmp.Compare(x.seq, y.seq)
			if order == NewestFirst {
				c = -c
			}
		}
		return c
	})
	items := make([]Item, len(sts))
	for i, st := range sts {
		items[i] = st.item
	}
	return items, nil
}

// Assign lets an agent take a conversation from the inbox (or a
// supervisor assign it). It refuses a conversation outside the agent's
// queues (*VisibilityError, ErrNotVisible), one that does not fit
// (*CapacityError, ErrOverCapacity), one already assigned or offered
// (ErrAlreadyAssigned) and an agent who is not Available (ErrUnavailable:
// only available agents receive new work).
func (r *Router) Assign(ctx context.Context, conversationID, agentID string, now time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	st, a, err := r.lookup(conversationID, agentID)
	if err != nil {
		return err
	}
	if st.phase != inInbox {
		return errorf(ErrAlreadyAssigned, "conversation %q is held by %q", conversationID, st.agent.cand.AgentID)
	}
	if !a.inQueues(st) {
		return &VisibilityError{AgentID: agentID, ConversationID: conversationID, Queues: slices.Clone(st.item.Queues)}
	}
	if a.presence != Available {
		return errorf(ErrUnavailable, "agent %q is %s", agentID, a.presence)
	}
	w := r.weightOf(st)
	// Charged before it leaves the inbox, so that a refusal leaves it
	// exactly where it waited: in its queues and, if dedicated, on its
	// owner's list, which the owner's freed room dispatches from.
	if err := r.commit(ctx, a, st, w, now); err != nil {
		if err == errLostRace {
			return &CapacityError{AgentID: agentID, Load: a.cand.Load, Weight: w, Capacity: a.cand.Capacity}
		}
		return err
	}
	r.leaveInbox(st)
	st.automatic = false
	r.assigned(st, now)
	return nil
}

func (r *Router) lookup(conversationID, agentID string) (*itemState, *agentState, error) {
	st := r.convs.get(conversationID)
	if st == nil {
		return nil, nil, errorf(ErrUnknownConversation, "%q", conversationID)
	}
	a, ok := r.agents[agentID]
	if !ok {
		return nil, nil, errorf(ErrUnknownAgent, "%q", agentID)
	}
	return st, a, nil
}

// SendToInbox returns an assigned or offered conversation to its queues'
// inbox, unassigned, and frees its weight. The item waits
// there for an agent to take it; the freed room dispatches other waiting
// conversations, reported in the returned decisions.
func (r *Router) SendToInbox(ctx context.Context, conversationID string, now time.Time) ([]Decision, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.convs.get(conversationID)
	if st == nil {
		return nil, errorf(ErrUnknownConversation, "%q", conversationID)
	}
	if st.phase == inInbox {
		return nil, nil
	}
	a := st.agent
	if err := r.uncharge(ctx, st, now); err != nil {
		return nil, err
	}
	st.auto = false
	r.enterInbox(st)
	out := []Decision{{ConversationID: conversationID, Outcome: Queued}}
	return r.dispatch(ctx, a, now, out), nil
}

// dispatch gives a's room (and anything it may newly take) to waiting
// conversations, best first: the owner's dedicated items, then automatic
// items of a's queues by priority and age. Only a changed, so only items
// that now fit a can have become placeable; each is routed by its own
// strategy.
func (r *Router) dispatch(ctx context.Context, a *agentState, now time.Time, out []Decision) []Decision {
	if a.presence != Available {
		return out
	}
	// Dedicated items waiting for their owner are rare: skip the lookup
	// when there are none.
	for i := 0; len(r.owned) > 0 && i < len(r.owned[a.cand.AgentID]); {
		st := r.owned[a.cand.AgentID][i]
		if a.cand.room() < r.weightOf(st) {
			i++
			continue
		}
		r.leaveInbox(st)
		var d Decision
		err := r.place(ctx, st, now, &d)
		if err != nil || d.Outcome == Waiting {
			if err != nil {
				r.wait(st)
			}
			return out
		}
		out = append(out, d)
	}
	// Usually nothing waits for the router: see BenchmarkDecision.
	for r.auto > 0 {
		var pick *itemState
		for _, m := range a.member {
			if m.q.auto == 0 {
				continue
			}
			for _, st := range m.q.waiting {
				if !st.auto || st.tp.Mode == Dedicated || slices.Contains(st.declined, a.cand.AgentID) || r.weightOf(st) > a.cand.room() {
					continue
				}
				if pick == nil || waitLess(st, pick) {
					pick = st
				}
				break
			}
		}
		if pick == nil {
			return out
		}
		r.leaveInbox(pick)
		var d Decision
		if err := r.place(ctx, pick, now, &d); err != nil {
			r.wait(pick)
			return out
		}
		if d.Outcome == Waiting {
			return out // the Ledger knew better than our view; stop here
		}
		out = append(out, d)
	}
	return out
}

package routing

import (
	"context"
	"slices"
	"time"
)

type timerKind uint8

const (
	offerExpiry   timerKind = iota // an offer's deadline
	replyDeadline                  // auto-transfer: no first reply in time
	drainEnd                       // a draining agent's grace period
)

// timer is a deadline. It is stale, and skipped, once its item or agent
// has moved on (gen no longer matches).
type timer struct {
	at   time.Time
	seq  uint64 // when it was set, among all timers: ties on at go in this order
	st   *itemState
	a    *agentState
	gen  uint64
	kind timerKind
}

// timerHeap is a min-heap of deadlines, so Expire costs O(log n) per due
// deadline rather than a scan of every conversation. Deadlines at the same
// instant come out in the order they were set, so what Expire does is
// the same on every run.
type timerHeap struct {
	ts  []timer
	set uint64 // timers pushed so far
}

func (h *timerHeap) less(i, j int) bool {
	a, b := &h.ts[i], &h.ts[j]
	return a.at.Before(b.at) || a.at.Equal(b.at) && a.seq < b.seq
}

// due reports whether the earliest deadline is at or before now.
func (h *timerHeap) due(now time.Time) bool { return len(h.ts) > 0 && !h.ts[0].at.After(now) }

func (h *timerHeap) push(t timer) {
	h.set++
	t.seq = h.set
	h.insert(t)
}

// insert adds t, whose seq is set, to the heap.
func (h *timerHeap) insert(t timer) {
	h.ts = append(h.ts, t)
	for i := len(h.ts) - 1; i > 0; {
		p := (i - 1) / 2
		if !h.less(i, p) {
			break
		}
		h.ts[i], h.ts[p] = h.ts[p], h.ts[i]
		i = p
	}
}

func (h *timerHeap) pop() timer {
	s := h.ts
	top := s[0]
	n := len(s) - 1
	s[0] = s[n]
	s[n] = timer{}
	h.ts = s[:n]
	for i := 0; ; {
		l, m := 2*i+1, i
		if l < n && h.less(l, m) {
			m = l
		}
		if l+1 < n && h.less(l+1, m) {
			m = l + 1
		}
		if m == i {
			break
		}
		h.ts[i], h.ts[m] = h.ts[m], h.ts[i]
		i = m
	}
	return top
}

// Accept turns the offer of a conversation to an agent into an
// assignment. It returns ErrNoOffer when no such offer stands (expired,
// withdrawn, or made to someone else).
func (r *Router) Accept(conversationID, agentID string, now time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.convs.get(conversationID)
	if st == nil || st.phase != offered || st.agent.cand.AgentID != agentID {
		return errorf(ErrNoOffer, "conversation %q to agent %q", conversationID, agentID)
	}
	if !now.Before(st.deadline) {
		return errorf(ErrNoOffer, "conversation %q: offer to %q expired at %s", conversationID, agentID, st.deadline.Format(time.RFC3339))
	}
	st.gen++ // the offer's deadline no longer applies
	r.assigned(st, now)
	return nil
}

// Reject declines an offer. The conversation goes to the next eligible
// agent, never back to one who declined it, or waits;
// the returned decisions say where it and anything dispatched into the
// freed room went. It returns ErrNoOffer when no such offer stands.
func (r *Router) Reject(ctx context.Context, conversationID, agentID string, now time.Time) ([]Decision, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.convs.get(conversationID)
	if st == nil || st.phase != offered || st.agent.cand.AgentID != agentID {
		return nil, errorf(ErrNoOffer, "conversation %q to agent %q", conversationID, agentID)
	}
	return r.pass(ctx, st, now, offerRejected, nil)
}

// offerEnd is how the agent st is passed from lost it: an offer rejected
// or expired, or an assignment auto-transferred.
type offerEnd uint8

const (
	notAnOffer offerEnd = iota
	offerRejected
	offerExpired
)

// pass takes st from its agent, who may not have it back, and routes it
// to the next agent; the decision names the agent whose offer ended.
func (r *Router) pass(ctx context.Context, st *itemState, now time.Time, end offerEnd, out []Decision) ([]Decision, error) {
	a := st.agent
	if err := r.uncharge(ctx, st, now); err != nil {
		return out, err
	}
	if !slices.Contains(st.declined, a.cand.AgentID) {
		st.declined = append(st.declined, a.cand.AgentID)
	}
	var d Decision
	if err := r.place(ctx, st, now, &d); err != nil {
		r.wait(st)
		return out, err
	}
	if end != notAnOffer {
		d.Declined, d.Expired = a.cand.AgentID, end == offerExpired
	}
	out = append(out, d)
	return r.dispatch(ctx, a, now, out), nil
}

// Replied records the assigned agent's first reply, which stops the
// conversation's auto-transfer deadline.
func (r *Router) Replied(conversationID string, now time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.convs.get(conversationID)
	if st == nil {
		return errorf(ErrUnknownConversation, "%q", conversationID)
	}
	st.replied = true
	return nil
}

// Expire acts on every deadline reached at now: an unanswered offer goes
// to the next eligible agent; an automatically assigned conversation with
// no first reply within its touchpoint Policy's AutoTransfer goes to the next
// agent, once, if another can take it; a draining agent whose grace
// period is over hands open work to available teammates. The host calls
// it periodically (every second is plenty); it returns what moved.
func (r *Router) Expire(ctx context.Context, now time.Time) ([]Decision, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Decision
	for r.timers.due(now) {
		t := r.timers.pop()
		var err error
		switch t.kind {
		case offerExpiry:
			if t.st.gen == t.gen && t.st.phase == offered {
				out, err = r.pass(ctx, t.st, now, offerExpired, out)
			}
		case replyDeadline:
			if t.st.gen == t.gen && t.st.phase == assigned && !t.st.replied && !t.st.moved {
				out, err = r.autoTransfer(ctx, t.st, now, out)
			}
		case drainEnd:
			if t.a.drainGen == t.gen && t.a.presence == Draining {
				out, err = r.handOff(ctx, t.a, now, out)
			}
		}
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// Due reports whether a deadline falls at or before now, so that a host
// sharing a routing log calls Expire only when it has something to do.
// A deadline made stale since (an offer accepted) may still count.
func (r *Router) Due(now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.timers.due(now)
}

// autoTransfer moves st to the next eligible agent, once; it stays put
// when nobody else can take it, since its agent may still answer.
func (r *Router) autoTransfer(ctx context.Context, st *itemState, now time.Time, out []Decision) ([]Decision, error) {
	from := st.agent
	r.ex.declined, r.ex.tried = st.declined, append(r.ex.tried[:0], from)
	if r.best(st, r.weightOf(st)) == nil {
		return out, nil
	}
	st.moved = true
	return r.pass(ctx, st, now, notAnOffer, out)
}

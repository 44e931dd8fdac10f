package routing

import (
	"errors"
	"fmt"
)

// faults records broken bookkeeping the router met and worked around, so
// that Check reports it instead of it passing unseen.
type faults struct {
	first error
	n     int
}

func (f *faults) add(err error) {
	if f.first == nil {
		f.first = err
	}
	f.n++
}

// unaccounted handles a release of st larger than its agent's load. The
// load is never below the sum of what the agent holds (every charge adds
// to both, and a load learnt from the Ledger only raises it), so this is
// a bug in the router. Clamping the load at zero would hide it; the load
// is set to what the agent still holds, the safest view to go on with,
// and the fault is kept for Check.
func (r *Router) unaccounted(a *agentState, st *itemState) {
	r.faults.add(errorf(ErrInternal, "agent %q: releasing %q (weight %d) from load %d", a.cand.AgentID, st.item.ConversationID, st.weight, a.cand.Load))
	own := 0
	for h := a.held; h != nil; h = h.next {
		if h != st {
			own += h.weight
		}
	}
	a.cand.Load = own
}

// Check verifies the router's bookkeeping and reports what is broken,
// matching ErrInternal, or nil: every agent's load is the sum of what it
// holds (at least that, with a Ledger, which may hold other routers'
// work); every conversation is held by one agent or waits in each of its
// queues once; the counts of conversations waiting for the router and
// the lists of those waiting for a dedicated owner match the queues; a
// queue is kept exactly while an agent serves it or a conversation names
// it. It
// also reports inconsistencies met and worked around since the router
// was made (a release larger than its agent's load). It walks every
// agent and conversation: for tests and health checks, not the decision
// path.
func (r *Router) Check() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, errorf(ErrInternal, format, args...)) }
	if r.faults.first != nil {
		errs = append(errs, fmt.Errorf("%d fault(s) worked around, the first: %w", r.faults.n, r.faults.first))
	}

	held := 0
	for id, a := range r.agents {
		for i, m := range a.member {
			if r.queues[m.q.name] != m.q {
				bad("agent %q is in queue %q, which the router does not keep", id, m.q.name)
			}
			if j, ok := a.memberAt[m.q]; a.memberAt != nil && (!ok || j != i) || a.memberAt == nil && len(a.member) >= memberIndexMin {
				bad("agent %q's index of its queues misplaces %q", id, m.q.name)
			}
		}
		own := 0
		for st := a.held; st != nil; st = st.next {
			held++
			own += st.weight
			if st.agent != a || st.phase == inInbox || r.convs.get(st.item.ConversationID) != st {
				bad("agent %q holds %q, which the router does not place with it", id, st.item.ConversationID)
			}
		}
		if a.cand.Load < own || r.ledger == nil && a.cand.Load != own {
			bad("agent %q has load %d, holding %d", id, a.cand.Load, own)
		}
	}

	inbox := 0
	refs := make(map[*queueState]int, len(r.queues))
	for _, s := range r.convs.slots {
		st := s.st
		if st == nil {
			continue
		}
		for _, q := range st.qs {
			refs[q]++
			if r.queues[q.name] != q {
				bad("%q names queue %q, which the router does not keep", st.item.ConversationID, q.name)
			}
		}
		switch {
		case st.phase != inInbox:
			if st.agent == nil || r.agents[st.agent.cand.AgentID] != st.agent {
				bad("%q is placed with an agent the router does not know", st.item.ConversationID)
			}
			continue
		case st.agent != nil:
			bad("%q waits in the inbox but is charged to %q", st.item.ConversationID, st.agent.cand.AgentID)
		}
		inbox++
		for _, q := range st.qs {
			if n := count(q.waiting, st); n != 1 {
				bad("%q is in queue %q's inbox %d times", st.item.ConversationID, q.name, n)
			}
		}
		if n := count(r.owned[st.tp.Agent], st); st.auto && st.tp.Mode == Dedicated && n != 1 {
			bad("%q waits for its owner %q but is on its list %d times", st.item.ConversationID, st.tp.Agent, n)
		}
	}
	if held+inbox != r.convs.n {
		bad("%d conversations held and %d in the inbox, of %d", held, inbox, r.convs.n)
	}

	qauto := 0
	for name, q := range r.queues {
		n := 0
		for _, st := range q.waiting {
			if st.auto {
				n++
			}
		}
		if n != q.auto {
			bad("queue %q counts %d waiting for the router, holds %d", name, q.auto, n)
		}
		if refs[q] != q.refs {
			bad("queue %q counts %d conversations naming it, %d do", name, q.refs, refs[q])
		}
		if len(q.members) == 0 && q.refs == 0 {
			bad("queue %q is kept with no agent and no conversation", name)
		}
		qauto += q.auto
	}
	if qauto != r.auto {
		bad("the router counts %d waiting for it, its queues %d", r.auto, qauto)
	}
	for owner, list := range r.owned {
		for _, st := range list {
			if !st.auto || st.phase != inInbox || st.tp.Mode != Dedicated || st.tp.Agent != owner {
				bad("%q is on %q's list of dedicated conversations waiting for it, but does not wait for it", st.item.ConversationID, owner)
			}
		}
	}
	return errors.Join(errs...)
}

func count(sts []*itemState, st *itemState) int {
	n := 0
	for _, x := range sts {
		if x == st {
			n++
		}
	}
	return n
}

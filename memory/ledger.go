package memory

import (
	"context"
	"fmt"
	"sync"

	"github.com/parleyhq/parley/routing"
)

// Ledger is the in-process [routing.Ledger]: capacity reservations in a
// map, behind one lock, so Reserve is atomic. It is safe for concurrent use
// by multiple goroutines, and so by several routers in one process sharing
// it. The zero value is not ready; use [NewLedger].
type Ledger struct {
	mu    sync.Mutex
	held  map[string]reservation // by conversation ID
	loads map[string]int         // by agent ID
}

type reservation struct {
	agent  string
	weight int
}

// compile-time check that Ledger keeps the routing contract.
var _ routing.Ledger = (*Ledger)(nil)

// NewLedger returns an empty ledger.
func NewLedger() *Ledger {
	return &Ledger{held: make(map[string]reservation), loads: make(map[string]int)}
}

// Reserve implements [routing.Ledger]: it charges weight to agentID for
// conversationID if the agent stays within capacity, re-weighs an existing
// reservation for the same agent, and refuses one held by another agent.
func (l *Ledger) Reserve(_ context.Context, agentID, conversationID string, weight, capacity int) error {
	if weight < 1 || capacity < 1 || agentID == "" || conversationID == "" {
		return fmt.Errorf("%w: reservation of weight %d, capacity %d, agent %q, conversation %q",
			routing.ErrInvalid, weight, capacity, agentID, conversationID)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	load := l.loads[agentID]
	old, ok := l.held[conversationID]
	if ok {
		if old.agent != agentID {
			return fmt.Errorf("%w: conversation %q is held by %q", routing.ErrAlreadyReserved, conversationID, old.agent)
		}
		load -= old.weight
	}
	if load+weight > capacity {
		return &routing.CapacityError{AgentID: agentID, Load: load, Weight: weight, Capacity: capacity}
	}
	l.held[conversationID] = reservation{agent: agentID, weight: weight}
	l.loads[agentID] = load + weight
	return nil
}

// Release implements [routing.Ledger]: it frees the conversation's
// reservation and returns the weight charged; 0 when there is none.
func (l *Ledger) Release(_ context.Context, conversationID string) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	r, ok := l.held[conversationID]
	if !ok {
		return 0, nil
	}
	delete(l.held, conversationID)
	if left := l.loads[r.agent] - r.weight; left > 0 {
		l.loads[r.agent] = left
	} else {
		delete(l.loads, r.agent)
	}
	return r.weight, nil
}

// Load implements [routing.Ledger].
func (l *Ledger) Load(_ context.Context, agentID string) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.loads[agentID], nil
}

package routing

import (
	"cmp"
	"time"
)

// Strategy ranks agents for automatic routing. The router
// keeps each queue's available agents ordered by Less and offers a
// conversation to the first one that is eligible for it: available, in one
// of its queues, with room for its weight and not among those who declined
// it. That is why a Strategy is an ordering and not a chooser: the router
// finds the first eligible agent in O(log n) instead of scanning them all.
//
// Less must be a strict weak ordering that depends only on the two
// candidates (it is called while the router's lock is held, and the order
// is cached between calls). Break ties by AgentID to make routing
// deterministic.
type Strategy interface {
	// Less reports whether a should be chosen before b.
	Less(a, b *Candidate) bool
}

// Preferrer is an optional interface for a Strategy: before ranking, the
// router tries the agent Preferred names, if any, and falls back to the
// ranking when that agent is not eligible. [Sticky] implements it.
type Preferrer interface {
	// Preferred returns the ID of the agent to try first for item, or "".
	Preferred(item *Item, now time.Time) string
}

// LeastLoaded chooses the agent with the lowest load ratio (load over
// capacity), ties going to the agent idle longest, then by ID. It is the
// default strategy of automatic routing.
type LeastLoaded struct{}

// Less implements Strategy.
func (LeastLoaded) Less(a, b *Candidate) bool {
	// Cross-multiplied so the ratio needs no division or floats.
	if x, y := a.Load*b.Capacity, b.Load*a.Capacity; x != y {
		return x < y
	}
	return idleLess(a, b)
}

// String names the strategy in decision traces.
func (LeastLoaded) String() string { return "least loaded" }

// RoundRobin rotates through the agents: it chooses the agent whose last
// assignment is the oldest (never assigned first, in the order they were
// added), so every eligible agent is chosen once before any twice.
type RoundRobin struct{}

// Less implements Strategy.
func (RoundRobin) Less(a, b *Candidate) bool {
	if a.Picked != b.Picked {
		return a.Picked < b.Picked
	}
	return a.Joined < b.Joined
}

// String names the strategy in decision traces.
func (RoundRobin) String() string { return "round robin" }

// LongestIdle chooses the agent with nothing open for the longest time;
// when every agent holds work, the one whose last assignment is oldest.
type LongestIdle struct{}

// Less implements Strategy.
func (LongestIdle) Less(a, b *Candidate) bool { return idleLess(a, b) }

// String names the strategy in decision traces.
func (LongestIdle) String() string { return "longest idle" }

// idleLess puts idle agents first (longest idle first), then busy agents by
// their oldest last assignment, then IDs.
func idleLess(a, b *Candidate) bool {
	ai, bi := a.Load == 0, b.Load == 0
	if ai != bi {
		return ai // a is idle, b is busy
	}
	if ai {
		if c := a.IdleSince.Compare(b.IdleSince); c != 0 {
			return c < 0
		}
	} else if c := a.LastAssigned.Compare(b.LastAssigned); c != 0 {
		return c < 0
	}
	return cmp.Less(a.AgentID, b.AgentID)
}

// Sticky prefers the contact's previous agent (Item.PreviousAgent) when the
// contact last spoke with that agent within Window and the agent is
// eligible; otherwise it falls back at once to Then (LeastLoaded when nil),
// keeping the conversation's original queue age. A zero
// Window means no limit.
type Sticky struct {
	Window time.Duration
	Then   Strategy
}

// Less implements Strategy by the fallback's ordering.
func (s Sticky) Less(a, b *Candidate) bool { return s.fallback().Less(a, b) }

// Preferred implements Preferrer.
func (s Sticky) Preferred(item *Item, now time.Time) string {
	if item.PreviousAgent == "" {
		return ""
	}
	if s.Window > 0 && (item.PreviousAt.IsZero() || now.Sub(item.PreviousAt) > s.Window) {
		return ""
	}
	return item.PreviousAgent
}

// String names the strategy in decision traces.
func (s Sticky) String() string { return "sticky, then " + strategyName(s.fallback()) }

func (s Sticky) fallback() Strategy {
	if s.Then == nil {
		return LeastLoaded{}
	}
	return s.Then
}

func strategyName(s Strategy) string {
	if n, ok := s.(interface{ String() string }); ok {
		return n.String()
	}
	return "host strategy"
}

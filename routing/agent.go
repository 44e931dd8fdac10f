package routing

import (
	"fmt"
	"time"
)

// Presence is an agent's state of readiness. Only Available agents receive
// new work. The zero value is Available, so an [Agent] literal is ready
// for work as soon as it is configured. It encodes as text ("away").
type Presence uint8

// The presences an agent moves between.
const (
	// Available agents receive new work.
	Available Presence = iota
	// Away agents keep their work but receive none.
	Away
	// Offline agents receive nothing; with Config.OfflineReturnsWork their
	// open conversations go back to be routed again.
	Offline
	// Draining agents are ending a shift: no new work, and once the grace
	// period (Config.DrainGrace) passes their open work is handed to
	// available teammates.
	Draining
)

var presenceNames = [...]string{
	Available: "available",
	Away:      "away",
	Offline:   "offline",
	Draining:  "draining",
}

// String returns the presence's lower-case name ("available"), or
// "presence(N)" for an unknown value.
func (p Presence) String() string {
	if int(p) < len(presenceNames) {
		return presenceNames[p]
	}
	return fmt.Sprintf("presence(%d)", uint8(p))
}

// ParsePresence returns the presence named s, as [Presence.String] spells
// it. Any other text is refused with an error matching [ErrInvalid].
func ParsePresence(s string) (Presence, error) {
	return parseName[Presence]("presence", presenceNames[:], s)
}

// MarshalText encodes the presence by name; an unknown value is an error
// matching [ErrInvalid].
func (p Presence) MarshalText() ([]byte, error) {
	return marshalName("presence", presenceNames[:], p)
}

// UnmarshalText decodes a presence name, as [ParsePresence] reads it.
func (p *Presence) UnmarshalText(b []byte) error {
	return unmarshalName(p, "presence", presenceNames[:], b)
}

// Valid reports whether p is one of the declared presences.
func (p Presence) Valid() bool { return int(p) < len(presenceNames) }

// Agent is a person who takes conversations.
type Agent struct {
	// ID identifies the agent: non-blank, printable text without leading
	// or trailing space (rule 13).
	ID string
	// Queues are the queues (ring groups) the agent belongs to, named as
	// agent IDs are (rule 13). The agent sees and receives only
	// conversations in at least one of them.
	Queues []string
	// Capacity is the agent's points; zero means DefaultCapacity (100).
	Capacity int
	// Presence is where the agent starts; the zero value is Available.
	Presence Presence
}

// capacity returns the effective capacity.
func (a Agent) capacity() int {
	if a.Capacity == 0 {
		return DefaultCapacity
	}
	return a.Capacity
}

func (a Agent) validate() error {
	switch {
	case a.ID == "":
		return invalidf("agent with empty ID")
	case a.Capacity < 0:
		return invalidf("agent %q has negative capacity %d", a.ID, a.Capacity)
	case !a.Presence.Valid():
		return invalidf("agent %q has unknown presence %d", a.ID, uint8(a.Presence))
	}
	if p := nameProblem(a.ID); p != "" {
		return invalidf("agent ID %q %s", a.ID, p)
	}
	for _, q := range a.Queues {
		if q == "" {
			return invalidf("agent %q has an empty queue name", a.ID)
		}
		if p := nameProblem(q); p != "" {
			return invalidf("agent %q: queue name %q %s", a.ID, q, p)
		}
	}
	return nil
}

// Candidate is what a [Strategy] sees of an agent: the facts it may rank
// by. The router owns it; a strategy must not modify or keep it. Its
// instants are the now the host passed, without a monotonic clock
// reading (Time.Round(0)), so that they compare by the wall clock.
type Candidate struct {
	// AgentID is the agent's ID.
	AgentID string
	// Load is the points the agent holds now; Capacity is its total.
	Load, Capacity int
	// IdleSince is when the agent's load last fell to zero or the agent
	// became available with nothing open; it means something only while
	// Load is zero.
	IdleSince time.Time
	// LastAssigned is when the agent last received a conversation; zero
	// if never.
	LastAssigned time.Time
	// Picked orders agents by their last assignment: a larger number is a
	// more recent one; zero means never assigned.
	Picked uint64
	// Joined orders agents by when they were added to the router.
	Joined uint64
}

// room is what still fits.
func (c *Candidate) room() int { return c.Capacity - c.Load }

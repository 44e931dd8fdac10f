package routing

import (
	"fmt"
	"time"
)

// Mode is how a touchpoint's conversations reach agents: exactly one per
// touchpoint. The zero value is Simplified, the default. It encodes as
// text ("automatic").
type Mode uint8

// The routing modes.
const (
	// Simplified: conversations wait in their queues' inbox and an agent
	// assigns one to self.
	Simplified Mode = iota
	// Dedicated: one agent owns the touchpoint; its conversations are
	// assigned to that agent automatically and marked dedicated.
	Dedicated
	// Automatic: the router picks an agent by the touchpoint's Strategy
	// and either assigns at once or offers with a deadline.
	Automatic
)

var modeNames = [...]string{
	Simplified: "simplified",
	Dedicated:  "dedicated",
	Automatic:  "automatic",
}

// String returns the mode's lower-case name ("simplified"), or "mode(N)"
// for an unknown value.
func (m Mode) String() string {
	if int(m) < len(modeNames) {
		return modeNames[m]
	}
	return fmt.Sprintf("mode(%d)", uint8(m))
}

// ParseMode returns the mode named s, as [Mode.String] spells it. Any
// other text is refused with an error matching [ErrInvalid].
func ParseMode(s string) (Mode, error) { return parseName[Mode]("mode", modeNames[:], s) }

// MarshalText encodes the mode by name; an unknown value is an error
// matching [ErrInvalid].
func (m Mode) MarshalText() ([]byte, error) { return marshalName("mode", modeNames[:], m) }

// UnmarshalText decodes a mode name, as [ParseMode] reads it.
func (m *Mode) UnmarshalText(b []byte) error { return unmarshalName(m, "mode", modeNames[:], b) }

// DefaultOfferTimeout is how long an offer waits for an answer when
// Policy.OfferTimeout is zero, as Twilio TaskRouter's reservations.
const DefaultOfferTimeout = 120 * time.Second

// Policy is how one touchpoint's conversations are routed: its mode, its
// owner when dedicated, and how automatic routing picks and offers.
type Policy struct {
	// ID is the ID of the touchpoint the policy is for, as in Item.Touchpoint.
	ID string
	// Mode is the routing mode; zero is Simplified.
	Mode Mode
	// Agent is the owner of a Dedicated touchpoint. While no agent has
	// this ID (not added yet, or removed), the touchpoint's conversations
	// go to the inbox as a simplified touchpoint's do.
	Agent string
	// Strategy ranks agents in Automatic mode; nil means LeastLoaded.
	Strategy Strategy
	// Offer makes Automatic mode offer each conversation (the agent
	// accepts or rejects within OfferTimeout) instead of assigning it.
	Offer bool
	// OfferTimeout is how long an offer stands; zero means
	// DefaultOfferTimeout.
	OfferTimeout time.Duration
	// AutoTransfer, when positive, offers an automatically assigned
	// conversation to the next agent, once, if its agent has not sent a
	// first reply (Router.Replied) within this time.
	AutoTransfer time.Duration
}

func (tp Policy) validate() error {
	switch {
	case tp.ID == "":
		return invalidf("touchpoint with empty ID")
	case tp.Mode > Automatic:
		return invalidf("touchpoint %q has unknown mode %d", tp.ID, uint8(tp.Mode))
	case tp.Mode == Dedicated && tp.Agent == "":
		return invalidf("dedicated touchpoint %q names no agent", tp.ID)
	case tp.OfferTimeout < 0 || tp.AutoTransfer < 0:
		return invalidf("touchpoint %q has a negative duration", tp.ID)
	case tp.Mode == Dedicated && nameProblem(tp.Agent) != "":
		return invalidf("dedicated touchpoint %q: agent ID %q %s", tp.ID, tp.Agent, nameProblem(tp.Agent))
	}
	return nil
}

func (tp Policy) offerTimeout() time.Duration {
	if tp.OfferTimeout == 0 {
		return DefaultOfferTimeout
	}
	return tp.OfferTimeout
}

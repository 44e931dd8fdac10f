package optout

import "fmt"

// Action is what an inbound message asks for, as the keywords classify it.
type Action uint8

// The actions of DESIGN.md §3.3. None is the zero value: an ordinary message.
const (
	// None: the message is not a keyword; treat it as conversation.
	None Action = iota
	// OptOut: the contact revokes consent (STOP and friends).
	OptOut
	// OptIn: the contact gives consent again (START, YES, UNSTOP).
	OptIn
	// Help: the contact asks for help (HELP, INFO).
	Help
)

// String returns "none", "opt-out", "opt-in" or "help".
func (a Action) String() string {
	switch a {
	case None:
		return "none"
	case OptOut:
		return "opt-out"
	case OptIn:
		return "opt-in"
	case Help:
		return "help"
	}
	return fmt.Sprintf("action(%d)", uint8(a))
}

// valid reports whether a is an action a keyword may carry.
func (a Action) valid() bool { return a == OptOut || a == OptIn || a == Help }

package optout

import (
	"errors"
	"fmt"
)

// Action is what an inbound message asks for, as the keywords classify it.
// It encodes as text ("opt-out"), so a host's JSON reads well.
type Action uint8

// The actions a keyword may carry. None is the zero value: an ordinary
// message.
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

var actionNames = [...]string{
	None:   "none",
	OptOut: "opt-out",
	OptIn:  "opt-in",
	Help:   "help",
}

// ErrUnknownAction means a text or value that names no [Action]. Check it
// with errors.Is.
var ErrUnknownAction = errors.New("optout: unknown action")

// String returns "none", "opt-out", "opt-in" or "help", or "action(N)" for
// an unknown value.
func (a Action) String() string {
	if int(a) < len(actionNames) {
		return actionNames[a]
	}
	return fmt.Sprintf("action(%d)", uint8(a))
}

// ParseAction returns the action named s, as [Action.String] spells it.
// Any other text is refused with an error matching [ErrUnknownAction].
func ParseAction(s string) (Action, error) {
	for a, name := range actionNames {
		if name == s {
			return Action(a), nil
		}
	}
	return None, fmt.Errorf("%w: %q", ErrUnknownAction, s)
}

// MarshalText encodes the action by name; an unknown value is an error
// matching [ErrUnknownAction].
func (a Action) MarshalText() ([]byte, error) {
	if int(a) >= len(actionNames) {
		return nil, fmt.Errorf("%w: %d", ErrUnknownAction, uint8(a))
	}
	return []byte(actionNames[a]), nil
}

// UnmarshalText decodes an action name, as [ParseAction] reads it.
func (a *Action) UnmarshalText(b []byte) error {
	v, err := ParseAction(string(b))
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// valid reports whether a is an action a keyword may carry.
func (a Action) valid() bool { return a == OptOut || a == OptIn || a == Help }

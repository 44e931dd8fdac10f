package conversation

import (
	"errors"
)

// Status is where a conversation stands in its lifecycle. The zero value is
// not a valid status.
type Status uint8

// The statuses. Bot, Queued and Assigned are open: the contact's next message
// joins the conversation. WrapUp and Closed have ended: the contact's next
// message starts a new conversation linked to this one.
const (
	// Bot: handled by a bot before it hands the conversation off.
	Bot Status = iota + 1
	// Queued: waiting in the inbox of its queues, unassigned.
	Queued
	// Assigned: an agent owns it and carries its routing weight.
	Assigned
	// WrapUp: ended by the agent; closing note and disposition pending, the
	// agent's weight already freed.
	WrapUp
	// Closed: finished for good.
	Closed
)

var statusNames = [...]string{
	Bot:      "bot",
	Queued:   "queued",
	Assigned: "assigned",
	WrapUp:   "wrap_up",
	Closed:   "closed",
}

// Statuses lists every valid status in lifecycle order.
func Statuses() []Status { return []Status{Bot, Queued, Assigned, WrapUp, Closed} }

// ErrUnknownStatus is returned when a status name is not one of the five.
// Check it with errors.Is.
var ErrUnknownStatus = errors.New("conversation: unknown status")

// Valid reports whether s is one of the declared statuses.
func (s Status) Valid() bool { return s >= Bot && s <= Closed }

// Open reports whether the conversation still takes the contact's messages:
// Bot, Queued or Assigned.
func (s Status) Open() bool { return s >= Bot && s <= Assigned }

// String returns the status's lower-case name ("wrap_up"), or "status(N)"
// for an invalid value.
func (s Status) String() string { return stringOf(statusNames[:], s, "status") }

// ParseStatus returns the status named s, as [Status.String] spells it, or
// an error matching [ErrUnknownStatus].
func ParseStatus(s string) (Status, error) {
	return parseName[Status](statusNames[:], s, ErrUnknownStatus)
}

// MarshalText encodes the status by name; an invalid status is an error
// matching [ErrUnknownStatus].
func (s Status) MarshalText() ([]byte, error) {
	return marshalName(statusNames[:], s, ErrUnknownStatus)
}

// UnmarshalText decodes a status name, as [ParseStatus] does.
func (s *Status) UnmarshalText(b []byte) error {
	v, err := ParseStatus(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Allowed reports whether the lifecycle permits moving from one status to
// another:
//
//	Bot      → Queued    hand-off
//	Queued   → Assigned  assign (manually or automatically)
//	Assigned → Assigned  transfer to another agent
//	Assigned → Queued    send back to the inbox
//	Assigned → WrapUp    end
//	Bot, Queued, Assigned → Closed   close (also by API, from any open status)
//	WrapUp   → Closed    close after wrap-up
//
// Every other pair, including any move out of Closed, is refused.
func Allowed(from, to Status) bool {
	switch from {
	case Bot:
		return to == Queued || to == Closed
	case Queued:
		return to == Assigned || to == Closed
	case Assigned:
		return to == Assigned || to == Queued || to == WrapUp || to == Closed
	case WrapUp:
		return to == Closed
	}
	return false
}

package conversation

import (
	"errors"
	"fmt"
)

// Sentinel errors. Check them with errors.Is; the typed errors below carry
// the facts and are read with errors.As.
var (
	// ErrInvalidTransition: the lifecycle does not allow the move (see
	// [Allowed]). Returned as a [*TransitionError].
	ErrInvalidTransition = errors.New("conversation: invalid transition")
	// ErrInvalid: a field of the input is missing or malformed. Returned as
	// a [*FieldError]; nothing was changed.
	ErrInvalid = errors.New("conversation: invalid input")
	// ErrEnded: the conversation has ended (wrap-up or closed) and takes no
	// more messages; the contact's next message starts a follow-up
	// conversation (see [Conversation.FollowUp]). Returned as an [*EndedError].
	ErrEnded = errors.New("conversation: ended")
	// ErrNotFound: no conversation or message has that ID or key.
	ErrNotFound = errors.New("conversation: not found")
	// ErrConflict: an update was based on a stale Version; the store changed
	// nothing. Re-read, re-apply, retry. Returned as a [*ConflictError].
	ErrConflict = errors.New("conversation: version conflict")
	// ErrDuplicateID: a conversation or message with that ID already exists.
	ErrDuplicateID = errors.New("conversation: duplicate id")
	// ErrOpenExists: an open conversation already exists for the same
	// touchpoint, contact and interaction ID. Returned as an [*ExistsError].
	ErrOpenExists = errors.New("conversation: an open conversation already exists")
	// ErrOutboundExists: the business already has an open outbound
	// conversation with this contact on this touchpoint: one at a time, on
	// the host's own channel too. Returned as an [*ExistsError].
	ErrOutboundExists = errors.New("conversation: an open outbound conversation already exists")
	// ErrBadCursor: a page cursor was not one the store handed out.
	ErrBadCursor = errors.New("conversation: bad page cursor")
)

// TransitionError reports a lifecycle move the rules refuse (see
// [Allowed]). It matches [ErrInvalidTransition].
type TransitionError struct {
	From, To Status
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("conversation: cannot move from %s to %s", e.From, e.To)
}

// Is makes errors.Is(err, ErrInvalidTransition) true.
func (e *TransitionError) Is(target error) bool { return target == ErrInvalidTransition }

// FieldError reports a missing or malformed field. It matches [ErrInvalid].
type FieldError struct {
	Field   string // Go field name, such as "Touchpoint" or "Contact.ID"
	Problem string // what is wrong with it, lower-case
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("conversation: %s %s", e.Field, e.Problem)
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *FieldError) Is(target error) bool { return target == ErrInvalid }

func invalid(field, problem string) error { return &FieldError{Field: field, Problem: problem} }

// EndedError reports a message for a conversation that has ended. It
// matches [ErrEnded].
type EndedError struct {
	ID     ID
	Status Status
}

func (e *EndedError) Error() string {
	return fmt.Sprintf("conversation: %s has ended (%s)", e.ID, e.Status)
}

// Is makes errors.Is(err, ErrEnded) true.
func (e *EndedError) Is(target error) bool { return target == ErrEnded }

// ConflictError reports a stale write. It matches [ErrConflict].
type ConflictError struct {
	ID      ID
	Version int64 // the version the writer based its change on
	Current int64 // the version the store holds
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("conversation: %s is at version %d, update was based on %d", e.ID, e.Current, e.Version)
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// ExistsError reports that an open conversation already occupies the slot a
// new one wanted. It matches [ErrOutboundExists] when Outbound is set and
// [ErrOpenExists] otherwise.
type ExistsError struct {
	Key      Key  // the slot asked for
	Existing ID   // the open conversation holding it
	Outbound bool // the one-open-outbound rule was broken
}

func (e *ExistsError) Error() string {
	if e.Outbound {
		return fmt.Sprintf("conversation: outbound conversation %s is already open with %s on %s", e.Existing, e.Key.ContactID, e.Key.Touchpoint)
	}
	return fmt.Sprintf("conversation: conversation %s is already open with %s on %s", e.Existing, e.Key.ContactID, e.Key.Touchpoint)
}

// Is matches [ErrOutboundExists] or [ErrOpenExists], whichever rule broke.
func (e *ExistsError) Is(target error) bool {
	if e.Outbound {
		return target == ErrOutboundExists
	}
	return target == ErrOpenExists
}

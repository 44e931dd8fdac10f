package routing

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Check them with errors.Is; the typed errors below carry
// the facts and match the matching sentinel.
var (
	// ErrOverCapacity means the agent's load plus the conversation's
	// weight would exceed the agent's capacity. The
	// error is a *CapacityError.
	ErrOverCapacity = errors.New("routing: over capacity")

	// ErrNotVisible means the conversation is in none of the agent's
	// queues, so the agent may neither see nor take it.
	// The error is a *VisibilityError.
	ErrNotVisible = errors.New("routing: not visible")

	// ErrUnknownAgent means no agent has the given ID.
	ErrUnknownAgent = errors.New("routing: unknown agent")

	// ErrUnknownConversation means the router holds no conversation with
	// the given ID (never enqueued, or released).
	ErrUnknownConversation = errors.New("routing: unknown conversation")

	// ErrDuplicate means the conversation or agent is already known to the
	// router.
	ErrDuplicate = errors.New("routing: already present")

	// ErrAlreadyAssigned means the conversation is assigned or offered to
	// an agent, so it cannot be taken from the inbox.
	ErrAlreadyAssigned = errors.New("routing: already assigned")

	// ErrAlreadyReserved is returned by a Ledger when the conversation is
	// already reserved for a different agent.
	ErrAlreadyReserved = errors.New("routing: conversation reserved for another agent")

	// ErrNoOffer means the conversation is not offered to that agent.
	ErrNoOffer = errors.New("routing: no open offer")

	// ErrUnavailable means the agent is not Available (away, offline or
	// draining), so it may not be given new work.
	ErrUnavailable = errors.New("routing: agent unavailable")

	// ErrFixedWeight means a caller tried to change the voice weight, which
	// is fixed at VoiceWeight (51).
	ErrFixedWeight = errors.New("routing: voice weight is fixed")

	// ErrInternal means the router found its own bookkeeping broken: a
	// bug in package routing, reported by Router.Check.
	ErrInternal = errors.New("routing: internal inconsistency")

	// ErrInvalid means a configuration, agent or item breaks a rule (empty
	// ID, an agent ID or queue name that is blank or unprintable, weight
	// outside 1–100, unknown mode), or a text names no value of an enum
	// (ParseMode and friends). The router is unchanged.
	ErrInvalid = errors.New("routing: invalid")
)

// CapacityError reports a refused assignment: the agent's load, the weight
// that did not fit and the capacity. It matches ErrOverCapacity.
type CapacityError struct {
	AgentID  string
	Load     int
	Weight   int
	Capacity int
}

// Error says whose room the weight does not fit, with the figures.
func (e *CapacityError) Error() string {
	return fmt.Sprintf("routing: over capacity: agent %q has load %d, weight %d does not fit capacity %d",
		e.AgentID, e.Load, e.Weight, e.Capacity)
}

// Is makes errors.Is(err, ErrOverCapacity) true.
func (e *CapacityError) Is(target error) bool { return target == ErrOverCapacity }

// VisibilityError reports an agent reaching for a conversation it may not
// see: one outside its queues, or one another agent holds. It matches
// ErrNotVisible.
type VisibilityError struct {
	AgentID        string
	ConversationID string
	// Queues are the conversation's queues, none of which the agent is in.
	Queues []string
}

// Error says who may not see which conversation.
func (e *VisibilityError) Error() string {
	return fmt.Sprintf("routing: not visible: agent %q may not see conversation %q (queues [%s])",
		e.AgentID, e.ConversationID, strings.Join(e.Queues, " "))
}

// Is makes errors.Is(err, ErrNotVisible) true.
func (e *VisibilityError) Is(target error) bool { return target == ErrNotVisible }

func invalidf(format string, args ...any) error { return errorf(ErrInvalid, format, args...) }

// errorf wraps sentinel with a formatted fact: "routing: ...: fact".
func errorf(sentinel error, format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{sentinel}, args...)...)
}

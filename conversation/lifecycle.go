package conversation

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// AssignMode says how an agent came to own a conversation; events carry it
// so automations and notification sounds can tell a manual assignment from
// an automatic one.
type AssignMode uint8

// The assignment modes. The zero value means "not assigned".
const (
	// AssignManual: an agent clicked Assign, or a supervisor chose.
	AssignManual AssignMode = iota + 1
	// AssignAuto: the router chose, or the agent replied to an unassigned
	// conversation and was assigned automatically.
	AssignAuto
	// AssignDedicated: the touchpoint's dedicated agent owns everything on it.
	AssignDedicated
)

var assignModeNames = [...]string{0: "none", AssignManual: "manual", AssignAuto: "auto", AssignDedicated: "dedicated"}

// ErrUnknownAssignMode is returned for an assignment mode that is not one
// of the three, or "none". Check it with errors.Is.
var ErrUnknownAssignMode = errors.New("conversation: unknown assign mode")

// String returns "manual", "auto", "dedicated", "none" for the zero value,
// or "assign_mode(N)".
func (m AssignMode) String() string { return stringOf(assignModeNames[:], m, "assign_mode") }

// ParseAssignMode returns the mode named s, as [AssignMode.String] spells
// it, or an error matching [ErrUnknownAssignMode].
func ParseAssignMode(s string) (AssignMode, error) {
	return parseName[AssignMode](assignModeNames[:], s, ErrUnknownAssignMode)
}

// MarshalText encodes the mode by name; an invalid one is an error
// matching [ErrUnknownAssignMode].
func (m AssignMode) MarshalText() ([]byte, error) {
	return marshalName(assignModeNames[:], m, ErrUnknownAssignMode)
}

// UnmarshalText decodes a mode name, as [ParseAssignMode] does.
func (m *AssignMode) UnmarshalText(b []byte) error {
	v, err := ParseAssignMode(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// The transition methods below share one contract: each checks the move
// with [Allowed] and its arguments first, and on any error returns it
// leaving c unchanged; on success it updates c, stamps UpdatedAt with now and
// returns the event for the desk to publish once the store accepted the
// change.

func (c *Conversation) check(to Status) error {
	if !Allowed(c.Status, to) {
		return &TransitionError{From: c.Status, To: to}
	}
	return nil
}

func (c *Conversation) header(now time.Time) EventHeader {
	return EventHeader{ConversationID: c.ID, At: now}
}

// HandOff moves a Bot conversation to the inbox (Bot → Queued). Non-nil
// queues replace the conversation's queues (the bot may pick a team); nil
// keeps them.
func (c *Conversation) HandOff(queues []string, now time.Time) (HandedOffEvent, error) {
	if err := c.check(Queued); err != nil {
		return HandedOffEvent{}, err
	}
	if c.Status != Bot {
		// Assigned → Queued is SendToInbox, not a hand-off.
		return HandedOffEvent{}, &TransitionError{From: c.Status, To: Queued}
	}
	if queues != nil {
		c.Queues = slices.Clone(queues)
	}
	c.Status = Queued
	c.UpdatedAt = now
	return HandedOffEvent{EventHeader: c.header(now), Queues: slices.Clone(c.Queues)}, nil
}

// Assign gives a Queued conversation to an agent (Queued → Assigned) and
// pauses the bot: while a human owns the conversation the bot must not
// answer. The caller has checked visibility and capacity (package routing).
func (c *Conversation) Assign(agentID string, mode AssignMode, now time.Time) (AssignedEvent, error) {
	if err := c.check(Assigned); err != nil {
		return AssignedEvent{}, err
	}
	if c.Status != Queued {
		// Assigned → Assigned is Transfer.
		return AssignedEvent{}, &TransitionError{From: c.Status, To: Assigned}
	}
	if err := checkMode(mode); err != nil {
		return AssignedEvent{}, err
	}
	if agentID == "" {
		return AssignedEvent{}, invalid("agent ID", "is required")
	}
	c.Status = Assigned
	c.AssigneeID = agentID
	c.AssignMode = mode
	c.BotPaused = true
	c.AssignedAt = now
	c.UpdatedAt = now
	return AssignedEvent{EventHeader: c.header(now), AgentID: agentID, Mode: mode}, nil
}

func checkMode(m AssignMode) error {
	if m < AssignManual || m > AssignDedicated {
		return invalid("assign mode", fmt.Sprintf("is not valid (%d)", uint8(m)))
	}
	return nil
}

// Transfer moves an Assigned conversation to another agent (Assigned →
// Assigned). The caller has checked the new agent's capacity. Transferring
// to the current assignee is refused as invalid input. To move it to
// another queue instead, use [Conversation.SendToInbox] with the new queues.
func (c *Conversation) Transfer(agentID string, mode AssignMode, now time.Time) (TransferredEvent, error) {
	if err := c.check(Assigned); err != nil {
		return TransferredEvent{}, err
	}
	if c.Status != Assigned {
		return TransferredEvent{}, &TransitionError{From: c.Status, To: Assigned}
	}
	if err := checkMode(mode); err != nil {
		return TransferredEvent{}, err
	}
	switch agentID {
	case "":
		return TransferredEvent{}, invalid("agent ID", "is required")
	case c.AssigneeID:
		return TransferredEvent{}, invalid("agent ID", "is already the assignee")
	}
	from := c.AssigneeID
	c.AssigneeID = agentID
	c.AssignMode = mode
	c.AssignedAt = now
	c.UpdatedAt = now
	return TransferredEvent{EventHeader: c.header(now), FromAgentID: from, ToAgentID: agentID, Mode: mode}, nil
}

// SendToInbox returns an Assigned conversation to its queues (Assigned →
// Queued), freeing the agent's weight. Non-nil queues replace the
// conversation's queues (a transfer to another queue); nil keeps them. The
// bot stays paused: a human already took over.
func (c *Conversation) SendToInbox(queues []string, now time.Time) (SentToInboxEvent, error) {
	if err := c.check(Queued); err != nil {
		return SentToInboxEvent{}, err
	}
	if c.Status != Assigned {
		return SentToInboxEvent{}, &TransitionError{From: c.Status, To: Queued}
	}
	from := c.AssigneeID
	if queues != nil {
		c.Queues = slices.Clone(queues)
	}
	c.Status = Queued
	c.AssigneeID = ""
	c.AssignMode = 0
	c.UpdatedAt = now
	return SentToInboxEvent{EventHeader: c.header(now), FromAgentID: from, Queues: slices.Clone(c.Queues)}, nil
}

// End finishes the agent's work (Assigned → WrapUp): the agent's weight is
// freed and the closing note and disposition are pending. The assignee is
// kept as a record of who handled it.
func (c *Conversation) End(now time.Time) (EndedEvent, error) {
	if err := c.check(WrapUp); err != nil {
		return EndedEvent{}, err
	}
	c.Status = WrapUp
	c.EndedAt = now
	c.UpdatedAt = now
	return EndedEvent{EventHeader: c.header(now), AgentID: c.AssigneeID}, nil
}

// Closing holds the optional facts given when a conversation is closed.
type Closing struct {
	Note        string // a summary of the conversation
	Disposition string // an outcome code, such as "resolved"
	// ResumeBot lets the bot answer the contact again once closed.
	ResumeBot bool
	// ByAPI marks a close by the host's own channel rather than an agent.
	ByAPI bool
}

// Close finishes the conversation for good, from any open status or from
// WrapUp, so the host's own channel may close by API at any point of the
// conversation. An empty Note or Disposition keeps one set before.
func (c *Conversation) Close(cl Closing, now time.Time) (ClosedEvent, error) {
	if err := c.check(Closed); err != nil {
		return ClosedEvent{}, err
	}
	from := c.Status
	if cl.Note != "" {
		c.ClosingNote = cl.Note
	}
	if cl.Disposition != "" {
		c.Disposition = cl.Disposition
	}
	if cl.ResumeBot {
		c.BotPaused = false
	}
	c.Status = Closed
	c.ClosedAt = now
	c.UpdatedAt = now
	return ClosedEvent{
		EventHeader: c.header(now),
		From:        from,
		AgentID:     c.AssigneeID,
		Note:        c.ClosingNote,
		Disposition: c.Disposition,
		ByAPI:       cl.ByAPI,
	}, nil
}

// MarkRead resets the unread count: the agent has seen the contact's
// messages. It reports whether anything changed.
func (c *Conversation) MarkRead(now time.Time) bool {
	if c.Unread == 0 {
		return false
	}
	c.Unread = 0
	c.UpdatedAt = now
	return true
}

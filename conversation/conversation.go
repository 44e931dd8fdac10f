package conversation

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/parleyhq/parley/channel"
)

// Direction says who started a conversation, or which way a message went.
type Direction uint8

// The directions. The zero value is not valid.
const (
	// Inbound: from the contact to the business.
	Inbound Direction = iota + 1
	// Outbound: from the business to the contact.
	Outbound
)

// Valid reports whether d is Inbound or Outbound.
func (d Direction) Valid() bool { return d == Inbound || d == Outbound }

var directionNames = [...]string{Inbound: "inbound", Outbound: "outbound"}

// ErrUnknownDirection is returned for a direction that is neither inbound
// nor outbound. Check it with errors.Is.
var ErrUnknownDirection = errors.New("conversation: unknown direction")

// String returns "inbound", "outbound" or "direction(N)".
func (d Direction) String() string { return stringOf(directionNames[:], d, "direction") }

// ParseDirection returns the direction named s ("inbound" or "outbound"),
// or an error matching [ErrUnknownDirection].
func ParseDirection(s string) (Direction, error) {
	return parseName[Direction](directionNames[:], s, ErrUnknownDirection)
}

// MarshalText encodes the direction by name; an invalid one is an error
// matching [ErrUnknownDirection].
func (d Direction) MarshalText() ([]byte, error) {
	return marshalName(directionNames[:], d, ErrUnknownDirection)
}

// UnmarshalText decodes a direction name, as [ParseDirection] does.
func (d *Direction) UnmarshalText(b []byte) error {
	v, err := ParseDirection(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Key is the slot an open conversation occupies: at most one open
// conversation per (touchpoint, contact, interaction). InteractionID is empty
// except on the host's own channel (channel.Custom), where each interaction
// of the host's software may hold a conversation of its own.
// Key is comparable, so stores may use it as a map key or unique index.
type Key struct {
	Touchpoint    string
	ContactID     string
	InteractionID string
}

// Conversation is the aggregate: one exchange between a contact and the
// business on one touchpoint, from its first message until it is closed.
//
// Change it only through its methods, which keep the lifecycle rules and
// return the event to publish; then persist it with [Store.Update]. A
// Conversation value is not safe for concurrent mutation: each goroutine
// works on its own copy (Store.Get returns one) and optimistic concurrency
// (Version) settles who wins.
type Conversation struct {
	// ID is a UUIDv7, given at start.
	ID ID
	// Version counts stored changes. The store sets it: 1 on Create, +1 on
	// each successful Update. An Update based on an older Version fails with
	// ErrConflict.
	Version int64

	// Touchpoint is the ID of the business endpoint the conversation lives on.
	Touchpoint string
	// Channel is the touchpoint's kind.
	Channel channel.Kind
	// Direction says who started it: Inbound (the contact) or Outbound (the
	// business).
	Direction Direction
	// Status is where it stands in the lifecycle; see [Allowed].
	Status Status
	// AssignMode says how the current assignee got it.
	AssignMode AssignMode
	// BotPaused is set when an agent is assigned (bot hand-off): the bot
	// must not answer while a human owns the conversation.
	BotPaused bool
	// (The one-byte fields above stay together, without padding: see
	// memory's TestConversationCopiesFit512Bytes.)

	// Contact is who the business talks with.
	Contact Contact
	// InteractionID tells apart concurrent conversations of one contact on
	// the host's own channel (channel.Custom only).
	InteractionID string
	// Subject is an optional title, set by the host's own channel or an agent.
	Subject string

	// AssigneeID is the agent who owns it; empty while Bot or Queued. It is
	// kept through WrapUp and Closed to record who handled it.
	AssigneeID string
	// Queues are the queue labels that receive it (from the touchpoint).
	Queues []string
	// Priority orders the inbox: higher first, then older first.
	Priority int
	// Previous links a follow-up to the conversation that ended before it.
	Previous ID
	// Unread counts the contact's messages the agent has not read.
	Unread int
	// ClosingNote is the optional summary given when closing.
	ClosingNote string
	// Disposition is the optional outcome code given when closing.
	Disposition string
	// Tags are free labels set by agents or automations.
	Tags []string

	CreatedAt     time.Time // when it started
	UpdatedAt     time.Time // last change by any method
	AssignedAt    time.Time // last assignment or transfer
	EndedAt       time.Time // moved to WrapUp
	ClosedAt      time.Time // moved to Closed
	LastInboundAt time.Time // last message from the contact
	LastMessageAt time.Time // last message either way
}

// Key returns the open-conversation slot c occupies.
func (c *Conversation) Key() Key {
	return Key{Touchpoint: c.Touchpoint, ContactID: c.Contact.ID, InteractionID: c.InteractionID}
}

// Clone returns a deep copy: slices are copied, so changing the clone never
// changes c. Stores hand out clones.
func (c *Conversation) Clone() *Conversation {
	d := *c
	d.Queues = slices.Clone(c.Queues)
	d.Tags = slices.Clone(c.Tags)
	d.Contact.Addresses = slices.Clone(c.Contact.Addresses)
	return &d
}

// Params describes a conversation to [Start].
type Params struct {
	ID            ID           // required; from NewID or the caller's generator
	Touchpoint    string       // required
	Channel       channel.Kind // required
	Direction     Direction    // required
	Contact       Contact      // Contact.ID required
	InteractionID string       // channel.Custom only
	Subject       string
	Queues        []string
	Priority      int
	// Bot starts it in the Bot status (a bot answers first); otherwise it
	// starts Queued: new contacts start unassigned.
	Bot bool
	// Previous links a follow-up to the conversation that ended before it.
	Previous ID
}

// Start validates p and returns the new conversation with the event to
// publish. It does not store it: call [Store.Create].
func Start(p Params, now time.Time) (*Conversation, StartedEvent, error) {
	if err := p.validate(); err != nil {
		return nil, StartedEvent{}, err
	}
	st := Queued
	if p.Bot {
		st = Bot
	}
	c := &Conversation{
		ID:            p.ID,
		Touchpoint:    p.Touchpoint,
		Channel:       p.Channel,
		Direction:     p.Direction,
		Contact:       p.Contact.clone(),
		InteractionID: p.InteractionID,
		Subject:       p.Subject,
		Status:        st,
		Queues:        slices.Clone(p.Queues),
		Priority:      p.Priority,
		Previous:      p.Previous,
		CreatedAt:     now,
		UpdatedAt:     now,
	}
	return c, StartedEvent{
		EventHeader: EventHeader{ConversationID: c.ID, At: now},
		Touchpoint:  c.Touchpoint,
		Channel:     c.Channel,
		Direction:   c.Direction,
		ContactID:   c.Contact.ID,
		Status:      st,
		Previous:    c.Previous,
	}, nil
}

func (p *Params) validate() error {
	switch {
	case p.ID.IsZero():
		return invalid("ID", "is required")
	case p.Touchpoint == "":
		return invalid("Touchpoint", "is required")
	case !p.Channel.Valid():
		return invalid("Channel", fmt.Sprintf("is not a channel kind (%d)", uint8(p.Channel)))
	case !p.Direction.Valid():
		return invalid("Direction", "must be Inbound or Outbound")
	case p.Contact.ID == "":
		return invalid("Contact.ID", "is required")
	case p.InteractionID != "" && p.Channel != channel.Custom:
		// Interaction IDs split conversations on the host's own channel
		// only; elsewhere one contact has one open conversation.
		return invalid("InteractionID", "is only allowed on the custom channel")
	case p.Previous == p.ID:
		return invalid("Previous", "cannot be the conversation itself")
	}
	return nil
}

// ReopenPolicy decides who owns the follow-up when a contact writes again
// after a conversation ended. The zero value is the default.
type ReopenPolicy uint8

// The reopen policies.
const (
	// KeepAgent: the contact keeps the agent of the previous conversation
	// (the default). The desk still checks that agent's presence and
	// capacity and re-routes when the agent is away, rather than leave
	// the contact waiting on someone who is not there.
	KeepAgent ReopenPolicy = iota
	// ToInbox: the follow-up waits in the inbox of its queues.
	ToInbox
)

var reopenNames = [...]string{KeepAgent: "keep_agent", ToInbox: "to_inbox"}

// ErrUnknownReopenPolicy is returned for a reopen policy that is not one of
// the two. Check it with errors.Is.
var ErrUnknownReopenPolicy = errors.New("conversation: unknown reopen policy")

// String returns "keep_agent", "to_inbox" or "reopen_policy(N)".
func (p ReopenPolicy) String() string { return stringOf(reopenNames[:], p, "reopen_policy") }

// ParseReopenPolicy returns the policy named s ("keep_agent" or
// "to_inbox"), or an error matching [ErrUnknownReopenPolicy].
func ParseReopenPolicy(s string) (ReopenPolicy, error) {
	return parseName[ReopenPolicy](reopenNames[:], s, ErrUnknownReopenPolicy)
}

// MarshalText encodes the policy by name; an invalid one is an error
// matching [ErrUnknownReopenPolicy].
func (p ReopenPolicy) MarshalText() ([]byte, error) {
	return marshalName(reopenNames[:], p, ErrUnknownReopenPolicy)
}

// UnmarshalText decodes a policy name, as [ParseReopenPolicy] does.
func (p *ReopenPolicy) UnmarshalText(b []byte) error {
	v, err := ParseReopenPolicy(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// Agent returns the agent the policy hands a follow-up of prev to, or ""
// for the inbox.
func (p ReopenPolicy) Agent(prev *Conversation) string {
	if p == KeepAgent {
		return prev.AssigneeID
	}
	return ""
}

// FollowUp returns the parameters of the conversation that the contact's
// next message starts after c ended: same touchpoint,
// contact, interaction, queues and priority; inbound; linked to c through
// Previous. It refuses while c is still open, with a
// [*TransitionError] from c's status to Queued.
func (c *Conversation) FollowUp(id ID) (Params, error) {
	if c.Status.Open() {
		return Params{}, &TransitionError{From: c.Status, To: Queued}
	}
	return Params{
		ID:            id,
		Touchpoint:    c.Touchpoint,
		Channel:       c.Channel,
		Direction:     Inbound,
		Contact:       c.Contact.clone(),
		InteractionID: c.InteractionID,
		Subject:       c.Subject,
		Queues:        slices.Clone(c.Queues),
		Priority:      c.Priority,
		Previous:      c.ID,
	}, nil
}

package parley

import (
	"context"
	"time"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/optout"
)

// Event is something that happened, published to the host's [Publisher]
// for automations and agent notifications (sounds, badges). It is the
// conversation package's event interface: the lifecycle and message events
// come from there (conversation.AssignedEvent,
// conversation.MessageSentEvent, …), and the Desk adds the events below,
// which concern rules outside one conversation's lifecycle. Switch on the
// type, or on Name for a stable string.
type Event = conversation.Event

// Publisher receives the Desk's events. Publish may be called concurrently
// from many goroutines. An error from Publish is logged and does not undo
// the change the event reports: state is the source of truth, events are
// notifications.
type Publisher interface {
	Publish(ctx context.Context, e Event) error
}

// PublisherFunc adapts a function to a [Publisher].
type PublisherFunc func(ctx context.Context, e Event) error

// Publish calls f.
func (f PublisherFunc) Publish(ctx context.Context, e Event) error { return f(ctx, e) }

type nopPublisher struct{}

func (nopPublisher) Publish(context.Context, Event) error { return nil }

// Compile-time checks that the Desk's own events implement Event.
var (
	_ Event = OfferedEvent{}
	_ Event = OfferEndedEvent{}
	_ Event = AllAgentsBusyEvent{}
	_ Event = AwayEvent{}
	_ Event = EscalatedEvent{}
	_ Event = OptOutEvent{}
	_ Event = WindowEvent{}
)

// OfferedEvent: automatic routing offered the conversation to an agent, who
// must accept or reject it before Deadline.
type OfferedEvent struct {
	conversation.EventHeader
	AgentID  string
	Deadline time.Time
}

// Name returns "conversation.offered".
func (OfferedEvent) Name() string { return "conversation.offered" }

// OfferEndedEvent: an offer ended unaccepted — the agent rejected it, or
// it expired (Expired) — so the conversation went to the next agent or
// waits, as the events after it say. An offer withdrawn because its agent
// went away, or because the conversation ended, is not one.
type OfferEndedEvent struct {
	conversation.EventHeader
	AgentID string
	Expired bool
}

// Name returns "conversation.offer_rejected" or
// "conversation.offer_expired".
func (e OfferEndedEvent) Name() string {
	if e.Expired {
		return "conversation.offer_expired"
	}
	return "conversation.offer_rejected"
}

// AllAgentsBusyEvent: no eligible agent had room; the conversation waits in
// its queues. It is published once per conversation, with the busy message
// when the Desk sent one.
type AllAgentsBusyEvent struct {
	conversation.EventHeader
	Queues []string
}

// Name returns "routing.all_agents_busy".
func (AllAgentsBusyEvent) Name() string { return "routing.all_agents_busy" }

// AwayEvent: a conversation started outside business hours.
type AwayEvent struct {
	conversation.EventHeader
	NextOpening time.Time
}

// Name returns "routing.outside_hours".
func (AwayEvent) Name() string { return "routing.outside_hours" }

// EscalatedEvent: a digital conversation was escalated to a voice call,
// which now weighs the voice weight (51) on its agent.
type EscalatedEvent struct {
	conversation.EventHeader
	AgentID string
}

// Name returns "conversation.escalated".
func (EscalatedEvent) Name() string { return "conversation.escalated" }

// OptOutEvent: a contact opted out or back in by keyword (Action is
// optout.OptOut or optout.OptIn) for every number of Scope.
type OptOutEvent struct {
	conversation.EventHeader
	Action  optout.Action
	Address channel.Address
	Scope   string
	Keyword string
}

// Name returns "contact.opted_out" or "contact.opted_in".
func (e OptOutEvent) Name() string {
	if e.Action == optout.OptIn {
		return "contact.opted_in"
	}
	return "contact.opted_out"
}

// WindowEvent: the contact's customer-service window on the conversation's
// touchpoint closes within Config.WindowWarning (Closed false, "window
// expiring") or has closed (Closed true, "window closed"): free-form replies
// stop at ClosesAt, until the contact writes again.
// [Desk.Tick] publishes each once per window, for the contact's open
// conversation.
type WindowEvent struct {
	conversation.EventHeader
	Touchpoint string
	Contact    channel.Address
	ClosesAt   time.Time
	Closed     bool
}

// Name returns "session.window_expiring" or "session.window_closed".
func (e WindowEvent) Name() string {
	if e.Closed {
		return "session.window_closed"
	}
	return "session.window_expiring"
}

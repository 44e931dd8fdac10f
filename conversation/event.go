package conversation

import (
	"time"

	"github.com/parleyhq/parley/channel"
)

// Event is something that happened to a conversation, for the desk to
// publish to automations and agent notifications (sounds). There is
// one type per event; switch on the type, or on Name for a stable string.
type Event interface {
	// Name is the event's stable dotted name, such as "conversation.assigned".
	Name() string
	// Conversation is the conversation it happened to.
	Conversation() ID
	// Time is when it happened.
	Time() time.Time
}

// EventHeader holds what every event carries. It is embedded in each event
// type and provides [Event.Conversation] and [Event.Time].
type EventHeader struct {
	ConversationID ID
	At             time.Time
}

// Conversation returns the ID of the conversation the event happened to.
func (h EventHeader) Conversation() ID { return h.ConversationID }

// Time returns when the event happened.
func (h EventHeader) Time() time.Time { return h.At }

// Compile-time checks that every event type implements Event.
var (
	_ Event = StartedEvent{}
	_ Event = HandedOffEvent{}
	_ Event = AssignedEvent{}
	_ Event = TransferredEvent{}
	_ Event = SentToInboxEvent{}
	_ Event = EndedEvent{}
	_ Event = ClosedEvent{}
	_ Event = MessageReceivedEvent{}
	_ Event = MessageSentEvent{}
	_ Event = MessageFailedEvent{}
	_ Event = DeliveryChangedEvent{}
)

// StartedEvent: a conversation started (returned by [Start]).
type StartedEvent struct {
	EventHeader
	Touchpoint string
	Channel    channel.Kind
	Direction  Direction
	ContactID  string
	Status     Status // Bot or Queued
	Previous   ID     // the conversation this one follows up, if any
}

// Name returns "conversation.started".
func (StartedEvent) Name() string { return "conversation.started" }

// HandedOffEvent: the bot handed the conversation to the inbox (Bot → Queued).
type HandedOffEvent struct {
	EventHeader
	Queues []string
}

// Name returns "conversation.handed_off".
func (HandedOffEvent) Name() string { return "conversation.handed_off" }

// AssignedEvent: an agent was assigned (Queued → Assigned), manually or
// automatically.
type AssignedEvent struct {
	EventHeader
	AgentID string
	Mode    AssignMode
}

// Name returns "conversation.assigned".
func (AssignedEvent) Name() string { return "conversation.assigned" }

// TransferredEvent: the conversation moved to another agent.
type TransferredEvent struct {
	EventHeader
	FromAgentID string
	ToAgentID   string
	Mode        AssignMode
}

// Name returns "conversation.transferred".
func (TransferredEvent) Name() string { return "conversation.transferred" }

// SentToInboxEvent: the agent returned the conversation to its queues.
type SentToInboxEvent struct {
	EventHeader
	FromAgentID string
	Queues      []string
}

// Name returns "conversation.sent_to_inbox".
func (SentToInboxEvent) Name() string { return "conversation.sent_to_inbox" }

// EndedEvent: the agent ended the conversation (Assigned → WrapUp).
type EndedEvent struct {
	EventHeader
	AgentID string
}

// Name returns "conversation.ended".
func (EndedEvent) Name() string { return "conversation.ended" }

// ClosedEvent: the conversation was closed.
type ClosedEvent struct {
	EventHeader
	From        Status // the status it was closed from
	AgentID     string // the assignee, if any
	Note        string
	Disposition string
	ByAPI       bool
}

// Name returns "conversation.closed".
func (ClosedEvent) Name() string { return "conversation.closed" }

// MessageReceivedEvent: a message from the contact was recorded (returned by
// [Conversation.Receive]).
type MessageReceivedEvent struct {
	EventHeader
	Message Message
}

// Name returns "message.received".
func (MessageReceivedEvent) Name() string { return "message.received" }

// MessageSentEvent: the transport accepted an outbound message.
type MessageSentEvent struct {
	EventHeader
	Message Message
}

// Name returns "message.sent".
func (MessageSentEvent) Name() string { return "message.sent" }

// MessageFailedEvent: an outbound message failed, when sending or by a
// later delivery callback; Reason says why.
type MessageFailedEvent struct {
	EventHeader
	MessageID ID
	Reason    string
}

// Name returns "message.failed".
func (MessageFailedEvent) Name() string { return "message.failed" }

// DeliveryChangedEvent: an outbound message's delivery status moved forward.
type DeliveryChangedEvent struct {
	EventHeader
	MessageID ID
	Status    DeliveryStatus
}

// Name returns "message.status_changed".
func (DeliveryChangedEvent) Name() string { return "message.status_changed" }

// DeliveryEvent returns the event for m's current delivery status, after a
// change reported by [Delivery.Advance] or [MessageStore.UpdateDelivery]:
// a [MessageFailedEvent] for a failure, a [DeliveryChangedEvent] otherwise.
func DeliveryEvent(m *Message) Event {
	h := EventHeader{ConversationID: m.ConversationID, At: m.Delivery.At}
	if m.Delivery.Status == DeliveryFailed {
		return MessageFailedEvent{EventHeader: h, MessageID: m.ID, Reason: m.Delivery.Reason}
	}
	return DeliveryChangedEvent{EventHeader: h, MessageID: m.ID, Status: m.Delivery.Status}
}

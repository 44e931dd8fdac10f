package report

import (
	"context"
	"log/slog"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
)

// LogEvents returns a parley.Publisher that logs every event the Desk
// publishes at level, with the attributes of rule 20: "event" (its
// name), "conversation" (the key the Desk's own log lines use), "at",
// and, when the event names them, "message" and "agent". A host opts in by wiring it, usually
// through [Tee], as parley.Config.Publisher; the Desk's calls then leave
// one log line per change, searchable by conversation and message. It
// never fails.
func LogEvents(logger *slog.Logger, level slog.Level) parley.Publisher {
	return parley.PublisherFunc(func(ctx context.Context, e parley.Event) error {
		if !logger.Enabled(ctx, level) {
			return nil
		}
		attrs := make([]slog.Attr, 0, 5)
		attrs = append(attrs, slog.String("event", e.Name()), slog.String("conversation", e.Conversation().String()), slog.Time("at", e.Time()))
		attrs = append(attrs, EventAttrs(e)...)
		logger.LogAttrs(ctx, level, "parley: "+e.Name(), attrs...)
		return nil
	})
}

// EventAttrs returns the message and agent IDs e names, as slog
// attributes "message" and "agent" (rule 20); none for an event
// that names neither.
func EventAttrs(e parley.Event) []slog.Attr {
	var msg conversation.ID
	var agent string
	switch e := e.(type) {
	case conversation.MessageReceivedEvent:
		msg = e.Message.ID
	case conversation.MessageSentEvent:
		msg, agent = e.Message.ID, e.Message.Author.ID
	case conversation.MessageFailedEvent:
		msg = e.MessageID
	case conversation.DeliveryChangedEvent:
		msg = e.MessageID
	case conversation.AssignedEvent:
		agent = e.AgentID
	case conversation.TransferredEvent:
		agent = e.ToAgentID
	case conversation.SentToInboxEvent:
		agent = e.FromAgentID
	case conversation.EndedEvent:
		agent = e.AgentID
	case conversation.ClosedEvent:
		agent = e.AgentID
	case parley.OfferedEvent:
		agent = e.AgentID
	case parley.OfferEndedEvent:
		agent = e.AgentID
	case parley.EscalatedEvent:
		agent = e.AgentID
	}
	var attrs []slog.Attr
	if !msg.IsZero() {
		attrs = append(attrs, slog.String("message", msg.String()))
	}
	if agent != "" {
		attrs = append(attrs, slog.String("agent", agent))
	}
	return attrs
}

package report_test

import (
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/optout"
)

// The scripts' clock: a Monday, 09:00 UTC.
var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// at is t0 plus d.
func at(d time.Duration) time.Time { return t0.Add(d) }

const (
	sec = time.Second
	mn  = time.Minute
	hr  = time.Hour
)

// cid is the n-th conversation of a script.
func cid(n byte) conversation.ID { return conversation.ID{0: 0x01, 6: 0x70, 8: 0x80, 15: n} }

func hdr(id byte, d time.Duration) conversation.EventHeader {
	return conversation.EventHeader{ConversationID: cid(id), At: at(d)}
}

// Event builders: conversation id at t0+d. Conversations live on the
// WhatsApp touchpoint "wa" (queue "support") unless said otherwise.
func started(id byte, d time.Duration) parley.Event {
	return conversation.StartedEvent{EventHeader: hdr(id, d), Touchpoint: "wa", Channel: channel.WhatsApp,
		Direction: conversation.Inbound, ContactID: "c", Status: conversation.Queued}
}

func startedOn(id byte, d time.Duration, tp string, kind channel.Kind) parley.Event {
	return conversation.StartedEvent{EventHeader: hdr(id, d), Touchpoint: tp, Channel: kind,
		Direction: conversation.Inbound, ContactID: "c", Status: conversation.Queued}
}

func startedByBusiness(id byte, d time.Duration) parley.Event {
	return conversation.StartedEvent{EventHeader: hdr(id, d), Touchpoint: "wa", Channel: channel.WhatsApp,
		Direction: conversation.Outbound, ContactID: "c", Status: conversation.Queued}
}

func startedWithBot(id byte, d time.Duration) parley.Event {
	return conversation.StartedEvent{EventHeader: hdr(id, d), Touchpoint: "wa", Channel: channel.WhatsApp,
		Direction: conversation.Inbound, ContactID: "c", Status: conversation.Bot}
}

func followUp(id, prev byte, d time.Duration) parley.Event {
	return conversation.StartedEvent{EventHeader: hdr(id, d), Touchpoint: "wa", Channel: channel.WhatsApp,
		Direction: conversation.Inbound, ContactID: "c", Status: conversation.Queued, Previous: cid(prev)}
}

func handedOff(id byte, d time.Duration) parley.Event {
	return conversation.HandedOffEvent{EventHeader: hdr(id, d)}
}

func assigned(id byte, d time.Duration, agent string) parley.Event {
	return conversation.AssignedEvent{EventHeader: hdr(id, d), AgentID: agent, Mode: conversation.AssignManual}
}

func transferred(id byte, d time.Duration, from, to string) parley.Event {
	return conversation.TransferredEvent{EventHeader: hdr(id, d), FromAgentID: from, ToAgentID: to, Mode: conversation.AssignManual}
}

func toInbox(id byte, d time.Duration, from string) parley.Event {
	return conversation.SentToInboxEvent{EventHeader: hdr(id, d), FromAgentID: from}
}

func ended(id byte, d time.Duration, agent string) parley.Event {
	return conversation.EndedEvent{EventHeader: hdr(id, d), AgentID: agent}
}

func closed(id byte, d time.Duration, from conversation.Status, agent string) parley.Event {
	return conversation.ClosedEvent{EventHeader: hdr(id, d), From: from, AgentID: agent}
}

func fromContact(id byte, d time.Duration) parley.Event {
	return conversation.MessageReceivedEvent{EventHeader: hdr(id, d), Message: conversation.Message{
		ConversationID: cid(id), Direction: conversation.Inbound, Author: conversation.Author{Kind: conversation.AuthorContact, ID: "c"}, Text: "hi", CreatedAt: at(d)}}
}

func imported(id byte, d time.Duration) parley.Event {
	e := fromContact(id, d).(conversation.MessageReceivedEvent)
	e.Message.Imported = true
	return e
}

func sentBy(id byte, d time.Duration, kind conversation.AuthorKind, author string) parley.Event {
	return conversation.MessageSentEvent{EventHeader: hdr(id, d), Message: conversation.Message{
		ConversationID: cid(id), Direction: conversation.Outbound, Author: conversation.Author{Kind: kind, ID: author}, Text: "ok", CreatedAt: at(d)}}
}

func agentSays(id byte, d time.Duration, agent string) parley.Event {
	return sentBy(id, d, conversation.AuthorAgent, agent)
}

func botSays(id byte, d time.Duration) parley.Event {
	return sentBy(id, d, conversation.AuthorBot, "bot")
}

func systemSays(id byte, d time.Duration) parley.Event {
	return sentBy(id, d, conversation.AuthorSystem, "")
}

func offered(id byte, d time.Duration, agent string, timeout time.Duration) parley.Event {
	return parley.OfferedEvent{EventHeader: hdr(id, d), AgentID: agent, Deadline: at(d + timeout)}
}

func busy(id byte, d time.Duration) parley.Event {
	return parley.AllAgentsBusyEvent{EventHeader: hdr(id, d), Queues: []string{"support"}}
}

func escalated(id byte, d time.Duration, agent string) parley.Event {
	return parley.EscalatedEvent{EventHeader: hdr(id, d), AgentID: agent}
}

func optOut(id byte, d time.Duration, action optout.Action) parley.Event {
	return parley.OptOutEvent{EventHeader: hdr(id, d), Action: action, Scope: "default", Keyword: "STOP"}
}

func offerEnded(id byte, d time.Duration, agent string, expired bool) parley.Event {
	return parley.OfferEndedEvent{EventHeader: hdr(id, d), AgentID: agent, Expired: expired}
}

// leftBy is a close through the host's own channel: the contact left.
func leftBy(id byte, d time.Duration, from conversation.Status) parley.Event {
	return conversation.ClosedEvent{EventHeader: hdr(id, d), From: from, ByAPI: true}
}

func windowClosed(id byte, d time.Duration) parley.Event {
	return parley.WindowEvent{EventHeader: hdr(id, d), Touchpoint: "wa", ClosesAt: at(d), Closed: true}
}

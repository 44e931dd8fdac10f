package parley

import (
	"cmp"
	"context"
	"errors"
	"time"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/template"
)

// Opening is a conversation the business starts with [Desk.Start].
type Opening struct {
	// Touchpoint sends it; To is the contact.
	Touchpoint string
	To         channel.Address
	// Name is the contact's display name, if known.
	Name string
	// Text is a free-form first message (SMS, e-mail, the host's own
	// channel; WhatsApp only inside an open window).
	Text string
	// Template is a WhatsApp template to open with, with its language
	// and parameters; required on WhatsApp outside the window.
	Template *TemplateMessage
	// Subject titles the conversation (e-mail, the host's own channel).
	Subject string
	// InteractionID names the interaction on the host's own channel.
	InteractionID string
}

// TemplateMessage names a WhatsApp template to send and its parameters.
type TemplateMessage struct {
	Name     string
	Language string // Meta's code, such as "en_US"
	Params   map[string]string
}

// Start opens a conversation from the business, assigned to agentID, and
// sends its first message. The channel must let the business start one
// (ErrBusinessInitiated: not Messenger, Instagram or web chat; WhatsApp
// only with a template outside the window); an opted-out SMS contact is
// refused (optout.ErrOptedOut); on the host's own channel a second open
// outbound conversation with the contact is refused
// (conversation.ErrOutboundExists). The conversation is the agent's
// whatever the touchpoint's routing mode. A refused first message —
// refused by the rules, by the transport for good, or because the agent
// may not take the conversation (routing.ErrOverCapacity,
// routing.ErrUnavailable) — is stored as failed in the new conversation,
// which is then closed.
func (d *Desk) Start(ctx context.Context, agentID string, o Opening) (*conversation.Conversation, *conversation.Message, error) {
	tp, err := d.touchpoint(o.Touchpoint)
	if err != nil {
		return nil, nil, err
	}
	if o.To.Kind != tp.Kind {
		return nil, nil, ErrWrongChannel
	}
	to, err := channel.NewAddress(o.To.Kind, o.To.ID)
	if err != nil {
		return nil, nil, err
	}
	if !tp.Kind.Capabilities().BusinessInitiated {
		return nil, nil, ErrBusinessInitiated
	}
	if _, err := d.agent(ctx, agentID); err != nil {
		return nil, nil, err
	}
	dr := sendRequest{text: o.Text, author: conversation.Author{Kind: conversation.AuthorAgent, ID: agentID}}
	if o.Template != nil {
		lang, err := template.ParseLanguageCode(o.Template.Language)
		if err != nil {
			return nil, nil, err
		}
		if dr, err = d.templateDraft(o.Template.Name, lang, o.Template.Params); err != nil {
			return nil, nil, err
		}
		dr.author = conversation.Author{Kind: conversation.AuthorAgent, ID: agentID}
	}
	now := d.now()
	if tp.Kind.Capabilities().TemplateOutsideWindow && dr.template == nil {
		w, ok, err := d.windows.Window(ctx, session.Key{Business: tp.addr, Contact: to})
		if err != nil {
			return nil, nil, err
		}
		if !ok || !d.sessions.Open(w, now) {
			return nil, nil, ErrBusinessInitiated
		}
	}

	var (
		conv convLock
		c    *conversation.Conversation
		m    *conversation.Message
	)
	err = d.withContact(ctx, tp, d.contactHash(to.String()), &conv, func() (after, error) {
		var events []Event
		var err error
		c, m, events, err = d.start(ctx, &conv, tp, to, agentID, o, dr, now)
		return after{events: events}, err
	})
	return c, m, err
}

// start opens the conversation and sends its first message, with the
// contact's lock held; it takes the new conversation's lock through conv.
func (d *Desk) start(ctx context.Context, conv *convLock, tp *touchpoint, to channel.Address, agentID string, o Opening, dr sendRequest, now time.Time) (*conversation.Conversation, *conversation.Message, []Event, error) {
	c, started, err := conversation.Start(conversation.Params{
		ID: d.newID(), Touchpoint: tp.ID, Channel: tp.Kind, Direction: conversation.Outbound,
		Contact:       conversation.Contact{ID: to.String(), Name: o.Name, Addresses: []channel.Address{to}},
		InteractionID: o.InteractionID, Subject: o.Subject, Queues: tp.Queues, Priority: tp.Priority,
	}, now)
	if err != nil {
		return nil, nil, nil, err
	}
	w, ok, err := d.windows.Window(ctx, session.Key{Business: tp.addr, Contact: to})
	if err != nil {
		return nil, nil, nil, err
	}
	if ok {
		c.LastInboundAt = w.LastInbound
	}
	// Once created, c is in the inbox for its queues' agents to take: hold
	// its lock from before Create until it is the agent's, refused or
	// closed, so that another agent's reply cannot take it half-way and
	// closeEmpty then close that agent's conversation.
	conv.lock(c.ID)
	if err := d.store.Create(ctx, c); err != nil {
		return nil, nil, nil, err
	}
	events := []Event{started}
	// closeEmpty closes c when its first message was refused: nothing
	// went out and nothing will, so the empty conversation must not hold
	// the agent's capacity (the room goes to what waits) nor its slot.
	closeEmpty := func(c *conversation.Conversation, cause error) *conversation.Conversation {
		decs, err := d.routeConv(ctx, routing.OpRelease, c.ID.String(), "", now)
		events = append(events, d.applyAside(ctx, now, c.ID, decs)...)
		if err != nil {
			return c
		}
		var ev Event
		closed, err := d.mutate(ctx, c.ID, func(c *conversation.Conversation) (err error) {
			ev, err = c.Close(conversation.Closing{Note: "first message refused: " + cause.Error()}, now)
			return err
		})
		if err != nil {
			return c
		}
		events = append(events, ev)
		return closed
	}
	assigned, evs, err := d.assign(ctx, c, agentID, conversation.AssignManual, now)
	events = append(events, evs...)
	if err != nil {
		if !routerRefusal(err) {
			return nil, nil, events, err
		}
		// The agent may not take it (not available, no room): the first
		// message is refused, and stored failed with the reason like any
		// refusal: never silently dropped.
		m, evs, _, serr := d.refuse(ctx, c, d.outMessage(c, dr, now), dr, err, now)
		events = append(events, evs...)
		if serr == nil {
			c = closeEmpty(c, err)
		}
		return c, m, events, cmp.Or(serr, err)
	}
	c = assigned
	m, evs, refused, err := d.deliver(ctx, c, dr, now)
	events = append(events, evs...)
	sendErr := cmp.Or(err, refused)
	if err == nil && refused != nil && !errors.Is(refused, ErrTemporary) {
		c = closeEmpty(c, sendErr)
	}
	return c, m, events, sendErr
}

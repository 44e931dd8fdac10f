package parley

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/text/language"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/optout"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/session"
)

// Inbound is one message from a contact, as the host's webhook handler
// hands it to [Desk.Receive]. Touchpoint, From and ProviderID (or, on web
// chat and the host's own channel, a stable ID of the host's) are what
// make it idempotent.
type Inbound struct {
	// Touchpoint is the ID of the touchpoint the message arrived on.
	Touchpoint string
	// From is the contact's address, of the touchpoint's kind. Phone
	// numbers are normalised to E.164.
	From channel.Address
	// ProviderID is the provider's message ID. A second Receive with the
	// same touchpoint and ProviderID is a provider retry: it stores
	// nothing and returns the first message with Duplicate set. Empty
	// means the message cannot be deduplicated.
	ProviderID string
	// Text is the message body.
	Text string

	// Name is the contact's display name, if the provider gives one.
	Name string
	// Locale is the contact's language as a BCP 47 tag ("es", "pt-BR"), if
	// known; it picks snippet variants and keyword replies.
	Locale string
	// At is when the provider received the message; zero means now.
	At time.Time
	// Attachments are the files the message carries.
	Attachments []conversation.Attachment
	// Unsupported marks a message in a format the channel or the host
	// cannot show; the agent gets a system notice instead (DESIGN.md §3.6).
	Unsupported bool
	// InteractionID tells apart concurrent conversations of one contact on
	// the host's own channel (channel.Custom only).
	InteractionID string
	// Subject titles a new conversation (e-mail, the host's own channel).
	Subject string
	// Verified is an e-mail address or phone number the host has verified
	// for a web-chat visitor (a logged-in user): the contact is matched on
	// it instead of being an anonymous "Visitor #N". It must be valid.
	Verified channel.Address
	// Transcript is the conversation that preceded the hand-off on the
	// host's own channel (its bot and the contact); a new conversation
	// stores it as imported history, before this message.
	Transcript []Turn
}

// Turn is one message of an imported transcript.
type Turn struct {
	// Author is AuthorContact or AuthorBot (or AuthorSystem).
	Author conversation.AuthorKind
	Text   string
	At     time.Time
}

// Receipt is what [Desk.Receive] did with an inbound message.
type Receipt struct {
	// Conversation is the conversation the message was stored in, as
	// stored after the message and routing.
	Conversation *conversation.Conversation
	// Message is the stored message (the first one, for a duplicate).
	Message *conversation.Message
	// Duplicate reports a provider retry: nothing new was stored or sent.
	Duplicate bool
	// Started reports that the message started a new conversation.
	Started bool
	// Keyword is the opt-out keyword the SMS was (None for any other).
	Keyword optout.Action
	// Reply is the automatic reply sent for a keyword, if any.
	Reply *conversation.Message
	// Routing is what routing did with a new conversation: queued in the
	// inbox, assigned, offered, or waiting because every agent is busy.
	Routing routing.Decision
}

// Receive stores one inbound message and applies every rule to it
// (DESIGN.md §3): it deduplicates provider retries, finds the contact's
// open conversation or starts one (a follow-up of the last, linked, after
// it ended), refreshes the customer-service window, answers SMS opt-out,
// opt-in and help keywords, and routes a new conversation.
//
// Receive is idempotent on (Touchpoint, ProviderID): a provider retrying
// a webhook, even after a failure half-way through the first attempt,
// gets the same message back and nothing is stored or sent twice.
func (d *Desk) Receive(ctx context.Context, in Inbound) (Receipt, error) {
	now := d.now()
	tp, err := d.touchpoint(in.Touchpoint)
	if err != nil {
		return Receipt{}, err
	}
	contact, err := d.contactOf(tp, in)
	if err != nil {
		return Receipt{}, err
	}
	at := in.At
	if at.IsZero() {
		at = now
	}

	unlock := d.lockContact(tp.ID, contact.ID)
	defer unlock()

	if in.ProviderID != "" {
		m, err := d.store.MessageByProvider(ctx, tp.ID, in.ProviderID)
		switch {
		case err == nil:
			return d.duplicate(ctx, m, now)
		case !errors.Is(err, conversation.ErrNotFound):
			return Receipt{}, err
		}
	}

	c, prev, started, err := d.openFor(ctx, tp, contact, in, now)
	if err != nil {
		return Receipt{}, err
	}
	if started == nil {
		// Agent actions lock the conversation, not the contact: one may
		// end or close c between FindOpen and the message's write, which
		// would bury the message in a conversation no agent watches. Hold
		// c's lock until Receive returns (always contact, then
		// conversation: no path takes them the other way) and look again;
		// an ended c gets a follow-up (DESIGN.md §3.6).
		defer d.lockConversation(c.ID)()
		if c, err = d.store.Get(ctx, c.ID); err != nil {
			return Receipt{}, err
		}
		if !c.Status.Open() {
			if c, prev, started, err = d.openFor(ctx, tp, contact, in, now); err != nil {
				return Receipt{}, err
			}
		}
	}
	var events []Event
	if started != nil {
		events = append(events, *started)
		if err := d.importTranscript(ctx, c, in.Transcript); err != nil {
			return Receipt{}, err
		}
	}

	m := d.inboundMessage(c, in, at)
	stored, created, err := d.store.AppendMessage(ctx, m)
	if err != nil {
		return Receipt{}, err
	}
	if !created { // a concurrent retry in another process won
		return d.duplicate(ctx, stored, now)
	}
	var received conversation.MessageReceivedEvent
	c, err = d.mutateFrom(ctx, c, func(c *conversation.Conversation) (err error) {
		received, err = c.Receive(stored)
		return err
	})
	if err != nil {
		return Receipt{}, err
	}
	events = append(events, received)
	if _, err := d.windows.Touch(session.Key{Business: tp.addr, Contact: contact.address}, at); err != nil {
		d.log.WarnContext(ctx, "parley: window not tracked", "err", err)
	}

	rc := Receipt{Conversation: c, Message: stored, Started: started != nil}
	if tp.Kind == channel.SMS && !in.Unsupported {
		evs, err := d.keyword(ctx, tp, c, &rc, contact, in.Text, now)
		events = append(events, evs...)
		if err != nil { // the consent ledger failed: the provider retries
			d.publish(ctx, events...)
			return rc, err
		}
	}
	if started != nil {
		evs := d.welcome(ctx, tp, c, now)
		events = append(events, evs...)
		if !tp.opts.Bot {
			dec, evs, err := d.route(ctx, c, prev, now)
			events = append(events, evs...)
			if err != nil {
				d.publish(ctx, events...)
				return rc, err
			}
			rc.Routing = dec
		}
	}
	d.publish(ctx, events...)
	if started != nil || rc.Reply != nil { // replies, welcome and routing changed it since
		if rc.Conversation, err = d.store.Get(ctx, c.ID); err != nil {
			return rc, err
		}
	}
	return rc, nil
}

// inboundContact is a contact with the address it writes from.
type inboundContact struct {
	conversation.Contact
	address  channel.Address
	verified channel.Address // zero unless the host verified the visitor
	lang     language.Tag
}

// contactOf validates the sender and builds the contact: its ID is its
// address on the channel ("whatsapp:+14155550100"), or the verified
// address a host gives for a web-chat visitor.
func (d *Desk) contactOf(tp *touchpoint, in Inbound) (inboundContact, error) {
	if in.From.Kind != tp.Kind {
		return inboundContact{}, fmt.Errorf("%w: %s on %s touchpoint %q", ErrWrongChannel, in.From, tp.Kind, tp.ID)
	}
	from, err := d.addrs.normalize(in.From)
	if err != nil {
		return inboundContact{}, err
	}
	ic := inboundContact{address: from.addr}
	ic.ID = from.urn
	ic.Name = in.Name
	ic.Locale = in.Locale
	if in.Locale != "" {
		if ic.lang, err = language.Parse(in.Locale); err != nil {
			return inboundContact{}, fmt.Errorf("parley: contact locale %q: %w", in.Locale, err)
		}
	}
	if !in.Verified.IsZero() {
		v, err := channel.NewAddress(in.Verified.Kind, in.Verified.ID)
		if err != nil {
			return inboundContact{}, err
		}
		ic.ID = v.String()
		ic.verified = v
	}
	if tp.Kind == channel.WebChat && in.Verified.IsZero() && in.Name == "" {
		ic.Anonymous = true
	}
	return ic, nil
}

// openFor returns the contact's open conversation in the slot of in, or
// starts one: a follow-up of the contact's last conversation there when
// one ended (DESIGN.md §3.6). prev is that last conversation, for routing.
func (d *Desk) openFor(ctx context.Context, tp *touchpoint, ic inboundContact, in Inbound, now time.Time) (c, prev *conversation.Conversation, started *conversation.StartedEvent, err error) {
	key := conversation.Key{Touchpoint: tp.ID, ContactID: ic.ID, InteractionID: in.InteractionID}
	c, err = d.store.FindOpen(ctx, key)
	if err == nil {
		return c, nil, nil, nil
	}
	if !errors.Is(err, conversation.ErrNotFound) {
		return nil, nil, nil, err
	}

	ic.Addresses = []channel.Address{ic.address}
	if !ic.verified.IsZero() {
		ic.Addresses = append(ic.Addresses, ic.verified)
	}
	p := conversation.Params{
		ID:            d.newID(),
		Touchpoint:    tp.ID,
		Channel:       tp.Kind,
		Direction:     conversation.Inbound,
		Contact:       ic.Contact,
		InteractionID: in.InteractionID,
		Subject:       in.Subject,
		Queues:        tp.Queues,
		Priority:      tp.opts.Priority,
		Bot:           tp.opts.Bot,
	}
	if prev, err = d.last(ctx, key); err != nil {
		return nil, nil, nil, err
	}
	if prev != nil {
		p.Previous = prev.ID
		if prev.Contact.Name != "" && p.Contact.Name == "" {
			p.Contact.Name = prev.Contact.Name
			p.Contact.Anonymous = prev.Contact.Anonymous
		}
	}
	if p.Contact.Anonymous && p.Contact.Name == "" {
		p.Contact.Name = d.visitors.Next()
	}
	c, ev, err := conversation.Start(p, now)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := d.store.Create(ctx, c); err != nil {
		return nil, nil, nil, err
	}
	return c, prev, &ev, nil
}

// last returns the contact's most recent ended conversation in slot k, or
// nil when there is none.
func (d *Desk) last(ctx context.Context, k conversation.Key) (*conversation.Conversation, error) {
	page, err := d.store.Search(ctx, conversation.Query{
		Viewer:      conversation.Viewer{Supervisor: true},
		ContactID:   k.ContactID,
		Touchpoints: []string{k.Touchpoint},
		Statuses:    []conversation.Status{conversation.WrapUp, conversation.Closed},
		Order:       conversation.NewestFirst,
		Limit:       1,
	})
	if err != nil || len(page.Conversations) == 0 {
		return nil, err
	}
	return page.Conversations[0], nil
}

// inboundMessage builds the stored form of in: the message, or the system
// notice that replaces an unsupported one.
func (d *Desk) inboundMessage(c *conversation.Conversation, in Inbound, at time.Time) *conversation.Message {
	if in.Unsupported {
		m := conversation.UnsupportedNotice(d.newID(), c.ID, in.ProviderID, at)
		m.Direction = conversation.Inbound
		return m
	}
	return &conversation.Message{
		ID:             d.newID(),
		ConversationID: c.ID,
		Direction:      conversation.Inbound,
		Author:         conversation.Author{Kind: conversation.AuthorContact, ID: c.Contact.ID},
		Text:           in.Text,
		Attachments:    in.Attachments,
		ProviderID:     in.ProviderID,
		CreatedAt:      at,
	}
}

// importTranscript stores the history that preceded the hand-off.
func (d *Desk) importTranscript(ctx context.Context, c *conversation.Conversation, turns []Turn) error {
	for _, t := range turns {
		dir := conversation.Inbound
		if t.Author != conversation.AuthorContact {
			dir = conversation.Outbound
		}
		m := &conversation.Message{
			ID:             d.newID(),
			ConversationID: c.ID,
			Direction:      dir,
			Imported:       true,
			Author:         conversation.Author{Kind: t.Author},
			Text:           t.Text,
			CreatedAt:      t.At,
		}
		if t.Author == conversation.AuthorContact {
			m.Author.ID = c.Contact.ID
		}
		if _, _, err := d.store.AppendMessage(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// duplicate answers a provider retry. The first attempt may have stopped
// half-way (a store failure after the message was stored), so it finishes
// what is missing: the conversation counting the message, and routing.
func (d *Desk) duplicate(ctx context.Context, m *conversation.Message, now time.Time) (Receipt, error) {
	c, err := d.mutate(ctx, m.ConversationID, func(c *conversation.Conversation) error {
		if !c.Status.Open() || !c.LastInboundAt.Before(m.CreatedAt) || m.Imported {
			return errUnchanged
		}
		_, err := c.Receive(m)
		return err
	})
	if err != nil {
		return Receipt{}, err
	}
	rc := Receipt{Conversation: c, Message: m, Duplicate: true}
	if _, known := d.router.Conversation(c.ID.String()); !known && c.Status == conversation.Queued {
		dec, evs, err := d.route(ctx, c, nil, now)
		d.publish(ctx, evs...)
		if err != nil {
			return rc, err
		}
		rc.Routing = dec
		if rc.Conversation, err = d.store.Get(ctx, c.ID); err != nil {
			return rc, err
		}
	}
	return rc, nil
}

// keyword applies an SMS opt-out, opt-in or help keyword and sends its
// reply (DESIGN.md §3.3).
func (d *Desk) keyword(ctx context.Context, tp *touchpoint, c *conversation.Conversation, rc *Receipt, ic inboundContact, text string, now time.Time) ([]Event, error) {
	// The ledger records when the desk took the keyword in, not the
	// provider's timestamp: the confirmation's pass (optout's
	// ConfirmWithin) runs from then, so a webhook retried late still gets
	// its one confirmation.
	res, err := d.consent.Inbound(ctx, optout.Inbound{From: ic.address, To: tp.addr, Body: text, At: now, Lang: ic.lang})
	if err != nil || res.Action == optout.None {
		return nil, err
	}
	rc.Keyword = res.Action
	var events []Event
	if res.Changed {
		events = append(events, OptOutEvent{
			EventHeader: conversation.EventHeader{ConversationID: c.ID, At: now},
			Action:      res.Action, Address: ic.address, Scope: string(res.Scope), Keyword: res.Keyword,
		})
	}
	if res.Reply != "" {
		// A refused or failed reply is stored as failed with its reason and
		// logged; the inbound message itself was received, so Receive
		// succeeds (a provider retry would find a duplicate and send
		// nothing). A HELP from an opted-out contact is such a refusal: the
		// STOP confirmation is the one exception to an opt-out (§3.3).
		m, evs, _ := d.deliver(ctx, c, draft{author: conversation.Author{Kind: conversation.AuthorSystem}, text: res.Reply, automatic: true}, now)
		events = append(events, evs...)
		rc.Reply = m
	}
	return events, nil
}

// welcome sends a new conversation's automatic messages: the away message
// outside business hours, else the touchpoint's auto-reply, once each.
func (d *Desk) welcome(ctx context.Context, tp *touchpoint, c *conversation.Conversation, now time.Time) []Event {
	auto := draft{author: conversation.Author{Kind: conversation.AuthorSystem}, automatic: true}
	if h := tp.opts.Hours; h != nil && !h.Open(now) {
		ev := AwayEvent{EventHeader: conversation.EventHeader{ConversationID: c.ID, At: now}, NextOpening: h.NextOpening(now)}
		if tp.opts.AwayMessage == "" {
			return []Event{ev}
		}
		auto.text = tp.opts.AwayMessage
		_, evs, _ := d.deliver(ctx, c, auto, now)
		return append([]Event{ev}, evs...)
	}
	if tp.opts.AutoReply == "" {
		return nil
	}
	auto.text = tp.opts.AutoReply
	_, evs, _ := d.deliver(ctx, c, auto, now)
	return evs
}

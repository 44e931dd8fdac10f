package parley

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/optout"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/session"
	"golang.org/x/text/language"
)

// Inbound is one message from a contact, as the host's webhook handler
// hands it to [Desk.Receive]. Touchpoint, From and ProviderID (or, on web
// chat and the host's own channel, a stable ID of the host's) are what
// make it idempotent.
//
// Every field has a limit, checked before anything is stored (see the
// channel package's rules 17 to 21): a text of at most
// channel.MaxInboundText characters, IDs and the locale of at most
// channel.MaxIDLength bytes, a name of at most channel.MaxNameLength
// characters, a subject of at most channel.MaxSubjectLength, at most
// channel.MaxInboundAttachments attachments no larger than the channel's
// largest file, a transcript of at most [MaxTranscriptTurns] turns. Invalid
// UTF-8 in a text is repaired (U+FFFD) and a NUL in it dropped; a control
// character or invalid UTF-8 in a name or an ID is refused.
type Inbound struct {
	// Touchpoint is the ID of the touchpoint the message arrived on.
	Touchpoint string
	// From is the contact's address, of the touchpoint's kind. Phone
	// numbers are normalised to E.164.
	From channel.Address
	// ProviderID is the provider's message ID. A second Receive with the
	// same touchpoint, sender and ProviderID is a provider retry: it stores
	// nothing and returns the first message with Duplicate set; another
	// sender's message with the ID is its own. Empty means the message
	// cannot be deduplicated.
	ProviderID string
	// Text is the message body. A message needs a text other than white
	// space, an attachment, or Unsupported.
	Text string

	// Name is the contact's display name, if the provider gives one.
	Name string
	// Locale is the contact's language as a BCP 47 tag ("es", "pt-BR"), if
	// known; it picks snippet variants and keyword replies.
	Locale string
	// At is when the provider received the message; zero means now, and a
	// time after the desk's clock (clock skew) is taken as now.
	At time.Time
	// Attachments are the files the message carries.
	Attachments []conversation.Attachment
	// Unsupported marks a message in a format the channel or the host
	// cannot show; the agent gets a system notice instead.
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
	// stores it as imported history, before this message. It holds at most
	// MaxTranscriptTurns turns (ErrTranscriptTooLong beyond) and
	// MaxTranscriptBytes of text; every turn is imported.
	Transcript []Turn
}

// Turn is one message of an imported transcript.
type Turn struct {
	// Author is AuthorContact or AuthorBot (or AuthorSystem); any other is
	// refused.
	Author conversation.AuthorKind
	// Text follows the rules of Inbound.Text; it may not be blank.
	Text string
	At   time.Time
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
	// Its Outcome is routing.NotRouted when this call routed nothing, as for
	// a further message or a provider retry once the conversation is routed.
	Routing routing.Decision
}

// Receive stores one inbound message and applies every rule to it: it
// deduplicates provider retries, finds the contact's open conversation or
// starts one (a follow-up of the last, linked, after it ended), refreshes
// the customer-service window, answers SMS opt-out, opt-in and help
// keywords, and routes a new conversation.
//
// Receive is idempotent on (Touchpoint, sender, ProviderID): a provider
// retrying a webhook, even after a failure half-way through the first attempt,
// gets the same message back and nothing is stored or sent twice.
//
// A message that breaks a limit of [Inbound] is refused before anything is
// written, with an error matching conversation.ErrInvalid: a
// *channel.FieldError (errors.As) names the field, its limit and its size;
// ErrEmpty is a message with nothing in it; a *TranscriptError
// (ErrTranscriptTooLong) a transcript over MaxTranscriptTurns. The host
// answers such a webhook as a client error: a retry is refused alike.
func (d *Desk) Receive(ctx context.Context, in Inbound) (Receipt, error) {
	now := d.now()
	tp, err := d.touchpoint(in.Touchpoint)
	if err != nil {
		return Receipt{}, err
	}
	contact, err := d.contactOf(tp, &in)
	if err != nil {
		return Receipt{}, err
	}
	if err := checkInbound(tp.Kind, &in); err != nil {
		return Receipt{}, err
	}
	// A provider's timestamp after the desk's clock is clock skew: taken
	// as is, it would open the WhatsApp window in the future and, since a
	// window never moves back, keep it open past 24 h of the real message.
	at := in.At
	if at.IsZero() || at.After(now) {
		at = now
	}

	// conv is declared here, not in withContact, to keep Receive
	// allocation-free: see BenchmarkReceive.
	var (
		conv convLock
		rc   Receipt
	)
	err = d.withContact(ctx, tp, contact.hash, &conv, func() (after, error) {
		var a after
		var err error
		rc, a, err = d.receive(ctx, &conv, tp, &contact, &in, at, now)
		return a, err
	})
	return rc, err
}

// receive is Receive's work, with the contact's lock held. conv takes the
// lock of a conversation it starts: routing a new conversation must not
// race an agent's action on it.
func (d *Desk) receive(ctx context.Context, conv *convLock, tp *touchpoint, contact *inboundContact, in *Inbound, at, now time.Time) (Receipt, after, error) {
	// resumeStored answers a provider retry of stored message m.
	resumeStored := func(m *conversation.Message) (Receipt, after, error) {
		return d.resume(ctx, conv, tp, *contact, m, now)
	}

	// The contact's open conversation takes the message in one step when
	// the store can (nearly every webhook); a transcript to import before
	// the message, no open conversation, or a writer that came in between
	// (ErrConflict, nothing stored) sends it to the steps below, which
	// retry on conflict. The message is made once, before its conversation
	// is known, so both ways draw the same IDs in the same order.
	m := d.inboundMessage(contact.ID, in, at)
	if rs, ok := d.store.(conversation.Receiver); ok && len(in.Transcript) == 0 {
		key := conversation.Key{Touchpoint: tp.ID, ContactID: contact.ID, InteractionID: in.InteractionID}
		r, err := rs.ReceiveOpen(ctx, key, m)
		switch {
		case err == nil && !r.Created: // a provider retry
			return resumeStored(r.Message)
		case err == nil:
			return d.received(ctx, tp, *contact, r.Conversation, r.Message, nil, r.First, at, now)
		case !errors.Is(err, conversation.ErrNotFound) && !errors.Is(err, conversation.ErrConflict):
			return Receipt{}, after{}, err
		}
	}

	// A provider retry is recognised by Record when the contact has an open
	// conversation, and by openFor before it would start one.
	c, started, dup, err := d.openFor(ctx, tp, contact, in, now)
	if err != nil {
		return Receipt{}, after{}, err
	}
	if dup != nil {
		return resumeStored(dup)
	}
	if started != nil {
		conv.lock(c.ID)
	}
	m.ConversationID = c.ID
	stored, created, first := m, false, false
	var earlier []Event // a conversation this call started that was ended meanwhile
	for attempt := 0; ; attempt++ {
		// The contact's first message: a new conversation, or one whose
		// first attempt stopped before its message was stored.
		first = c.AwaitsFirstMessage()
		_, err = c.Receive(m)
		if errors.Is(err, conversation.ErrEnded) {
			// c was ended since FindOpen (Record's version check said
			// so), even one this call started (another desk put its own
			// webhook in it and an agent closed it): the message opens a
			// follow-up rather than being buried where no agent looks.
			if started != nil {
				earlier = append(earlier, *started)
			}
			if c, started, dup, err = d.openFor(ctx, tp, contact, in, now); err != nil {
				return Receipt{}, after{}, err
			}
			if dup != nil { // stored meanwhile by a concurrent retry
				return resumeStored(dup)
			}
			if started != nil { // the only conversation this call locks
				conv.lock(c.ID)
			}
			m = d.inboundMessage(contact.ID, in, at)
			m.ConversationID = c.ID
			continue
		}
		if err != nil {
			return Receipt{}, after{}, err
		}
		if first {
			if err := d.importTranscript(ctx, c, in.Transcript); err != nil {
				return Receipt{}, after{}, err
			}
		}
		// One write for the message and its count: a failure leaves
		// neither, and the provider's retry starts afresh.
		stored, created, err = d.store.Record(ctx, c, m)
		if err == nil || !errors.Is(err, conversation.ErrConflict) || attempt == maxConflictRetries {
			break
		}
		if c, err = d.store.Get(ctx, c.ID); err != nil {
			return Receipt{}, after{}, err
		}
	}
	if err != nil {
		return Receipt{}, after{}, err
	}
	if !created { // a concurrent retry in another process won
		rc, a, err := resumeStored(stored)
		a.events = append(earlier, a.events...)
		return rc, a, err
	}
	rc, a, err := d.received(ctx, tp, *contact, c, stored, started, first, at, now)
	a.events = append(earlier, a.events...)
	return rc, a, err
}

// received finishes Receive once inbound message m is stored in c, as c
// stands after it: it refreshes the window, applies the effects and
// returns the events to publish (started, when m started c).
func (d *Desk) received(ctx context.Context, tp *touchpoint, contact inboundContact, c *conversation.Conversation, m *conversation.Message, started *conversation.StartedEvent, first bool, at, now time.Time) (Receipt, after, error) {
	// Only windowed channels have a window to track: an entry for an SMS
	// or e-mail pair would never be read, nor pruned.
	if d.sessions.For(tp.Kind).Windowed() {
		if _, err := d.windows.Touch(ctx, session.Key{Business: tp.addr, Contact: contact.address}, at); err != nil {
			d.log.WarnContext(ctx, "parley: window not tracked", "err", err)
		}
	}

	rc := Receipt{Conversation: c, Message: m, Started: first}
	evs, err := d.effects(ctx, tp, contact, c, m, first, false, &rc, now)
	// Built only when someone listens: see BenchmarkReceive.
	var a after
	if d.listened() {
		a.events = make([]Event, 0, len(evs)+2)
		if started != nil {
			a.events = append(a.events, *started)
		}
		a.events = append(a.events, conversation.NewMessageReceived(m))
		a.events = append(a.events, evs...)
	}
	rc, err = d.receipt(ctx, rc, err)
	return rc, a, err
}

// receipt reloads the conversation of rc when the effects changed it.
func (d *Desk) receipt(ctx context.Context, rc Receipt, err error) (Receipt, error) {
	if err != nil {
		return rc, err
	}
	if o := rc.Routing.Outcome; rc.Started || rc.Reply != nil || (o != routing.NotRouted && o != routing.Queued) {
		c, err := d.store.Get(ctx, rc.Conversation.ID)
		if err != nil {
			return rc, err
		}
		rc.Conversation = c
	}
	return rc, nil
}

// effects applies what stored inbound message m calls for: the reply to
// an SMS keyword, the welcome of a new conversation, and routing. Each
// step is recognised by what it leaves behind (a reply or welcome under an
// ID derived from m or c, the router holding c), so after a failure
// half-way the provider's retry (resuming) finishes exactly what is
// missing. A store failure is returned, so the provider retries.
func (d *Desk) effects(ctx context.Context, tp *touchpoint, ic inboundContact, c *conversation.Conversation, m *conversation.Message, first, resuming bool, rc *Receipt, now time.Time) ([]Event, error) {
	var events []Event
	if tp.Kind == channel.SMS && m.Notice == 0 {
		evs, err := d.keyword(ctx, tp, c, m, ic, resuming, rc, now)
		events = append(events, evs...)
		if err != nil {
			return events, err
		}
	}
	if first {
		evs, err := d.welcome(ctx, tp, c, resuming, now)
		events = append(events, evs...)
		if err != nil {
			return events, err
		}
	}
	if !tp.Bot && (first || resuming) {
		dec, evs, err := d.ensureRouted(ctx, c, now)
		events = append(events, evs...)
		rc.Routing = dec
		if err != nil {
			return events, err
		}
	}
	return events, nil
}

// inboundContact is a contact with the address it writes from.
type inboundContact struct {
	conversation.Contact
	address  channel.Address
	verified channel.Address // zero unless the host verified the visitor
	lang     language.Tag
	hash     uint64 // of the ID, for contactMutex
}

// contactOf validates the sender and builds the contact: its ID is its
// address on the channel ("whatsapp:+14155550100"), or the verified
// address a host gives for a web-chat visitor.
func (d *Desk) contactOf(tp *touchpoint, in *Inbound) (inboundContact, error) {
	if in.From.Kind != tp.Kind {
		return inboundContact{}, fmt.Errorf("%w: %s on %s touchpoint %q", ErrWrongChannel, in.From, tp.Kind, tp.ID)
	}
	from, err := d.addrs.normalize(in.From)
	if err != nil {
		return inboundContact{}, err
	}
	ic := inboundContact{address: from.addr, hash: from.hash}
	ic.ID = from.urn
	ic.Name = in.Name
	ic.Locale = in.Locale
	if in.Locale != "" {
		if err := channel.CheckToken("Locale", in.Locale, channel.MaxIDLength); err != nil {
			return inboundContact{}, invalidInbound{err}
		}
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
		ic.hash = d.contactHash(ic.ID)
		ic.verified = v
	}
	if tp.Kind == channel.WebChat && in.Verified.IsZero() && in.Name == "" {
		ic.Anonymous = true
	}
	return ic, nil
}

// openFor returns the contact's open conversation in the slot of in, or
// starts one: a follow-up of the contact's last conversation there when
// one ended. When none is open and in is a provider retry of a message
// already stored (its conversation has ended since), it returns that
// message as dup and starts nothing: the retry must not open a follow-up.
// With a conversation open, Record recognises a retry, so the common case
// costs no lookup by provider ID.
func (d *Desk) openFor(ctx context.Context, tp *touchpoint, ic *inboundContact, in *Inbound, now time.Time) (c *conversation.Conversation, started *conversation.StartedEvent, dup *conversation.Message, err error) {
	for attempt := 0; ; attempt++ {
		c, started, dup, err = d.openOnce(ctx, tp, ic, in, now)
		// Another desk started the slot's conversation a moment before
		// (and may have closed it since): look again.
		if !errors.Is(err, conversation.ErrOpenExists) || attempt == maxConflictRetries {
			return c, started, dup, err
		}
	}
}

// openOnce is one attempt of openFor.
func (d *Desk) openOnce(ctx context.Context, tp *touchpoint, ic *inboundContact, in *Inbound, now time.Time) (c *conversation.Conversation, started *conversation.StartedEvent, dup *conversation.Message, err error) {
	key := conversation.Key{Touchpoint: tp.ID, ContactID: ic.ID, InteractionID: in.InteractionID}
	c, err = d.store.FindOpen(ctx, key)
	if err == nil {
		return c, nil, nil, nil
	}
	if !errors.Is(err, conversation.ErrNotFound) {
		return nil, nil, nil, err
	}
	if in.ProviderID != "" {
		m, err := d.store.MessageByProvider(ctx, tp.ID, ic.ID, in.ProviderID)
		switch {
		case err == nil:
			return nil, nil, m, nil
		case !errors.Is(err, conversation.ErrNotFound):
			return nil, nil, nil, err
		}
	}

	contact := ic.Contact
	contact.Addresses = []channel.Address{ic.address}
	if !ic.verified.IsZero() {
		contact.Addresses = append(contact.Addresses, ic.verified)
	}
	p := conversation.Params{
		ID:            d.newID(),
		Touchpoint:    tp.ID,
		Channel:       tp.Kind,
		Direction:     conversation.Inbound,
		Contact:       contact,
		InteractionID: in.InteractionID,
		Subject:       in.Subject,
		Queues:        tp.Queues,
		Priority:      tp.Priority,
		Bot:           tp.Bot,
	}
	prev, err := d.last(ctx, key)
	if err != nil {
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
		if p.Contact.Name, err = d.visitorName(ctx); err != nil {
			return nil, nil, nil, err
		}
	}
	c, ev, err := conversation.Start(p, now)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := d.store.Create(ctx, c); err != nil {
		return nil, nil, nil, err
	}
	return c, &ev, nil, nil
}

// last returns the contact's most recent ended conversation in slot k, or
// nil when there is none.
func (d *Desk) last(ctx context.Context, k conversation.Key) (*conversation.Conversation, error) {
	page, err := d.store.Search(ctx, conversation.Query{
		Viewer:      conversation.Viewer{Supervisor: true},
		ContactID:   k.ContactID,
		Touchpoints: []string{k.Touchpoint},
		Statuses:    []conversation.Status{conversation.WrapUp, conversation.Closed},
		Sort:        conversation.Newest,
		Limit:       1,
	})
	if err != nil || len(page.Conversations) == 0 {
		return nil, err
	}
	return page.Conversations[0], nil
}

// inboundMessage builds the stored form of in, from contactID: the
// message, or the system notice that replaces an unsupported one. Its
// ConversationID is left for the caller (or a one-step store) to set.
func (d *Desk) inboundMessage(contactID string, in *Inbound, at time.Time) *conversation.Message {
	if in.Unsupported {
		m := conversation.UnsupportedNotice(d.newID(), conversation.ID{}, in.ProviderID, at)
		m.Direction = conversation.Inbound
		return m
	}
	return &conversation.Message{
		ID:          d.newID(),
		Direction:   conversation.Inbound,
		Author:      conversation.Author{Kind: conversation.AuthorContact, ID: contactID},
		Text:        in.Text,
		Attachments: in.Attachments,
		ProviderID:  in.ProviderID,
		CreatedAt:   at,
	}
}

// importTranscript stores the history that preceded the hand-off, each
// turn under an ID derived from the conversation and its index (turnID),
// so a retry after a failure half-way stores each turn once.
func (d *Desk) importTranscript(ctx context.Context, c *conversation.Conversation, turns []Turn) error {
	for i, t := range turns {
		dir := conversation.Inbound
		if t.Author != conversation.AuthorContact {
			dir = conversation.Outbound
		}
		m := &conversation.Message{
			ID:             turnID(c.ID, i),
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
		if _, _, err := d.store.AppendMessage(ctx, m); err != nil && !errors.Is(err, conversation.ErrDuplicateID) {
			return err
		}
	}
	return nil
}

// resume answers a provider retry of stored message m. Nothing is stored
// again; what an earlier attempt left undone after storing m (it failed
// half-way) is finished: the keyword reply, the welcome, routing. It
// takes m's conversation's lock through conv: that may be the one this
// call started (another desk stored the retry in it).
func (d *Desk) resume(ctx context.Context, conv *convLock, tp *touchpoint, ic inboundContact, m *conversation.Message, now time.Time) (Receipt, after, error) {
	conv.lock(m.ConversationID)
	c, err := d.store.Get(ctx, m.ConversationID)
	if err != nil {
		return Receipt{}, after{}, err
	}
	rc := Receipt{Conversation: c, Message: m, Duplicate: true}
	if m.Direction != conversation.Inbound || m.Imported || !c.Status.Open() {
		return rc, after{}, nil
	}
	first := false
	if tp.AutoReply != "" || tp.AwayMessage != "" {
		if first, err = d.firstInbound(ctx, c.ID, m.ID); err != nil {
			return rc, after{}, err
		}
	}
	evs, err := d.effects(ctx, tp, ic, c, m, first, true, &rc, now)
	rc, err = d.receipt(ctx, rc, err)
	rc.Started = false
	return rc, after{events: evs}, err
}

// firstInbound reports whether message id is the first the contact wrote
// in conversation cid (imported history aside).
func (d *Desk) firstInbound(ctx context.Context, cid, id conversation.ID) (bool, error) {
	q := conversation.MessageQuery{ConversationID: cid, Sort: conversation.Oldest, Limit: conversation.MaxLimit}
	for {
		page, err := d.store.Messages(ctx, q)
		if err != nil {
			return false, err
		}
		for _, m := range page.Messages {
			if m.Direction == conversation.Inbound && !m.Imported {
				return m.ID == id, nil
			}
		}
		if page.Next == "" {
			return false, nil
		}
		q.Cursor = page.Next
	}
}

// keyword applies an SMS opt-out, opt-in or help keyword and sends its
// reply; an opt-out or opt-in holds for every number of the touchpoint's
// scope. The reply's ID is derived from the keyword message: when resuming
// and the reply exists, the keyword was applied and is not applied again
// (a STOP retried after a later START must not opt out again); a reply
// still pending goes to the transport again.
func (d *Desk) keyword(ctx context.Context, tp *touchpoint, c *conversation.Conversation, m *conversation.Message, ic inboundContact, resuming bool, rc *Receipt, now time.Time) ([]Event, error) {
	replyID := derivedID(m.ID, stepKeywordReply)
	if resuming {
		reply, err := d.findMessage(ctx, c.ID, replyID)
		switch {
		case err == nil:
			rc.Keyword = d.consent.Classify(m.Text, ic.lang)
			if reply.Delivery.Status != conversation.DeliveryPending {
				rc.Reply = reply
				return nil, nil
			}
		case !errors.Is(err, conversation.ErrNotFound):
			return nil, err
		}
	}
	// The ledger records when the desk took the keyword in, not the
	// provider's timestamp: the confirmation's pass (optout's
	// ConfirmWithin) runs from then, so a webhook retried late still gets
	// its one confirmation.
	res, err := d.consent.Inbound(ctx, optout.Inbound{From: ic.address, To: tp.addr, Body: m.Text, At: now, Lang: ic.lang})
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
	// A refused or failed reply is stored as failed with its reason and
	// logged; the inbound message was received, so only a store failure
	// makes Receive fail. A HELP from an opted-out contact is such a
	// refusal: the STOP confirmation is the one exception to an opt-out.
	reply, evs, _, err := d.deliver(ctx, c, sendRequest{author: conversation.Author{Kind: conversation.AuthorSystem}, text: res.Reply, automatic: true, id: replyID}, now)
	rc.Reply = reply
	return append(events, evs...), err
}

// welcome sends a new conversation's automatic message, once: the away
// message outside business hours, else the touchpoint's auto-reply.
func (d *Desk) welcome(ctx context.Context, tp *touchpoint, c *conversation.Conversation, resuming bool, now time.Time) ([]Event, error) {
	auto := sendRequest{author: conversation.Author{Kind: conversation.AuthorSystem}, automatic: true, id: derivedID(c.ID, stepWelcome)}
	var events []Event
	if h := tp.Hours; h != nil && !h.Open(now) {
		if !resuming {
			events = append(events, AwayEvent{EventHeader: conversation.EventHeader{ConversationID: c.ID, At: now}, NextOpening: h.NextOpening(now)})
		}
		auto.text = tp.AwayMessage
	} else {
		auto.text = tp.AutoReply
	}
	if auto.text == "" {
		return events, nil
	}
	_, evs, _, err := d.deliver(ctx, c, auto, now)
	return append(events, evs...), err
}

// DeliveryReport is a provider's status callback for an outbound message.
type DeliveryReport struct {
	// Touchpoint and ProviderID name the message, as the provider does.
	Touchpoint string
	ProviderID string
	// Status is sent, delivered, read or failed.
	Status conversation.DeliveryStatus
	// Reason says why, for a failure.
	Reason string
	// At is when the provider says it happened; zero means now.
	At time.Time
}

// UpdateDelivery applies a delivery callback. Status only moves forward
// (pending → sent → delivered → read; failed is terminal and keeps its
// reason): a late or duplicate callback changes nothing and is not an
// error. It reports whether the status changed and publishes the change.
func (d *Desk) UpdateDelivery(ctx context.Context, r DeliveryReport) (bool, error) {
	if r.At.IsZero() {
		r.At = d.now()
	}
	m, changed, err := d.store.UpdateDelivery(ctx, conversation.DeliveryUpdate{
		Touchpoint: r.Touchpoint, ProviderID: r.ProviderID, Status: r.Status, Reason: r.Reason, At: r.At,
	})
	if err != nil || !changed {
		return false, err
	}
	d.publish(ctx, conversation.DeliveryEvent(m))
	return true, nil
}

// visitorName names a new anonymous visitor: numbered by the store when it
// numbers visitors (so desks sharing it never repeat a number), otherwise
// by this desk's own counter.
func (d *Desk) visitorName(ctx context.Context) (string, error) {
	if d.visitorSeq == nil {
		return d.visitors.Next(), nil
	}
	n, err := d.visitorSeq.NextVisitor(ctx)
	if err != nil {
		return "", err
	}
	return conversation.VisitorName(n), nil
}

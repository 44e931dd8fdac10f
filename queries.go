package parley

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"time"

	"golang.org/x/text/language"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/optout"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/template"
)

// Conversation returns the stored conversation id, or an error matching
// conversation.ErrNotFound.
func (d *Desk) Conversation(ctx context.Context, id conversation.ID) (*conversation.Conversation, error) {
	return d.store.Get(ctx, id)
}

// Messages returns one page of a conversation's messages; q.Text searches
// inside them.
func (d *Desk) Messages(ctx context.Context, q conversation.MessageQuery) (conversation.MessagePage, error) {
	return d.store.Messages(ctx, q)
}

// Inbox returns the conversations waiting in agentID's queues, unassigned,
// that the agent may take: by priority, then age (oldest first unless
// order says newest first; WindowClosingFirst puts WhatsApp windows that
// close soonest first within a priority), as DESIGN.md §3.5 orders the
// inbox. It reads the conversation store, so desks sharing a store show
// the same inbox: what one desk received, another lists, and what one
// assigned, none lists. A conversation this desk has offered to an agent
// is not listed while the offer stands.
func (d *Desk) Inbox(ctx context.Context, agentID string, order routing.Order) ([]*conversation.Conversation, error) {
	v, err := d.viewer(agentID)
	if err != nil || len(v.Queues) == 0 {
		return nil, err
	}
	// The agent's queues, not everything a supervisor may see: the inbox
	// is the work the agent may take.
	q := conversation.Query{Viewer: v, Statuses: []conversation.Status{conversation.Queued}, Queues: v.Queues,
		Order: conversation.OldestFirst, Limit: conversation.MaxLimit}
	var out []*conversation.Conversation
	var items []routing.Item
	for {
		page, err := d.store.Search(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, c := range page.Conversations {
			if p, held := d.router.Conversation(c.ID.String()); held && (p.Outcome == routing.Offered || p.Outcome == routing.Assigned) {
				continue // offered here, or assigned and the store not told yet
			}
			out = append(out, c)
			items = append(items, d.item(c))
		}
		if page.Next == "" {
			break
		}
		q.Cursor = page.Next
	}
	idx := make([]int, len(out))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(i, j int) int {
		if c := order.Compare(&items[i], &items[j]); c != 0 {
			return c
		}
		if order == routing.NewestFirst {
			return cmp.Compare(j, i)
		}
		return cmp.Compare(i, j)
	})
	sorted := make([]*conversation.Conversation, len(out))
	for k, i := range idx {
		sorted[k] = out[i]
	}
	return sorted, nil
}

// Search runs q for agentID: only what the agent may see is returned,
// whatever q.Viewer says (DESIGN.md §3.6).
func (d *Desk) Search(ctx context.Context, agentID string, q conversation.Query) (conversation.Page, error) {
	v, err := d.viewer(agentID)
	if err != nil {
		return conversation.Page{}, err
	}
	q.Viewer = v
	return d.store.Search(ctx, q)
}

// History returns a contact's conversations that agentID may see, newest
// first, one page at a time.
func (d *Desk) History(ctx context.Context, agentID, contactID, cursor string) (conversation.Page, error) {
	return d.Search(ctx, agentID, conversation.Query{ContactID: contactID, Cursor: cursor})
}

// Composer is what an agent's reply box shows: whether the agent may reply
// now, why, since and until when (DESIGN.md §3.2), and whether the contact
// has opted out of SMS.
type Composer struct {
	session.Composer
	// OptedOut reports that the contact opted out of the touchpoint's
	// scope: nothing may be sent until they opt back in.
	OptedOut bool
	// Assigned reports that the agent owns the conversation; a reply to an
	// unassigned one assigns it first.
	Assigned bool
}

// Composer returns the composer state of conversation id for agentID.
func (d *Desk) Composer(ctx context.Context, agentID string, id conversation.ID) (Composer, error) {
	v, err := d.viewer(agentID)
	if err != nil {
		return Composer{}, err
	}
	c, err := d.store.Get(ctx, id)
	if err != nil {
		return Composer{}, err
	}
	if !c.VisibleTo(v) {
		return Composer{}, &routing.VisibilityError{AgentID: agentID, ConversationID: id.String(), Queues: c.Queues}
	}
	now := d.now()
	w := session.Window{Channel: c.Channel, LastInbound: c.LastInboundAt}
	out := Composer{Composer: d.sessions.Composer(w, true, now), Assigned: c.AssigneeID == agentID && c.Status == conversation.Assigned}
	if c.Channel == channel.SMS {
		tp, err := d.touchpoint(c.Touchpoint)
		if err != nil {
			return Composer{}, err
		}
		to, err := recipient(c)
		if err != nil {
			return Composer{}, err
		}
		if out.OptedOut, _, err = d.consent.OptedOut(ctx, tp.scope, to); err != nil {
			return Composer{}, err
		}
		if out.OptedOut {
			out.CanReply, out.Templates = false, false
		}
	}
	if !c.Status.Open() {
		out.CanReply, out.Templates = false, false
	}
	return out, nil
}

// ExpiringWindows lists the customer-service windows this desk has seen
// a message open that close within d from now, soonest first, so a host
// can show agents "expires in 1 h" at any time. The events go by
// themselves: [Desk.Tick] publishes a [WindowEvent] when a window comes
// within Config.WindowWarning of closing and when it closes.
func (d *Desk) ExpiringWindows(within time.Duration) []session.Tracked {
	return d.windows.Expiring(d.now(), within)
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
// error (DESIGN.md §3.6). It reports whether the status changed and
// publishes the change.
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

// Outbound is a conversation the business starts (DESIGN.md §3.6).
type Outbound struct {
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
func (d *Desk) Start(ctx context.Context, agentID string, o Outbound) (*conversation.Conversation, *conversation.Message, error) {
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
	if _, err := d.agent(agentID); err != nil {
		return nil, nil, err
	}
	dr := draft{text: o.Text, author: conversation.Author{Kind: conversation.AuthorAgent, ID: agentID}}
	if o.Template != nil {
		lang, err := parseMeta(o.Template.Language)
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
		w, ok := d.windows.Window(session.Key{Business: tp.addr, Contact: to})
		if !ok || !d.sessions.Open(w, now) {
			return nil, nil, ErrBusinessInitiated
		}
	}

	defer d.settle(ctx) // after the contact's lock is let go
	defer d.lockContact(tp, d.contactHash(to.String())).Unlock()
	c, started, err := conversation.Start(conversation.Params{
		ID: d.newID(), Touchpoint: tp.ID, Channel: tp.Kind, Direction: conversation.Outbound,
		Contact:       conversation.Contact{ID: to.String(), Name: o.Name, Addresses: []channel.Address{to}},
		InteractionID: o.InteractionID, Subject: o.Subject, Queues: tp.Queues, Priority: tp.opts.Priority,
	}, now)
	if err != nil {
		return nil, nil, err
	}
	if w, ok := d.windows.Window(session.Key{Business: tp.addr, Contact: to}); ok {
		c.LastInboundAt = w.LastInbound
	}
	// Once created, c is in the inbox for its queues' agents to take: hold
	// its lock (contact, then conversation: the Desk's one order) from
	// before Create until it is the agent's, refused or closed, so that
	// another agent's reply cannot take it half-way and closeEmpty then
	// close that agent's conversation. What the router decides meanwhile
	// for other conversations goes through applyAside, which never waits
	// on a second conversation's lock.
	defer d.lockConversation(c.ID).Unlock()
	if err := d.store.Create(ctx, c); err != nil {
		return nil, nil, err
	}
	events := []Event{started}
	// closeEmpty closes c when its first message was refused: nothing
	// went out and nothing will, so the empty conversation must not hold
	// the agent's capacity (the room goes to what waits) nor its slot.
	closeEmpty := func(c *conversation.Conversation, cause error) *conversation.Conversation {
		decs, err := d.router.Release(ctx, c.ID.String(), now)
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
	if err != nil {
		if !routerRefusal(err) {
			d.publish(ctx, events...)
			return nil, nil, err
		}
		// The agent may not take it (not available, no room): the first message
		// is refused, and stored failed with the reason like any refusal
		// (DESIGN.md §7: never silently dropped).
		m, evs, _, serr := d.refuse(ctx, c, d.outMessage(c, dr, now), dr, err, now)
		events = append(events, evs...)
		if serr == nil {
			c = closeEmpty(c, err)
		}
		d.publish(ctx, events...)
		return c, m, cmp.Or(serr, err)
	}
	c = assigned
	events = append(events, evs...)
	m, evs, refused, err := d.deliver(ctx, c, dr, now)
	events = append(events, evs...)
	sendErr := cmp.Or(err, refused)
	if err == nil && refused != nil && !errors.Is(refused, ErrTemporary) {
		c = closeEmpty(c, sendErr)
	}
	d.publish(ctx, events...)
	return c, m, sendErr
}

// ErrEraseUnsupported: Erase was asked of a Desk whose conversation store
// cannot forget a contact (it does not implement conversation.Eraser).
// Nothing was erased. Check it with errors.Is.
var ErrEraseUnsupported = errors.New("parley: the conversation store cannot erase a contact")

// Erase forgets a contact (the right to be forgotten, DESIGN.md §3.6):
// every conversation, message and comment; the weight its open
// conversations held on agents, freed (and the waiting work that room
// lets in, dispatched); the desk's record of its customer-service windows
// and of its address; and the opt-out ledger redacted to what the law
// needs to honour a STOP (the address, the scope, the dates). A store that
// cannot erase (not a conversation.Eraser) fails with ErrEraseUnsupported
// and nothing is forgotten.
//
// Conversations another desk sharing the store routed are freed in the
// shared Ledger here, and in that desk's view at its next Tick.
func (d *Desk) Erase(ctx context.Context, contact channel.Address) (conversation.Erasure, error) {
	e, ok := d.store.(conversation.Eraser)
	if !ok {
		return conversation.Erasure{}, ErrEraseUnsupported
	}
	if a, err := channel.NewAddress(contact.Kind, contact.ID); err == nil {
		contact = a // the contact's ID is its normalised address
	}
	held, err := d.contactConversations(ctx, contact.String())
	if err != nil {
		return conversation.Erasure{}, err
	}
	er, err := e.Erase(ctx, contact.String())
	if err != nil {
		return er, err
	}
	now := d.now()
	var errs []error
	for _, c := range held {
		if _, routed := d.router.Conversation(c.ID.String()); !routed {
			if d.shared() && c.Status == conversation.Assigned {
				_, err := d.ledger.Release(ctx, c.ID.String())
				errs = append(errs, err)
			}
			continue
		}
		decs, err := d.router.Release(ctx, c.ID.String(), now)
		errs = append(errs, err)
		d.publish(ctx, d.apply(ctx, now, decs...)...)
	}
	d.forgetWindows(contact)
	d.addrs.forget(contact)
	if _, err := d.consent.Erase(ctx, contact); err != nil && !errors.Is(err, optout.ErrRedactUnsupported) {
		errs = append(errs, err)
	}
	return er, errors.Join(errs...)
}

// contactConversations returns every conversation of contactID.
func (d *Desk) contactConversations(ctx context.Context, contactID string) ([]*conversation.Conversation, error) {
	var out []*conversation.Conversation
	q := conversation.Query{Viewer: conversation.Viewer{Supervisor: true}, ContactID: contactID, Limit: conversation.MaxLimit}
	for {
		page, err := d.store.Search(ctx, q)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Conversations...)
		if page.Next == "" {
			return out, nil
		}
		q.Cursor = page.Next
	}
}

// parseMeta reads Meta's language code ("en_US").
func parseMeta(code string) (language.Tag, error) { return template.ParseLanguageCode(code) }

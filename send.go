package parley

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/template"
	"golang.org/x/text/language"
)

// Reply sends text from agentID in conversation id. An agent replying to
// an unassigned conversation it may see is assigned to it first, within
// capacity. The reply is refused — stored as failed with the reason,
// returned with the error, and never sent — when the contact opted out
// (optout.ErrOptedOut), the window is closed (session.ErrWindowClosed),
// WhatsApp does not serve the country (ErrBlockedCountry), the text is too
// long (template.ErrTooLong) or empty or only white space (ErrEmpty,
// returned failed but not stored: there is nothing to keep), or the agent has no room to take the
// unassigned conversation (routing.ErrOverCapacity,
// routing.ErrUnavailable). An agent who may not see the conversation gets
// routing.ErrNotVisible with the refused message returned as failed but
// not stored: the conversation is not the agent's to write into. A
// transport failure is returned as a [*SendError] with the message stored
// as failed. To retry safely after a failure half-way (a store error), use
// [Desk.SendDraft] with a [Draft] ID.
func (d *Desk) Reply(ctx context.Context, agentID string, id conversation.ID, text string) (*conversation.Message, error) {
	return d.send(ctx, agentID, id, sendRequest{text: text})
}

// Draft is an agent's message for [Desk.SendDraft]: text, files, or both.
type Draft struct {
	// ID, when set, names the message and makes SendDraft safe to retry:
	// a second SendDraft with the same ID after a failure half-way (a store
	// error) finishes the first (the message is stored and sent once)
	// instead of sending again; after the message was sent it returns
	// the message and no error. A failed message is terminal and is
	// never sent again: a retry returns it with its stored failure, a
	// [*FailedError] matching [ErrAlreadyFailed] and the first
	// attempt's error (a temporary [*SendError] stays errors.Is
	// ErrTemporary and Retryable). To resend after a temporary
	// failure, send the content again with a new ID. Agent UIs set it
	// when the agent presses Send, with conversation.NewID. Zero gives
	// the message a fresh ID.
	ID conversation.ID
	// Text is the body, or the caption of the files.
	Text string
	// Attachments are checked against the channel's capabilities: types,
	// sizes, the e-mail total, MMS only between US and Canadian numbers,
	// voice notes of at most 5 minutes, sent as files where the channel
	// has no voice notes (channel.ErrAttachmentTooLarge and friends).
	Attachments []conversation.Attachment
	// HumanAgentTag sends a Messenger or Instagram reply with Meta's
	// HUMAN_AGENT tag, allowed up to 7 days after the contact's last
	// message.
	HumanAgentTag bool
}

// SendDraft sends an agent's draft in conversation id, as [Desk.Reply] does for
// text.
func (d *Desk) SendDraft(ctx context.Context, agentID string, id conversation.ID, m Draft) (*conversation.Message, error) {
	dr := sendRequest{id: m.ID, text: m.Text, attachments: m.Attachments}
	if m.HumanAgentTag {
		dr.form = session.HumanAgentTag
	}
	return d.send(ctx, agentID, id, dr)
}

// ReplyTagged sends text with Meta's HUMAN_AGENT tag; see [Draft].
func (d *Desk) ReplyTagged(ctx context.Context, agentID string, id conversation.ID, text string) (*conversation.Message, error) {
	return d.SendDraft(ctx, agentID, id, Draft{Text: text, HumanAgentTag: true})
}

// SendAttachments sends files with an optional caption; see [Draft].
func (d *Desk) SendAttachments(ctx context.Context, agentID string, id conversation.ID, caption string, atts []conversation.Attachment) (*conversation.Message, error) {
	return d.SendDraft(ctx, agentID, id, Draft{Text: caption, Attachments: atts})
}

// SendSnippet resolves the snippet with shortcut for the conversation's
// channel and the contact's language, renders it from the contact, the
// agent, Config.Variables and vars (which win), and sends it as
// [Desk.Reply] does. A snippet that cannot be made is refused like any
// other message — returned failed with the reason, stored as failed
// (its text the shortcut the agent used, since nothing was rendered), and
// never sent: an unknown shortcut (template.ErrSnippetNotFound,
// template.ErrNoVariant) or a variable without a value or default
// (template.ErrMissingVariable, naming every missing one).
//
// The variables the Desk provides: contact.name, contact.first_name,
// contact.id, contact.locale, agent.id, and every Config.Variables key.
//
// An agent who may not see the conversation is refused before anything is
// rendered: the message returned carries the shortcut, never the contact's
// data.
func (d *Desk) SendSnippet(ctx context.Context, agentID string, id conversation.ID, shortcut string, vars map[string]string) (*conversation.Message, error) {
	return d.send(ctx, agentID, id, sendRequest{text: shortcut, render: func(c *conversation.Conversation) (string, error) {
		return d.renderSnippet(c, agentID, shortcut, vars)
	}})
}

// renderSnippet resolves and renders the snippet with shortcut for c.
func (d *Desk) renderSnippet(c *conversation.Conversation, agentID, shortcut string, vars map[string]string) (string, error) {
	lang, _ := language.Parse(c.Contact.Locale) // language.Und when unknown
	r, err := d.snippets.Resolve(shortcut, c.Channel, lang)
	if err != nil {
		return "", err
	}
	return r.Template.RenderFunc(func(path string) (string, bool) {
		if v, ok := vars[path]; ok {
			return v, true
		}
		switch path {
		case "contact.name":
			return c.Contact.Name, true
		case "contact.first_name":
			first, _, _ := strings.Cut(strings.TrimSpace(c.Contact.Name), " ")
			return first, true
		case "contact.id":
			return c.Contact.ID, true
		case "contact.locale":
			return c.Contact.Locale, true
		case "agent.id":
			return agentID, true
		}
		v, ok := d.variables[path]
		return v, ok
	})
}

// SendTemplate sends the approved WhatsApp template name in language lang
// with params ({"1": …} for positional templates, {"order_id": …} for
// named ones). It is the one message allowed outside the 24-hour
// customer-service window. A template that cannot be sent is refused like
// any other message — returned failed with the reason, stored as failed
// with the template's name, language and the params given, and never sent:
// ErrUnknownTemplate, template.ErrTemplateNotApproved,
// template.ErrInvalidParameter, template.ErrMissingVariable, and
// ErrWrongChannel for a conversation that is not on WhatsApp.
func (d *Desk) SendTemplate(ctx context.Context, agentID string, id conversation.ID, name string, lang language.Tag, params map[string]string) (*conversation.Message, error) {
	dr, err := d.templateDraft(name, lang, params)
	if err != nil {
		dr = sendRequest{template: requested(name, lang, params), form: session.ApprovedTemplate, refused: err}
	}
	return d.send(ctx, agentID, id, dr)
}

// requested is the reference to a template as the agent asked for it, for
// the refused message: its parameters in name order.
func requested(name string, lang language.Tag, params map[string]string) *conversation.TemplateRef {
	code, _ := template.LanguageCode(lang) // empty when lang has no code
	ref := &conversation.TemplateRef{Name: name, Language: code}
	for _, n := range slices.Sorted(maps.Keys(params)) {
		ref.Params = append(ref.Params, conversation.Param{Name: n, Value: params[n]})
	}
	return ref
}

// templateDraft renders an approved WhatsApp template into a draft.
func (d *Desk) templateDraft(name string, lang language.Tag, params map[string]string) (sendRequest, error) {
	code, err := template.LanguageCode(lang)
	if err != nil {
		return sendRequest{}, err
	}
	t, ok := d.templates[templateKey{name, code}]
	if !ok {
		return sendRequest{}, fmt.Errorf("%w: %s (%s)", ErrUnknownTemplate, name, code)
	}
	if t.Status != template.Approved {
		return sendRequest{}, &template.NotApprovedError{Name: t.Name, Status: t.Status}
	}
	text, err := t.Render(params)
	if err != nil {
		return sendRequest{}, err
	}
	ref := &conversation.TemplateRef{Name: t.Name, Language: code}
	names, _ := t.Parameters() // valid: checked by New
	for _, n := range names {
		ref.Params = append(ref.Params, conversation.Param{Name: n, Value: params[n]})
	}
	return sendRequest{text: text, template: ref, form: session.ApprovedTemplate}, nil
}

// Note adds an internal note from agentID: stored and shown to agents,
// never sent. Notes are allowed during wrap-up. An empty or
// whitespace-only note is refused with ErrEmpty.
func (d *Desk) Note(ctx context.Context, agentID string, id conversation.ID, text string) (*conversation.Message, error) {
	if isBlank(text) {
		return nil, ErrEmpty
	}
	if _, err := d.agent(ctx, agentID); err != nil {
		return nil, err
	}
	var note *conversation.Message
	err := d.withConversation(ctx, id, func() (after, error) {
		var err error
		note, err = d.note(ctx, agentID, id, text)
		return after{}, err
	})
	return note, err
}

// note stores Note's message; the caller holds conversation id's lock.
func (d *Desk) note(ctx context.Context, agentID string, id conversation.ID, text string) (*conversation.Message, error) {
	now := d.now()
	m := &conversation.Message{
		ID: d.newID(), ConversationID: id, Direction: conversation.Outbound, Internal: true,
		Author: conversation.Author{Kind: conversation.AuthorAgent, ID: agentID}, Text: text, CreatedAt: now,
	}
	// The note and the conversation's touch are one write (Store.Record):
	// a failure or a crash never leaves one without the other.
	c, err := d.store.Get(ctx, id)
	for attempt := 0; ; attempt++ {
		if err != nil {
			return nil, err
		}
		if !c.VisibleTo(d.mustViewer(ctx, agentID)) {
			return nil, &routing.VisibilityError{ConversationID: id.String(), AgentID: agentID}
		}
		if err := c.Post(m); err != nil {
			return nil, err
		}
		_, _, err = d.store.Record(ctx, c, m)
		if err == nil {
			return m, nil
		}
		if !errors.Is(err, conversation.ErrConflict) || attempt == maxConflictRetries {
			return nil, err
		}
		c, err = d.store.Get(ctx, id)
	}
}

// send is the agent's path for every outbound message: visibility, the
// assignment a reply to an unassigned conversation makes, the rules, the
// transport.
func (d *Desk) send(ctx context.Context, agentID string, id conversation.ID, dr sendRequest) (*conversation.Message, error) {
	dr.author = conversation.Author{Kind: conversation.AuthorAgent, ID: agentID}
	v, err := d.viewer(ctx, agentID)
	if err != nil {
		return nil, err
	}
	var m *conversation.Message
	err = d.withConversation(ctx, id, func() (after, error) {
		var events []Event
		var err error
		m, events, err = d.sendLocked(ctx, v, id, dr)
		return after{events: events}, err
	})
	return m, err
}

// sendLocked is send's work, with conversation id's lock held.
func (d *Desk) sendLocked(ctx context.Context, v conversation.Viewer, id conversation.ID, dr sendRequest) (*conversation.Message, []Event, error) {
	c, err := d.store.Get(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	now := d.now()
	if !c.VisibleTo(v) || c.Status == conversation.Bot && !v.Supervisor {
		// The refused message is returned, not stored: the conversation
		// is not the agent's to see, so it may not write into it, even a
		// failed message its owner would find there (and a stored one
		// would tell the agent the conversation exists and where).
		verr := &routing.VisibilityError{ConversationID: id.String(), AgentID: v.AgentID, Queues: c.Queues}
		m := d.outMessage(c, dr, now)
		failed(m, verr, now)
		return m, nil, verr
	}
	refuse := func(cause error) (*conversation.Message, []Event, error) {
		m, evs, refused, err := d.refuse(ctx, c, d.outMessage(c, dr, now), dr, cause, now)
		return m, evs, cmp.Or(err, refused)
	}
	if dr.render != nil {
		if text, err := dr.render(c); err != nil {
			dr.refused = err
		} else {
			dr.text = text
		}
	}
	if dr.refused != nil {
		return refuse(dr.refused)
	}
	var events []Event
	if c.Status == conversation.Queued {
		// Judge the message first: a refused reply must not leave the
		// agent holding a conversation it could not answer.
		if _, _, refused := d.judge(ctx, c, dr, now); refused != nil {
			return refuse(refused)
		}
		assigned, evs, err := d.assign(ctx, c, v.AgentID, conversation.AssignAuto, now)
		if err != nil {
			if routerRefusal(err) {
				// Over capacity, unavailable, taken meanwhile: the reply
				// is refused and recorded where the agent can see it.
				m, revs, err := refuse(err)
				return m, append(evs, revs...), err
			}
			return nil, evs, err
		}
		c, events = assigned, evs
	}
	m, evs, refused, err := d.deliver(ctx, c, dr, now)
	if err = cmp.Or(err, refused); err == nil {
		// The first reply stops the touchpoint's auto-transfer clock; a
		// conversation without one has nothing to stop.
		if tp := d.tps[c.Touchpoint]; tp != nil && tp.Routing.AutoTransfer > 0 {
			_, _ = d.routeConv(ctx, routing.OpReplied, id.String(), "", now)
		}
	}
	return m, append(events, evs...), err
}

package parley

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/optout"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/template"
)

// draft is an outbound message before the rules have judged it.
type draft struct {
	author      conversation.Author
	text        string
	attachments []conversation.Attachment
	template    *conversation.TemplateRef
	// form is FreeForm unless set: ApprovedTemplate, or HumanAgentTag.
	form session.Form
	// automatic marks a message the desk sends by itself (auto-reply,
	// busy, away): it is logged, not returned, when refused.
	automatic bool
}

// BlockedError is the refusal to send WhatsApp messages to a number whose
// country or region WhatsApp does not serve (DESIGN.md §3.1). It matches
// ErrBlockedCountry.
type BlockedError struct {
	Number string
}

// Error names the number.
func (e *BlockedError) Error() string {
	return fmt.Sprintf("parley: whatsapp does not serve %s's country or region", e.Number)
}

// Is matches ErrBlockedCountry.
func (e *BlockedError) Is(target error) bool { return target == ErrBlockedCountry }

// recipient returns the contact's address on c's channel.
func recipient(c *conversation.Conversation) (channel.Address, error) {
	for _, a := range c.Contact.Addresses {
		if a.Kind == c.Channel {
			return a, nil
		}
	}
	return channel.Address{}, fmt.Errorf("%w: contact %q has no %s address", ErrWrongChannel, c.Contact.ID, c.Channel)
}

// deliver judges dr against every rule for conversation c, stores it, and
// hands it to the transport. A message the rules refuse is stored as
// failed with the reason and returned with the error; so is one the
// transport fails (a *SendError). Nothing is silently dropped (DESIGN.md
// §7).
func (d *Desk) deliver(ctx context.Context, c *conversation.Conversation, dr draft, now time.Time) (*conversation.Message, []Event, error) {
	m := d.outMessage(c, dr, now)
	tp, to, err := d.judge(ctx, c, dr, now)
	if err != nil {
		return d.refuse(ctx, c, m, dr, err, now)
	}

	if _, _, err := d.store.AppendMessage(ctx, m); err != nil {
		return nil, nil, err
	}
	if _, err := d.mutate(ctx, c.ID, func(c *conversation.Conversation) error { return c.Post(m) }); err != nil {
		return m, nil, err
	}

	out := Outgoing{
		To: to, Text: m.Text, Touchpoint: tp.ID, From: tp.addr.ID,
		ConversationID: c.ID, MessageID: m.ID,
		Attachments: playable(c.Channel, m.Attachments), Template: m.Template,
		HumanAgentTag: dr.form == session.HumanAgentTag, Subject: c.Subject,
	}
	providerID, sendErr := d.transport.Send(ctx, out)
	u := conversation.DeliveryUpdate{MessageID: m.ID, Status: conversation.DeliverySent, At: now, ProviderID: providerID}
	if sendErr != nil {
		se := sendFailure(sendErr)
		u = conversation.DeliveryUpdate{MessageID: m.ID, Status: conversation.DeliveryFailed, Reason: se.Error(), At: now}
		sendErr = se
	}
	stored, _, err := d.store.UpdateDelivery(ctx, u)
	if err != nil {
		// The transport has answered; the message is stored as pending
		// and a delivery callback can still settle it.
		return m, nil, errors.Join(sendErr, err)
	}
	if sendErr != nil {
		if dr.automatic {
			d.log.WarnContext(ctx, "parley: automatic message failed", "conversation", c.ID.String(), "err", sendErr)
		}
		return stored, []Event{conversation.DeliveryEvent(stored)}, sendErr
	}
	return stored, []Event{conversation.MessageSentEvent{
		EventHeader: conversation.EventHeader{ConversationID: c.ID, At: now},
		Message:     *stored,
	}}, nil
}

// refuse records a message the rules refused as failed, with the reason.
func (d *Desk) refuse(ctx context.Context, c *conversation.Conversation, m *conversation.Message, dr draft, cause error, now time.Time) (*conversation.Message, []Event, error) {
	if dr.automatic {
		d.log.InfoContext(ctx, "parley: automatic message refused", "conversation", c.ID.String(), "err", cause)
	}
	m.Delivery = conversation.Delivery{Status: conversation.DeliveryFailed, Reason: cause.Error(), At: now}
	if _, _, err := d.store.AppendMessage(ctx, m); err != nil {
		return m, nil, errors.Join(cause, err)
	}
	return m, []Event{conversation.DeliveryEvent(m)}, cause
}

// judge finds the touchpoint and the recipient of a message in c and
// checks it against every rule.
func (d *Desk) judge(ctx context.Context, c *conversation.Conversation, dr draft, now time.Time) (*touchpoint, channel.Address, error) {
	tp, err := d.touchpoint(c.Touchpoint)
	if err != nil {
		return nil, channel.Address{}, err
	}
	to, err := recipient(c)
	if err != nil {
		return nil, channel.Address{}, err
	}
	return tp, to, d.check(ctx, c, tp, to, dr, now)
}

// check applies the rules a message must pass before it may go: an open
// conversation, something to send, the channel's length and attachment
// limits, WhatsApp's country restrictions, the SMS opt-out, and the
// customer-service window. The first refusal is returned.
func (d *Desk) check(ctx context.Context, c *conversation.Conversation, tp *touchpoint, to channel.Address, dr draft, now time.Time) error {
	if !c.Status.Open() {
		return &conversation.EndedError{ID: c.ID, Status: c.Status}
	}
	if dr.text == "" && len(dr.attachments) == 0 && dr.template == nil {
		return ErrEmpty
	}
	if dr.text != "" {
		if err := template.Check(c.Channel, dr.text).Err(); err != nil {
			return err
		}
	}
	if len(dr.attachments) > 0 {
		if err := channel.ValidateAttachments(c.Channel, tp.addr.ID, to.ID, described(dr.attachments)); err != nil {
			return err
		}
	}
	if c.Channel == channel.WhatsApp && d.blocked.Blocked(to.ID) {
		return &BlockedError{Number: to.ID}
	}
	if c.Channel == channel.SMS {
		err := d.consent.Outbound(ctx, optout.Outbound{From: tp.addr, To: to, Body: dr.text, At: now})
		if err != nil {
			return err
		}
	}
	form := dr.form
	if form == 0 {
		form = session.FreeForm
	}
	w := session.Window{Channel: c.Channel, LastInbound: c.LastInboundAt}
	return d.sessions.Check(w, session.Outbound{Form: form, Human: dr.author.Kind == conversation.AuthorAgent}, now)
}

// described returns what the channel checks need to know of attachments.
func described(atts []conversation.Attachment) []channel.Attachment {
	out := make([]channel.Attachment, len(atts))
	for i, a := range atts {
		out[i] = a.Attachment
	}
	return out
}

// playable returns atts as the channel will carry them: a voice note goes
// as a voice note where the channel plays them, as a plain file otherwise
// (DESIGN.md §3.1).
func playable(k channel.Kind, atts []conversation.Attachment) []conversation.Attachment {
	if k.VoiceNoteForm() == channel.AsVoiceNote {
		return atts
	}
	var out []conversation.Attachment
	for i, a := range atts {
		if a.VoiceNote {
			if out == nil {
				out = append([]conversation.Attachment(nil), atts...)
			}
			out[i].VoiceNote = false
		}
	}
	if out == nil {
		return atts
	}
	return out
}

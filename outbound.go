package parley

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/optout"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/template"
)

// sendRequest is an outbound message before the rules have judged it.
type sendRequest struct {
	author      conversation.Author
	text        string
	attachments []conversation.Attachment
	template    *conversation.TemplateRef
	// form is FreeForm unless set: ApprovedTemplate, or HumanAgentTag.
	form session.Form
	// automatic marks a message the desk sends by itself (auto-reply,
	// busy, away): it is logged, not returned, when refused.
	automatic bool
	// id, when set, makes the message resumable (see deliver).
	id conversation.ID
	// refused is a refusal met while making the draft (an unknown
	// snippet, a missing variable, a template not approved): the message
	// is refused as the rules' refusals are, with what the agent asked
	// for as its content, and never judged or sent.
	refused error
	// render, when set, makes the text from the conversation once the
	// author is known to see it (a snippet filled with the contact's
	// data): text stays what the author typed until then.
	render func(c *conversation.Conversation) (string, error)
}

// deliver judges dr against every rule for conversation c, stores it with
// the conversation's touch in one write (Store.Record), and hands it to the
// transport. It returns two errors:
//
//   - refused: the rules refused the message, or the transport failed it
//     (a *SendError). The message is stored as failed with the reason and
//     returned: nothing is silently dropped.
//   - err: the message could not be recorded (a store failure); the caller
//     returns it so that the action is retried.
//
// A draft with an ID is resumable: when a message with that ID is already
// stored (an earlier attempt stopped half-way), deliver does not store it
// again but finishes it, handing a still pending one to the transport
// again under the same MessageID, the transport's idempotency key.
func (d *Desk) deliver(ctx context.Context, c *conversation.Conversation, dr sendRequest, now time.Time) (m *conversation.Message, events []Event, refused, err error) {
	m = d.outMessage(c, dr, now)
	tp, to, refused := d.judge(ctx, c, dr, now)
	if refused != nil {
		return d.refuse(ctx, c, m, dr, refused, now)
	}
	for attempt := 0; ; attempt++ {
		if err := c.Post(m); err != nil {
			return d.refuse(ctx, c, m, dr, err, now)
		}
		_, _, err = d.store.Record(ctx, c, m)
		if err == nil {
			break
		}
		if errors.Is(err, conversation.ErrDuplicateID) && !dr.id.IsZero() {
			return d.finish(ctx, c, tp, to, dr, now)
		}
		if !errors.Is(err, conversation.ErrConflict) || attempt == maxConflictRetries {
			return m, nil, nil, err
		}
		if c, err = d.store.Get(ctx, c.ID); err != nil {
			return m, nil, nil, err
		}
	}
	return d.transmit(ctx, c, tp, to, m, dr, now)
}

// finish completes a resumable message an earlier attempt stored: a
// pending one goes to the transport again; a sent one is done (a retry
// after success succeeds); a failed one stays failed, since failed is
// terminal and never sent again, and the retry gets its stored failure
// back as an error (a *FailedError) instead of a success that sent
// nothing.
func (d *Desk) finish(ctx context.Context, c *conversation.Conversation, tp *touchpoint, to channel.Address, dr sendRequest, now time.Time) (*conversation.Message, []Event, error, error) {
	m, err := d.findMessage(ctx, c.ID, dr.id)
	if err != nil {
		return nil, nil, nil, err
	}
	switch m.Delivery.Status {
	case conversation.DeliveryPending:
		return d.transmit(ctx, c, tp, to, m, dr, now)
	case conversation.DeliveryFailed:
		return m, nil, storedFailure(m), nil
	}
	return m, nil, nil, nil
}

// transmit hands a stored, pending message to the transport and records
// the outcome.
func (d *Desk) transmit(ctx context.Context, c *conversation.Conversation, tp *touchpoint, to channel.Address, m *conversation.Message, dr sendRequest, now time.Time) (*conversation.Message, []Event, error, error) {
	out := Outgoing{
		To: to, Text: m.Text, Touchpoint: tp.ID, From: tp.addr.ID,
		ConversationID: c.ID, MessageID: m.ID,
		Attachments: playable(c.Channel, m.Attachments), Template: m.Template,
		HumanAgentTag: dr.form == session.HumanAgentTag, Subject: c.Subject,
	}
	providerID, sendErr := d.transport.Send(ctx, out)
	if sendErr != nil && ctx.Err() != nil && errors.Is(sendErr, ctx.Err()) {
		// The caller left before the transport answered: whether the
		// message went out is unknown, so it stays pending and Tick hands
		// it to the transport again.
		d.unsent.add(c.ID, m, dr)
		return m, nil, nil, sendErr
	}
	// The transport has answered: its outcome is recorded even when the
	// caller has gone meanwhile (a client hanging up), or a sent message
	// would stay pending, its delivery callbacks matching nothing.
	ctx = context.WithoutCancel(ctx)
	u := conversation.DeliveryUpdate{MessageID: m.ID, Status: conversation.DeliverySent, At: now, ProviderID: providerID}
	var refused error
	if sendErr != nil {
		se := sendFailure(sendErr)
		u = conversation.DeliveryUpdate{MessageID: m.ID, Status: conversation.DeliveryFailed, Reason: se.Error(), Code: failureCode(se), At: now}
		refused = se
		if dr.automatic {
			d.log.WarnContext(ctx, "parley: automatic message failed", "conversation", c.ID.String(), "err", sendErr)
		}
	}
	stored, _, err := d.store.UpdateDelivery(ctx, u)
	if err != nil {
		// The transport has answered but the outcome is not recorded: the
		// message stays pending, and Tick (or a retry of the action) hands
		// it to the transport again under the same MessageID.
		d.unsent.add(c.ID, m, dr)
		return m, nil, refused, err
	}
	if refused != nil {
		return stored, []Event{conversation.DeliveryEvent(stored)}, refused, nil
	}
	return stored, []Event{conversation.MessageSentEvent{
		EventHeader: conversation.EventHeader{ConversationID: c.ID, At: now},
		Message:     *stored,
	}}, nil, nil
}

// refuse records a message the rules refused as failed, with the reason
// and its code. A message with nothing in it (ErrEmpty) has nothing to
// record: it is returned failed, not stored.
func (d *Desk) refuse(ctx context.Context, c *conversation.Conversation, m *conversation.Message, dr sendRequest, cause error, now time.Time) (*conversation.Message, []Event, error, error) {
	if dr.automatic {
		d.log.InfoContext(ctx, "parley: automatic message refused", "conversation", c.ID.String(), "err", cause)
	}
	failed(m, cause, now)
	if isBlank(m.Text) && len(m.Attachments) == 0 && m.Template == nil {
		return m, nil, cause, nil
	}
	if _, _, err := d.store.AppendMessage(ctx, m); err != nil {
		if errors.Is(err, conversation.ErrDuplicateID) && !dr.id.IsZero() {
			return d.refuseStored(ctx, c, dr, cause, now)
		}
		return m, nil, cause, err
	}
	return m, []Event{conversation.DeliveryEvent(m)}, cause, nil
}

// refuseStored answers a retry the rules now refuse whose message an
// earlier attempt stored. The stored outcome stands: a sent message is
// done and a failed one keeps its failure. A pending one (an attempt that
// stopped half-way) may not go out now: it fails with today's refusal.
func (d *Desk) refuseStored(ctx context.Context, c *conversation.Conversation, dr sendRequest, cause error, now time.Time) (*conversation.Message, []Event, error, error) {
	stored, err := d.findMessage(ctx, c.ID, dr.id)
	if err != nil {
		return nil, nil, cause, err
	}
	switch stored.Delivery.Status {
	case conversation.DeliveryFailed:
		return stored, nil, storedFailure(stored), nil
	case conversation.DeliveryPending:
		u := conversation.DeliveryUpdate{MessageID: stored.ID, Status: conversation.DeliveryFailed, Reason: cause.Error(), Code: failureCode(cause), At: now}
		updated, changed, err := d.store.UpdateDelivery(ctx, u)
		if err != nil {
			return stored, nil, cause, err
		}
		if !changed {
			return updated, nil, cause, nil
		}
		return updated, []Event{conversation.DeliveryEvent(updated)}, cause, nil
	}
	return stored, nil, nil, nil
}

// failed marks m refused by cause: failed, with the reason and its code.
func failed(m *conversation.Message, cause error, now time.Time) {
	m.Delivery = conversation.Delivery{Status: conversation.DeliveryFailed, Reason: cause.Error(), Code: failureCode(cause), At: now}
}

// outMessage is the stored form of a draft, for a refusal recorded before
// deliver runs.
func (d *Desk) outMessage(c *conversation.Conversation, dr sendRequest, now time.Time) *conversation.Message {
	id := dr.id
	if id.IsZero() {
		id = d.newID()
	}
	return &conversation.Message{
		ID: id, ConversationID: c.ID, Direction: conversation.Outbound,
		Author: dr.author, Text: dr.text, Attachments: dr.attachments, Template: dr.template,
		Delivery: conversation.Delivery{Status: conversation.DeliveryPending, At: now}, CreatedAt: now,
	}
}

// findMessage returns message id of conversation cid, looking from the
// newest: the messages a resumed action looks for are recent.
func (d *Desk) findMessage(ctx context.Context, cid, id conversation.ID) (*conversation.Message, error) {
	q := conversation.MessageQuery{ConversationID: cid, Sort: conversation.Newest, Limit: conversation.MaxLimit}
	for {
		page, err := d.store.Messages(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, m := range page.Messages {
			if m.ID == id {
				return m, nil
			}
		}
		if page.Next == "" {
			return nil, fmt.Errorf("%w: message %s in conversation %s", conversation.ErrNotFound, id, cid)
		}
		q.Cursor = page.Next
	}
}

// derivedID names a message the desk writes because of another event —
// the reply to a keyword, a conversation's welcome or busy message — so
// that a retry finds it instead of writing it twice. The same base and
// step always give the same ID; it keeps base's UUIDv7 timestamp, so it
// sorts with it.
func derivedID(base conversation.ID, step byte) conversation.ID {
	var in [len(base) + 1]byte
	copy(in[:], base[:])
	in[len(base)] = step
	return hashedID(base, sha256.Sum256(in[:]))
}

// turnID names turn i of a transcript imported into conversation base.
// Its hash input (base, stepTranscript, i in 4 bytes) is longer than any
// step's, so no turn takes a step's ID, and holds i whole, so no two turns
// share one, whatever the transcript's length.
func turnID(base conversation.ID, i int) conversation.ID {
	var in [len(base) + 5]byte
	copy(in[:], base[:])
	in[len(base)] = stepTranscript
	binary.BigEndian.PutUint32(in[len(base)+1:], uint32(i))
	return hashedID(base, sha256.Sum256(in[:]))
}

// hashedID is the UUIDv7 with base's timestamp and the hash's bits.
func hashedID(base conversation.ID, h [sha256.Size]byte) conversation.ID {
	var id conversation.ID
	copy(id[:6], base[:6])
	copy(id[6:], h[:10])
	id[6] = 0x70 | id[6]&0x0f // version 7
	id[8] = 0x80 | id[8]&0x3f // RFC 9562 variant
	return id
}

// The steps derivedID tells apart; stepTranscript marks turnID's input.
const (
	stepKeywordReply byte = iota + 1
	stepWelcome
	stepBusy
	stepTranscript
)

// judge finds the touchpoint and the recipient of a message in c and
// checks it against every rule.
func (d *Desk) judge(ctx context.Context, c *conversation.Conversation, dr sendRequest, now time.Time) (*touchpoint, channel.Address, error) {
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
func (d *Desk) check(ctx context.Context, c *conversation.Conversation, tp *touchpoint, to channel.Address, dr sendRequest, now time.Time) error {
	if !c.Status.Open() {
		return &conversation.EndedError{ID: c.ID, Status: c.Status}
	}
	if dr.template != nil && c.Channel != channel.WhatsApp {
		return fmt.Errorf("%w: whatsapp template %q in a %s conversation", ErrWrongChannel, dr.template.Name, c.Channel)
	}
	if isBlank(dr.text) && len(dr.attachments) == 0 && dr.template == nil {
		return ErrEmpty // white space alone says nothing to the contact
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

// recipient returns the contact's address on c's channel.
func recipient(c *conversation.Conversation) (channel.Address, error) {
	for _, a := range c.Contact.Addresses {
		if a.Kind == c.Channel {
			return a, nil
		}
	}
	return channel.Address{}, fmt.Errorf("%w: contact %q has no %s address", ErrWrongChannel, c.Contact.ID, c.Channel)
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
// as a voice note where the channel plays them, as a plain file otherwise.
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

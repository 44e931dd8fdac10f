package parley_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/parleytest"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/template"
)

// An agent replying to an unassigned conversation it may see is assigned
// it and the reply goes out; an agent outside its queues, or any other
// agent once it is assigned, may not reply.
func TestReplyAssignsAndSends(t *testing.T) {
	f := newFixture(t)
	rc := receive(t, f, "wa", wa("+14155550100"), "wamid.1", "Hello")
	ctx := context.Background()

	_, err := f.Reply(ctx, "cy", rc.Conversation.ID, "I am in sales")
	assert.ErrorIs(t, err, routing.ErrNotVisible)
	assert.Empty(t, f.Transport.Sent())

	m, err := f.Reply(ctx, "ana", rc.Conversation.ID, "Hi, how can I help?")
	require.NoError(t, err)
	assert.Equal(t, conversation.DeliverySent, m.Delivery.Status)
	assert.Equal(t, "fake-1", m.ProviderID)
	c, err := f.Conversation(ctx, parley.SystemActor, rc.Conversation.ID)
	require.NoError(t, err)
	assert.Equal(t, conversation.Assigned, c.Status)
	assert.Equal(t, "ana", c.AssigneeID)
	require.Len(t, f.Transport.Sent(), 1)
	assert.Equal(t, wa("+14155550100"), f.Transport.Sent()[0].To)

	_, err = f.Reply(ctx, "bo", rc.Conversation.ID, "me too")
	assert.ErrorIs(t, err, routing.ErrNotVisible, "an assigned conversation is its assignee's")
	assert.Contains(t, f.Publisher.Names(), "conversation.assigned")
	assert.Contains(t, f.Publisher.Names(), "message.sent")
}

// A snippet is rendered in the variant of the contact's language, with the
// contact's first name and the desk's variables.
func TestSnippetResolvesLanguageAndRenders(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rc, err := f.Receive(ctx, parley.Inbound{Touchpoint: "wa", From: wa("+14155550100"), ProviderID: "w1", Text: "Hola", Name: "María López", Locale: "es-MX"})
	require.NoError(t, err)
	m, err := f.SendSnippet(ctx, "ana", rc.Conversation.ID, "/greet", nil)
	require.NoError(t, err)
	assert.Equal(t, "Hola María, somos Acme.", m.Text)
}

// A reply that would assign the agent past its capacity is refused and
// recorded as failed, and assigns nobody.
func TestReplyOverCapacityIsRefusedAndRecorded(t *testing.T) {
	f := newFixture(t, func(c *parley.Config) {
		c.Agents = []routing.Agent{{ID: "ana", Queues: []string{"support"}, Capacity: 25}}
	})
	ctx := context.Background()
	a := receive(t, f, "wa", wa("+14155550101"), "w1", "1")
	b := receive(t, f, "wa", wa("+14155550102"), "w2", "2")
	require.NoError(t, f.Assign(ctx, parley.SystemActor, a.Conversation.ID, "ana"))

	m, err := f.Reply(ctx, "ana", b.Conversation.ID, "hi")
	requireRefused(t, f, b.Conversation.ID, m, err, routing.ErrOverCapacity)
	assert.Equal(t, "hi", m.Text)
	c, err := f.Conversation(ctx, parley.SystemActor, b.Conversation.ID)
	require.NoError(t, err)
	assert.Equal(t, conversation.Queued, c.Status, "a refused reply assigns nobody")
}

// A reply to a conversation the agent may not see is returned failed but
// not stored: the conversation is not the agent's to write into.
func TestReplyNotVisibleIsReturnedNotStored(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rc := receive(t, f, "wa", wa("+14155550100"), "w1", "Hello") // queue support; cy is in sales

	m, err := f.Reply(ctx, "cy", rc.Conversation.ID, "hi")
	require.ErrorIs(t, err, routing.ErrNotVisible)
	require.NotNil(t, m, "the refused message is returned")
	assert.Equal(t, conversation.DeliveryFailed, m.Delivery.Status)
	assert.Contains(t, m.Delivery.Reason, "not visible")
	assert.Equal(t, "hi", m.Text)
	assert.Len(t, storedMessages(t, f, rc.Conversation.ID), 1, "only the inbound message is stored")
	assert.Empty(t, f.Transport.Attempts())
}

// A snippet that cannot be made (unknown shortcut, missing variable) is
// refused and recorded as failed, holding what the agent asked for.
func TestSnippetThatCannotBeMadeIsRefusedAndRecorded(t *testing.T) {
	tests := []struct {
		name     string
		shortcut string
		want     error
	}{
		{"unknown shortcut", "/nope", template.ErrSnippetNotFound},
		{"missing variable", "/track", template.ErrMissingVariable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, func(c *parley.Config) {
				require.NoError(t, c.Snippets.Add(template.Snippet{Shortcut: "track", Title: "Tracking",
					Variants: []template.Variant{{Body: "Track it at {{tracking_url}}."}}}))
			})
			ctx := context.Background()
			rc := receive(t, f, "wa", wa("+14155550100"), "w1", "Hello")
			m, err := f.SendSnippet(ctx, "ana", rc.Conversation.ID, tt.shortcut, nil)
			requireRefused(t, f, rc.Conversation.ID, m, err, tt.want)
			assert.Equal(t, tt.shortcut, m.Text, "the refused message is what the agent asked for")
		})
	}
}

// A template that cannot be sent (unknown, not approved, missing
// parameter) is refused and recorded as failed, naming the template asked
// for.
func TestTemplateThatCannotBeSentIsRefusedAndRecorded(t *testing.T) {
	tests := []struct {
		name string
		tmpl string
		want error
	}{
		{"unknown", "no_such_template", parley.ErrUnknownTemplate},
		{"not approved", "promo", template.ErrTemplateNotApproved},
		{"missing parameter", "order_update", template.ErrMissingVariable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, func(c *parley.Config) {
				c.Templates = append(c.Templates, template.WhatsApp{
					Name: "promo", Language: language.AmericanEnglish, Category: template.Marketing,
					Status: template.Pending, Body: "Sale on {{1}} today.",
				})
			})
			ctx := context.Background()
			rc := receive(t, f, "wa", wa("+14155550100"), "w1", "Hello")
			var params map[string]string
			if tt.tmpl == "promo" {
				params = map[string]string{"1": "shoes"}
			}
			m, err := f.SendTemplate(ctx, "ana", rc.Conversation.ID, tt.tmpl, language.AmericanEnglish, params)
			requireRefused(t, f, rc.Conversation.ID, m, err, tt.want)
			require.NotNil(t, m.Template)
			assert.Equal(t, tt.tmpl, m.Template.Name)
			assert.Equal(t, "en_US", m.Template.Language)
		})
	}
}

// Internal notes are stored, never sent, and written only by an agent who
// may see the conversation.
func TestNotesAreNeverSent(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rc := receive(t, f, "wa", wa("+14155550100"), "w1", "hi")
	m, err := f.Note(ctx, "ana", rc.Conversation.ID, "VIP customer, be nice")
	require.NoError(t, err)
	assert.True(t, m.Internal)
	assert.Empty(t, f.Transport.Sent())
	_, err = f.Note(ctx, "cy", rc.Conversation.ID, "peek")
	assert.ErrorIs(t, err, routing.ErrNotVisible)
}

// noteWriteStore fails every write of a message while failing is set: the
// conversation's own writes (Update) still succeed, as a store whose
// message table is down would. Embedding the Store interface hides the
// third such write, ReceiveOpen (conversation.Receiver), so Record and
// AppendMessage are all of them.
type noteWriteStore struct {
	conversation.Store
	failing atomic.Bool
	updates atomic.Int32
}

var errMessagesDown = errors.New("store: messages unavailable")

func (s *noteWriteStore) Update(ctx context.Context, c *conversation.Conversation) error {
	s.updates.Add(1)
	return s.Store.Update(ctx, c)
}

func (s *noteWriteStore) AppendMessage(ctx context.Context, m *conversation.Message) (*conversation.Message, bool, error) {
	if s.failing.Load() {
		return nil, false, errMessagesDown
	}
	return s.Store.AppendMessage(ctx, m)
}

func (s *noteWriteStore) Record(ctx context.Context, c *conversation.Conversation, m *conversation.Message) (*conversation.Message, bool, error) {
	if s.failing.Load() {
		return nil, false, errMessagesDown
	}
	return s.Store.Record(ctx, c, m)
}

// A note and its conversation's touch are one write (Store.Record): a
// failure leaves neither, never a conversation touched by a note it does
// not hold.
func TestNoteIsOneAtomicWrite(t *testing.T) {
	store := &noteWriteStore{Store: memory.NewConversationStore()}
	f := newFixture(t, func(c *parley.Config) { c.Conversations = store })
	ctx := context.Background()
	rc := receive(t, f, "wa", wa("+14155550100"), "w1", "Hello")
	require.NoError(t, f.Assign(ctx, parley.SystemActor, rc.Conversation.ID, "ana"))
	before, err := f.Conversation(ctx, parley.SystemActor, rc.Conversation.ID)
	require.NoError(t, err)

	f.Clock.Advance(1) // the note would move LastMessageAt
	store.failing.Store(true)
	_, err = f.Note(ctx, "ana", rc.Conversation.ID, "VIP customer")
	require.ErrorIs(t, err, errMessagesDown)
	after, err := f.Conversation(ctx, parley.SystemActor, rc.Conversation.ID)
	require.NoError(t, err)
	assert.Equal(t, before.Version, after.Version, "the failed note changed the conversation")
	assert.Equal(t, before.LastMessageAt, after.LastMessageAt)

	store.failing.Store(false)
	updates := store.updates.Load()
	m, err := f.Note(ctx, "ana", rc.Conversation.ID, "VIP customer")
	require.NoError(t, err)
	assert.True(t, m.Internal)
	assert.Equal(t, updates, store.updates.Load(), "a note writes through Record alone")
	after, err = f.Conversation(ctx, parley.SystemActor, rc.Conversation.ID)
	require.NoError(t, err)
	assert.Equal(t, m.CreatedAt, after.LastMessageAt)
	assert.Empty(t, f.Transport.Attempts(), "notes are never sent")
}

// A retry with the same Draft.ID after a transport failure must not report
// success: delivery status only moves forward and failed is terminal, so
// the message is not sent again and the retry gets the first attempt's
// failure back, kind and all.
func TestSendRetryAfterTransportFailureReturnsStoredFailure(t *testing.T) {
	tests := []struct {
		name      string
		fail      error
		kind      error
		retryable bool
	}{
		{"temporary", errors.New("connection reset"), parley.ErrTemporary, true},
		{"permanent", parleytest.Permanent("invalid recipient"), parley.ErrPermanent, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			rc := receive(t, f, "wa", wa("+14155550100"), "w1", "Hello")
			d := parley.Draft{ID: conversation.NewID(), Text: "your refund is on its way"}

			f.Transport.FailNext(tt.fail)
			first, err := f.SendDraft(ctx, "ana", rc.Conversation.ID, d)
			require.ErrorIs(t, err, tt.kind)
			require.NotNil(t, first)
			require.Equal(t, conversation.DeliveryFailed, first.Delivery.Status)
			attempts := len(f.Transport.Attempts())

			again, err := f.SendDraft(ctx, "ana", rc.Conversation.ID, d)
			require.Error(t, err, "a retry of a failed message must not report success")
			assert.ErrorIs(t, err, parley.ErrAlreadyFailed)
			assert.ErrorIs(t, err, tt.kind, "the retry's error is the first attempt's kind")
			var se *parley.SendError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tt.retryable, se.Retryable())
			assert.NotContains(t, se.Error(), "send failure: parley:", "the rebuilt error does not repeat its prefix")
			var fe *parley.FailedError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, d.ID, fe.MessageID)
			require.NotNil(t, again)
			assert.Equal(t, d.ID, again.ID)
			assert.Equal(t, conversation.DeliveryFailed, again.Delivery.Status)
			assert.Equal(t, first.Delivery.Reason, again.Delivery.Reason, "failed keeps its reason")
			assert.Len(t, f.Transport.Attempts(), attempts, "the failed message is not sent again")
			assert.Empty(t, f.Transport.Sent())

			// A resend is a new message, with a new ID.
			d.ID = conversation.NewID()
			m, err := f.SendDraft(ctx, "ana", rc.Conversation.ID, d)
			require.NoError(t, err)
			assert.Equal(t, conversation.DeliverySent, m.Delivery.Status)
			assert.Len(t, f.Transport.Sent(), 1)
		})
	}
}

// A message refused by the rules is failed for good too: when the rule
// has since relented (the contact wrote again), the retry still gets the
// refusal, not a success, and nothing is sent.
func TestSendRetryOfRefusedMessageKeepsTheRefusal(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rc := receive(t, f, "wa", wa("+14155550100"), "w1", "Hello")
	require.NoError(t, f.Assign(ctx, parley.SystemActor, rc.Conversation.ID, "ana"))
	f.Clock.Advance(25 * time.Hour)
	d := parley.Draft{ID: conversation.NewID(), Text: "still there?"}
	_, err := f.SendDraft(ctx, "ana", rc.Conversation.ID, d)
	require.ErrorIs(t, err, session.ErrWindowClosed)

	receive(t, f, "wa", wa("+14155550100"), "w2", "yes") // the window opens again
	again, err := f.SendDraft(ctx, "ana", rc.Conversation.ID, d)
	assert.ErrorIs(t, err, parley.ErrAlreadyFailed)
	assert.ErrorIs(t, err, session.ErrWindowClosed)
	require.NotNil(t, again)
	assert.Equal(t, conversation.DeliveryFailed, again.Delivery.Status)
	assert.Empty(t, f.Transport.Attempts())
}

// A retry of a message that was sent is idempotent: the message, no error,
// nothing sent again — even when the rules would refuse it now.
func TestSendRetryAfterSuccessIsIdempotent(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rc := receive(t, f, "wa", wa("+14155550100"), "w1", "Hello")
	d := parley.Draft{ID: conversation.NewID(), Text: "done"}
	first, err := f.SendDraft(ctx, "ana", rc.Conversation.ID, d)
	require.NoError(t, err)

	again, err := f.SendDraft(ctx, "ana", rc.Conversation.ID, d)
	require.NoError(t, err)
	assert.Equal(t, first.ID, again.ID)
	assert.Equal(t, conversation.DeliverySent, again.Delivery.Status)

	f.Clock.Advance(25 * time.Hour) // the window closes
	late, err := f.SendDraft(ctx, "ana", rc.Conversation.ID, d)
	require.NoError(t, err, "a late retry of a sent message is not refused")
	assert.Equal(t, conversation.DeliverySent, late.Delivery.Status)
	assert.Len(t, f.Transport.Sent(), 1)
}

// A message an attempt left pending that the rules refuse by the time of
// the retry is failed with today's refusal, not sent and not left pending.
func TestSendRetryOfPendingMessageNowRefused(t *testing.T) {
	store := &outcomeLostStore{Store: memory.NewConversationStore()}
	f := newFixture(t, func(c *parley.Config) { c.Conversations = store })
	ctx := context.Background()
	rc := receive(t, f, "wa", wa("+14155550100"), "w1", "Hello")
	d := parley.Draft{ID: conversation.NewID(), Text: "on it"}
	store.failUpdates.Store(true)
	_, err := f.SendDraft(ctx, "ana", rc.Conversation.ID, d)
	require.Error(t, err)
	store.failUpdates.Store(false)

	f.Clock.Advance(25 * time.Hour)
	m, err := f.SendDraft(ctx, "ana", rc.Conversation.ID, d)
	assert.ErrorIs(t, err, session.ErrWindowClosed)
	require.NotNil(t, m)
	assert.Equal(t, d.ID, m.ID)
	assert.Equal(t, conversation.DeliveryFailed, m.Delivery.Status)
	assert.Len(t, f.Transport.Attempts(), 1, "refused now: not handed to the transport again")
}

// A reply or a note of white space alone says nothing: it is refused with
// ErrEmpty, nothing is sent, stored or assigned.
func TestBlankRepliesAndNotesAreRefused(t *testing.T) {
	ctx := context.Background()
	for _, text := range []string{"", " ", "\t\n", "\u00a0\u2003", "\r\n  \r\n"} {
		t.Run(fmt.Sprintf("%q", text), func(t *testing.T) {
			f := newFixture(t)
			id := receive(t, f, "wa", wa("+14155550100"), "w1", "hello").Conversation.ID
			before := storedMessages(t, f, id)

			m, err := f.Reply(ctx, "ana", id, text)
			assert.ErrorIs(t, err, parley.ErrEmpty, "reply")
			if m != nil {
				assert.Equal(t, conversation.DeliveryFailed, m.Delivery.Status)
			}
			_, err = f.Note(ctx, "ana", id, text)
			assert.ErrorIs(t, err, parley.ErrEmpty, "note")
			_, _, err = f.Start(ctx, "ana", parley.Opening{Touchpoint: "sms", To: sms("+14155550199"), Text: text})
			assert.ErrorIs(t, err, parley.ErrEmpty, "start")

			assert.Empty(t, f.Transport.Attempts(), "nothing sent")
			assert.Equal(t, before, storedMessages(t, f, id), "nothing stored")
			assert.Equal(t, conversation.Queued, mustStatus(t, f, id), "the refused reply assigned nobody")
		})
	}
}

package parley_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/parleytest"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/template"
)

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
	c, err := f.Conversation(ctx, rc.Conversation.ID)
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

func TestWindowLocksFreeFormButNotTemplates(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rc := receive(t, f, "wa", wa("+14155550100"), "wamid.1", "Hello")
	require.NoError(t, f.Assign(ctx, rc.Conversation.ID, "ana"))

	f.Clock.Advance(24*time.Hour - time.Millisecond)
	_, err := f.Reply(ctx, "ana", rc.Conversation.ID, "just in time")
	require.NoError(t, err)

	f.Clock.Advance(time.Millisecond)
	m, err := f.Reply(ctx, "ana", rc.Conversation.ID, "too late")
	var wc *session.WindowClosedError
	require.ErrorAs(t, err, &wc)
	assert.Equal(t, parleytest.Epoch.Add(24*time.Hour), wc.ClosedAt)
	require.NotNil(t, m, "the refused message is returned")
	assert.Equal(t, conversation.DeliveryFailed, m.Delivery.Status)
	assert.NotEmpty(t, m.Delivery.Reason)
	assert.Len(t, f.Transport.Sent(), 1, "nothing sent after the window closed")

	comp, err := f.Composer(ctx, "ana", rc.Conversation.ID)
	require.NoError(t, err)
	assert.False(t, comp.CanReply)
	assert.True(t, comp.Templates)

	m, err = f.SendTemplate(ctx, "ana", rc.Conversation.ID, "order_update", language.AmericanEnglish, map[string]string{"1": "#42"})
	require.NoError(t, err)
	assert.Equal(t, "Your order #42 has shipped.", m.Text)
	assert.Len(t, f.Transport.Sent(), 2)

	receive(t, f, "wa", wa("+14155550100"), "wamid.2", "Thanks!")
	_, err = f.Reply(ctx, "ana", rc.Conversation.ID, "You're welcome")
	assert.NoError(t, err, "the contact's message reopens the window")
}

func TestTransportFailureIsRecorded(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rc := receive(t, f, "wa", wa("+14155550100"), "w1", "Hello")
	f.Transport.FailNext(parleytest.Permanent("invalid recipient"))
	m, err := f.Reply(ctx, "ana", rc.Conversation.ID, "hi")
	assert.ErrorIs(t, err, parley.ErrPermanent)
	require.NotNil(t, m)
	assert.Equal(t, conversation.DeliveryFailed, m.Delivery.Status)
	assert.Contains(t, m.Delivery.Reason, "invalid recipient")

	f.Transport.FailNext(errors.New("connection reset"))
	_, err = f.Reply(ctx, "ana", rc.Conversation.ID, "hi again")
	assert.ErrorIs(t, err, parley.ErrTemporary)

	m, err = f.Reply(ctx, "ana", rc.Conversation.ID, "third time")
	require.NoError(t, err)
	changed, err := f.UpdateDelivery(ctx, parley.DeliveryReport{Touchpoint: "wa", ProviderID: m.ProviderID, Status: conversation.DeliveryRead})
	require.NoError(t, err)
	assert.True(t, changed)
	changed, err = f.UpdateDelivery(ctx, parley.DeliveryReport{Touchpoint: "wa", ProviderID: m.ProviderID, Status: conversation.DeliveryDelivered})
	require.NoError(t, err)
	assert.False(t, changed, "a late callback never moves status back")
}

func TestBlockedCountryRefused(t *testing.T) {
	f := newFixture(t)
	rc := receive(t, f, "wa", wa("+5372345678"), "w1", "hola")
	_, err := f.Reply(context.Background(), "ana", rc.Conversation.ID, "hi")
	assert.ErrorIs(t, err, parley.ErrBlockedCountry)
	assert.Empty(t, f.Transport.Sent())
}

func TestSnippetResolvesLanguageAndRenders(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rc, err := f.Receive(ctx, parley.Inbound{Touchpoint: "wa", From: wa("+14155550100"), ProviderID: "w1", Text: "Hola", Name: "María López", Locale: "es-MX"})
	require.NoError(t, err)
	m, err := f.SendSnippet(ctx, "ana", rc.Conversation.ID, "/greet", nil)
	require.NoError(t, err)
	assert.Equal(t, "Hola María, somos Acme.", m.Text)
}

func TestAttachmentsFollowTheChannel(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rc := receive(t, f, "sms", sms("+442071838750"), "s1", "hi")
	photo := conversation.Attachment{URL: "https://example.com/p.jpg", Attachment: channel.Attachment{Name: "p.jpg", MIMEType: "image/jpeg", Size: 100_000}}
	m, err := f.SendAttachments(ctx, "ana", rc.Conversation.ID, "", []conversation.Attachment{photo})
	assert.ErrorIs(t, err, channel.ErrMMSNotAllowed, "MMS only between US and Canadian numbers")
	require.NotNil(t, m)
	assert.Equal(t, conversation.DeliveryFailed, m.Delivery.Status)

	wrc := receive(t, f, "wa", wa("+14155550100"), "w1", "hi")
	big := conversation.Attachment{Attachment: channel.Attachment{Name: "big.jpg", MIMEType: "image/jpeg", Size: 6 << 20}}
	_, err = f.SendAttachments(ctx, "ana", wrc.Conversation.ID, "", []conversation.Attachment{big})
	assert.ErrorIs(t, err, channel.ErrAttachmentTooLarge, "WhatsApp images are at most 5 MB")

	note := conversation.Attachment{URL: "https://example.com/v.ogg", Attachment: channel.Attachment{Name: "v.ogg", MIMEType: "audio/ogg", Size: 50_000, Duration: time.Minute, VoiceNote: true}}
	_, err = f.SendAttachments(ctx, "ana", wrc.Conversation.ID, "", []conversation.Attachment{note})
	require.NoError(t, err)
	sent := f.Transport.Sent()
	require.NotEmpty(t, sent)
	assert.True(t, sent[len(sent)-1].Attachments[0].VoiceNote, "WhatsApp plays voice notes")
}

// storedMessages returns conversation id's messages, oldest first.
func storedMessages(t *testing.T, f *parleytest.Desk, id conversation.ID) []*conversation.Message {
	t.Helper()
	page, err := f.Messages(context.Background(), conversation.MessageQuery{ConversationID: id, Order: conversation.OldestFirst})
	require.NoError(t, err)
	return page.Messages
}

// requireRefused checks the refusal rule of DESIGN.md §7: an error to
// branch on, the refused message returned failed with its reason and
// stored as failed, and nothing sent.
func requireRefused(t *testing.T, f *parleytest.Desk, id conversation.ID, m *conversation.Message, err, want error) {
	t.Helper()
	require.ErrorIs(t, err, want)
	require.NotNil(t, m, "the refused message is returned")
	assert.Equal(t, conversation.DeliveryFailed, m.Delivery.Status)
	assert.NotEmpty(t, m.Delivery.Reason)
	assert.Empty(t, f.Transport.Attempts(), "nothing is sent")
	msgs := storedMessages(t, f, id)
	require.NotEmpty(t, msgs)
	last := msgs[len(msgs)-1]
	assert.Equal(t, m.ID, last.ID, "the refused message is stored")
	assert.Equal(t, conversation.DeliveryFailed, last.Delivery.Status)
	assert.Equal(t, m.Delivery.Reason, last.Delivery.Reason)
	assert.Contains(t, f.Publisher.Names(), "message.failed")
}

func TestReplyOverCapacityIsRefusedAndRecorded(t *testing.T) {
	f := newFixture(t, func(c *parley.Config) {
		c.Agents = []routing.Agent{{ID: "ana", Queues: []string{"support"}, Capacity: 25}}
	})
	ctx := context.Background()
	a := receive(t, f, "wa", wa("+14155550101"), "w1", "1")
	b := receive(t, f, "wa", wa("+14155550102"), "w2", "2")
	require.NoError(t, f.Assign(ctx, a.Conversation.ID, "ana"))

	m, err := f.Reply(ctx, "ana", b.Conversation.ID, "hi")
	requireRefused(t, f, b.Conversation.ID, m, err, routing.ErrOverCapacity)
	assert.Equal(t, "hi", m.Text)
	c, err := f.Conversation(ctx, b.Conversation.ID)
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

// WhatsApp templates go on WhatsApp only (DESIGN.md §3.4).
func TestTemplateOnAnotherChannelIsRefused(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rc := receive(t, f, "sms", sms("+14155550100"), "s1", "Hello")
	m, err := f.SendTemplate(ctx, "ana", rc.Conversation.ID, "order_update", language.AmericanEnglish, map[string]string{"1": "#1"})
	requireRefused(t, f, rc.Conversation.ID, m, err, parley.ErrWrongChannel)
	assert.Contains(t, err.Error(), "sms")
}

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
	require.NoError(t, f.Assign(ctx, rc.Conversation.ID, "ana"))
	before, err := f.Conversation(ctx, rc.Conversation.ID)
	require.NoError(t, err)

	f.Clock.Advance(1) // the note would move LastMessageAt
	store.failing.Store(true)
	_, err = f.Note(ctx, "ana", rc.Conversation.ID, "VIP customer")
	require.ErrorIs(t, err, errMessagesDown)
	after, err := f.Conversation(ctx, rc.Conversation.ID)
	require.NoError(t, err)
	assert.Equal(t, before.Version, after.Version, "the failed note changed the conversation")
	assert.Equal(t, before.LastMessageAt, after.LastMessageAt)

	store.failing.Store(false)
	updates := store.updates.Load()
	m, err := f.Note(ctx, "ana", rc.Conversation.ID, "VIP customer")
	require.NoError(t, err)
	assert.True(t, m.Internal)
	assert.Equal(t, updates, store.updates.Load(), "a note writes through Record alone")
	after, err = f.Conversation(ctx, rc.Conversation.ID)
	require.NoError(t, err)
	assert.Equal(t, m.CreatedAt, after.LastMessageAt)
	assert.Empty(t, f.Transport.Attempts(), "notes are never sent")
}

// A retry with the same Draft.ID after a transport failure must not report
// success: failed is terminal (DESIGN.md §3.6), so the message is not sent
// again and the retry gets the first attempt's failure back, kind and all.
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
			first, err := f.Send(ctx, "ana", rc.Conversation.ID, d)
			require.ErrorIs(t, err, tt.kind)
			require.NotNil(t, first)
			require.Equal(t, conversation.DeliveryFailed, first.Delivery.Status)
			attempts := len(f.Transport.Attempts())

			again, err := f.Send(ctx, "ana", rc.Conversation.ID, d)
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
			m, err := f.Send(ctx, "ana", rc.Conversation.ID, d)
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
	require.NoError(t, f.Assign(ctx, rc.Conversation.ID, "ana"))
	f.Clock.Advance(25 * time.Hour)
	d := parley.Draft{ID: conversation.NewID(), Text: "still there?"}
	_, err := f.Send(ctx, "ana", rc.Conversation.ID, d)
	require.ErrorIs(t, err, session.ErrWindowClosed)

	receive(t, f, "wa", wa("+14155550100"), "w2", "yes") // the window opens again
	again, err := f.Send(ctx, "ana", rc.Conversation.ID, d)
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
	first, err := f.Send(ctx, "ana", rc.Conversation.ID, d)
	require.NoError(t, err)

	again, err := f.Send(ctx, "ana", rc.Conversation.ID, d)
	require.NoError(t, err)
	assert.Equal(t, first.ID, again.ID)
	assert.Equal(t, conversation.DeliverySent, again.Delivery.Status)

	f.Clock.Advance(25 * time.Hour) // the window closes
	late, err := f.Send(ctx, "ana", rc.Conversation.ID, d)
	require.NoError(t, err, "a late retry of a sent message is not refused")
	assert.Equal(t, conversation.DeliverySent, late.Delivery.Status)
	assert.Len(t, f.Transport.Sent(), 1)
}

// outcomeLostStore loses the transport's outcome: UpdateDelivery fails
// while failUpdates is set, leaving the message pending. It hides
// ReceiveOpen, so its webhooks take the plain steps; Send never uses it.
type outcomeLostStore struct {
	conversation.Store
	failUpdates atomic.Bool
}

func (s *outcomeLostStore) UpdateDelivery(ctx context.Context, u conversation.DeliveryUpdate) (*conversation.Message, bool, error) {
	if s.failUpdates.Load() {
		return nil, false, errors.New("store: unavailable")
	}
	return s.Store.UpdateDelivery(ctx, u)
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
	_, err := f.Send(ctx, "ana", rc.Conversation.ID, d)
	require.Error(t, err)
	store.failUpdates.Store(false)

	f.Clock.Advance(25 * time.Hour)
	m, err := f.Send(ctx, "ana", rc.Conversation.ID, d)
	assert.ErrorIs(t, err, session.ErrWindowClosed)
	require.NotNil(t, m)
	assert.Equal(t, d.ID, m.ID)
	assert.Equal(t, conversation.DeliveryFailed, m.Delivery.Status)
	assert.Len(t, f.Transport.Attempts(), 1, "refused now: not handed to the transport again")
}

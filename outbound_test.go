package parley_test

import (
	"context"
	"errors"
	"sync"
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
	"github.com/parleyhq/parley/session"
)

// Outside the WhatsApp window (24 h after the contact's last message) a
// free-form message is refused and returned failed, and the composer is
// locked but offers templates; an approved template still goes, and the
// contact's next message opens the window again.
func TestWindowLocksFreeFormButNotTemplates(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rc := receive(t, f, "wa", wa("+14155550100"), "wamid.1", "Hello")
	require.NoError(t, f.Assign(ctx, parley.SystemActor, rc.Conversation.ID, "ana"))

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

// A message to a number in a blocked country is refused with
// ErrBlockedCountry and never sent.
func TestBlockedCountryRefused(t *testing.T) {
	f := newFixture(t)
	rc := receive(t, f, "wa", wa("+5372345678"), "w1", "hola")
	_, err := f.Reply(context.Background(), "ana", rc.Conversation.ID, "hi")
	assert.ErrorIs(t, err, parley.ErrBlockedCountry)
	assert.Empty(t, f.Transport.Sent())
}

// Attachments follow the channel's rules: MMS only between US and Canadian
// numbers, WhatsApp images of at most 5 MB, voice notes played where the
// channel plays them.
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

// A transport failure is stored on the message as failed with its reason
// and returned as ErrPermanent or ErrTemporary. Delivery status only moves
// forward: a late callback never moves it back.
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

// WhatsApp templates go on WhatsApp only.
func TestTemplateOnAnotherChannelIsRefused(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rc := receive(t, f, "sms", sms("+14155550100"), "s1", "Hello")
	m, err := f.SendTemplate(ctx, "ana", rc.Conversation.ID, "order_update", language.AmericanEnglish, map[string]string{"1": "#1"})
	requireRefused(t, f, rc.Conversation.ID, m, err, parley.ErrWrongChannel)
	assert.Contains(t, err.Error(), "sms")
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

// hangUp is a transport during whose Send the caller goes away (a client
// disconnecting mid-request): it cancels the caller's context, then
// answers as the provider did.
type hangUp struct {
	*parleytest.Transport
	cancel context.CancelFunc
}

func (h *hangUp) Send(ctx context.Context, out parley.Outgoing) (string, error) {
	h.cancel()
	return h.Transport.Send(context.WithoutCancel(ctx), out)
}

// Once the transport has answered, its outcome is recorded whatever the
// caller's context: a reply whose request was cancelled mid-send is stored
// sent with its provider ID, so the provider's delivery callback finds it.
func TestOutcomeIsRecordedWhenTheCallerLeavesMidSend(t *testing.T) {
	tr := &hangUp{Transport: parleytest.NewTransport()}
	f := newFixture(t, func(c *parley.Config) { c.Transport = tr })
	rc := receive(t, f, "wa", wa("+14155550100"), "w1", "Hello")

	ctx, cancel := context.WithCancel(context.Background())
	tr.cancel = cancel
	m, err := f.Reply(ctx, "ana", rc.Conversation.ID, "on it")
	require.NoError(t, err)
	assert.Equal(t, conversation.DeliverySent, m.Delivery.Status)
	stored := storedMessages(t, f, rc.Conversation.ID)
	require.Len(t, stored, 2)
	assert.Equal(t, conversation.DeliverySent, stored[1].Delivery.Status)
	assert.Equal(t, "fake-1", stored[1].ProviderID)

	changed, err := f.UpdateDelivery(context.Background(), parley.DeliveryReport{Touchpoint: "wa", ProviderID: "fake-1", Status: conversation.DeliveryDelivered, At: f.Clock.Now()})
	require.NoError(t, err, "the provider's callback finds the message")
	assert.True(t, changed)
}

// A message whose outcome is unknown — the caller left before the
// transport answered, or the store failed to record the answer — stays
// pending only until the next Tick, which hands it to the transport again
// under the same MessageID (sent once) and records the outcome.
func TestTickResendsAMessageLeftPending(t *testing.T) {
	cases := []struct {
		name  string
		leave func(t *testing.T, f *parleytest.Desk, store *outcomeLostStore, id conversation.ID) *conversation.Message
	}{
		{"caller left before the transport answered", func(t *testing.T, f *parleytest.Desk, _ *outcomeLostStore, id conversation.ID) *conversation.Message {
			f.Transport.Delay(time.Hour)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
			defer cancel()
			m, err := f.Reply(ctx, "ana", id, "on it")
			require.ErrorIs(t, err, context.DeadlineExceeded)
			f.Transport.Delay(0)
			return m
		}},
		{"store failed to record the answer", func(t *testing.T, f *parleytest.Desk, store *outcomeLostStore, id conversation.ID) *conversation.Message {
			store.failUpdates.Store(true)
			m, err := f.Reply(context.Background(), "ana", id, "on it")
			require.Error(t, err)
			store.failUpdates.Store(false)
			return m
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			store := &outcomeLostStore{Store: memory.NewConversationStore()}
			f := newFixture(t, func(c *parley.Config) { c.Conversations = store })
			ctx := context.Background()
			rc := receive(t, f, "wa", wa("+14155550100"), "w1", "Hello")
			m := tc.leave(t, f, store, rc.Conversation.ID)
			require.NotNil(t, m)
			stored := storedMessages(t, f, rc.Conversation.ID)
			require.Len(t, stored, 2)
			require.Equal(t, conversation.DeliveryPending, stored[1].Delivery.Status, "precondition: left pending")

			store.failUpdates.Store(true)
			assert.Error(t, f.Tick(ctx), "Tick reports a message it cannot record yet")
			store.failUpdates.Store(false)
			require.NoError(t, f.Tick(ctx))
			stored = storedMessages(t, f, rc.Conversation.ID)
			assert.Equal(t, m.ID, stored[1].ID)
			assert.Equal(t, conversation.DeliverySent, stored[1].Delivery.Status)
			assert.NotEmpty(t, stored[1].ProviderID)
			require.Len(t, f.Transport.Sent(), 1, "sent once")
			assert.Equal(t, m.ID, f.Transport.Sent()[0].MessageID, "under its own ID, the transport's idempotency key")
			require.NoError(t, f.Tick(ctx), "nothing left")
			assert.Len(t, f.Transport.Sent(), 1)
		})
	}
}

// A message left pending that the rules refuse by the time Tick re-drives
// it (the window closed meanwhile) fails with that reason: not sent, not
// left pending.
func TestTickFailsAPendingMessageTheRulesNowRefuse(t *testing.T) {
	store := &outcomeLostStore{Store: memory.NewConversationStore()}
	f := newFixture(t, func(c *parley.Config) { c.Conversations = store })
	ctx := context.Background()
	rc := receive(t, f, "wa", wa("+14155550100"), "w1", "Hello")
	f.Transport.FailNext(context.Canceled)
	store.failUpdates.Store(true)
	_, err := f.Reply(ctx, "ana", rc.Conversation.ID, "on it")
	require.Error(t, err)
	store.failUpdates.Store(false)

	f.Clock.Advance(25 * time.Hour)
	require.NoError(t, f.Tick(ctx))
	stored := storedMessages(t, f, rc.Conversation.ID)
	require.Len(t, stored, 2)
	assert.Equal(t, conversation.DeliveryFailed, stored[1].Delivery.Status)
	assert.Contains(t, stored[1].Delivery.Reason, "window")
	assert.Empty(t, f.Transport.Sent())
}

// leavePending replies in conversation id with the caller leaving before
// the transport answers, so the reply stays pending for Tick.
func leavePending(t *testing.T, f *parleytest.Desk, id conversation.ID) *conversation.Message {
	t.Helper()
	f.Transport.Delay(time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	m, err := f.Reply(ctx, "ana", id, "on it")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	f.Transport.Delay(0)
	require.NotNil(t, m)
	return m
}

// A pending message whose conversation is gone by the next Tick (the
// contact erased, or the history purged) has nothing left to send or
// record: Tick drops it rather than failing for ever, and never hands
// the erased contact's text to the transport.
func TestTickForgetsAPendingMessageOfAnErasedContact(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	id := receive(t, f, "wa", wa("+14155550100"), "w1", "Hello").Conversation.ID
	leavePending(t, f, id)
	_, err := f.Erase(ctx, parley.SystemActor, wa("+14155550100"))
	require.NoError(t, err)

	assert.NoError(t, f.Tick(ctx), "nothing is left to re-drive")
	assert.NoError(t, f.Tick(ctx))
	assert.Empty(t, f.Transport.Sent(), "the erased contact gets nothing")
}

// A pending message whose conversation was closed before Tick re-drives
// it is judged by the rules of now, and its outcome recorded: never left
// pending.
func TestTickRecordsAPendingMessageOfAClosedConversation(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	id := receive(t, f, "wa", wa("+14155550100"), "w1", "Hello").Conversation.ID
	m := leavePending(t, f, id)
	require.NoError(t, f.Close(ctx, "ana", id, "done"))

	require.NoError(t, f.Tick(ctx))
	for _, s := range storedMessages(t, f, id) {
		if s.ID == m.ID {
			assert.NotEqual(t, conversation.DeliveryPending, s.Delivery.Status, "recorded, not left pending")
		}
	}
	require.NoError(t, f.Tick(ctx))
}

// Tick re-driving a pending message races a manual retry of the same
// draft: under -race, the message is sent once and recorded sent.
func TestTickRacesAManualRetry(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	id := receive(t, f, "wa", wa("+14155550100"), "w1", "Hello").Conversation.ID
	draft := parley.Draft{ID: conversation.ID{0x01, 0x9a, 0, 0, 0, 0, 0x70, 0, 0x80, 0, 0, 0, 0, 0, 0, 0x42}, Text: "on it"}
	f.Transport.Delay(time.Hour)
	cctx, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	_, err := f.SendDraft(cctx, "ana", id, draft)
	cancel()
	require.ErrorIs(t, err, context.DeadlineExceeded)
	f.Transport.Delay(0)

	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); assert.NoError(t, f.Tick(ctx)) }()
	go func() {
		defer wg.Done()
		_, err := f.SendDraft(ctx, "ana", id, draft)
		assert.NoError(t, err)
	}()
	wg.Wait()
	require.NoError(t, f.Tick(ctx))
	var sent int
	for _, o := range f.Transport.Sent() {
		if o.MessageID == draft.ID {
			sent++
		}
	}
	assert.GreaterOrEqual(t, sent, 1)
	msgs := storedMessages(t, f, id)
	assert.Equal(t, conversation.DeliverySent, msgs[len(msgs)-1].Delivery.Status)
}

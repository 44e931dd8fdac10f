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

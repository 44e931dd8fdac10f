package parley_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/optout"
)

// A webhook is a duplicate only of the same sender's message with that
// provider ID (conversation rule 9): on web chat and the host's own
// channel the client picks IDs, so two contacts may send the same one.
// Each gets its own message and conversation back, never the other's,
// and a contact's own retry is still a duplicate.
func TestReceiveKeysProviderIDOnTheSender(t *testing.T) {
	tests := []struct {
		name  string
		tp    string
		a, b  channel.Address
		bOpen bool // B has an open conversation: the store's append decides, not the lookup before a start
	}{
		{name: "WhatsApp, both open", tp: "wa", a: wa("+14155550100"), b: wa("+14155550101")},
		{name: "SMS, both open", tp: "sms", a: sms("+14155550100"), b: sms("+14155550101")},
		{name: "web chat, both open", tp: "chat", a: channel.Address{Kind: channel.WebChat, ID: "visitor-a"}, b: channel.Address{Kind: channel.WebChat, ID: "visitor-b"}},
		{name: "WhatsApp, B's conversation open", tp: "wa", a: wa("+14155550100"), b: wa("+14155550101"), bOpen: true},
		{name: "web chat, B's conversation open", tp: "chat", a: channel.Address{Kind: channel.WebChat, ID: "visitor-a"}, b: channel.Address{Kind: channel.WebChat, ID: "visitor-b"}, bOpen: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			bMsgs := 1
			if tt.bOpen {
				receive(t, f, tt.tp, tt.b, "msg-0", "hi")
				bMsgs = 2
			}
			ra := receive(t, f, tt.tp, tt.a, "msg-1", "hello from A")
			require.False(t, ra.Duplicate)

			rb := receive(t, f, tt.tp, tt.b, "msg-1", "hello from B")
			assert.False(t, rb.Duplicate, "another sender's reused ID is not a retry")
			require.NotNil(t, rb.Conversation)
			require.NotNil(t, rb.Message)
			assert.NotEqual(t, ra.Conversation.ID, rb.Conversation.ID, "B is answered with its own conversation")
			assert.NotEqual(t, ra.Message.ID, rb.Message.ID, "B's message is stored as its own")
			assert.Equal(t, "hello from B", rb.Message.Text)
			assert.Equal(t, rb.Conversation.ID, rb.Message.ConversationID)
			assert.NotEqual(t, ra.Conversation.Contact.ID, rb.Conversation.Contact.ID)
			msgs := storedMessages(t, f, rb.Conversation.ID)
			require.Len(t, msgs, bMsgs)
			assert.Equal(t, "hello from B", msgs[bMsgs-1].Text)

			retryA := receive(t, f, tt.tp, tt.a, "msg-1", "hello from A")
			assert.True(t, retryA.Duplicate, "A's own retry is a duplicate")
			require.NotNil(t, retryA.Message)
			assert.Equal(t, ra.Message.ID, retryA.Message.ID)
			assert.Equal(t, "hello from A", retryA.Message.Text)
			assert.Equal(t, ra.Conversation.ID, retryA.Conversation.ID)

			retryB := receive(t, f, tt.tp, tt.b, "msg-1", "hello from B")
			assert.True(t, retryB.Duplicate, "B's own retry is a duplicate")
			require.NotNil(t, retryB.Message)
			assert.Equal(t, rb.Message.ID, retryB.Message.ID)
			assert.Equal(t, rb.Conversation.ID, retryB.Conversation.ID)
			assert.Len(t, storedMessages(t, f, ra.Conversation.ID), 1, "A's conversation holds A's message only")
		})
	}
}

// An SMS keyword reusing another sender's provider ID applies to its
// sender only: B's STOP on A's ID opts out B, never A, and B's message
// on the ID of A's STOP opts out nobody but A.
func TestReceiveKeywordReusingAnotherSendersIDAppliesToTheSender(t *testing.T) {
	a, b := sms("+14155550100"), sms("+14155550101")
	tests := []struct {
		name         string
		textA, textB string
		keywordB     optout.Action
		optedOut     map[channel.Address]bool
	}{
		{name: "B's STOP on A's ID", textA: "hello", textB: "STOP", keywordB: optout.OptOut, optedOut: map[channel.Address]bool{a: false, b: true}},
		{name: "B's message on the ID of A's STOP", textA: "STOP", textB: "hello", keywordB: optout.None, optedOut: map[channel.Address]bool{a: true, b: false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ledger := memory.NewOptOutStore()
			f := newFixture(t, func(c *parley.Config) { c.OptOuts = ledger })
			ctx := context.Background()

			ra := receive(t, f, "sms", a, "SM1", tt.textA)
			rb := receive(t, f, "sms", b, "SM1", tt.textB)
			assert.False(t, rb.Duplicate)
			assert.Equal(t, tt.keywordB, rb.Keyword, "B's message is read as B's")
			require.NotNil(t, rb.Conversation)
			require.NotNil(t, rb.Message)
			assert.NotEqual(t, ra.Conversation.ID, rb.Conversation.ID)
			assert.Equal(t, tt.textB, rb.Message.Text)

			for addr, want := range tt.optedOut {
				e, ok, err := ledger.Latest(ctx, optout.DefaultScope, addr)
				require.NoError(t, err)
				if want {
					assert.True(t, ok && e.Action == optout.OptOut, "%s sent STOP: opted out in the ledger, got %+v", addr, e)
				} else {
					assert.False(t, ok, "%s never sent STOP: no ledger entry, got %+v", addr, e)
				}
			}
			for _, rc := range []parley.Receipt{ra, rb} {
				_, err := f.Reply(ctx, "ana", rc.Conversation.ID, "are you there?")
				if tt.optedOut[rc.Conversation.Contact.Addresses[0]] {
					assert.ErrorIs(t, err, optout.ErrOptedOut, "%s opted out", rc.Conversation.Contact.ID)
				} else {
					assert.NoError(t, err, "%s may still be written to", rc.Conversation.Contact.ID)
				}
			}
		})
	}
}

// Two SMS contacts reusing one provider ID: the STOP opts out its own
// sender only, and each receipt carries its own conversation.
func TestReusedIDWithStopOptsOutItsSenderOnly(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	a := receive(t, f, "sms", sms("+14155550100"), "s1", "STOP")
	b := receive(t, f, "sms", sms("+14155550101"), "s1", "hello")
	assert.False(t, b.Duplicate)
	assert.Equal(t, optout.OptOut, a.Keyword)
	assert.NotEqual(t, optout.OptOut, b.Keyword)
	ca, err := f.Composer(ctx, "ana", a.Conversation.ID)
	require.NoError(t, err)
	cb, err := f.Composer(ctx, "ana", b.Conversation.ID)
	require.NoError(t, err)
	assert.True(t, ca.OptedOut)
	assert.False(t, cb.OptedOut)
	retry := receive(t, f, "sms", sms("+14155550101"), "s1", "hello")
	assert.True(t, retry.Duplicate)
	assert.Equal(t, b.Conversation.ID, retry.Conversation.ID)
}

// An inbound message whose provider ID equals the provider ID the
// transport gave an outbound message: the delivery report updates the
// outbound message, never the contact's.
func TestDeliveryReportMatchesOutboundOnly(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	rc := receive(t, f, "wa", wa("+14155550100"), "fake-1", "hello")
	m, err := f.Reply(ctx, "ana", rc.Conversation.ID, "hi")
	require.NoError(t, err)
	require.Equal(t, "fake-1", m.ProviderID, "precondition: the IDs collide")
	changed, err := f.UpdateDelivery(ctx, parley.DeliveryReport{Touchpoint: "wa", ProviderID: "fake-1", Status: conversation.DeliveryDelivered, At: f.Clock.Now()})
	require.NoError(t, err)
	assert.True(t, changed)
	for _, s := range storedMessages(t, f, rc.Conversation.ID) {
		if s.Direction == conversation.Inbound {
			assert.Equal(t, conversation.DeliveryStatus(0), s.Delivery.Status, "the contact's message is untouched")
		} else {
			assert.Equal(t, conversation.DeliveryDelivered, s.Delivery.Status)
		}
	}
}

package parley_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/parleytest"
)

// Transports sends each message through its touchpoint's transport; a
// touchpoint without one is a permanent failure, recorded on the message.
func TestTransportsRouteByTouchpoint(t *testing.T) {
	whatsapp, texts := parleytest.NewTransport(), parleytest.NewTransport()
	f := newFixture(t, func(c *parley.Config) {
		c.Transport = parley.Transports{"wa": whatsapp, "sms": texts}
	})
	ctx := context.Background()
	viaWA := receive(t, f, "wa", wa("+14155550100"), "w1", "hi").Conversation.ID
	viaSMS := receive(t, f, "sms", sms("+14155550101"), "s1", "hi").Conversation.ID
	viaChat := receive(t, f, "chat", channel.Address{Kind: channel.WebChat, ID: "v1"}, "c1", "hi").Conversation.ID

	_, err := f.Reply(ctx, "ana", viaWA, "on WhatsApp")
	require.NoError(t, err)
	_, err = f.Reply(ctx, "ana", viaSMS, "by SMS")
	require.NoError(t, err)
	require.Len(t, whatsapp.Sent(), 1)
	assert.Equal(t, "on WhatsApp", whatsapp.Sent()[0].Text)
	require.Len(t, texts.Sent(), 1)
	assert.Equal(t, "by SMS", texts.Sent()[0].Text)

	m, err := f.Reply(ctx, "bo", viaChat, "nobody carries this")
	assert.ErrorIs(t, err, parley.ErrPermanent)
	assert.ErrorIs(t, err, parley.ErrUnknownTouchpoint)
	require.NotNil(t, m)
	assert.Equal(t, conversation.DeliveryFailed, m.Delivery.Status)
}

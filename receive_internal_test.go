package parley

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/memory"
)

// Only windowed channels are tracked: an SMS or e-mail pair has no
// window, and an entry for it would never be read nor pruned.
func TestReceiveTracksOnlyWindowedChannels(t *testing.T) {
	d, err := New(Config{
		Transport: TransportFunc(func(context.Context, Outgoing) (string, error) { return "id", nil }),
		Touchpoints: []Touchpoint{
			{ID: "wa", Kind: channel.WhatsApp, Address: "+14155550000", Queues: []string{"support"}},
			{ID: "sms", Kind: channel.SMS, Address: "+14155550001", Queues: []string{"support"}},
		},
	})
	require.NoError(t, err)
	ctx := context.Background()
	_, err = d.Receive(ctx, Inbound{Touchpoint: "sms", From: channel.Address{Kind: channel.SMS, ID: "+14155550100"}, ProviderID: "s1", Text: "hi"})
	require.NoError(t, err)
	assert.Zero(t, d.windows.(*memory.WindowStore).Tracker().Len(), "an SMS pair is not tracked")
	_, err = d.Receive(ctx, Inbound{Touchpoint: "wa", From: channel.Address{Kind: channel.WhatsApp, ID: "+14155550100"}, ProviderID: "w1", Text: "hi"})
	require.NoError(t, err)
	assert.Equal(t, 1, d.windows.(*memory.WindowStore).Tracker().Len(), "a WhatsApp pair is")
}

// A refused inbound message touches no window: the window opens on a
// message stored, never on one refused.
func TestRefusedInboundTouchesNoWindow(t *testing.T) {
	d, err := New(Config{
		Transport:   TransportFunc(func(context.Context, Outgoing) (string, error) { return "id", nil }),
		Touchpoints: []Touchpoint{{ID: "wa", Kind: channel.WhatsApp, Address: "+14155550000", Queues: []string{"support"}}},
	})
	require.NoError(t, err)
	for _, in := range []Inbound{
		{Text: "\x00"},
		{Text: "  "},
		{Text: "hi", ProviderID: string(make([]byte, channel.MaxIDLength+1))},
	} {
		in.Touchpoint, in.From = "wa", channel.Address{Kind: channel.WhatsApp, ID: "+14155550100"}
		_, err := d.Receive(context.Background(), in)
		require.Error(t, err)
		assert.Zero(t, d.windows.(*memory.WindowStore).Tracker().Len(), "refused %q: no window", in.Text)
	}
}

package parley

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
)

// Erasing a contact removes its address from the address cache too:
// nothing of it stays in memory.
func TestEraseForgetsTheContactsAddress(t *testing.T) {
	d, err := New(Config{
		Transport:   TransportFunc(func(context.Context, Outgoing) (string, error) { return "id", nil }),
		Touchpoints: []Touchpoint{{ID: "wa", Kind: channel.WhatsApp, Address: "+14155550000", Queues: []string{"support"}}},
	})
	require.NoError(t, err)
	ctx := context.Background()
	from := channel.Address{Kind: channel.WhatsApp, ID: "+1 (415) 555-0100"}
	_, err = d.Receive(ctx, Inbound{Touchpoint: "wa", From: from, ProviderID: "w1", Text: "forget me"})
	require.NoError(t, err)
	require.Contains(t, d.addrs.byKind[channel.WhatsApp], from.ID, "precondition: the address is cached")

	_, err = d.Erase(ctx, SystemActor, from)
	require.NoError(t, err)
	assert.NotContains(t, d.addrs.byKind[channel.WhatsApp], from.ID)
}

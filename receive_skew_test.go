package parley_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/parleytest"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/session"
)

// A provider timestamp ahead of the desk's clock must not open the
// WhatsApp window in the future: the window runs from when the desk took
// the message in, and closes 24 h after it (DESIGN.md §3.2).
func TestReceiveClampsFutureTimestamp(t *testing.T) {
	ctx := context.Background()
	clock := parleytest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	tr := parleytest.NewTransport()
	d, err := parley.New(parley.Config{
		Transport: tr, Clock: clock.Now,
		Touchpoints: []channel.Touchpoint{{ID: "wa", Kind: channel.WhatsApp, Address: "+14155550000", Queues: []string{"support"}}},
		Agents:      []routing.Agent{{ID: "ana", Queues: []string{"support"}}},
	})
	require.NoError(t, err)
	rc, err := d.Receive(ctx, parley.Inbound{Touchpoint: "wa", From: channel.Address{Kind: channel.WhatsApp, ID: "+14155550100"},
		ProviderID: "wamid.1", Text: "hi", At: clock.Now().Add(5 * 365 * 24 * time.Hour)})
	require.NoError(t, err)
	assert.Equal(t, clock.Now(), rc.Message.CreatedAt.In(time.UTC), "a future provider time is taken as now")

	clock.Advance(24 * time.Hour)
	_, err = d.Reply(ctx, "ana", rc.Conversation.ID, "sorry for the wait")
	assert.ErrorIs(t, err, session.ErrWindowClosed, "the window closes 24 h after the desk took the message in")
	assert.Empty(t, tr.Sent())
}

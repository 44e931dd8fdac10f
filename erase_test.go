package parley_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/routing"
)

// noEraser is a conversation store without conversation.Eraser.
type noEraser struct{ conversation.Store }

// Erasing a contact releases the weight its conversations held: the agent
// has room again, and nothing of the contact stays in the inbox.
func TestEraseFreesTheWeightItsConversationsHeld(t *testing.T) {
	ledger := memory.NewLedger()
	f := newFixture(t, func(c *parley.Config) {
		c.Agents = []routing.Agent{{ID: "ana", Queues: []string{"support"}, Capacity: 25}}
		c.Ledger = ledger
	})
	ctx := context.Background()
	gone := receive(t, f, "wa", wa("+14155550100"), "w1", "forget me")
	next := receive(t, f, "wa", wa("+14155550101"), "w2", "hello")
	require.NoError(t, f.Assign(ctx, parley.SystemActor, gone.Conversation.ID, "ana"))
	require.ErrorIs(t, f.Assign(ctx, parley.SystemActor, next.Conversation.ID, "ana"), routing.ErrOverCapacity, "precondition: ana is full")

	er, err := f.Erase(ctx, parley.SystemActor, wa("+1 (415) 555-0100"))
	require.NoError(t, err)
	assert.Equal(t, 1, er.Conversations)
	load, err := ledger.Load(ctx, "ana")
	require.NoError(t, err)
	assert.Zero(t, load, "the erased conversation's 20 points are freed")
	assert.NoError(t, f.Assign(ctx, parley.SystemActor, next.Conversation.ID, "ana"), "ana has room again")
	inbox, err := f.Inbox(ctx, "ana", routing.OldestFirst)
	require.NoError(t, err)
	assert.Empty(t, inbox)
}

// On a store without conversation.Eraser, Erase fails with
// ErrEraseUnsupported and erases nothing, so the caller knows the contact
// was not forgotten.
func TestEraseRefusesAStoreThatCannotErase(t *testing.T) {
	store := memory.NewConversationStore()
	f := newFixture(t, func(c *parley.Config) { c.Conversations = noEraser{store} })
	ctx := context.Background()
	rc := receive(t, f, "wa", wa("+14155550100"), "w1", "forget me")

	_, err := f.Erase(ctx, parley.SystemActor, wa("+14155550100"))
	require.ErrorIs(t, err, parley.ErrEraseUnsupported)
	_, err = f.Conversation(ctx, parley.SystemActor, rc.Conversation.ID)
	assert.NoError(t, err, "nothing is erased, and the caller is told")
}

// Erasing a contact forgets its WhatsApp window: the Desk no longer knows
// when it last wrote, so a free-form Start is refused.
func TestEraseForgetsTheContactsWindow(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	receive(t, f, "wa", wa("+14155550100"), "w1", "forget me")
	receive(t, f, "wa", wa("+14155550101"), "w2", "keep me")
	ws, err := f.ExpiringWindows(context.Background(), parley.SystemActor, 25*time.Hour)
	require.NoError(t, err)
	require.Len(t, ws, 2, "precondition: both windows tracked")

	_, err = f.Erase(ctx, parley.SystemActor, wa("+14155550100"))
	require.NoError(t, err)
	ws, err = f.ExpiringWindows(context.Background(), parley.SystemActor, 25*time.Hour)
	require.NoError(t, err)
	require.Len(t, ws, 1, "the erased contact's last message time is forgotten")
	assert.Equal(t, wa("+14155550101"), ws[0].Key.Contact)
	_, _, err = f.Start(ctx, "ana", parley.Opening{Touchpoint: "wa", To: wa("+14155550100"), Text: "still there?"})
	assert.ErrorIs(t, err, parley.ErrBusinessInitiated, "no window is known for an erased contact")
}

// Erase refuses an address that does not parse, and erases nothing.
func TestEraseOddAddresses(t *testing.T) {
	ctx := context.Background()
	for _, addr := range []channel.Address{
		wa("14155550100"), wa("+"), wa(""), wa("+14155550100\x00"),
		wa("+1"), sms("+1415555010a"), {Kind: channel.WebChat, ID: ""}, {Kind: channel.Kind(99), ID: "+14155550100"},
		{},
	} {
		t.Run(fmt.Sprintf("%q", addr.ID), func(t *testing.T) {
			f := newFixture(t)
			id := receive(t, f, "wa", wa("+14155550100"), "w1", "hello").Conversation.ID
			_, err := f.Erase(ctx, parley.SystemActor, addr)
			assert.Error(t, err)
			_, err = f.Conversation(ctx, parley.SystemActor, id)
			assert.NoError(t, err, "nothing erased")
		})
	}
}

package parley_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/parleytest"
	"github.com/parleyhq/parley/routing"
)

// sharedDesks returns two desks, as two processes would run them, sharing
// one conversation store, one routing Ledger and one clock: ana (and only
// ana) serves the support queue, with room for capacity points.
func sharedDesks(t *testing.T, mode routing.Mode, capacity int) (a, b *parleytest.Desk, ledger *memory.Ledger, clock *parleytest.Clock) {
	t.Helper()
	store := memory.NewConversationStore()
	ledger = memory.NewLedger()
	clock = parleytest.NewClock(parleytest.Epoch)
	cfg := func(idStart time.Time) func(*parley.Config) {
		return func(c *parley.Config) {
			c.Conversations, c.Ledger, c.Clock = store, ledger, clock.Now
			c.NewID = conversation.SequentialIDs(idStart)
			c.Agents = []routing.Agent{{ID: "ana", Queues: []string{"support"}, Capacity: capacity}}
			c.Options = map[string]parley.TouchpointOptions{"wa": {Routing: routing.Touchpoint{Mode: mode}}}
		}
	}
	a = newFixture(t, cfg(parleytest.Epoch))
	b = newFixture(t, cfg(parleytest.Epoch.Add(time.Hour))) // IDs of its own
	return a, b, ledger, clock
}

func status(t *testing.T, f *parleytest.Desk, id conversation.ID) (conversation.Status, string) {
	t.Helper()
	c, err := f.Conversation(context.Background(), id)
	require.NoError(t, err)
	return c.Status, c.AssigneeID
}

func TestWaitingConversationIsDispatchedOnTickWhenAnotherDeskFreesRoom(t *testing.T) {
	a, b, _, _ := sharedDesks(t, routing.Automatic, 20)
	ctx := context.Background()
	first := receive(t, a, "wa", wa("+14155550101"), "w1", "one")
	require.Equal(t, routing.Assigned, first.Routing.Outcome, "precondition: a gives ana the first")
	second := receive(t, b, "wa", wa("+14155550102"), "w2", "two")
	require.Equal(t, routing.Waiting, second.Routing.Outcome, "precondition: ana is full, the Ledger says so")

	require.NoError(t, a.Close(ctx, first.Conversation.ID, "done"))
	require.NoError(t, b.Tick(ctx))
	st, who := status(t, b, second.Conversation.ID)
	assert.Equal(t, conversation.Assigned, st, "b learns on Tick that ana has room")
	assert.Equal(t, "ana", who)
	assert.Contains(t, b.Publisher.Names(), "conversation.assigned")
}

func TestNewConversationRefreshesAgentsBeforeWaiting(t *testing.T) {
	a, b, ledger, _ := sharedDesks(t, routing.Automatic, 40)
	ctx := context.Background()
	one := receive(t, a, "wa", wa("+14155550101"), "w1", "one")
	two := receive(t, a, "wa", wa("+14155550102"), "w2", "two")
	older := receive(t, b, "wa", wa("+14155550103"), "w3", "three")
	require.Equal(t, routing.Waiting, older.Routing.Outcome, "precondition: b learned ana is full")

	require.NoError(t, a.Close(ctx, one.Conversation.ID, "done"))
	require.NoError(t, a.Close(ctx, two.Conversation.ID, "done"))
	newer := receive(t, b, "wa", wa("+14155550104"), "w4", "four")
	assert.Equal(t, routing.Assigned, newer.Routing.Outcome, "b refreshes ana before saying all agents are busy")
	st, who := status(t, b, older.Conversation.ID)
	assert.Equal(t, conversation.Assigned, st, "the one waiting longer is dispatched too")
	assert.Equal(t, "ana", who)
	load, err := ledger.Load(ctx, "ana")
	require.NoError(t, err)
	assert.Equal(t, 40, load)
}

func TestAssignRefreshesTheAgentFromTheLedger(t *testing.T) {
	a, b, _, _ := sharedDesks(t, routing.Simplified, 20)
	ctx := context.Background()
	one := receive(t, a, "wa", wa("+14155550101"), "w1", "one")
	two := receive(t, b, "wa", wa("+14155550102"), "w2", "two")
	require.NoError(t, a.Assign(ctx, one.Conversation.ID, "ana"))
	require.ErrorIs(t, b.Assign(ctx, two.Conversation.ID, "ana"), routing.ErrOverCapacity, "precondition: ana is full")

	require.NoError(t, a.End(ctx, one.Conversation.ID))
	assert.NoError(t, b.Assign(ctx, two.Conversation.ID, "ana"), "b learns ana has room before refusing")
}

func TestCloseOnAnotherDeskFreesTheWeight(t *testing.T) {
	a, b, ledger, _ := sharedDesks(t, routing.Simplified, 20)
	ctx := context.Background()
	one := receive(t, a, "wa", wa("+14155550101"), "w1", "one")
	two := receive(t, a, "wa", wa("+14155550102"), "w2", "two")
	require.NoError(t, a.Assign(ctx, one.Conversation.ID, "ana"))

	require.NoError(t, b.Close(ctx, one.Conversation.ID, "closed from the other desk"))
	load, err := ledger.Load(ctx, "ana")
	require.NoError(t, err)
	assert.Zero(t, load, "b frees the reservation a made")

	require.NoError(t, a.Tick(ctx)) // a forgets what b closed
	assert.NoError(t, a.Assign(ctx, two.Conversation.ID, "ana"))
}

func TestInboxIsSharedBetweenDesks(t *testing.T) {
	a, b, _, _ := sharedDesks(t, routing.Simplified, 100)
	ctx := context.Background()
	rc := receive(t, a, "wa", wa("+14155550101"), "w1", "one")

	inbox, err := b.Inbox(ctx, "ana", routing.OldestFirst)
	require.NoError(t, err)
	require.Len(t, inbox, 1, "b lists what a received")
	assert.Equal(t, rc.Conversation.ID, inbox[0].ID)

	require.NoError(t, b.Assign(ctx, rc.Conversation.ID, "ana"))
	inbox, err = a.Inbox(ctx, "ana", routing.OldestFirst)
	require.NoError(t, err)
	assert.Empty(t, inbox, "a no longer lists what b assigned")
}

func TestInboxOrdersByPriorityThenAge(t *testing.T) {
	f := newFixture(t, func(c *parley.Config) {
		c.Options = map[string]parley.TouchpointOptions{"sms": {Priority: 5}}
		c.Supervisors = []string{"bo"}
	})
	ctx := context.Background()
	oldWA := receive(t, f, "wa", wa("+14155550101"), "w1", "oldest")
	f.Clock.Advance(time.Minute)
	urgent := receive(t, f, "sms", sms("+14155550102"), "s1", "urgent")
	f.Clock.Advance(time.Minute)
	newWA := receive(t, f, "wa", wa("+14155550103"), "w2", "newest")
	f.Clock.Advance(time.Minute)
	receive(t, f, "wa", wa("+14155550101"), "w3", "the oldest writes again") // its window now closes last
	receive(t, f, "chat", channel.Address{Kind: channel.WebChat, ID: "v-1"}, "c1", "in sales")

	ids := func(order routing.Order) []conversation.ID {
		t.Helper()
		inbox, err := f.Inbox(ctx, "bo", order)
		require.NoError(t, err)
		var out []conversation.ID
		for _, c := range inbox {
			if c.Touchpoint != "chat" {
				out = append(out, c.ID)
			}
		}
		return out
	}
	want := []conversation.ID{urgent.Conversation.ID, oldWA.Conversation.ID, newWA.Conversation.ID}
	assert.Equal(t, want, ids(routing.OldestFirst))
	want = []conversation.ID{urgent.Conversation.ID, newWA.Conversation.ID, oldWA.Conversation.ID}
	assert.Equal(t, want, ids(routing.NewestFirst))
	assert.Equal(t, want, ids(routing.WindowClosingFirst), "the window closing soonest first")

	inbox, err := f.Inbox(ctx, "ana", routing.OldestFirst)
	require.NoError(t, err)
	assert.Len(t, inbox, 3, "ana is not in sales: the chat is not hers to see")
}

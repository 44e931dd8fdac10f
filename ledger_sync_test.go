package parley_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
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
			touchpointOf(c, "wa").Routing = routing.Policy{Mode: mode}
		}
	}
	a = newFixture(t, cfg(parleytest.Epoch))
	b = newFixture(t, cfg(parleytest.Epoch.Add(time.Hour))) // IDs of its own
	return a, b, ledger, clock
}

// Capacity is shared through the Ledger: room freed on one desk reaches a
// conversation waiting on another at that desk's next Tick.
func TestWaitingConversationIsDispatchedOnTickWhenAnotherDeskFreesRoom(t *testing.T) {
	a, b, _, _ := sharedDesks(t, routing.Automatic, 20)
	ctx := context.Background()
	first := receive(t, a, "wa", wa("+14155550101"), "w1", "one")
	require.Equal(t, routing.Assigned, first.Routing.Outcome, "precondition: a gives ana the first")
	second := receive(t, b, "wa", wa("+14155550102"), "w2", "two")
	require.Equal(t, routing.Waiting, second.Routing.Outcome, "precondition: ana is full, the Ledger says so")

	require.NoError(t, a.Close(ctx, parley.SystemActor, first.Conversation.ID, "done"))
	require.NoError(t, b.Tick(ctx))
	st, who := status(t, b, second.Conversation.ID)
	assert.Equal(t, conversation.Assigned, st, "b learns on Tick that ana has room")
	assert.Equal(t, "ana", who)
	assert.Contains(t, b.Publisher.Names(), "conversation.assigned")
}

// Before a new conversation waits for want of room, the desk refreshes the
// agents' load from the Ledger; room it finds goes to the conversation
// waiting longest too.
func TestNewConversationRefreshesAgentsBeforeWaiting(t *testing.T) {
	a, b, ledger, _ := sharedDesks(t, routing.Automatic, 40)
	ctx := context.Background()
	one := receive(t, a, "wa", wa("+14155550101"), "w1", "one")
	two := receive(t, a, "wa", wa("+14155550102"), "w2", "two")
	older := receive(t, b, "wa", wa("+14155550103"), "w3", "three")
	require.Equal(t, routing.Waiting, older.Routing.Outcome, "precondition: b learned ana is full")

	require.NoError(t, a.Close(ctx, parley.SystemActor, one.Conversation.ID, "done"))
	require.NoError(t, a.Close(ctx, parley.SystemActor, two.Conversation.ID, "done"))
	newer := receive(t, b, "wa", wa("+14155550104"), "w4", "four")
	assert.Equal(t, routing.Assigned, newer.Routing.Outcome, "b refreshes ana before saying all agents are busy")
	st, who := status(t, b, older.Conversation.ID)
	assert.Equal(t, conversation.Assigned, st, "the one waiting longer is dispatched too")
	assert.Equal(t, "ana", who)
	load, err := ledger.Load(ctx, "ana")
	require.NoError(t, err)
	assert.Equal(t, 40, load)
}

// Before refusing an assignment over capacity, the desk refreshes the
// agent's load from the Ledger.
func TestAssignRefreshesTheAgentFromTheLedger(t *testing.T) {
	a, b, _, _ := sharedDesks(t, routing.Simplified, 20)
	ctx := context.Background()
	one := receive(t, a, "wa", wa("+14155550101"), "w1", "one")
	two := receive(t, b, "wa", wa("+14155550102"), "w2", "two")
	require.NoError(t, a.Assign(ctx, parley.SystemActor, one.Conversation.ID, "ana"))
	require.ErrorIs(t, b.Assign(ctx, parley.SystemActor, two.Conversation.ID, "ana"), routing.ErrOverCapacity, "precondition: ana is full")

	require.NoError(t, a.End(ctx, parley.SystemActor, one.Conversation.ID))
	assert.NoError(t, b.Assign(ctx, parley.SystemActor, two.Conversation.ID, "ana"), "b learns ana has room before refusing")
}

// Any desk may close any conversation: the close releases the weight
// another desk reserved.
func TestCloseOnAnotherDeskFreesTheWeight(t *testing.T) {
	a, b, ledger, _ := sharedDesks(t, routing.Simplified, 20)
	ctx := context.Background()
	one := receive(t, a, "wa", wa("+14155550101"), "w1", "one")
	two := receive(t, a, "wa", wa("+14155550102"), "w2", "two")
	require.NoError(t, a.Assign(ctx, parley.SystemActor, one.Conversation.ID, "ana"))

	require.NoError(t, b.Close(ctx, parley.SystemActor, one.Conversation.ID, "closed from the other desk"))
	load, err := ledger.Load(ctx, "ana")
	require.NoError(t, err)
	assert.Zero(t, load, "b frees the reservation a made")

	require.NoError(t, a.Tick(ctx)) // a forgets what b closed
	assert.NoError(t, a.Assign(ctx, parley.SystemActor, two.Conversation.ID, "ana"))
}

// The inbox is the store's: a desk lists what another received and stops
// listing what another assigned.
func TestInboxIsSharedBetweenDesks(t *testing.T) {
	a, b, _, _ := sharedDesks(t, routing.Simplified, 100)
	ctx := context.Background()
	rc := receive(t, a, "wa", wa("+14155550101"), "w1", "one")

	inbox, err := b.Inbox(ctx, "ana", routing.OldestFirst)
	require.NoError(t, err)
	require.Len(t, inbox, 1, "b lists what a received")
	assert.Equal(t, rc.Conversation.ID, inbox[0].ID)

	require.NoError(t, b.Assign(ctx, parley.SystemActor, rc.Conversation.ID, "ana"))
	inbox, err = a.Inbox(ctx, "ana", routing.OldestFirst)
	require.NoError(t, err)
	assert.Empty(t, inbox, "a no longer lists what b assigned")
}

// A webhook whose routing dispatches another waiting conversation (a
// refresh from the Ledger found room) returns with that conversation
// stored as assigned, even when the two share a lock stripe: the store
// never says Queued for a conversation the router and the Ledger give an
// agent. Stripes depend on each desk's random seed, so the scenario runs
// on many desks to meet a shared one.
func TestDispatchedByAReceiveIsStoredWhenItReturns(t *testing.T) {
	ctx := context.Background()
	for i := range 400 {
		a, b, _, _ := sharedDesks(t, routing.Automatic, 40)
		one := receive(t, a, "wa", wa("+14155550101"), "w1", "one")
		two := receive(t, a, "wa", wa("+14155550102"), "w2", "two")
		older := receive(t, b, "wa", wa("+14155550103"), "w3", "three")
		require.Equal(t, routing.Waiting, older.Routing.Outcome, "precondition")
		require.NoError(t, a.Close(ctx, parley.SystemActor, one.Conversation.ID, "done"))
		require.NoError(t, a.Close(ctx, parley.SystemActor, two.Conversation.ID, "done"))
		receive(t, b, "wa", wa("+14155550104"), "w4", "four")
		st, who := status(t, b, older.Conversation.ID)
		require.Equal(t, conversation.Assigned, st, "desk %d: dispatched, so stored as assigned when Receive returns", i)
		require.Equal(t, "ana", who)
	}
}

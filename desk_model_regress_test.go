package parley_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
)

// Regression tests for what the model-based tests found.

// TestReceiveRacingCloseKeepsTheMessage: an agent closing the contact's
// conversation while its next webhook is being received must not bury the
// message in the closed conversation. TestModelConcurrent found it: the
// Receive failed with "has ended", and the provider's retry found the
// message stored, so it was a duplicate, counted nowhere and announced to
// no agent (DESIGN.md §7: nothing lost).
func TestReceiveRacingCloseKeepsTheMessage(t *testing.T) {
	h := newHarness(t, 1)
	ctx := context.Background()
	first, err := h.d.Receive(ctx, parley.Inbound{Touchpoint: "wa", From: wa("+14155550101"), ProviderID: "w1", Text: "hello"})
	require.NoError(t, err)
	require.NoError(t, h.d.Assign(ctx, first.Conversation.ID, "ana"))

	var once sync.Once
	var closing sync.WaitGroup
	h.store.onFindOpen = func(c *conversation.Conversation) {
		once.Do(func() {
			closed := make(chan struct{})
			closing.Go(func() {
				assert.NoError(t, h.d.Close(ctx, c.ID, "solved"))
				close(closed)
			})
			// Give the close every chance to win the race it used to win;
			// the Desk must make it wait for the message instead.
			select {
			case <-closed:
			case <-time.After(100 * time.Millisecond):
			}
		})
	}
	rc, err := h.d.Receive(ctx, parley.Inbound{Touchpoint: "wa", From: wa("+14155550101"), ProviderID: "w2", Text: "one more thing"})
	closing.Wait()
	require.NoError(t, err, "the webhook must be accepted, not lost to the close")
	assert.False(t, rc.Duplicate)
	assert.Equal(t, 1, h.pub.count("message.received")-1, "the message is announced to agents")
	if rc.Started {
		assert.Equal(t, first.Conversation.ID, rc.Conversation.Previous, "a follow-up of the closed conversation")
	} else {
		assert.Equal(t, first.Conversation.ID, rc.Conversation.ID, "received before the close, then closed")
	}
}

// TestDispatchedByAReceiveIsStoredWhenItReturns: a webhook whose routing
// dispatches another waiting conversation (a refresh from the Ledger found
// room) must return with that one stored as assigned. The Desk applied
// such a decision at once only when the other conversation's lock stripe
// was free; when it shared a stripe with the new conversation (1 in 64,
// by the desk's random seed), the decision waited for the next Tick, and
// the store said Queued for a conversation the router and the Ledger said
// was assigned. TestNewConversationRefreshesAgentsBeforeWaiting failed so,
// now and then. The scenario runs on many desks, so many seeds, to meet a
// shared stripe.
func TestDispatchedByAReceiveIsStoredWhenItReturns(t *testing.T) {
	ctx := context.Background()
	for i := range 400 {
		a, b, _, _ := sharedDesks(t, routing.Automatic, 40)
		one := receive(t, a, "wa", wa("+14155550101"), "w1", "one")
		two := receive(t, a, "wa", wa("+14155550102"), "w2", "two")
		older := receive(t, b, "wa", wa("+14155550103"), "w3", "three")
		require.Equal(t, routing.Waiting, older.Routing.Outcome, "precondition")
		require.NoError(t, a.Close(ctx, one.Conversation.ID, "done"))
		require.NoError(t, a.Close(ctx, two.Conversation.ID, "done"))
		receive(t, b, "wa", wa("+14155550104"), "w4", "four")
		st, who := status(t, b, older.Conversation.ID)
		require.Equal(t, conversation.Assigned, st, "desk %d: dispatched, so stored as assigned when Receive returns", i)
		require.Equal(t, "ana", who)
	}
}

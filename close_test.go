package parley_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/routing"
)

// updateFails is a store whose Update of one conversation fails. It
// hides ReceiveOpen, which the test does not need: its webhooks each start
// a conversation, which takes the plain steps anyway.
type updateFails struct {
	conversation.Store
	mu   sync.Mutex
	fail conversation.ID
}

func (s *updateFails) Update(ctx context.Context, c *conversation.Conversation) error {
	s.mu.Lock()
	fail := s.fail == c.ID
	s.mu.Unlock()
	if fail {
		return errors.New("store down")
	}
	return s.Store.Update(ctx, c)
}

// Closing frees the agent and the router gives the freed room to a
// waiting conversation. When the store then refuses the close, that
// decision still stands in the router, so it must reach the store too:
// the waiting conversation is assigned there, not left Queued while the
// router and the Ledger count it as the agent's. A retry of the close
// completes it.
func TestCloseFailingInTheStoreStillAppliesTheDispatch(t *testing.T) {
	ctx := context.Background()
	store := &updateFails{Store: memory.NewConversationStore()}
	f := newFixture(t, func(c *parley.Config) {
		c.Conversations = store
		c.Agents = []routing.Agent{{ID: "ana", Queues: []string{"support"}, Capacity: 20}}
		touchpointOf(c, "wa").Routing = routing.Policy{Mode: routing.Automatic}
	})
	first, err := f.Receive(ctx, parley.Inbound{Touchpoint: "wa", From: wa("+14155550100"), ProviderID: "w1", Text: "one"})
	require.NoError(t, err)
	require.Equal(t, "ana", first.Conversation.AssigneeID, "precondition: ana takes the first")
	second, err := f.Receive(ctx, parley.Inbound{Touchpoint: "wa", From: wa("+14155550101"), ProviderID: "w2", Text: "two"})
	require.NoError(t, err)
	require.Equal(t, conversation.Queued, second.Conversation.Status, "precondition: the second waits, ana is full")

	store.mu.Lock()
	store.fail = first.Conversation.ID
	store.mu.Unlock()
	require.Error(t, f.Close(ctx, parley.SystemActor, first.Conversation.ID, ""))

	got, err := f.Conversation(ctx, parley.SystemActor, second.Conversation.ID)
	require.NoError(t, err)
	assert.Equal(t, conversation.Assigned, got.Status, "the dispatch the router made is in the store")
	assert.Equal(t, "ana", got.AssigneeID)

	store.mu.Lock()
	store.fail = conversation.ID{}
	store.mu.Unlock()
	require.NoError(t, f.Close(ctx, parley.SystemActor, first.Conversation.ID, ""), "a retry of the close completes it")
	got, err = f.Conversation(ctx, parley.SystemActor, first.Conversation.ID)
	require.NoError(t, err)
	assert.Equal(t, conversation.Closed, got.Status)
}

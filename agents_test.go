package parley_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
)

// An agent's new capacity and queues take effect at once: room it gains
// goes to what waits, and a conversation already assigned stays its
// agent's. Updating an unknown agent is refused.
func TestUpdateAgentDispatchesWhatItCanNowTake(t *testing.T) {
	f := newFixture(t, func(c *parley.Config) {
		c.Agents = []routing.Agent{{ID: "ana", Queues: []string{"support"}, Capacity: 10}, {ID: "cy", Queues: []string{"sales"}}}
		touchpointOf(c, "wa").Routing = routing.Policy{Mode: routing.Automatic}
	})
	ctx := context.Background()
	rc := receive(t, f, "wa", wa("+14155550100"), "w1", "hello")
	require.Equal(t, routing.Waiting, rc.Routing.Outcome, "precondition: nobody in support has room for 20")

	require.NoError(t, f.UpdateAgent(ctx, routing.Agent{ID: "ana", Queues: []string{"support"}, Capacity: 100}))
	st, who := status(t, f, rc.Conversation.ID)
	assert.Equal(t, conversation.Assigned, st, "ana's new capacity takes the waiting conversation")
	assert.Equal(t, "ana", who)

	require.NoError(t, f.UpdateAgent(ctx, routing.Agent{ID: "cy", Queues: []string{"sales", "support"}}))
	a, err := f.Search(ctx, "cy", conversation.Query{})
	require.NoError(t, err)
	assert.Empty(t, a.Conversations, "ana's conversation stays hers")
	assert.ErrorIs(t, f.UpdateAgent(ctx, routing.Agent{ID: "ghost", Queues: []string{"support"}}), routing.ErrUnknownAgent)
}

// A removed agent's conversations go back to the inbox of their queues,
// and the agent is unknown from then on.
func TestRemoveAgentReturnsItsWorkToTheInbox(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rc := receive(t, f, "wa", wa("+14155550100"), "w1", "hello")
	require.NoError(t, f.Assign(ctx, parley.SystemActor, rc.Conversation.ID, "ana"))

	require.NoError(t, f.RemoveAgent(ctx, "ana"))
	st, who := status(t, f, rc.Conversation.ID)
	assert.Equal(t, conversation.Queued, st)
	assert.Empty(t, who)
	assert.Contains(t, f.Publisher.Names(), "conversation.sent_to_inbox")
	inbox, err := f.Inbox(ctx, "bo", routing.OldestFirst)
	require.NoError(t, err)
	require.Len(t, inbox, 1)
	assert.Equal(t, rc.Conversation.ID, inbox[0].ID)
	assert.ErrorIs(t, f.Assign(ctx, parley.SystemActor, rc.Conversation.ID, "ana"), routing.ErrUnknownAgent)
	assert.ErrorIs(t, f.RemoveAgent(ctx, "ana"), routing.ErrUnknownAgent)
}

// On an automatic touchpoint a removed agent's conversations are routed
// again, to another agent with room.
func TestRemoveAgentHandsAutomaticWorkOn(t *testing.T) {
	f := newFixture(t, func(c *parley.Config) {
		touchpointOf(c, "wa").Routing = routing.Policy{Mode: routing.Automatic}
	})
	ctx := context.Background()
	rc := receive(t, f, "wa", wa("+14155550100"), "w1", "hello")
	require.Equal(t, routing.Assigned, rc.Routing.Outcome)
	first := rc.Routing.AgentID

	require.NoError(t, f.RemoveAgent(ctx, first))
	st, who := status(t, f, rc.Conversation.ID)
	assert.Equal(t, conversation.Assigned, st)
	assert.NotEqual(t, first, who, "handed to the other support agent")
	assert.NotEmpty(t, who)
}

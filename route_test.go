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

// A dedicated touchpoint's conversations are assigned to its owner on
// arrival and marked dedicated.
func TestDedicatedTouchpoint(t *testing.T) {
	f := newFixture(t, func(c *parley.Config) {
		touchpointOf(c, "sms").Routing = routing.Policy{Mode: routing.Dedicated, Agent: "bo"}
	})
	rc := receive(t, f, "sms", sms("+14155550100"), "s1", "hi")
	assert.Equal(t, routing.Assigned, rc.Routing.Outcome)
	assert.True(t, rc.Routing.Dedicated)
	assert.Equal(t, "bo", rc.Conversation.AssigneeID)
	assert.Equal(t, conversation.AssignDedicated, rc.Conversation.AssignMode)
}

// An automatic touchpoint assigns while the agent has room; then the
// conversation waits, the busy message goes once per conversation, and
// freed room takes the waiting conversation.
func TestAutomaticRoutingByCapacity(t *testing.T) {
	f := newFixture(t, func(c *parley.Config) {
		c.Agents = []routing.Agent{{ID: "ana", Queues: []string{"support"}, Capacity: 40}}
		wa := touchpointOf(c, "wa")
		wa.Routing = routing.Policy{Mode: routing.Automatic}
		wa.BusyMessage = "All our agents are busy; we will answer soon."
	})
	ctx := context.Background()
	a := receive(t, f, "wa", wa("+14155550101"), "w1", "1")
	b := receive(t, f, "wa", wa("+14155550102"), "w2", "2")
	c := receive(t, f, "wa", wa("+14155550103"), "w3", "3")
	assert.Equal(t, routing.Assigned, a.Routing.Outcome)
	assert.Equal(t, routing.Assigned, b.Routing.Outcome)
	assert.Equal(t, routing.Waiting, c.Routing.Outcome, "20+20 fill 40; a third does not fit")
	assert.Equal(t, "ana", a.Conversation.AssigneeID)
	require.Len(t, f.Transport.Sent(), 1, "the busy message, once")
	assert.Equal(t, "All our agents are busy; we will answer soon.", f.Transport.Sent()[0].Text)

	receive(t, f, "wa", wa("+14155550103"), "w4", "hello??")
	assert.Len(t, f.Transport.Sent(), 1, "busy is said once per conversation")

	require.NoError(t, f.End(ctx, parley.SystemActor, a.Conversation.ID))
	got, err := f.Conversation(ctx, parley.SystemActor, c.Conversation.ID)
	require.NoError(t, err)
	assert.Equal(t, conversation.Assigned, got.Status, "freed capacity takes the waiting conversation")
	assert.Equal(t, "ana", got.AssigneeID)
}

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
	"github.com/parleyhq/parley/parleytest"
	"github.com/parleyhq/parley/routing"
)

// Assign takes only from the inbox; transfer moves an assigned
// conversation to another agent; escalation is announced; send to inbox
// returns the conversation to its queues, seen by their agents only.
func TestTransferSendToInboxAndEscalate(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rc := receive(t, f, "wa", wa("+14155550100"), "w1", "Hello")
	id := rc.Conversation.ID
	require.NoError(t, f.Assign(ctx, parley.SystemActor, id, "ana"))

	assert.ErrorIs(t, f.Assign(ctx, parley.SystemActor, id, "bo"), conversation.ErrInvalidTransition, "an assigned conversation is not in the inbox")
	require.NoError(t, f.Transfer(ctx, parley.SystemActor, id, "bo"))
	c, err := f.Conversation(ctx, parley.SystemActor, id)
	require.NoError(t, err)
	assert.Equal(t, "bo", c.AssigneeID)

	require.NoError(t, f.Escalate(ctx, parley.SystemActor, id))
	assert.Contains(t, f.Publisher.Names(), "conversation.escalated")

	require.NoError(t, f.SendToInbox(ctx, parley.SystemActor, id))
	c, err = f.Conversation(ctx, parley.SystemActor, id)
	require.NoError(t, err)
	assert.Equal(t, conversation.Queued, c.Status)
	assert.Empty(t, c.AssigneeID)

	inbox, err := f.Inbox(ctx, "ana", routing.OldestFirst)
	require.NoError(t, err)
	require.Len(t, inbox, 1)
	assert.Equal(t, id, inbox[0].ID)
	inbox, err = f.Inbox(ctx, "cy", routing.OldestFirst)
	require.NoError(t, err)
	assert.Empty(t, inbox, "cy is not in the support queue")
}

// An agent takes a conversation, by Assign or by a reply, only if its load
// plus the weight (20 for WhatsApp) fits its capacity; ending frees the
// weight, and ending twice is refused.
func TestCapacityRefusesAndReleaseFrees(t *testing.T) {
	f := newFixture(t, func(c *parley.Config) {
		c.Agents = []routing.Agent{{ID: "ana", Queues: []string{"support"}, Capacity: 25}}
	})
	ctx := context.Background()
	a := receive(t, f, "wa", wa("+14155550101"), "w1", "1")
	b := receive(t, f, "wa", wa("+14155550102"), "w2", "2")
	require.NoError(t, f.Assign(ctx, parley.SystemActor, a.Conversation.ID, "ana"))
	err := f.Assign(ctx, parley.SystemActor, b.Conversation.ID, "ana")
	var ce *routing.CapacityError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 20, ce.Load)
	assert.Equal(t, 20, ce.Weight)
	_, err = f.Reply(ctx, "ana", b.Conversation.ID, "hi")
	assert.ErrorIs(t, err, routing.ErrOverCapacity, "a reply cannot auto-assign past capacity")
	assert.Empty(t, f.Transport.Sent())

	require.NoError(t, f.End(ctx, parley.SystemActor, a.Conversation.ID))
	require.NoError(t, f.Assign(ctx, parley.SystemActor, b.Conversation.ID, "ana"))
	assert.ErrorIs(t, f.End(ctx, parley.SystemActor, a.Conversation.ID), conversation.ErrInvalidTransition, "ending twice")
	require.NoError(t, f.Close(ctx, parley.SystemActor, a.Conversation.ID, "done"))
}

// Only available agents receive new work: taken from the inbox or
// transferred, an away or draining agent is refused as an offline one is,
// and the conversation stays where it was.
func TestOnlyAvailableAgentsTakeWork(t *testing.T) {
	ctx := context.Background()
	for _, p := range []routing.Presence{routing.Away, routing.Offline, routing.Draining} {
		t.Run(p.String(), func(t *testing.T) {
			f := newFixture(t)
			queued := receive(t, f, "wa", wa("+14155550100"), "w1", "hello").Conversation.ID
			held := receive(t, f, "sms", sms("+14155550101"), "s1", "hello").Conversation.ID
			require.NoError(t, f.Assign(ctx, parley.SystemActor, held, "ana"))
			require.NoError(t, f.SetPresence(ctx, "bo", p))

			assert.ErrorIs(t, f.Assign(ctx, parley.SystemActor, queued, "bo"), routing.ErrUnavailable)
			st, _ := status(t, f, queued)
			assert.Equal(t, conversation.Queued, st)
			assert.ErrorIs(t, f.Transfer(ctx, parley.SystemActor, held, "bo"), routing.ErrUnavailable)
			st, who := status(t, f, held)
			assert.Equal(t, conversation.Assigned, st)
			assert.Equal(t, "ana", who)
		})
	}
}

// An offer stands for the offer timeout; a rejected offer goes to the next
// eligible agent, never back to one who declined; when every agent has
// passed the conversation waits; an accepted offer assigns it.
func TestOffersAcceptRejectAndExpire(t *testing.T) {
	f := newFixture(t, func(c *parley.Config) {
		touchpointOf(c, "wa").Routing = routing.Policy{Mode: routing.Automatic, Offer: true}
	})
	ctx := context.Background()
	rc := receive(t, f, "wa", wa("+14155550100"), "w1", "Hello")
	require.Equal(t, routing.Offered, rc.Routing.Outcome)
	first := rc.Routing.AgentID
	assert.Equal(t, f.Clock.Now().Add(routing.DefaultOfferTimeout), rc.Routing.Deadline)

	require.NoError(t, f.Reject(ctx, first, rc.Conversation.ID))
	next := lastOffer(f, rc.Conversation.ID)
	require.NotEmpty(t, next)
	assert.NotEqual(t, first, next, "never back to one who declined")

	f.Clock.Advance(routing.DefaultOfferTimeout)
	require.NoError(t, f.Tick(ctx))
	c, err := f.Conversation(ctx, parley.SystemActor, rc.Conversation.ID)
	require.NoError(t, err)
	assert.Equal(t, conversation.Queued, c.Status, "both agents passed: it waits")

	rc2 := receive(t, f, "wa", wa("+14155550101"), "w2", "Hi")
	require.Equal(t, routing.Offered, rc2.Routing.Outcome)
	require.NoError(t, f.Accept(ctx, rc2.Routing.AgentID, rc2.Conversation.ID))
	c, err = f.Conversation(ctx, parley.SystemActor, rc2.Conversation.ID)
	require.NoError(t, err)
	assert.Equal(t, conversation.Assigned, c.Status)
	assert.Equal(t, rc2.Routing.AgentID, c.AssigneeID)
	assert.Contains(t, f.Publisher.Names(), "conversation.offered")
}

// lastOffer returns the agent the conversation was last offered to, from
// the published events.
func lastOffer(f *parleytest.Desk, id conversation.ID) string {
	agent := ""
	for _, e := range f.Publisher.Events() {
		if o, ok := e.(parley.OfferedEvent); ok && o.Conversation() == id {
			agent = o.AgentID
		}
	}
	return agent
}

// A conversation a bot holds is no agent's until hand-off; the transcript
// before it is stored as imported history, never unread; assigning an
// agent pauses the bot. On the host's own channel each interaction ID is a
// conversation of its own.
func TestBotHandOffAndTranscript(t *testing.T) {
	f := newFixture(t, func(c *parley.Config) {
		c.Touchpoints = append(c.Touchpoints, parley.Touchpoint{ID: "app", Kind: channel.Custom, Address: "app-1", Queues: []string{"support"}})
		touchpointOf(c, "app").Bot = true
	})
	ctx := context.Background()
	at := f.Clock.Now().Add(-time.Minute)
	rc, err := f.Receive(ctx, parley.Inbound{Touchpoint: "app", From: channel.Address{Kind: channel.Custom, ID: "user-7"},
		ProviderID: "i1", Text: "I want a human", InteractionID: "chat-1",
		Transcript: []parley.Turn{
			{Author: conversation.AuthorContact, Text: "hi bot", At: at},
			{Author: conversation.AuthorBot, Text: "hello! how can I help?", At: at.Add(time.Second)},
		}})
	require.NoError(t, err)
	assert.Equal(t, conversation.Bot, rc.Conversation.Status)
	assert.Equal(t, 1, rc.Conversation.Unread, "imported history is never unread")

	_, err = f.Reply(ctx, "ana", rc.Conversation.ID, "hi")
	assert.ErrorIs(t, err, routing.ErrNotVisible, "the bot holds it until hand-off")

	require.NoError(t, f.HandOff(ctx, parley.SystemActor, rc.Conversation.ID))
	_, err = f.Reply(ctx, "ana", rc.Conversation.ID, "A human here")
	require.NoError(t, err)
	c, err := f.Conversation(ctx, parley.SystemActor, rc.Conversation.ID)
	require.NoError(t, err)
	assert.True(t, c.BotPaused, "assigning an agent pauses the bot")

	page, err := f.Messages(ctx, parley.SystemActor, conversation.MessageQuery{ConversationID: c.ID, Sort: conversation.Oldest})
	require.NoError(t, err)
	require.Len(t, page.Messages, 4)
	assert.True(t, page.Messages[0].Imported)
	assert.True(t, page.Messages[1].Imported)
	assert.Equal(t, "I want a human", page.Messages[2].Text)

	// Another interaction of the same user is a conversation of its own.
	rc2, err := f.Receive(ctx, parley.Inbound{Touchpoint: "app", From: channel.Address{Kind: channel.Custom, ID: "user-7"}, ProviderID: "i2", Text: "other topic", InteractionID: "chat-2"})
	require.NoError(t, err)
	assert.True(t, rc2.Started)
	assert.NotEqual(t, rc.Conversation.ID, rc2.Conversation.ID)
}

// TransferToQueues refuses queues the router would refuse before the
// store is written: an invalid list changes nothing and is an error.
func TestTransferToInvalidQueuesChangesNothing(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		queues []string
	}{
		{"none", nil},
		{"blank", []string{" "}},
		{"control", []string{"sales\x00"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			id := receive(t, f, "wa", wa("+14155550100"), "w1", "hello").Conversation.ID
			require.NoError(t, f.Assign(ctx, "ana", id, "ana"))
			before, err := f.Conversation(ctx, parley.SystemActor, id)
			require.NoError(t, err)

			err = f.TransferToQueues(ctx, "ana", id, tc.queues)
			assert.ErrorIs(t, err, routing.ErrInvalid)
			after, err := f.Conversation(ctx, parley.SystemActor, id)
			require.NoError(t, err)
			assert.Equal(t, before, after, "a refused transfer changes nothing")
		})
	}
}

// An offer that ends unaccepted says so, with its agent and how it ended,
// so that reports count rejections and expiries apart.
func TestOfferEndedEventSaysWhoAndHow(t *testing.T) {
	f := newFixture(t, func(c *parley.Config) {
		touchpointOf(c, "wa").Routing = routing.Policy{Mode: routing.Automatic, Offer: true, OfferTimeout: time.Minute}
	})
	ctx := context.Background()
	rc := receive(t, f, "wa", wa("+14155550280"), "oe1", "hello")
	require.Equal(t, routing.Offered, rc.Routing.Outcome)
	first := rc.Routing.AgentID
	require.NoError(t, f.Reject(ctx, first, rc.Conversation.ID))
	f.Clock.Advance(2 * time.Minute)
	require.NoError(t, f.Tick(ctx))
	var ended []parley.OfferEndedEvent
	for _, e := range f.Publisher.Events() {
		if oe, ok := e.(parley.OfferEndedEvent); ok {
			ended = append(ended, oe)
		}
	}
	require.Len(t, ended, 2, "the rejection, then the second agent's offer running out")
	assert.Equal(t, first, ended[0].AgentID)
	assert.False(t, ended[0].Expired)
	assert.NotEqual(t, first, ended[1].AgentID)
	assert.True(t, ended[1].Expired)
	assert.Equal(t, []string{"conversation.offer_rejected", "conversation.offer_expired"}, []string{ended[0].Name(), ended[1].Name()})
}

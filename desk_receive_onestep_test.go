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
)

// plainStore hides the memory store's one-step ReceiveOpen
// (conversation.Receiver), so the Desk takes FindOpen, Receive and Record.
type plainStore struct{ conversation.Store }

// A Desk on a store with ReceiveOpen and one on a store without it answer
// the same webhooks with the same receipts and publish the same events:
// the one-step write is only faster.
func TestReceiveOneStepMatchesThePlainPath(t *testing.T) {
	ctx := context.Background()
	_, hidden := any(plainStore{}).(conversation.Receiver)
	require.False(t, hidden, "precondition: plainStore hides ReceiveOpen")
	desks := []struct {
		name string
		d    *parleytest.Desk
		last *conversation.Conversation
	}{
		{name: "one-step", d: newFixture(t, func(c *parley.Config) { c.Conversations = memory.NewConversationStore() })},
		{name: "plain", d: newFixture(t, func(c *parley.Config) { c.Conversations = plainStore{memory.NewConversationStore()} })},
	}

	steps := []struct {
		name      string
		in        parley.Inbound
		closeLast bool // the agent closes the last conversation first
	}{
		{name: "a new contact starts a conversation", in: parley.Inbound{Touchpoint: "wa", From: wa("+14155550100"), ProviderID: "wamid.1", Text: "hi"}},
		{name: "a follow-up in the open conversation", in: parley.Inbound{Touchpoint: "wa", From: wa("+14155550100"), ProviderID: "wamid.2", Text: "anyone?"}},
		{name: "a provider retry", in: parley.Inbound{Touchpoint: "wa", From: wa("+14155550100"), ProviderID: "wamid.2", Text: "anyone?"}},
		{name: "an unsupported message", in: parley.Inbound{Touchpoint: "wa", From: wa("+14155550100"), ProviderID: "wamid.3", Unsupported: true}},
		{name: "an SMS", in: parley.Inbound{Touchpoint: "sms", From: sms("+14155550199"), ProviderID: "sm.1", Text: "hello"}},
		{name: "STOP in the open SMS conversation", in: parley.Inbound{Touchpoint: "sms", From: sms("+14155550199"), ProviderID: "sm.2", Text: "STOP"}},
		{name: "a message after the agent closed the conversation", in: parley.Inbound{Touchpoint: "sms", From: sms("+14155550199"), ProviderID: "sm.3", Text: "START"}, closeLast: true},
		{name: "a retry of a message of a closed conversation", in: parley.Inbound{Touchpoint: "sms", From: sms("+14155550199"), ProviderID: "sm.2", Text: "STOP"}},
	}
	for _, step := range steps {
		var got [2]parley.Receipt
		for i := range desks {
			u := &desks[i]
			if step.closeLast {
				require.NoError(t, u.d.Close(ctx, u.last.ID, "done"), "%s: %s", u.name, step.name)
			}
			u.d.Clock.Advance(time.Minute)
			rc, err := u.d.Receive(ctx, step.in)
			require.NoError(t, err, "%s: %s", u.name, step.name)
			got[i], u.last = rc, rc.Conversation
		}
		a, b := got[0], got[1]
		assert.Equal(t, b.Message, a.Message, "%s: the message", step.name)
		assert.Equal(t, b.Conversation, a.Conversation, "%s: the conversation", step.name)
		assert.Equal(t, b.Duplicate, a.Duplicate, "%s: Duplicate", step.name)
		assert.Equal(t, b.Started, a.Started, "%s: Started", step.name)
		assert.Equal(t, b.Keyword, a.Keyword, "%s: Keyword", step.name)
		assert.Equal(t, b.Reply, a.Reply, "%s: the keyword reply", step.name)
		assert.Equal(t, b.Routing, a.Routing, "%s: routing", step.name)
	}
	assert.Equal(t, desks[1].d.Publisher.Events(), desks[0].d.Publisher.Events(), "the same events, in the same order")
	assert.NotEmpty(t, desks[0].d.Publisher.Events())
}

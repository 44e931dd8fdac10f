package parley_test

import (
	"context"
	"sync/atomic"
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

// conflictingReceiver is a memory store whose ReceiveOpen, when armed,
// lets another writer change the open conversation and then reports
// ErrConflict having stored nothing, as a SQL store that checks versions
// (UPDATE … WHERE version = $v) does under contention. It overrides the
// ReceiveOpen it embeds, so nothing bypasses it.
type conflictingReceiver struct {
	*memory.ConversationStore
	armed     atomic.Bool
	conflicts atomic.Int32
}

func (s *conflictingReceiver) ReceiveOpen(ctx context.Context, k conversation.Key, m *conversation.Message) (conversation.Received, error) {
	if !s.armed.CompareAndSwap(true, false) {
		return s.ConversationStore.ReceiveOpen(ctx, k, m)
	}
	c, err := s.FindOpen(ctx, k)
	if err != nil {
		return conversation.Received{}, err
	}
	read := c.Version
	c.Subject = "changed by another writer"
	if err := s.Update(ctx, c); err != nil {
		return conversation.Received{}, err
	}
	s.conflicts.Add(1)
	return conversation.Received{}, &conversation.ConflictError{ID: c.ID, Version: read, Current: c.Version}
}

// A one-step write that loses to another writer (ErrConflict, nothing
// stored) does not fail the webhook: the Desk takes FindOpen, Receive and
// Record instead, and the message is stored once, beside the other
// writer's change.
func TestReceiveOneStepConflictTakesThePlainSteps(t *testing.T) {
	ctx := context.Background()
	store := &conflictingReceiver{ConversationStore: memory.NewConversationStore()}
	f := newFixture(t, func(c *parley.Config) { c.Conversations = store })
	first := receive(t, f, "wa", wa("+14155550100"), "wamid.1", "hi")
	id := first.Conversation.ID

	store.armed.Store(true)
	f.Clock.Advance(time.Minute)
	in := parley.Inbound{Touchpoint: "wa", From: wa("+14155550100"), ProviderID: "wamid.2", Text: "anyone?"}
	rc, err := f.Receive(ctx, in)
	require.Equal(t, int32(1), store.conflicts.Load(), "precondition: the one-step write conflicted")
	require.NoError(t, err, "a conflict in the one-step write must not fail the webhook")
	assert.False(t, rc.Duplicate)
	assert.Equal(t, id, rc.Conversation.ID, "stored in the open conversation")
	assert.Equal(t, "anyone?", rc.Message.Text)

	again, err := f.Receive(ctx, in) // the provider's retry
	require.NoError(t, err)
	assert.True(t, again.Duplicate)
	assert.Equal(t, rc.Message.ID, again.Message.ID)

	page, err := store.Messages(ctx, conversation.MessageQuery{ConversationID: id, Order: conversation.OldestFirst})
	require.NoError(t, err)
	var texts []string
	for _, m := range page.Messages {
		texts = append(texts, m.Text)
	}
	assert.Equal(t, []string{"hi", "anyone?"}, texts, "the message is stored once")
	got, err := f.Conversation(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, 2, got.Unread, "counted once")
	assert.Equal(t, "changed by another writer", got.Subject, "the other writer's change is kept")
	var received int
	for _, name := range f.Publisher.Names() {
		if name == "message.received" {
			received++
		}
	}
	assert.Equal(t, 2, received, "one message.received per message")
}

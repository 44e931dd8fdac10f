package parley_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/memory"
)

// recordHook is a store that runs hook once, just before the first Record
// it is asked for.
type recordHook struct {
	conversation.Store
	once sync.Once
	hook func()
}

func (s *recordHook) Record(ctx context.Context, c *conversation.Conversation, m *conversation.Message) (*conversation.Message, bool, error) {
	s.once.Do(s.hook)
	return s.Store.Record(ctx, c, m)
}

// Two desks share a store. Desk A starts a conversation for a webhook;
// before A records the message, the provider's retry reaches desk B,
// which finds A's conversation open and stores the message there. A's
// Record then reports the message as stored already, and A resumes it in
// the conversation it started and still holds locked: it must not wait on
// its own lock.
func TestReceiveResumesTheConversationItStarted(t *testing.T) {
	ctx := context.Background()
	store := memory.NewConversationStore()
	in := parley.Inbound{Touchpoint: "wa", From: channel.Address{Kind: channel.WhatsApp, ID: "+14155550100"}, ProviderID: "wamid.retry", Text: "hello"}
	var b *parley.Desk
	hooked := &recordHook{Store: store}
	a := newFixture(t, func(c *parley.Config) { c.Conversations = hooked })
	b = newFixture(t, func(c *parley.Config) {
		c.Conversations = store
		c.NewID = conversation.SequentialIDs(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	}).Desk
	var bReceipt parley.Receipt
	var bErr error
	hooked.hook = func() { bReceipt, bErr = b.Receive(ctx, in) }

	done := make(chan struct{})
	var rc parley.Receipt
	var err error
	go func() {
		defer close(done)
		rc, err = a.Receive(ctx, in)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("desk A's Receive hangs: it waits on the conversation lock it holds")
	}
	require.NoError(t, bErr)
	require.NoError(t, err)
	assert.True(t, rc.Duplicate, "A finds the message B stored")
	assert.Equal(t, bReceipt.Message.ID, rc.Message.ID, "one message, stored once")
	assert.Equal(t, bReceipt.Conversation.ID, rc.Conversation.ID)
}

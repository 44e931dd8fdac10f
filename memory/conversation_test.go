package memory_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/conversation/conversationtest"
	"github.com/parleyhq/parley/memory"
)

// TestConversationStore runs the conformance suite against the in-memory
// store: the reference every host's store is measured by.
func TestConversationStore(t *testing.T) {
	conversationtest.Run(t, func(*testing.T) conversation.Store { return memory.NewConversationStore() })
}

// TestMessageByProviderAllocations holds the lookup the Desk makes on every
// webhook to one map probe and the returned copy: one allocation for a
// plain message, none on a miss.
func TestMessageByProviderAllocations(t *testing.T) {
	ctx := context.Background()
	ids := conversation.SequentialIDs(t0)
	s := memory.NewConversationStore()
	c, _, err := conversation.Start(conversation.Params{
		ID: ids(), Touchpoint: "tp", Channel: channel.WhatsApp, Direction: conversation.Inbound,
		Contact: conversation.Contact{ID: "c1"}, Queues: []string{"sales"},
	}, t0)
	require.NoError(t, err)
	require.NoError(t, s.Create(ctx, c))
	m := &conversation.Message{
		ID: ids(), ConversationID: c.ID, Direction: conversation.Inbound,
		Author: conversation.Author{Kind: conversation.AuthorContact, ID: "c1"}, Text: "hello", ProviderID: "wamid.1", CreatedAt: t0,
	}
	_, _, err = s.AppendMessage(ctx, m)
	require.NoError(t, err)

	// The copy and its text: the store keeps texts as bytes (arena.go), and
	// the provider ID is the caller's own string.
	t.Run("hit allocates the copy and its text", func(t *testing.T) {
		allocs := testing.AllocsPerRun(100, func() {
			if _, err := s.MessageByProvider(ctx, "tp", "c1", "wamid.1"); err != nil {
				t.Fatal(err)
			}
		})
		assert.Equal(t, 2.0, allocs)
	})
	t.Run("miss allocates nothing", func(t *testing.T) {
		allocs := testing.AllocsPerRun(100, func() {
			if _, err := s.MessageByProvider(ctx, "tp", "c1", "wamid.2"); err == nil {
				t.Fatal("found a message never stored")
			}
		})
		assert.Equal(t, 0.0, allocs)
	})
}

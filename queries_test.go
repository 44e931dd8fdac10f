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
	"github.com/parleyhq/parley/routing"
)

// Marking read resets the unread count; Search shows an agent only what it
// may see, a supervisor everything; History lists a contact's
// conversations; Erase removes them with their messages.
func TestMarkReadSearchHistoryAndErase(t *testing.T) {
	f := newFixture(t, func(c *parley.Config) { c.Supervisors = []string{"cy"} })
	ctx := context.Background()
	rc := receive(t, f, "wa", wa("+14155550100"), "w1", "hi")
	receive(t, f, "wa", wa("+14155550100"), "w2", "hello?")
	require.NoError(t, f.Assign(ctx, parley.SystemActor, rc.Conversation.ID, "ana"))
	require.NoError(t, f.MarkRead(ctx, "ana", rc.Conversation.ID))
	c, err := f.Conversation(ctx, parley.SystemActor, rc.Conversation.ID)
	require.NoError(t, err)
	assert.Zero(t, c.Unread)

	page, err := f.Search(ctx, "bo", conversation.Query{Text: "4155550100"})
	require.NoError(t, err)
	assert.Empty(t, page.Conversations, "assigned to ana: bo may not see it")
	page, err = f.Search(ctx, "cy", conversation.Query{Text: "4155550100"})
	require.NoError(t, err)
	assert.Len(t, page.Conversations, 1, "a supervisor sees everything")
	page, err = f.History(ctx, "ana", "whatsapp:+14155550100", "")
	require.NoError(t, err)
	assert.Len(t, page.Conversations, 1)

	er, err := f.Erase(ctx, parley.SystemActor, wa("+14155550100"))
	require.NoError(t, err)
	assert.Equal(t, 1, er.Conversations)
	assert.Equal(t, 2, er.Messages)
	_, err = f.Conversation(ctx, parley.SystemActor, rc.Conversation.ID)
	assert.ErrorIs(t, err, conversation.ErrNotFound)
}

// The inbox orders by touchpoint priority, then by age (oldest or newest
// first) or by the window closing soonest, and shows an agent only its
// queues' conversations.
func TestInboxOrdersByPriorityThenAge(t *testing.T) {
	f := newFixture(t, func(c *parley.Config) {
		touchpointOf(c, "sms").Priority = 5
		c.Supervisors = []string{"bo"}
	})
	ctx := context.Background()
	oldWA := receive(t, f, "wa", wa("+14155550101"), "w1", "oldest")
	f.Clock.Advance(time.Minute)
	urgent := receive(t, f, "sms", sms("+14155550102"), "s1", "urgent")
	f.Clock.Advance(time.Minute)
	newWA := receive(t, f, "wa", wa("+14155550103"), "w2", "newest")
	f.Clock.Advance(time.Minute)
	receive(t, f, "wa", wa("+14155550101"), "w3", "the oldest writes again") // its window now closes last
	receive(t, f, "chat", channel.Address{Kind: channel.WebChat, ID: "v-1"}, "c1", "in sales")

	ids := func(order routing.Order) []conversation.ID {
		t.Helper()
		inbox, err := f.Inbox(ctx, "bo", order)
		require.NoError(t, err)
		var out []conversation.ID
		for _, c := range inbox {
			if c.Touchpoint != "chat" {
				out = append(out, c.ID)
			}
		}
		return out
	}
	want := []conversation.ID{urgent.Conversation.ID, oldWA.Conversation.ID, newWA.Conversation.ID}
	assert.Equal(t, want, ids(routing.OldestFirst))
	want = []conversation.ID{urgent.Conversation.ID, newWA.Conversation.ID, oldWA.Conversation.ID}
	assert.Equal(t, want, ids(routing.NewestFirst))
	assert.Equal(t, want, ids(routing.WindowClosingFirst), "the window closing soonest first")

	inbox, err := f.Inbox(ctx, "ana", routing.OldestFirst)
	require.NoError(t, err)
	assert.Len(t, inbox, 3, "ana is not in sales: the chat is not hers to see")
}

package memory

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
)

// storeWithConversation returns a new store holding one open inbound
// conversation of kind on touchpoint "tp" with contact "c1", the ID
// source that made it, and its start time.
func storeWithConversation(t *testing.T, kind channel.Kind) (*ConversationStore, *conversation.Conversation, func() conversation.ID, time.Time) {
	t.Helper()
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	ids := conversation.SequentialIDs(t0)
	s := NewConversationStore()
	c, _, err := conversation.Start(conversation.Params{
		ID: ids(), Touchpoint: "tp", Channel: kind, Direction: conversation.Inbound,
		Contact: conversation.Contact{ID: "c1"}, Queues: []string{"sales"},
	}, t0)
	require.NoError(t, err)
	require.NoError(t, s.Create(context.Background(), c))
	return s, c, ids, t0
}

// Two provider IDs with one hash are a chain in the index. A 32-bit
// collision takes about 77 000 IDs to meet by chance, so this test forces
// every ID onto one hash and checks that each is found, and that taking one out of
// the head, the middle or the tail of the chain keeps the others.
func TestProviderIndexCollisions(t *testing.T) {
	s, c, ids, t0 := storeWithConversation(t, channel.WhatsApp)
	conv := s.convs[c.ID]

	const h = 42 // the one hash every ID is given
	providers := []string{"wamid.a", "wamid.b", "wamid.c", "wamid.d"}
	refs := make(map[string]msgRef)
	for _, p := range providers {
		m := &conversation.Message{ID: ids(), ConversationID: c.ID, Direction: conversation.Inbound,
			Author: conversation.Author{Kind: conversation.AuthorContact, ID: "c1"}, Text: "hi " + p, CreatedAt: t0}
		ref := s.addRecord(m, conv)
		require.Zero(t, s.findProvider(conv.byProvider, h, p), "%s is not indexed yet", p)
		s.indexProvider(conv.byProvider, h, ref, p)
		refs[p] = ref
	}
	require.Len(t, conv.byProvider, 1, "every ID shares one key")
	for _, p := range providers {
		assert.Equal(t, refs[p], s.findProvider(conv.byProvider, h, p), "%s is found through the chain", p)
	}
	assert.Zero(t, s.findProvider(conv.byProvider, h, "wamid.e"), "an ID never stored is not found on a shared hash")

	// The chain runs newest first: d, c, b, a. Take out the middle (c), the
	// head (d) and the tail (a), checking the rest after each.
	for _, gone := range []string{"wamid.c", "wamid.d", "wamid.a"} {
		s.unindexProvider(conv.byProvider, h, refs[gone])
		delete(refs, gone)
		assert.Zero(t, s.findProvider(conv.byProvider, h, gone), "%s was taken out", gone)
		for p, ref := range refs {
			assert.Equal(t, ref, s.findProvider(conv.byProvider, h, p), "%s is still found after %s left", p, gone)
		}
	}
	s.unindexProvider(conv.byProvider, h, refs["wamid.b"])
	assert.Empty(t, conv.byProvider, "the last one out deletes the key")
	assert.Empty(t, s.sameHash, "and no chain is left")
}

// Erasure leaves nothing readable: the erased messages' texts and
// provider IDs are zeroed in the arena, not just unlinked (DESIGN.md §3.6).
func TestEraseZeroesMessageBytes(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	ids := conversation.SequentialIDs(t0)
	s := NewConversationStore()
	for _, contact := range []string{"erased", "kept"} {
		c, _, err := conversation.Start(conversation.Params{
			ID: ids(), Touchpoint: "tp", Channel: channel.WhatsApp, Direction: conversation.Inbound,
			Contact: conversation.Contact{ID: contact}, Queues: []string{"sales"},
		}, t0)
		require.NoError(t, err)
		require.NoError(t, s.Create(ctx, c))
		_, _, err = s.AppendMessage(ctx, &conversation.Message{ID: ids(), ConversationID: c.ID, Direction: conversation.Inbound,
			Author: conversation.Author{Kind: conversation.AuthorContact, ID: contact}, Text: "my card is 4111-" + contact,
			ProviderID: "wamid." + contact, CreatedAt: t0})
		require.NoError(t, err)
	}
	contains := func(needle string) bool {
		for _, c := range s.strings.chunks {
			if bytes.Contains(c, []byte(needle)) {
				return true
			}
		}
		return false
	}
	require.True(t, contains("4111-erased"), "precondition: the text is in the arena")

	_, err := s.Erase(ctx, "erased")
	require.NoError(t, err)
	assert.False(t, contains("4111-erased"), "the erased text is zeroed")
	assert.False(t, contains("wamid.erased"), "the erased provider ID is zeroed")
	assert.True(t, contains("4111-kept"), "another contact's text stays")
	m, err := s.MessageByProvider(ctx, "tp", "wamid.kept")
	require.NoError(t, err)
	assert.Equal(t, "my card is 4111-kept", m.Text)
}

package memory

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
)

// fill returns n bytes of b.
func fill(b byte, n int) string { return strings.Repeat(string(b), n) }

// A span is 8 bytes: a shared string starts below arenaChunk and is at
// most arenaChunk/4 long; a longer one has a chunk of its own, whose
// length is its own. Each string must come back whole on both sides of
// those limits.
func TestByteArenaSpanLimits(t *testing.T) {
	a := newByteArena()
	assert.Equal(t, span{}, a.put(""), "the empty string is the zero span")
	assert.Equal(t, "", a.string(span{}))

	// Four strings of the largest shared length fill one chunk to its end.
	quarter := arenaChunk / 4
	var shared []span
	for i := range 4 {
		shared = append(shared, a.put(fill(byte('a'+i), quarter)))
	}
	for i, sp := range shared {
		assert.Equal(t, span{chunk: 0, off: uint16(i * quarter), n: uint16(quarter)}, sp, "shared string %d", i)
		assert.Equal(t, fill(byte('a'+i), quarter), a.string(sp))
	}

	// One byte longer is a chunk of its own, and so is every longer
	// string, the lengths n cannot hold included.
	for _, n := range []int{quarter + 1, wholeChunk - 1, wholeChunk, wholeChunk + 1, 1 << 20} {
		s := fill('x', n)
		sp := a.put(s)
		assert.Equal(t, uint16(wholeChunk), sp.n, "%d bytes: a chunk of its own", n)
		assert.Zero(t, sp.off, "%d bytes", n)
		assert.Equal(t, s, a.string(sp), "%d bytes come back whole", n)
	}

	// The next shared string opens a new chunk, as the first is full; a
	// string may end at the chunk's last byte and start at its last
	// offset.
	var second []span
	for i := range 3 {
		second = append(second, a.put(fill(byte('k'+i), quarter)))
	}
	second = append(second, a.put(fill('n', quarter-1)))
	tail := a.put("q")
	over := a.put("r")
	for _, sp := range second {
		assert.Equal(t, tail.chunk, sp.chunk, "one chunk")
		assert.NotEqual(t, shared[0].chunk, sp.chunk, "not the first, full chunk")
	}
	assert.Equal(t, uint16(arenaChunk-1), tail.off, "the largest offset")
	assert.NotEqual(t, tail.chunk, over.chunk, "a full chunk takes nothing more")
	for i, sp := range second[:3] {
		assert.Equal(t, fill(byte('k'+i), quarter), a.string(sp))
	}
	assert.Equal(t, fill('n', quarter-1), a.string(second[3]))
	assert.Equal(t, "q", a.string(tail))
	assert.Equal(t, "r", a.string(over))
	for i, sp := range shared {
		assert.Equal(t, fill(byte('a'+i), quarter), a.string(sp), "shared string %d is untouched", i)
	}
}

// Erasing zeroes exactly the string's bytes, shared or whole-chunk.
func TestByteArenaEraseZeroesOnlyItsBytes(t *testing.T) {
	a := newByteArena()
	before := a.put("before")
	gone := a.put("secret")
	after := a.put("after")
	big := a.put(fill('s', arenaChunk))
	a.erase(gone)
	a.erase(big)
	assert.Equal(t, "before", a.string(before))
	assert.Equal(t, "after", a.string(after))
	assert.Equal(t, strings.Repeat("\x00", len("secret")), a.string(gone))
	assert.Equal(t, strings.Repeat("\x00", arenaChunk), a.string(big))
}

// Through the store: texts and provider IDs on both sides of the span
// limits round-trip exactly, are found by provider ID, and erase to
// zeroes.
func TestStoreKeepsStringsOfAnyLength(t *testing.T) {
	ctx := context.Background()
	s, c, ids, t0 := storeWithConversation(t, channel.Email)

	lengths := []int{1, arenaChunk/4 - 1, arenaChunk / 4, arenaChunk/4 + 1, arenaChunk, wholeChunk, wholeChunk + 1, 3 << 20}
	for i, n := range lengths {
		text := fill(byte('a'+i), n)
		provider := "id-" + fill(byte('a'+i), n-1) // a provider ID as long as the text
		_, created, err := s.AppendMessage(ctx, &conversation.Message{ID: ids(), ConversationID: c.ID, Direction: conversation.Inbound,
			Author: conversation.Author{Kind: conversation.AuthorContact, ID: "c1"}, Text: text, ProviderID: provider, CreatedAt: t0})
		require.NoError(t, err)
		require.True(t, created)
		m, err := s.MessageByProvider(ctx, "tp", "c1", provider)
		require.NoError(t, err, "%d bytes", n)
		assert.True(t, m.Text == text, "a %d-byte text comes back exactly", n)
	}
	page, err := s.Messages(ctx, conversation.MessageQuery{ConversationID: c.ID, Sort: conversation.Oldest, Limit: len(lengths)})
	require.NoError(t, err)
	require.Len(t, page.Messages, len(lengths))
	for i, m := range page.Messages {
		assert.Equal(t, lengths[i], len(m.Text), "message %d", i)
		assert.Equal(t, lengths[i]+2, len(m.ProviderID), "message %d", i)
	}

	_, err = s.Erase(ctx, "c1")
	require.NoError(t, err)
	for i, ch := range s.strings.chunks {
		assert.Equal(t, -1, strings.IndexFunc(string(ch), func(r rune) bool { return r != 0 }), "chunk %d is all zeroes", i)
	}
}

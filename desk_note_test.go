package parley_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/memory"
)

// noteWriteStore fails every write of a message while failing is set: the
// conversation's own writes (Update) still succeed, as a store whose
// message table is down would. Embedding the Store interface hides the
// third such write, ReceiveOpen (conversation.Receiver), so Record and
// AppendMessage are all of them.
type noteWriteStore struct {
	conversation.Store
	failing atomic.Bool
	updates atomic.Int32
}

var errMessagesDown = errors.New("store: messages unavailable")

func (s *noteWriteStore) Update(ctx context.Context, c *conversation.Conversation) error {
	s.updates.Add(1)
	return s.Store.Update(ctx, c)
}

func (s *noteWriteStore) AppendMessage(ctx context.Context, m *conversation.Message) (*conversation.Message, bool, error) {
	if s.failing.Load() {
		return nil, false, errMessagesDown
	}
	return s.Store.AppendMessage(ctx, m)
}

func (s *noteWriteStore) Record(ctx context.Context, c *conversation.Conversation, m *conversation.Message) (*conversation.Message, bool, error) {
	if s.failing.Load() {
		return nil, false, errMessagesDown
	}
	return s.Store.Record(ctx, c, m)
}

// A note and its conversation's touch are one write (Store.Record): a
// failure leaves neither, never a conversation touched by a note it does
// not hold.
func TestNoteIsOneAtomicWrite(t *testing.T) {
	store := &noteWriteStore{Store: memory.NewConversationStore()}
	f := newFixture(t, func(c *parley.Config) { c.Conversations = store })
	ctx := context.Background()
	rc := receive(t, f, "wa", wa("+14155550100"), "w1", "Hello")
	require.NoError(t, f.Assign(ctx, rc.Conversation.ID, "ana"))
	before, err := f.Conversation(ctx, rc.Conversation.ID)
	require.NoError(t, err)

	f.Clock.Advance(1) // the note would move LastMessageAt
	store.failing.Store(true)
	_, err = f.Note(ctx, "ana", rc.Conversation.ID, "VIP customer")
	require.ErrorIs(t, err, errMessagesDown)
	after, err := f.Conversation(ctx, rc.Conversation.ID)
	require.NoError(t, err)
	assert.Equal(t, before.Version, after.Version, "the failed note changed the conversation")
	assert.Equal(t, before.LastMessageAt, after.LastMessageAt)

	store.failing.Store(false)
	updates := store.updates.Load()
	m, err := f.Note(ctx, "ana", rc.Conversation.ID, "VIP customer")
	require.NoError(t, err)
	assert.True(t, m.Internal)
	assert.Equal(t, updates, store.updates.Load(), "a note writes through Record alone")
	after, err = f.Conversation(ctx, rc.Conversation.ID)
	require.NoError(t, err)
	assert.Equal(t, m.CreatedAt, after.LastMessageAt)
	assert.Empty(t, f.Transport.Attempts(), "notes are never sent")
}

package memory_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/memory"
)

// fillHistory stores n closed conversations, one message each, the first
// ones (all but keep) ending a day before the rest, and returns the
// cutoff between them. Conversation i is contact historyContact(i/per)'s.
func fillHistory(t testing.TB, s *memory.ConversationStore, n, keep, per int) time.Time {
	ctx := context.Background()
	ids := conversation.SequentialIDs(t0)
	cutoff := t0.Add(time.Duration(n) * time.Second)
	for i := range n {
		addr := historyContact(i / per)
		at := t0.Add(time.Duration(i) * time.Second)
		if i >= n-keep {
			at = at.Add(24 * time.Hour)
		}
		c := &conversation.Conversation{
			ID: ids(), Touchpoint: "wa", Channel: channel.WhatsApp, Direction: conversation.Inbound, Status: conversation.Closed,
			Contact: conversation.Contact{ID: addr.String(), Name: "Ana Lima", Addresses: []channel.Address{addr}},
			Queues:  []string{"sales"}, CreatedAt: at, UpdatedAt: at, ClosedAt: at,
		}
		require.NoError(t, s.Create(ctx, c))
		_, _, err := s.AppendMessage(ctx, &conversation.Message{
			ID: ids(), ConversationID: c.ID, Direction: conversation.Inbound,
			Author: conversation.Author{Kind: conversation.AuthorContact}, Text: "hello, where is it?!",
			ProviderID: fmt.Sprintf("wamid.%014d", i), CreatedAt: at,
		})
		require.NoError(t, err)
	}
	return cutoff
}

func historyContact(i int) channel.Address {
	return channel.Address{Kind: channel.WhatsApp, ID: fmt.Sprintf("+1415%07d", i)}
}

// TestPurgeCompacts checks that a store that purged most of its history
// holds about what a fresh store holding only the rest would: at most
// 25% more.
func TestPurgeCompacts(t *testing.T) {
	if testing.Short() {
		t.Skip("fills a store with 100 000 conversations")
	}
	const n, keep = 100_000, 10_000
	start := heapAlloc()
	fresh := memory.NewConversationStore()
	fillHistory(t, fresh, keep, keep, 1)
	freshBytes := heapAlloc() - start
	runtime.KeepAlive(fresh)
	fresh = nil

	start = heapAlloc()
	s := memory.NewConversationStore()
	cutoff := fillHistory(t, s, n, keep, 1)
	full := heapAlloc() - start
	p, err := s.Purge(context.Background(), cutoff)
	require.NoError(t, err)
	require.Equal(t, conversation.Purged{Conversations: n - keep, Messages: n - keep}, p)
	purged := heapAlloc() - start
	runtime.KeepAlive(s)
	t.Logf("fresh store of %d: %d B; store of %d: %d B; after purging %d: %d B (%.2f× fresh)",
		keep, freshBytes, n, full, n-keep, purged, float64(purged)/float64(freshBytes))
	assert.LessOrEqual(t, float64(purged), 1.25*float64(freshBytes), "after purging most of the history")

	// The rebuilt provider index still keys inbound messages on their
	// sender: a kept message is found by its own contact only.
	ctx := context.Background()
	kept := n - 1
	m, err := s.MessageByProvider(ctx, "wa", historyContact(kept).String(), fmt.Sprintf("wamid.%014d", kept))
	require.NoError(t, err, "a kept message is found after compaction")
	assert.Equal(t, fmt.Sprintf("wamid.%014d", kept), m.ProviderID)
	_, err = s.MessageByProvider(ctx, "wa", historyContact(0).String(), fmt.Sprintf("wamid.%014d", kept))
	assert.ErrorIs(t, err, conversation.ErrNotFound, "not by another sender")
	_, err = s.MessageByProvider(ctx, "wa", historyContact(0).String(), fmt.Sprintf("wamid.%014d", 0))
	assert.ErrorIs(t, err, conversation.ErrNotFound, "a purged message is gone")
}

// TestEraseCompacts checks the same after erasing most contacts.
func TestEraseCompacts(t *testing.T) {
	// 100 contacts of 200 conversations each; 90 of them are erased.
	const n, keep, per = 20_000, 2_000, 200
	start := heapAlloc()
	fresh := memory.NewConversationStore()
	fillHistory(t, fresh, keep, keep, per)
	freshBytes := heapAlloc() - start
	runtime.KeepAlive(fresh)
	fresh = nil

	start = heapAlloc()
	s := memory.NewConversationStore()
	fillHistory(t, s, n, keep, per)
	for i := range (n - keep) / per {
		_, err := s.Erase(context.Background(), historyContact(i).String())
		require.NoError(t, err)
	}
	erased := heapAlloc() - start
	runtime.KeepAlive(s)
	t.Logf("fresh store of %d: %d B; after erasing %d of %d: %d B (%.2f× fresh)", keep, freshBytes, n-keep, n, erased, float64(erased)/float64(freshBytes))
	assert.LessOrEqual(t, float64(erased), 1.5*float64(freshBytes), "after erasing most contacts")
}

// TestPurgeConcurrent purges while other goroutines create, receive and
// search; run it under -race. Every open conversation and every message
// of one survives.
func TestPurgeConcurrent(t *testing.T) {
	ctx := context.Background()
	s := memory.NewConversationStore()
	ids := conversation.SequentialIDs(t0)
	var idMu sync.Mutex
	newID := func() conversation.ID { idMu.Lock(); defer idMu.Unlock(); return ids() }
	const writers, each = 4, 300
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				at := t0.Add(time.Duration(i) * time.Second)
				c := &conversation.Conversation{
					ID: newID(), Touchpoint: "wa", Channel: channel.WhatsApp, Direction: conversation.Inbound, Status: conversation.Queued,
					Contact: conversation.Contact{ID: fmt.Sprintf("c%d-%d", w, i), Name: "Ana"}, Queues: []string{"sales"},
					CreatedAt: at, UpdatedAt: at,
				}
				if !assert.NoError(t, s.Create(ctx, c)) {
					return
				}
				m := &conversation.Message{ID: newID(), Direction: conversation.Inbound, Author: conversation.Author{Kind: conversation.AuthorContact, ID: c.Contact.ID},
					Text: "hi", ProviderID: fmt.Sprintf("p%d-%d", w, i), CreatedAt: at}
				_, err := s.ReceiveOpen(ctx, c.Key(), m)
				assert.NoError(t, err)
				if i%2 == 0 {
					got, err := s.Get(ctx, c.ID)
					if assert.NoError(t, err) {
						_, err = got.Close(conversation.Closing{}, at)
						assert.NoError(t, err)
						assert.NoError(t, s.Update(ctx, got))
					}
				}
			}
		})
	}
	wg.Go(func() {
		for range 50 {
			_, err := s.Purge(ctx, t0.Add(time.Hour))
			assert.NoError(t, err)
			_, err = s.Search(ctx, conversation.Query{Viewer: conversation.Viewer{Supervisor: true}, Text: "ana"})
			assert.NoError(t, err)
		}
	})
	wg.Wait()
	_, err := s.Purge(ctx, t0.Add(time.Hour))
	require.NoError(t, err)
	open, err := s.Search(ctx, conversation.Query{Viewer: conversation.Viewer{Supervisor: true}, Limit: conversation.MaxLimit})
	require.NoError(t, err)
	assert.Len(t, open.Conversations, writers*each/2, "the open conversations")
	for _, c := range open.Conversations {
		assert.True(t, c.Status.Open())
		p, err := s.Messages(ctx, conversation.MessageQuery{ConversationID: c.ID})
		require.NoError(t, err)
		assert.Len(t, p.Messages, 1, "an open conversation's message")
	}
}

package parley_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/optout"
	"github.com/parleyhq/parley/routing"
)

// Purge forgets the conversations that ended before the cutoff with their
// messages, keeps open ones however old and the opt-out ledger, and is a
// supervisor's or the system's to call.
func TestPurgeForgetsEndedHistory(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, withSupervisor)
	old := receive(t, f, "sms", sms("+14155550100"), "s1", "where is my order?").Conversation.ID
	require.NoError(t, f.Close(ctx, "ana", old, "answered"))
	stop := receive(t, f, "sms", sms("+14155550101"), "s2", "STOP").Conversation.ID
	require.NoError(t, f.Close(ctx, parley.SystemActor, stop, ""))
	openOld := receive(t, f, "wa", wa("+14155550102"), "w1", "still waiting").Conversation.ID

	f.Clock.Advance(48 * time.Hour)
	recent := receive(t, f, "sms", sms("+14155550103"), "s3", "hi").Conversation.ID
	require.NoError(t, f.Close(ctx, "ana", recent, ""))
	cutoff := f.Clock.Now().Add(-24 * time.Hour)

	for _, tc := range []struct {
		actor string
		want  error
	}{
		{"ana", parley.ErrForbidden},
		{"nobody", routing.ErrUnknownAgent},
	} {
		_, err := f.Purge(ctx, tc.actor, cutoff)
		assert.ErrorIs(t, err, tc.want, tc.actor)
		assert.Equal(t, conversation.Closed, mustStatus(t, f, old), "%s purged nothing", tc.actor)
	}
	_, err := f.Purge(ctx, "sue", time.Time{})
	assert.ErrorIs(t, err, conversation.ErrInvalid, "a zero cutoff")

	p, err := f.Purge(ctx, "sue", cutoff)
	require.NoError(t, err)
	assert.Equal(t, 2, p.Conversations)
	assert.GreaterOrEqual(t, p.Messages, 2)
	for _, id := range []conversation.ID{old, stop} {
		_, err := f.Conversation(ctx, parley.SystemActor, id)
		assert.ErrorIs(t, err, conversation.ErrNotFound, "purged")
	}
	assert.Equal(t, conversation.Queued, mustStatus(t, f, openOld), "an open conversation is never purged")
	assert.Equal(t, conversation.Closed, mustStatus(t, f, recent), "a recent one is kept")

	require.NoError(t, f.Assign(ctx, "ana", openOld, "ana"), "the open one is still routed")
	_, _, err = f.Start(ctx, "ana", parley.Opening{Touchpoint: "sms", To: sms("+14155550101"), Text: "a deal!"})
	assert.ErrorIs(t, err, optout.ErrOptedOut, "the consent ledger outlives the purged conversation")
}

// A store that cannot purge says so, and nothing is forgotten.
func TestPurgeUnsupported(t *testing.T) {
	f := newFixture(t, func(c *parley.Config) { c.Conversations = noEraser{memory.NewConversationStore()} })
	_, err := f.Purge(context.Background(), parley.SystemActor, f.Clock.Now())
	assert.ErrorIs(t, err, parley.ErrPurgeUnsupported)
}

// Purge runs while webhooks arrive and agents close conversations: under
// -race, nothing open is purged and every message is stored.
func TestPurgeRacesReceive(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	const n = 40
	var wg sync.WaitGroup
	wg.Add(3)
	go func() {
		defer wg.Done()
		for i := range n {
			rc, err := f.Receive(ctx, parley.Inbound{Touchpoint: "wa", From: wa(fmt.Sprintf("+1415555%04d", i)), ProviderID: "w" + strconv.Itoa(i), Text: "hi"})
			if assert.NoError(t, err) && i%2 == 0 {
				assert.NoError(t, f.Close(ctx, parley.SystemActor, rc.Conversation.ID, ""))
			}
		}
	}()
	go func() {
		defer wg.Done()
		for range n {
			_, err := f.Purge(ctx, parley.SystemActor, f.Clock.Now().Add(time.Hour))
			assert.NoError(t, err)
		}
	}()
	go func() {
		defer wg.Done()
		for range n {
			_, err := f.Inbox(ctx, "ana", routing.OldestFirst)
			assert.NoError(t, err)
		}
	}()
	wg.Wait()
	_, err := f.Purge(ctx, parley.SystemActor, f.Clock.Now().Add(time.Hour))
	require.NoError(t, err)
	page, err := f.Search(ctx, parley.SystemActor, conversation.Query{Limit: conversation.MaxLimit})
	require.NoError(t, err)
	assert.Len(t, page.Conversations, n/2, "the open half is kept")
	for _, c := range page.Conversations {
		assert.True(t, c.Status.Open())
		assert.Len(t, storedMessages(t, f, c.ID), 1)
	}
}

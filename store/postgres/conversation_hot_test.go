package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/store/postgres"
	"github.com/parleyhq/parley/store/postgres/internal/pgtest"
)

// A follow-up message changes only unindexed columns of its conversation,
// so PostgreSQL writes the conversation as a heap-only tuple (HOT), adding
// nothing to the table's indexes: what keeps a follow-up's server work
// close to the bare-SQL floor's (see docs/performance.md).
func TestFollowUpsAreHOTUpdates(t *testing.T) {
	ctx := context.Background()
	_, pool := pgtest.Schema(t)
	st := postgres.New(pool).Conversations
	ids := conversation.SequentialIDs(epoch)
	c := start(t, ids(), channel.WhatsApp, "whatsapp:+14155550100", "", conversation.Inbound)
	c.Queues = []string{"sales"}
	require.NoError(t, st.Create(ctx, c))
	const followUps = 20
	for i := range followUps {
		m := inbound(ids(), conversation.ID{}, c.Contact.ID, fmt.Sprintf("wamid.%d", i), "where is it?")
		m.CreatedAt = epoch.Add(time.Duration(i+1) * time.Minute)
		r, err := st.ReceiveOpen(ctx, c.Key(), m)
		require.NoError(t, err)
		require.True(t, r.Created)
	}
	// Backends report their counts when idle, within about a second.
	var upd, hot int64
	require.Eventually(t, func() bool {
		err := pool.QueryRow(ctx, `SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables
			WHERE relid = 'parley_conversations'::regclass`).Scan(&upd, &hot)
		return err == nil && upd >= followUps
	}, 10*time.Second, 100*time.Millisecond, "updates counted")
	assert.Equal(t, upd, hot, "every follow-up is a HOT update")
}

// A follow-up takes two round trips: the read of the open conversation,
// and the one statement that locks it at that version and writes the
// message and the conversation. Each round trip costs the client and the
// server a request's CPU, which on a busy host decides the rate
// (docs/performance.md).
func TestFollowUpRoundTrips(t *testing.T) {
	ctx := context.Background()
	schema, pool := pgtest.Schema(t)
	var writes atomic.Int64
	st := postgres.New(pgtest.CountingPool(t, pgtest.DSN(t), schema, &writes)).Conversations
	ids := conversation.SequentialIDs(epoch)
	c := start(t, ids(), channel.WhatsApp, "whatsapp:+14155550100", "", conversation.Inbound)
	require.NoError(t, postgres.New(pool).Conversations.Create(ctx, c))
	for i := range 5 {
		m := inbound(ids(), conversation.ID{}, c.Contact.ID, fmt.Sprintf("wamid.%d", i), "where is it?")
		m.CreatedAt = epoch.Add(time.Duration(i+1) * time.Minute)
		before := writes.Load()
		r, err := st.ReceiveOpen(ctx, c.Key(), m)
		require.NoError(t, err)
		require.True(t, r.Created)
		// The first message also prepares the statements on the connection.
		if i > 0 {
			assert.Equal(t, int64(2), writes.Load()-before, "round trips of follow-up %d", i)
		}
	}
}

// Record of a conversation at its stored version is one statement, one
// round trip: the new conversation's first message takes it, and every
// message sent.
func TestRecordRoundTrips(t *testing.T) {
	ctx := context.Background()
	schema, pool := pgtest.Schema(t)
	var writes atomic.Int64
	st := postgres.New(pgtest.CountingPool(t, pgtest.DSN(t), schema, &writes)).Conversations
	ids := conversation.SequentialIDs(epoch)
	c := start(t, ids(), channel.WhatsApp, "whatsapp:+14155550100", "", conversation.Inbound)
	require.NoError(t, postgres.New(pool).Conversations.Create(ctx, c))
	for i := range 5 {
		m := inbound(ids(), c.ID, c.Contact.ID, fmt.Sprintf("wamid.%d", i), "where is it?")
		m.CreatedAt = epoch.Add(time.Duration(i+1) * time.Minute)
		_, err := c.Receive(m)
		require.NoError(t, err)
		before := writes.Load()
		_, created, err := st.Record(ctx, c, m)
		require.NoError(t, err)
		require.True(t, created)
		if i > 0 {
			assert.Equal(t, int64(1), writes.Load()-before, "round trips of message %d", i)
		}
	}
	got, err := st.Get(ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, int64(6), got.Version, "one version a message")
	assert.Equal(t, 5, got.Unread, "every message counted")
}

// One follow-up message a op through ReceiveOpen, the step every webhook
// of an open conversation takes (bench's Desk.Receive row on PostgreSQL).
func BenchmarkReceiveOpenFollowUp(b *testing.B) {
	ctx := context.Background()
	_, pool := pgtest.Schema(b)
	st := postgres.New(pool).Conversations
	ids := conversation.SequentialIDs(epoch)
	c := start(b, ids(), channel.WhatsApp, "whatsapp:+14155550100", "", conversation.Inbound)
	if err := st.Create(ctx, c); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		m := inbound(ids(), conversation.ID{}, c.Contact.ID, fmt.Sprintf("wamid.%d", i), "where is it?")
		m.CreatedAt = epoch.Add(time.Duration(i+1) * time.Second)
		if _, err := st.ReceiveOpen(ctx, c.Key(), m); err != nil {
			b.Fatal(err)
		}
	}
}

// A writer between ReceiveOpen's read and its write changes the version
// the write checks: ReceiveOpen then takes the message holding the row's
// lock, and never answers ErrConflict. Here one goroutine receives
// follow-ups while another keeps updating the conversation; every message
// is stored and counted.
func TestReceiveOpenBesideWriters(t *testing.T) {
	ctx := context.Background()
	_, pool := pgtest.Schema(t)
	st := postgres.New(pool).Conversations
	ids := conversation.SequentialIDs(epoch)
	c := start(t, ids(), channel.WhatsApp, "whatsapp:+14155550100", "", conversation.Inbound)
	require.NoError(t, st.Create(ctx, c))
	const messages = 150
	msgs := make([]*conversation.Message, messages)
	for i := range msgs {
		msgs[i] = inbound(ids(), conversation.ID{}, c.Contact.ID, fmt.Sprintf("wamid.%d", i), "where is it?")
		msgs[i].CreatedAt = epoch.Add(time.Duration(i+1) * time.Second)
	}
	done := make(chan struct{})
	var updates atomic.Int64
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			default:
			}
			cur, err := st.Get(ctx, c.ID)
			if err != nil {
				t.Error(err)
				return
			}
			cur.Subject = fmt.Sprintf("subject %d", i)
			if err := st.Update(ctx, cur); err == nil {
				updates.Add(1)
			} else if !errors.Is(err, conversation.ErrConflict) {
				t.Error(err)
				return
			}
		}
	})
	for i, m := range msgs {
		r, err := st.ReceiveOpen(ctx, c.Key(), m)
		if !assert.NoError(t, err, "message %d", i) {
			break
		}
		assert.True(t, r.Created, "message %d stored", i)
	}
	close(done)
	wg.Wait()
	got, err := st.Get(ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, messages, got.Unread, "every message counted")
	assert.Equal(t, int64(1+messages)+updates.Load(), got.Version, "one version a write")
	t.Logf("%d updates beside %d messages", updates.Load(), messages)
}

package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/store/postgres"
	"github.com/parleyhq/parley/store/postgres/internal/pgtest"
)

var epoch = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

func start(t testing.TB, id conversation.ID, kind channel.Kind, contact, interaction string, dir conversation.Direction) *conversation.Conversation {
	t.Helper()
	c, _, err := conversation.Start(conversation.Params{ID: id, Touchpoint: "tp", Channel: kind, Direction: dir,
		Contact: conversation.Contact{ID: contact, Name: "Ana"}, InteractionID: interaction, Queues: []string{"q"}}, epoch)
	require.NoError(t, err)
	return c
}

func inbound(id, conv conversation.ID, contact, providerID, text string) *conversation.Message {
	return &conversation.Message{ID: id, ConversationID: conv, Direction: conversation.Inbound,
		Author: conversation.Author{Kind: conversation.AuthorContact, ID: contact}, Text: text, ProviderID: providerID, CreatedAt: epoch}
}

// The slot rules and the provider keys are the database's: a row written
// by SQL that bypasses the store breaks them no more than the store does.
func TestRulesHeldByTheDatabase(t *testing.T) {
	ctx := context.Background()
	_, pool := pgtest.Schema(t)
	st := postgres.New(pool).Conversations
	ids := conversation.SequentialIDs(epoch)

	open := start(t, ids(), channel.Custom, "ana", "i-1", conversation.Outbound)
	require.NoError(t, st.Create(ctx, open))
	m := inbound(ids(), open.ID, "ana", "msg-1", "hi")
	_, _, err := st.AppendMessage(ctx, m)
	require.NoError(t, err)
	out := &conversation.Message{ID: ids(), ConversationID: open.ID, Direction: conversation.Outbound,
		Author: conversation.Author{Kind: conversation.AuthorAgent, ID: "bo"}, Text: "hello", ProviderID: "out-1",
		Delivery: conversation.Delivery{Status: conversation.DeliverySent}, CreatedAt: epoch}
	_, _, err = st.AppendMessage(ctx, out)
	require.NoError(t, err)

	// copyConv inserts a copy of the open conversation with some columns
	// changed; copyMsg does so for a message.
	copyConv := `INSERT INTO parley_conversations SELECT (jsonb_populate_record(c, $2::jsonb)).* FROM parley_conversations c WHERE id = $1`
	copyMsg := `INSERT INTO parley_messages OVERRIDING SYSTEM VALUE SELECT (jsonb_populate_record(m, $2::jsonb)).* FROM parley_messages m WHERE id = $1`
	cases := []struct {
		name      string
		sql       string
		from      conversation.ID
		changes   string
		violation string // the index it breaks, or "" when allowed
	}{
		{"a second open conversation in the slot", copyConv, open.ID, `{"direction": "inbound"}`, "parley_conversations_open_slot"},
		{"a second open outbound conversation with the contact", copyConv, open.ID, `{"interaction_id": "i-2"}`, "parley_conversations_open_outbound"},
		{"an open inbound conversation in another interaction", copyConv, open.ID, `{"interaction_id": "i-3", "direction": "inbound"}`, ""},
		{"a closed conversation in the slot", copyConv, open.ID, `{"status": "closed"}`, ""},
		{"the same sender's provider ID again", copyMsg, m.ID, `{"seq": 100}`, "parley_messages_inbound_key"},
		{"another sender's message with the provider ID", copyMsg, m.ID, `{"seq": 101, "sender": "bob"}`, ""},
		{"an outbound provider ID again", copyMsg, out.ID, `{"seq": 102}`, "parley_messages_outbound_key"},
		{"an inbound message with the outbound provider ID", copyMsg, out.ID, `{"seq": 103, "direction": "inbound", "sender": "ana"}`, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			changes := fmt.Sprintf(`{"id": %q, %s`, conversation.NewID(), tc.changes[1:])
			_, err := pool.Exec(ctx, tc.sql, tc.from.String(), changes)
			if tc.violation == "" {
				assert.NoError(t, err)
				return
			}
			var pe *pgconn.PgError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, "23505", pe.Code)
			assert.Equal(t, tc.violation, pe.ConstraintName)
		})
	}
}

// PostgreSQL text holds no NUL byte and no invalid UTF-8: the store says
// ErrInvalid, which callers do not retry, and stores nothing.
func TestUnstorableStringsAreInvalid(t *testing.T) {
	ctx := context.Background()
	_, pool := pgtest.Schema(t)
	st := postgres.New(pool).Conversations
	ids := conversation.SequentialIDs(epoch)
	c := start(t, ids(), channel.WhatsApp, "ana", "", conversation.Inbound)
	require.NoError(t, st.Create(ctx, c))

	cases := []struct {
		name string
		do   func() error
	}{
		{"NUL in a contact name", func() error {
			c := start(t, ids(), channel.WhatsApp, "bob", "", conversation.Inbound)
			c.Contact.Name = "Bo\x00b"
			return st.Create(ctx, c)
		}},
		{"invalid UTF-8 in a subject", func() error {
			c, err := st.Get(ctx, c.ID)
			require.NoError(t, err)
			c.Subject = "\xff"
			return st.Update(ctx, c)
		}},
		{"NUL in a message", func() error {
			_, _, err := st.AppendMessage(ctx, inbound(ids(), c.ID, "ana", "p-1", "a\x00b"))
			return err
		}},
		{"NUL in an attachment (jsonb)", func() error {
			m := inbound(ids(), c.ID, "ana", "p-2", "file")
			m.Attachments = []conversation.Attachment{{URL: "https://example.com/\x00"}}
			_, _, err := st.AppendMessage(ctx, m)
			return err
		}},
		{"NUL in a provider ID, received", func() error {
			_, err := st.ReceiveOpen(ctx, c.Key(), inbound(ids(), conversation.ID{}, "ana", "p\x00", "hi"))
			return err
		}},
		{"NUL in a comment", func() error {
			return st.AddComment(ctx, &conversation.Comment{ID: ids(), ContactID: "ana", AuthorID: "bo", Text: "\x00"})
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.ErrorIs(t, tc.do(), conversation.ErrInvalid)
		})
	}
	page, err := st.Messages(ctx, conversation.MessageQuery{ConversationID: c.ID})
	require.NoError(t, err)
	assert.Empty(t, page.Messages, "a refused message was stored")
	got, err := st.Get(ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, int64(1), got.Version, "a refused update was stored")
}

// PostgreSQL keeps microseconds: times come back truncated to the
// microsecond, in UTC, and the caller's nanosecond copy still updates.
func TestTimesKeepMicroseconds(t *testing.T) {
	ctx := context.Background()
	_, pool := pgtest.Schema(t)
	st := postgres.New(pool).Conversations
	at := time.Date(2025, 3, 1, 9, 0, 0, 123456789, time.FixedZone("X", 3600))
	c, _, err := conversation.Start(conversation.Params{ID: conversation.NewID(), Touchpoint: "tp", Channel: channel.SMS,
		Direction: conversation.Inbound, Contact: conversation.Contact{ID: "ana"}}, at)
	require.NoError(t, err)
	require.NoError(t, st.Create(ctx, c))

	got, err := st.Get(ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, at.Truncate(time.Microsecond).UTC(), got.CreatedAt)
	assert.True(t, got.AssignedAt.IsZero(), "a zero time comes back zero")

	c.Subject = "from the caller's own copy"
	assert.NoError(t, st.Update(ctx, c), "CreatedAt compared at the stored precision")

	r, err := st.ReceiveOpen(ctx, c.Key(), inbound(conversation.NewID(), conversation.ID{}, "ana", "p", "hi"))
	require.NoError(t, err)
	again, err := st.Get(ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, again, r.Conversation, "ReceiveOpen returns the conversation as stored")
}

// Several processes (here pools: separate connections) receive the same
// webhooks for the same contacts at once, starting a conversation when
// none is open as the Desk does: each slot ends with one open
// conversation and each webhook with one message.
func TestReceiveOpenFromSeveralPools(t *testing.T) {
	ctx := context.Background()
	schema, admin := pgtest.Schema(t)
	const pools, contacts, webhooks = 4, 5, 10
	var wg sync.WaitGroup
	errs := make(chan error, pools)
	for p := range pools {
		st := postgres.New(pgtest.Pool(t, pgtest.DSN(t), schema)).Conversations
		wg.Go(func() {
			for i := range webhooks {
				for ct := range contacts {
					contact := fmt.Sprintf("contact-%d", ct)
					if err := receive(ctx, st, contact, fmt.Sprintf("wamid.%d", i), fmt.Sprintf("pool %d", p)); err != nil {
						errs <- err
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}

	var open, slots, msgs, keys, unread int
	require.NoError(t, admin.QueryRow(ctx, `SELECT count(*), count(DISTINCT (touchpoint, contact_id, interaction_id)), coalesce(sum(unread), 0)
		FROM parley_conversations WHERE status IN ('bot', 'queued', 'assigned')`).Scan(&open, &slots, &unread))
	require.NoError(t, admin.QueryRow(ctx, `SELECT count(*), count(DISTINCT (touchpoint, sender, provider_id)) FROM parley_messages`).Scan(&msgs, &keys))
	assert.Equal(t, contacts, open, "open conversations")
	assert.Equal(t, contacts, slots, "slots")
	assert.Equal(t, contacts*webhooks, msgs, "messages")
	assert.Equal(t, msgs, keys, "duplicate messages")
	assert.Equal(t, msgs, unread, "messages counted")
}

// receive stores one webhook as the Desk does: into the open
// conversation, or a new one when there is none.
func receive(ctx context.Context, st *postgres.ConversationStore, contact, providerID, text string) error {
	k := conversation.Key{Touchpoint: "tp", ContactID: contact}
	for range 100 {
		_, err := st.ReceiveOpen(ctx, k, inbound(conversation.NewID(), conversation.ID{}, contact, providerID, text))
		if !errors.Is(err, conversation.ErrNotFound) {
			return err
		}
		c, _, err := conversation.Start(conversation.Params{ID: conversation.NewID(), Touchpoint: "tp", Channel: channel.WhatsApp,
			Direction: conversation.Inbound, Contact: conversation.Contact{ID: contact}}, epoch)
		if err != nil {
			return err
		}
		if err := st.Create(ctx, c); err != nil && !errors.Is(err, conversation.ErrOpenExists) {
			return err
		}
	}
	return fmt.Errorf("no open conversation for %s after 100 tries", contact)
}

// Inbox and search queries are written so that their indexes serve them:
// with sequential scans disabled, the plan reads the index.
func TestSearchQueriesUseIndexes(t *testing.T) {
	ctx := context.Background()
	_, pool := pgtest.Schema(t)
	conn, err := pool.Acquire(ctx)
	require.NoError(t, err)
	defer conn.Release()
	_, err = conn.Exec(ctx, `SET enable_seqscan = off`)
	require.NoError(t, err)
	cases := []struct {
		name, where, index string
	}{
		{"text", `search_text LIKE '%ana li%'`, "parley_conversations_search"},
		{"inbox of queues", `status = ANY('{queued}') AND queues && '{sales}'`, "parley_conversations_"},
		{"contact", `contact_id = 'ana'`, "parley_conversations_contact"},
		{"slot (FindOpen, unordered)", `touchpoint = 'tp' AND contact_id = 'ana' AND interaction_id = '' AND status IN ('bot', 'queued', 'assigned')`, "parley_conversations_open_slot"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sql := `EXPLAIN SELECT id FROM parley_conversations WHERE ` + tc.where
			if !strings.HasPrefix(tc.name, "slot") {
				sql += ` ORDER BY created_at, id LIMIT 51`
			}
			rows, err := conn.Query(ctx, sql)
			require.NoError(t, err)
			lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
			require.NoError(t, err)
			assert.Contains(t, fmt.Sprint(lines), tc.index)
		})
	}
}

package postgres_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/store/postgres"
	"github.com/parleyhq/parley/store/postgres/internal/pgtest"
)

// generate stores n conversations with SQL, not through the store (a
// million take a minute this way): one in a hundred queued, one assigned,
// one with a bot, the rest closed; each in one of fifty queues, except
// one in fifty thousand, queued in "vip", the inbox that few match. Five
// closed conversations share a contact. Names are "Name <i>".
func generate(tb testing.TB, pool *pgxpool.Pool, n int) {
	tb.Helper()
	ctx := context.Background()
	_, err := pool.Exec(ctx, `
		INSERT INTO parley_conversations (id, version, touchpoint, channel, direction, status, assign_mode,
			bot_paused, contact_id, contact_name, contact_locale, contact_anonymous, interaction_id, subject,
			assignee_id, queues, priority, unread, closing_note, disposition, created_at,
			search_name, search_addresses, search_text)
		SELECT gen_random_uuid(), 1, 'tp', 'whatsapp', 'inbound', s.status,
			CASE s.status WHEN 'assigned' THEN 'auto' ELSE 'none' END, false,
			CASE s.status WHEN 'closed' THEN 'whatsapp:+1' || (4150000000 + i % 200000) ELSE 'whatsapp:+1' || (5550000000 + i) END,
			'Name ' || i, '', false, '', '',
			CASE s.status WHEN 'assigned' THEN 'a' || (i % 20) ELSE '' END,
			CASE WHEN i % 50000 = 0 THEN ARRAY['vip'] ELSE ARRAY['q' || (i % 50)] END,
			0, 0, '', '', timestamptz '2025-01-01 00:00:00Z' + i * interval '1 second',
			'name ' || i, ARRAY['+1' || (4150000000 + i)], 'name ' || i || E'\n+1' || (4150000000 + i)
		FROM generate_series(1, $1::int) AS i,
			LATERAL (SELECT CASE i % 100 WHEN 0 THEN 'queued' WHEN 1 THEN 'assigned' WHEN 2 THEN 'bot' ELSE 'closed' END AS status) s`, n)
	require.NoError(tb, err)
	// As autovacuum leaves them: statistics taken, the GIN indexes'
	// pending lists merged.
	_, err = pool.Exec(ctx, `VACUUM ANALYZE parley_conversations`)
	require.NoError(tb, err)
	_, err = pool.Exec(ctx, `VACUUM ANALYZE parley_conversation_queues`)
	require.NoError(tb, err)
}

// The queries measured and explained: an agent's inbox of one queue that
// few conversations are in, a contact's history, a search by name.
var (
	inboxQuery = conversation.Query{
		Viewer:   conversation.Viewer{AgentID: "a1", Queues: []string{"vip"}},
		Statuses: []conversation.Status{conversation.Queued},
		Queues:   []string{"vip"},
		Sort:     conversation.Oldest,
	}
	historyQuery = conversation.Query{Viewer: conversation.Viewer{Supervisor: true}, ContactID: "whatsapp:+14150012345"}
	textQuery    = conversation.Query{Viewer: conversation.Viewer{Supervisor: true}, Text: "NAME 4242"}
)

// explain returns the plan PostgreSQL makes for the SQL Search runs for q.
func explain(t *testing.T, pool *pgxpool.Pool, q conversation.Query) string {
	t.Helper()
	sql, args, err := postgres.SearchSQL(q)
	require.NoError(t, err)
	rows, err := pool.Query(context.Background(), `EXPLAIN `+sql, args...)
	require.NoError(t, err)
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	return strings.Join(lines, "\n")
}

// The inbox reads parley_conversation_queues, the index that leads with
// what it filters (queue, status), not an index in creation order that it
// would filter row by row; other queries keep their own indexes. The
// table is large enough, and analysed, for the planner to choose freely.
func TestSearchPlans(t *testing.T) {
	_, pool := pgtest.Schema(t)
	generate(t, pool, 100_000)
	cases := []struct {
		name  string
		q     conversation.Query
		index string
	}{
		{"inbox of an agent's queue", inboxQuery, "parley_conversation_queues_pkey"},
		{"inbox of several queues, newest first", conversation.Query{Viewer: conversation.Viewer{Supervisor: true},
			Statuses: []conversation.Status{conversation.Queued, conversation.Assigned}, Queues: []string{"vip", "q7"}}, "parley_conversation_queues_pkey"},
		{"inbox, next page", func() conversation.Query { q := inboxQuery; q.Cursor = cursorAfter(t, pool); return q }(), "parley_conversation_queues_pkey"},
		{"contact's history", historyQuery, "parley_conversations_contact"},
		{"text", textQuery, "parley_conversations_search"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			plan := explain(t, pool, tc.q)
			assert.Contains(t, plan, tc.index, "plan:\n%s", plan)
		})
	}
}

// cursorAfter returns the cursor after the first conversation of the inbox.
func cursorAfter(t *testing.T, pool *pgxpool.Pool) string {
	t.Helper()
	q := inboxQuery
	q.Limit = 1
	page, err := postgres.New(pool).Conversations.Search(context.Background(), q)
	require.NoError(t, err)
	require.NotEmpty(t, page.Next)
	return page.Next
}

// The inbox stays in line with the conversations through every write:
// create, a change of status, of queues, and delete (Erase), as the
// triggers of parley_conversation_queues keep it.
func TestInboxIndexFollowsWrites(t *testing.T) {
	ctx := context.Background()
	_, pool := pgtest.Schema(t)
	generate(t, pool, 2_000)
	check := func(when string) {
		t.Helper()
		var missing, extra int
		require.NoError(t, pool.QueryRow(ctx, `
			WITH want AS (SELECT DISTINCT q AS queue, c.status, c.created_at, c.id AS conversation_id
				FROM parley_conversations c, unnest(c.queues) q WHERE c.status IN ('bot', 'queued', 'assigned'))
			SELECT (SELECT count(*) FROM (TABLE want EXCEPT SELECT * FROM parley_conversation_queues) m),
				(SELECT count(*) FROM (SELECT * FROM parley_conversation_queues EXCEPT TABLE want) e)`).Scan(&missing, &extra))
		assert.Zero(t, missing, "%s: open conversations missing from the inbox index", when)
		assert.Zero(t, extra, "%s: rows of the inbox index that no open conversation has", when)
	}
	check("generated")
	steps := []struct{ name, sql string }{
		{"status changed", `UPDATE parley_conversations SET status = 'assigned' WHERE status = 'queued' AND created_at < '2025-01-01 00:10:00Z'`},
		{"closed", `UPDATE parley_conversations SET status = 'closed' WHERE status = 'bot' AND created_at < '2025-01-01 00:20:00Z'`},
		{"reopened", `UPDATE parley_conversations SET status = 'queued' WHERE status = 'closed' AND created_at > '2025-01-01 00:30:00Z' AND contact_id LIKE '%7'`},
		{"queues changed", `UPDATE parley_conversations SET queues = ARRAY['vip', 'q1', 'vip'] WHERE status = 'queued' AND created_at > '2025-01-01 00:25:00Z'`},
		{"queues emptied", `UPDATE parley_conversations SET queues = NULL WHERE status = 'assigned' AND created_at > '2025-01-01 00:20:00Z'`},
		{"other fields only", `UPDATE parley_conversations SET version = version + 1, unread = unread + 1`},
		{"deleted", `DELETE FROM parley_conversations WHERE created_at > '2025-01-01 00:28:00Z'`},
	}
	for _, s := range steps {
		_, err := pool.Exec(ctx, s.sql)
		require.NoError(t, err, s.name)
		check(s.name)
	}
}

// BenchmarkSearchMillion measures Search on a million conversations
// (PARLEY_BENCH_ROWS to change it): the inbox of a queue few
// conversations are in, a contact's history and a search by name. Setting
// up the table takes a minute or two, so -short skips it.
func BenchmarkSearchMillion(b *testing.B) {
	if testing.Short() {
		b.Skip("a million conversations take minutes to set up")
	}
	n := 1_000_000
	if s := os.Getenv("PARLEY_BENCH_ROWS"); s != "" {
		var err error
		n, err = strconv.Atoi(s)
		require.NoError(b, err)
	}
	_, pool := pgtest.Schema(b)
	generate(b, pool, n)
	st := postgres.New(pool).Conversations
	for _, bc := range []struct {
		name string
		q    conversation.Query
	}{{"inbox", inboxQuery}, {"history", historyQuery}, {"text", textQuery}} {
		b.Run(fmt.Sprintf("%s/rows=%d", bc.name, n), func(b *testing.B) {
			for b.Loop() {
				page, err := st.Search(context.Background(), bc.q)
				require.NoError(b, err)
				require.NotEmpty(b, page.Conversations)
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
		})
	}
}

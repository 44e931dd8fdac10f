package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/routing/routingtest"
	"github.com/parleyhq/parley/store/postgres"
	"github.com/parleyhq/parley/store/postgres/internal/pgtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRoutingLog(t *testing.T) {
	routingtest.RunLog(t, func(t *testing.T) (routing.Log, routing.Ledger) {
		_, pool := pgtest.Schema(t)
		s := postgres.New(pool)
		return s.Routing, s.Ledger
	})
}

// A read on one process's log sees what another appended, once notified,
// and still after its listening connection is cut: the poll catches up.
func TestRoutingLogReadSeesOtherProcesses(t *testing.T) {
	ctx := context.Background()
	schema, pool := pgtest.Schema(t)
	other := pgtest.Pool(t, pgtest.DSN(t), schema)
	mine, theirs := postgres.NewRoutingLog(pool), postgres.NewRoutingLog(other)
	t.Cleanup(mine.Close)
	t.Cleanup(theirs.Close)
	writer, err := routing.NewReplica(routing.ReplicaConfig{Router: routingtest.LogConfig(), Log: theirs})
	require.NoError(t, err)
	add := func(id string) {
		_, err := writer.Do(ctx, routing.Op{Kind: routing.OpAddAgent, At: time.Now(), Agent: &routing.Agent{ID: id, Queues: []string{"q1"}}})
		require.NoError(t, err)
	}
	seen := func(after uint64) func() bool {
		return func() bool {
			c, err := mine.Read(ctx, after)
			return err == nil && len(c.Entries) > 0
		}
	}
	c, err := mine.Read(ctx, 0)
	require.NoError(t, err)
	require.Empty(t, c.Entries)
	add("a1")
	assert.Eventually(t, seen(0), 5*time.Second, 5*time.Millisecond, "the first entry reaches the other log")

	var cut int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE query = 'LISTEN parley_routing' AND pid <> pg_backend_pid()`).Scan(&cut))
	require.Positive(t, cut, "precondition: the logs listen")
	add("a2")
	assert.Eventually(t, seen(1), 3*postgres.PollEvery, 10*time.Millisecond, "the second, with the listener cut")
}

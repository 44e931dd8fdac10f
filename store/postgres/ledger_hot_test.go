package postgres_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/store/postgres"
	"github.com/parleyhq/parley/store/postgres/internal/pgtest"
)

// A new reservation that fits is one plain statement: parley_reserve, a
// PL/pgSQL function whose steps cost more, runs only for the rarer cases
// (a re-weigh, a refusal, an agent's first charge), which is what keeps a
// pair close to the floor's two UPDATEs (docs/performance.md).
func TestLedgerCommonReservationIsPlainStatement(t *testing.T) {
	ctx := context.Background()
	schema, _ := pgtest.Schema(t)
	cfg, err := pgxpool.ParseConfig(pgtest.DSN(t))
	require.NoError(t, err)
	cfg.ConnConfig.RuntimeParams["search_path"] = schema + ",public"
	cfg.ConnConfig.RuntimeParams["track_functions"] = "pl"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	l := postgres.New(pool).Ledger

	require.NoError(t, l.Reserve(ctx, "ana", "first", 1, 10), "the agent's first charge")
	const pairs = 20
	for i := range pairs {
		conv := fmt.Sprintf("conv-%d", i)
		require.NoError(t, l.Reserve(ctx, "ana", conv, 2, 10))
		w, err := l.Release(ctx, conv)
		require.NoError(t, err)
		require.Equal(t, 2, w)
	}
	require.NoError(t, l.Reserve(ctx, "ana", "first", 3, 10), "a re-weigh")

	// Backends report their counts when idle, within about a second.
	calls := map[string]int64{}
	require.Eventually(t, func() bool {
		rows, err := pool.Query(ctx, `SELECT funcname, calls FROM pg_stat_user_functions WHERE schemaname = $1`, schema)
		if err != nil {
			return false
		}
		defer rows.Close()
		for rows.Next() {
			var name string
			var n int64
			if rows.Scan(&name, &n) == nil {
				calls[name] = n
			}
		}
		return calls["parley_reserve"] >= 2
	}, 10*time.Second, 100*time.Millisecond, "function calls counted")
	assert.Equal(t, int64(2), calls["parley_reserve"], "parley_reserve: the first charge and the re-weigh only")
}

// Reserves, re-weighs and releases of the same conversations on one
// agent, at once: none fails (two statements that lock a reservation and
// the agent's row in opposite orders would deadlock), and the load is the
// sum of the reservations' weights at the end. A call that meets a
// reservation inserted after its statement began can be a deadlock's
// victim; the ledger tries it again.
func TestLedgerReserveAndReleaseRace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, pool := pgtest.Schema(t)
	l := postgres.New(pool).Ledger
	const callers, calls, convs = 8, 150, 3
	errs := make([]error, callers)
	var wg sync.WaitGroup
	for c := range callers {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(c), 7))
			for range calls {
				conv := fmt.Sprintf("conv-%d", r.IntN(convs))
				var err error
				if r.IntN(2) == 0 {
					err = l.Reserve(ctx, "ana", conv, 1+r.IntN(3), 1<<30)
				} else {
					_, err = l.Release(ctx, conv)
				}
				if err != nil {
					errs[c] = err
					return
				}
			}
		})
	}
	wg.Wait()
	for c, err := range errs {
		assert.NoError(t, err, "caller %d", c)
	}
	var load, sum int64
	require.NoError(t, pool.QueryRow(ctx, `SELECT (SELECT load FROM parley_agent_loads WHERE agent_id = 'ana'),
		(SELECT coalesce(sum(weight), 0) FROM parley_reservations WHERE agent_id = 'ana')`).Scan(&load, &sum))
	assert.Equal(t, sum, load, "load is the sum of the reservations")
}

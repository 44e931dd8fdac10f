package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley/store/postgres"
	"github.com/parleyhq/parley/store/postgres/internal/pgtest"
)

// benchWorkers is how many goroutines share the pool, as a busy desk's
// routers would; they charge four agents, two goroutines each.
const benchWorkers = 8

// benchPool returns a migrated schema's pool with a connection per worker.
func benchPool(b *testing.B) *pgxpool.Pool {
	b.Helper()
	schema, _ := pgtest.Schema(b)
	cfg, err := pgxpool.ParseConfig(pgtest.DSN(b))
	if err != nil {
		b.Fatal(err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema + ",public"
	cfg.MaxConns = benchWorkers
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	return pool
}

// runWorkers shares b.N operations among benchWorkers goroutines; op gets
// the worker's number and the operation's.
func runWorkers(b *testing.B, op func(worker int, i int64) error) {
	b.Helper()
	var (
		next atomic.Int64
		wg   sync.WaitGroup
		errs = make([]error, benchWorkers)
	)
	b.ReportAllocs()
	b.ResetTimer()
	for w := range benchWorkers {
		wg.Go(func() {
			for i := next.Add(1); i <= int64(b.N); i = next.Add(1) {
				if err := op(w, i); err != nil {
					errs[w] = err
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	for _, err := range errs {
		if err != nil {
			b.Fatal(err)
		}
	}
}

// Reserve then Release of a fresh conversation, per op, by 8 goroutines
// on four agents: the ledger's two single statements (see reserveSQL).
func BenchmarkLedgerReserveRelease(b *testing.B) {
	ctx := context.Background()
	l := postgres.New(benchPool(b)).Ledger
	runWorkers(b, func(w int, i int64) error {
		agent, conv := fmt.Sprintf("agent-%d", w%4), fmt.Sprintf("conv-%d", i)
		if err := l.Reserve(ctx, agent, conv, 1, 1<<30); err != nil {
			return err
		}
		_, err := l.Release(ctx, conv)
		return err
	})
}

// The floor BenchmarkLedgerReserveRelease is judged against: one bare
// conditional UPDATE of the agent's load and the matching release UPDATE,
// with no reservation recorded, on the same agents and pool.
func BenchmarkLedgerFloorUpdate(b *testing.B) {
	ctx := context.Background()
	pool := benchPool(b)
	for a := range 4 {
		if _, err := pool.Exec(ctx, `INSERT INTO parley_agent_loads (agent_id) VALUES ($1)`, fmt.Sprintf("agent-%d", a)); err != nil {
			b.Fatal(err)
		}
	}
	runWorkers(b, func(w int, _ int64) error {
		agent := fmt.Sprintf("agent-%d", w%4)
		tag, err := pool.Exec(ctx, `UPDATE parley_agent_loads SET load = load + $2 WHERE agent_id = $1 AND load + $2 <= $3`, agent, 1, 1<<30)
		if err != nil {
			return err
		}
		if tag.RowsAffected() != 1 {
			return fmt.Errorf("floor: charge refused")
		}
		_, err = pool.Exec(ctx, `UPDATE parley_agent_loads SET load = load - $2 WHERE agent_id = $1`, agent, 1)
		return err
	})
}

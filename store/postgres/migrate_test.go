package postgres_test

import (
	"context"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/store/postgres"
	"github.com/parleyhq/parley/store/postgres/internal/pgtest"
)

// Migrate records every file it applies, applies none twice, and is safe
// to call from several processes starting at once (here, pools).
func TestMigrateIsIdempotentAndConcurrent(t *testing.T) {
	ctx := context.Background()
	schema, pool := pgtest.Schema(t)

	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		p := pgtest.Pool(t, pgtest.DSN(t), schema)
		wg.Go(func() { errs[i] = postgres.Migrate(ctx, p) })
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}

	entries, err := postgres.Migrations.ReadDir("migrations")
	require.NoError(t, err)
	rows, err := pool.Query(ctx, `SELECT name FROM parley_schema_migrations ORDER BY version`)
	require.NoError(t, err)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	require.Len(t, names, len(entries), "every file recorded once")
	for i, e := range entries {
		assert.Equal(t, e.Name(), names[i])
	}
}

package main

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/internal/quickstart"
	"github.com/parleyhq/parley/store/postgres/internal/pgtest"
)

// The story on PostgreSQL is the story on the memory stores, line for
// line: same routing, same refusals, same messages sent.
func TestQuickstartOnPostgresTellsTheMemoryStory(t *testing.T) {
	ctx := context.Background()
	var want strings.Builder
	require.NoError(t, quickstart.Run(ctx, &want, quickstart.Stores{}))

	var got strings.Builder
	_, err := run(ctx, &got, pgtest.DSN(t), false)
	require.NoError(t, err)
	assert.Equal(t, strings.Split(want.String(), "\n"), strings.Split(got.String(), "\n"))
}

// Every run starts on an empty schema of its own, where the story's rows
// are, dropped at the end unless -keep asks to look at it.
func TestQuickstartSchemaIsDroppedUnlessKept(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	admin := pgtest.Pool(t, dsn, "public")
	for _, keep := range []bool{false, true} {
		schema, err := run(ctx, io.Discard, dsn, keep)
		require.NoError(t, err)
		var exists bool
		require.NoError(t, admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", schema).Scan(&exists))
		assert.Equal(t, keep, exists, "keep=%v: schema %s", keep, schema)
		if exists {
			var convs, msgs int
			require.NoError(t, admin.QueryRow(ctx, "SELECT (SELECT count(*) FROM "+schema+".parley_conversations), (SELECT count(*) FROM "+schema+".parley_messages)").Scan(&convs, &msgs))
			assert.Equal(t, 2, convs, "the story's conversations are in the database: Maria's and the SMS contact's")
			assert.Positive(t, msgs)
			_, err := admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
			require.NoError(t, err)
		}
	}
}

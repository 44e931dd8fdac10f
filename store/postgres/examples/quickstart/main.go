// Command quickstart tells parley's quickstart story, one day of a small
// helpdesk, with every store in PostgreSQL: conversations and messages,
// the opt-out consent ledger and agent capacity. Its output is the memory
// version's (go run ./examples/quickstart at the repository's root), line
// for line.
//
//	cd store/postgres && go run ./examples/quickstart -postgres "$DSN"
//
// It creates a fresh schema on the server, migrates it (postgres.Migrate),
// tells the story on postgres.New's stores, and drops the schema, so that
// every run starts empty; -keep leaves it for a look and prints its name.
// scripts/pg.sh start gives a throwaway server and its DSN.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley/internal/quickstart"
	"github.com/parleyhq/parley/store/postgres"
)

func main() {
	dsn := flag.String("postgres", "", "PostgreSQL connection string (required), e.g. postgres://user@localhost/db")
	keep := flag.Bool("keep", false, "keep the story's schema and print its name")
	flag.Parse()
	if *dsn == "" {
		fmt.Fprintln(os.Stderr, "quickstart: -postgres DSN is required")
		flag.Usage()
		os.Exit(2)
	}
	schema, err := run(context.Background(), os.Stdout, *dsn, *keep)
	if err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
	if *keep {
		fmt.Fprintf(os.Stderr, "quickstart: the story's rows are in schema %s\n", schema)
	}
}

// run tells the story on a fresh schema of the server at dsn, and drops the
// schema unless keep. It returns the schema's name.
func run(ctx context.Context, w io.Writer, dsn string, keep bool) (schema string, err error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return "", err
	}
	admin, err := pgxpool.NewWithConfig(ctx, cfg.Copy())
	if err != nil {
		return "", err
	}
	defer admin.Close()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema = "parley_quickstart_" + hex.EncodeToString(b)
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize()); err != nil {
		return "", fmt.Errorf("create schema: %w", err)
	}
	if !keep {
		defer func() {
			_, derr := admin.Exec(context.WithoutCancel(ctx), "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
			err = errors.Join(err, derr)
		}()
	}

	// The story's tables go in the schema; pg_trgm, which the migrations
	// create, stays in public.
	cfg.ConnConfig.RuntimeParams["search_path"] = schema + ",public"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return schema, err
	}
	defer pool.Close()
	if err := postgres.Migrate(ctx, pool); err != nil {
		return schema, err
	}
	st := postgres.New(pool)
	return schema, quickstart.Run(ctx, w, quickstart.Stores{Conversations: st.Conversations, OptOuts: st.OptOuts, Routing: st.Routing})
}

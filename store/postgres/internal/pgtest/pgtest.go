// Package pgtest gives store/postgres tests a live database: a fresh
// schema per test on the server PARLEY_TEST_DSN names, migrated, and
// dropped when the test ends.
//
// Without PARLEY_TEST_DSN a test is skipped, unless CI=true: CI is
// supposed to have the database (.ci/run starts one), so there a missing
// or unreachable server fails the test instead. Start one locally with
// scripts/pg.sh (see the module's README section in docs/storage.md).
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley/store/postgres"
)

// DSN returns the test server's connection string, skipping the test when
// there is none outside CI and failing it in CI.
func DSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("PARLEY_TEST_DSN")
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("PARLEY_TEST_DSN is not set, and CI expects a PostgreSQL server (.ci/run starts one with scripts/pg.sh)")
		}
		t.Skip("PARLEY_TEST_DSN is not set: start a server with eval \"$(scripts/pg.sh start)\"")
	}
	return dsn
}

// Schema creates a fresh schema, migrated, and returns its name and a
// pool whose connections use it (and public, for pg_trgm). The schema is
// dropped and the pool closed when the test ends.
func Schema(t testing.TB) (string, *pgxpool.Pool) {
	t.Helper()
	ctx := context.Background()
	dsn := DSN(t)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "parley_test_" + hex.EncodeToString(b)

	admin, err := pgxpool.New(ctx, dsn)
	if err != nil {
		t.Fatalf("pgtest: connect: %v", err)
	}
	t.Cleanup(admin.Close)
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("pgtest: create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("pgtest: drop schema: %v", err)
		}
	})
	pool := Pool(t, dsn, schema)
	if err := postgres.Migrate(ctx, pool); err != nil {
		t.Fatalf("pgtest: migrate: %v", err)
	}
	return schema, pool
}

// Pool returns a pool on dsn whose connections use schema (then public),
// closed when the test ends.
func Pool(t testing.TB, dsn, schema string) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema + ",public"
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatalf("pgtest: connect: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// CountingPool is Pool with one connection whose writes to the server are
// counted in writes: each is one request the client waits on (a round
// trip), however many statements it carries.
func CountingPool(t testing.TB, dsn, schema string, writes *atomic.Int64) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema + ",public"
	cfg.MaxConns = 1
	dial := cfg.ConnConfig.DialFunc
	cfg.ConnConfig.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return countingConn{Conn: c, writes: writes}, nil
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatalf("pgtest: connect: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// countingConn counts its writes.
type countingConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c countingConn) Write(b []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(b)
}

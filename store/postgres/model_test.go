package postgres_test

import (
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/internal/deskmodel"
	"github.com/parleyhq/parley/optout"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/store/postgres"
	"github.com/parleyhq/parley/store/postgres/internal/pgtest"
)

// defaultModelOps is the model test's budget on PostgreSQL when
// PARLEY_MODEL_OPS is unset: a few seconds, for every go test run.
const defaultModelOps = 2000

// pgStores is the model test's deskmodel.Stores on a fresh schema.
func pgStores(t *testing.T) (conversation.Store, optout.Store, routing.Ledger) {
	_, pool := pgtest.Schema(t)
	st := postgres.New(pool)
	return st.Conversations, st.OptOuts, st.Ledger
}

// modelOptions reads the run's budget from PARLEY_MODEL_OPS and a seed to
// replay from PARLEY_MODEL_SEED.
func modelOptions(t *testing.T) deskmodel.Options {
	t.Helper()
	name := t.Name()
	opts := deskmodel.Options{
		Ops:  envInt(t, "PARLEY_MODEL_OPS", defaultModelOps),
		Seed: int64(envInt(t, "PARLEY_MODEL_SEED", 0)),
		Replay: func(seed int64) string {
			return fmt.Sprintf("cd store/postgres && PARLEY_MODEL_SEED=%d go test -run '^%s$' .", seed, name)
		},
	}
	return opts
}

// envInt reads a positive number from the environment variable name, or
// returns def when it is unset.
func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive number", name, s)
	}
	return n
}

// The Desk on PostgreSQL behaves as the reference model says, operation
// by operation, and ends where the same run on the memory stores ends:
// the same events, and every conversation and message the same, field by
// field.
func TestModelOnPostgres(t *testing.T) {
	got := deskmodel.Run(t, pgStores, modelOptions(t))
	want := deskmodel.Run(t, deskmodel.Memory, deskmodel.Options{Seed: got.Seed, Ops: int(got.Ops)})
	assert.Equal(t, want, got, "seed %d: the run on PostgreSQL (actual) against the same on memory (expected)", got.Seed)
}

// The Desk on PostgreSQL keeps the model's invariants with 8 goroutines
// acting at once.
func TestModelConcurrentOnPostgres(t *testing.T) {
	deskmodel.RunConcurrent(t, pgStores, modelOptions(t))
}

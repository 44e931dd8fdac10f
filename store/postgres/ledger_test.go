package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/memory"

	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/routing/routingtest"
	"github.com/parleyhq/parley/store/postgres"
	"github.com/parleyhq/parley/store/postgres/internal/pgtest"
)

// The capacity ledger keeps the whole routing.Ledger contract.
func TestLedger(t *testing.T) {
	routingtest.Run(t, func(t *testing.T) routing.Ledger {
		_, pool := pgtest.Schema(t)
		return postgres.New(pool).Ledger
	})
}

// Re-weighing, refusals and bad IDs beyond the suite: each case runs its
// calls on a fresh ledger and checks the last call's outcome and the
// agent's load.
func TestLedgerReserveCases(t *testing.T) {
	type call struct {
		agent, conv string
		weight, cap int
	}
	cases := []struct {
		name     string
		before   []call
		call     call
		wantErr  error
		wantLoad int
	}{
		{"re-weigh down", []call{{"ana", "c1", 4, 5}}, call{"ana", "c1", 1, 5}, nil, 1},
		{"re-weigh down at full capacity", []call{{"ana", "c1", 3, 5}, {"ana", "c2", 2, 5}}, call{"ana", "c2", 1, 5}, nil, 4},
		{"re-weigh down once capacity fell below the load", []call{{"ana", "c1", 4, 10}, {"ana", "c2", 4, 10}}, call{"ana", "c2", 3, 5}, routing.ErrOverCapacity, 8},
		{"first weight above capacity", nil, call{"ana", "c1", 6, 5}, routing.ErrOverCapacity, 0},
		{"empty agent", nil, call{"", "c1", 1, 5}, routing.ErrInvalid, 0},
		{"empty conversation", nil, call{"ana", "", 1, 5}, routing.ErrInvalid, 0},
		{"NUL in the conversation", nil, call{"ana", "c\x001", 1, 5}, routing.ErrInvalid, 0},
		{"invalid UTF-8 in the agent", nil, call{"\xff", "c1", 1, 5}, routing.ErrInvalid, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			_, pool := pgtest.Schema(t)
			l := postgres.New(pool).Ledger
			for _, b := range c.before {
				require.NoError(t, l.Reserve(ctx, b.agent, b.conv, b.weight, b.cap))
			}
			err := l.Reserve(ctx, c.call.agent, c.call.conv, c.call.weight, c.call.cap)
			if c.wantErr == nil {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, c.wantErr)
			}
			load, err := l.Load(ctx, "ana")
			require.NoError(t, err)
			assert.Equal(t, c.wantLoad, load)
		})
	}
}

// The refusal's facts: the load the weight did not fit excludes the
// conversation's own reservation, which a re-weigh replaces.
func TestLedgerCapacityErrorFacts(t *testing.T) {
	ctx := context.Background()
	_, pool := pgtest.Schema(t)
	l := postgres.New(pool).Ledger
	require.NoError(t, l.Reserve(ctx, "ana", "c1", 3, 10))
	require.NoError(t, l.Reserve(ctx, "ana", "c2", 5, 10))
	var ce *routing.CapacityError
	require.ErrorAs(t, l.Reserve(ctx, "ana", "c2", 8, 10), &ce)
	assert.Equal(t, routing.CapacityError{AgentID: "ana", Load: 3, Weight: 8, Capacity: 10}, *ce)
}

// The same random calls on this ledger and on memory.Ledger, the
// in-process reference, give the same outcomes and loads.
func TestLedgerMatchesMemory(t *testing.T) {
	ctx := context.Background()
	_, pool := pgtest.Schema(t)
	pg, mem := postgres.New(pool).Ledger, memory.NewLedger()
	rnd := rand.New(rand.NewPCG(1, 2))
	agents := []string{"ana", "bo"}
	outcome := func(err error) string {
		for _, e := range []error{routing.ErrOverCapacity, routing.ErrAlreadyReserved, routing.ErrInvalid} {
			if errors.Is(err, e) {
				return e.Error()
			}
		}
		if err != nil {
			return "unexpected: " + err.Error()
		}
		return "ok"
	}
	for i := range 400 {
		conv := fmt.Sprintf("c%d", rnd.IntN(8))
		if rnd.IntN(3) == 0 {
			wp, errP := pg.Release(ctx, conv)
			wm, errM := mem.Release(ctx, conv)
			require.NoError(t, errP)
			require.NoError(t, errM)
			require.Equal(t, wm, wp, "call %d: release %s", i, conv)
			continue
		}
		agent, w, capacity := agents[rnd.IntN(2)], rnd.IntN(5), 1+rnd.IntN(10)
		errP := pg.Reserve(ctx, agent, conv, w, capacity)
		errM := mem.Reserve(ctx, agent, conv, w, capacity)
		require.Equal(t, outcome(errM), outcome(errP), "call %d: reserve %s %s weight %d capacity %d", i, agent, conv, w, capacity)
		for _, a := range agents {
			lp, err := pg.Load(ctx, a)
			require.NoError(t, err)
			lm, _ := mem.Load(ctx, a)
			require.Equal(t, lm, lp, "call %d: load of %s", i, a)
		}
	}
}

// An agent's first charges, made at once by several callers, all fit a
// capacity with room for them: none is refused because the agent's row
// appeared after its statement began.
func TestLedgerConcurrentFirstCharges(t *testing.T) {
	t.Parallel()
	_, pool := pgtest.Schema(t)
	l := postgres.New(pool).Ledger
	const callers = 8
	for round := range 30 {
		agent := fmt.Sprintf("agent-%d", round)
		errs := make([]error, callers)
		var wg sync.WaitGroup
		for c := range callers {
			wg.Go(func() {
				errs[c] = l.Reserve(context.Background(), agent, fmt.Sprintf("conv-%d-%d", round, c), 1, 1<<30)
			})
		}
		wg.Wait()
		for c, err := range errs {
			assert.NoError(t, err, "round %d, caller %d", round, c)
		}
		load, err := l.Load(context.Background(), agent)
		require.NoError(t, err)
		assert.Equal(t, callers, load, "round %d", round)
	}
}

package parley_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/routing"
)

// releaseFails is a shared Ledger whose Release fails while down is set.
type releaseFails struct {
	*memory.Ledger
	down atomic.Bool
}

func (l *releaseFails) Release(ctx context.Context, conversationID string) (int, error) {
	if l.down.Load() {
		return 0, errors.New("ledger unreachable")
	}
	return l.Ledger.Release(ctx, conversationID)
}

// A close the store has written stands even when the router cannot free
// the agent's weight (its shared Ledger is unreachable): the store is the
// truth, and Tick frees the weight once the Ledger answers, so the agent
// is not left charged for a closed conversation.
func TestTickRepairsARouterThatMissedAClose(t *testing.T) {
	ctx := context.Background()
	ledger := &releaseFails{Ledger: memory.NewLedger()}
	f := newFixture(t, func(c *parley.Config) {
		c.Ledger = ledger
		c.Agents = []routing.Agent{{ID: "ana", Queues: []string{"support"}, Capacity: 20}}
	})
	first := receive(t, f, "wa", wa("+14155550100"), "w1", "one").Conversation.ID
	require.NoError(t, f.Assign(ctx, "ana", first, "ana"))
	second := receive(t, f, "wa", wa("+14155550101"), "w2", "two").Conversation.ID

	ledger.down.Store(true)
	require.NoError(t, f.Close(ctx, "ana", first, "done"), "the store closed it: the close stands")
	assert.Equal(t, conversation.Closed, mustStatus(t, f, first))
	load, err := ledger.Load(ctx, "ana")
	require.NoError(t, err)
	assert.Equal(t, 20, load, "precondition: the Ledger still charges ana")
	assert.Error(t, f.Tick(ctx), "Tick reports what it could not repair yet")

	ledger.down.Store(false)
	require.NoError(t, f.Tick(ctx))
	load, err = ledger.Load(ctx, "ana")
	require.NoError(t, err)
	assert.Equal(t, 0, load, "Tick freed the closed conversation's weight")
	require.NoError(t, f.Assign(ctx, "ana", second, "ana"), "ana has room again")
	require.NoError(t, f.Tick(ctx), "nothing left to repair")
}

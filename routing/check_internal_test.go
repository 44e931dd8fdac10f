package routing

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
)

// A load that a release would take below zero is a bug in the router:
// Check reports it, and the router goes on from what the agent still
// holds rather than from a load clamped at zero.
func TestReleaseBeyondTheLoadIsReported(t *testing.T) {
	ctx, t0 := context.Background(), time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	r, err := New(Config{Agents: []Agent{{ID: "a", Queues: []string{"q"}}}})
	require.NoError(t, err)
	for _, id := range []string{"c1", "c2"} {
		_, err := r.Enqueue(ctx, Item{ConversationID: id, Kind: channel.WhatsApp, Queues: []string{"q"}}, t0)
		require.NoError(t, err)
		require.NoError(t, r.Assign(ctx, id, "a", t0))
	}
	require.NoError(t, r.Check())

	r.agents["a"].cand.Load = 10 // a bug elsewhere lost 30 points of the 40 held
	ds, err := r.Release(ctx, "c1", t0)
	require.NoError(t, err, "the release itself goes through")
	assert.Empty(t, ds)
	_, held := r.Conversation("c1")
	assert.False(t, held)
	l, err := r.Load("a")
	require.NoError(t, err)
	assert.Equal(t, 20, l, "the load is what a still holds (c2), not 0")
	err = r.Check()
	assert.ErrorIs(t, err, ErrInternal)
	assert.ErrorContains(t, err, `releasing "c1" (weight 20) from load 10`)
}

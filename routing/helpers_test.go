package routing_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/routing"
)

var (
	ctx = context.Background()
	t0  = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
)

func newRouter(t *testing.T, cfg routing.Config) *routing.Router {
	t.Helper()
	r, err := routing.New(cfg)
	require.NoError(t, err)
	return r
}

func item(id string, kind channel.Kind, touchpoint string, queues ...string) routing.Item {
	return routing.Item{ConversationID: id, Kind: kind, Touchpoint: touchpoint, Queues: queues}
}

func load(t *testing.T, r *routing.Router, agent string) int {
	t.Helper()
	l, err := r.Load(agent)
	require.NoError(t, err)
	return l
}

func enqueue(t *testing.T, r *routing.Router, it routing.Item, now time.Time) routing.Decision {
	t.Helper()
	d, err := r.Enqueue(ctx, it, now)
	require.NoError(t, err)
	return d
}

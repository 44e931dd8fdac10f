package routing_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/routing"
)

// Only available agents receive new work, whether they
// take it from the inbox or someone transfers it to them.
func TestOnlyAvailableAgentsTakeNewWork(t *testing.T) {
	ops := []struct {
		name string
		// give hands "c1" (assigned to "a" for transfer, in the inbox for
		// assign) to "b".
		give func(r *routing.Router) error
		// inbox says whether c1 waits in the inbox rather than with "a".
		inbox bool
	}{
		{"assign from the inbox", func(r *routing.Router) error { return r.Assign(ctx, "c1", "b", t0) }, true},
		{"transfer", func(r *routing.Router) error { _, err := r.Transfer(ctx, "c1", "b", t0); return err }, false},
	}
	presences := []struct {
		p    routing.Presence
		want error
	}{
		{routing.Available, nil},
		{routing.Away, routing.ErrUnavailable},
		{routing.Offline, routing.ErrUnavailable},
		{routing.Draining, routing.ErrUnavailable},
	}
	for _, op := range ops {
		for _, pr := range presences {
			t.Run(op.name+", b "+pr.p.String(), func(t *testing.T) {
				r := newRouter(t, routing.Config{Agents: []routing.Agent{
					{ID: "a", Queues: []string{"q"}}, {ID: "b", Queues: []string{"q"}, Presence: pr.p},
				}})
				enqueue(t, r, item("c1", channel.WhatsApp, "tp", "q"), t0)
				if !op.inbox {
					require.NoError(t, r.Assign(ctx, "c1", "a", t0))
				}
				before, _ := r.Conversation("c1")

				err := op.give(r)
				if pr.want == nil {
					require.NoError(t, err)
					assert.Equal(t, 20, load(t, r, "b"))
					return
				}
				assert.ErrorIs(t, err, pr.want)
				assert.Zero(t, load(t, r, "b"), "b was charged nothing")
				after, _ := r.Conversation("c1")
				assert.Equal(t, before, after, "c1 is where it was")
			})
		}
	}
}

// A draining agent's work is handed on once, when its grace period ends;
// a conversation transferred to it after that would stay with it for
// ever, so the transfer is refused.
func TestNoTransferToADrainedAgent(t *testing.T) {
	r := newRouter(t, routing.Config{
		Agents:     []routing.Agent{{ID: "a", Queues: []string{"q"}}, {ID: "b", Queues: []string{"q"}}},
		DrainGrace: time.Minute,
	})
	enqueue(t, r, item("c1", channel.WhatsApp, "tp", "q"), t0)
	enqueue(t, r, item("c2", channel.WhatsApp, "tp", "q"), t0)
	require.NoError(t, r.Assign(ctx, "c1", "a", t0))
	require.NoError(t, r.Assign(ctx, "c2", "b", t0))
	_, err := r.SetPresence(ctx, "a", routing.Draining, t0)
	require.NoError(t, err)
	_, err = r.Expire(ctx, t0.Add(2*time.Minute))
	require.NoError(t, err)
	held, err := r.Held("a")
	require.NoError(t, err)
	require.Empty(t, held, "the drain handed a's work on")

	_, err = r.Transfer(ctx, "c2", "a", t0.Add(3*time.Minute))
	assert.ErrorIs(t, err, routing.ErrUnavailable)
	p, _ := r.Conversation("c2")
	assert.Equal(t, "b", p.AgentID, "c2 stays with an agent who will answer it")
}

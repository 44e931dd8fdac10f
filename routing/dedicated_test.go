package routing_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/routing"
)

// refusingLedger is memory.Ledger that, while refuse is set, refuses
// every reservation as another process would that took the room first.
type refusingLedger struct {
	*memory.Ledger
	refuse bool
}

func (l *refusingLedger) Reserve(ctx context.Context, agent, conv string, w, capacity int) error {
	if l.refuse {
		return &routing.CapacityError{AgentID: agent, Weight: w, Capacity: capacity}
	}
	return l.Ledger.Reserve(ctx, agent, conv, w, capacity)
}

// A dedicated conversation that waits for its owner stays on the owner's
// list whatever fails on the way, so the owner's freed room dispatches it
// (dedicated conversations are assigned to the owner
// automatically).
func TestDedicatedStillWaitsForItsOwnerAfterARefusal(t *testing.T) {
	const full = 20 // the owner's capacity: one WhatsApp conversation
	cases := []struct {
		name   string
		refuse func(t *testing.T, r *routing.Router)
	}{
		{"another agent's Assign refused for capacity", func(t *testing.T, r *routing.Router) {
			assert.ErrorIs(t, r.Assign(ctx, "c2", "small", t0), routing.ErrOverCapacity)
		}},
		{"the owner's own Assign refused for capacity", func(t *testing.T, r *routing.Router) {
			assert.ErrorIs(t, r.Assign(ctx, "c2", "own", t0), routing.ErrOverCapacity)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRouter(t, routing.Config{
				Agents:   []routing.Agent{{ID: "own", Queues: []string{"q"}, Capacity: full}, {ID: "small", Queues: []string{"q"}, Capacity: 10}},
				Policies: []routing.Policy{{ID: "vip", Mode: routing.Dedicated, Agent: "own"}},
			})
			require.Equal(t, routing.Assigned, enqueue(t, r, item("c1", channel.WhatsApp, "vip", "q"), t0).Outcome)
			require.Equal(t, routing.Waiting, enqueue(t, r, item("c2", channel.WhatsApp, "vip", "q"), t0).Outcome)

			c.refuse(t, r)
			assert.NoError(t, r.Check(), "it is on its owner's list")
			p, ok := r.Conversation("c2")
			require.True(t, ok)
			assert.Equal(t, routing.Waiting, p.Outcome, "still waits after the refusal")

			ds, err := r.Release(ctx, "c1", t0)
			require.NoError(t, err)
			want := []routing.Decision{{ConversationID: "c2", Outcome: routing.Assigned, AgentID: "own", Weight: 20, Dedicated: true, Automatic: true}}
			assert.Equal(t, want, ds, "the owner's freed room takes it")
		})
	}

	t.Run("a transfer that loses both reservations", func(t *testing.T) {
		ledger := &refusingLedger{Ledger: memory.NewLedger()}
		r := newRouter(t, routing.Config{
			Agents:   []routing.Agent{{ID: "own", Queues: []string{"q"}}, {ID: "b", Queues: []string{"q"}}},
			Policies: []routing.Policy{{ID: "vip", Mode: routing.Dedicated, Agent: "own"}},
			Ledger:   ledger,
		})
		require.Equal(t, "own", enqueue(t, r, item("c1", channel.WhatsApp, "vip", "q"), t0).AgentID)
		ledger.refuse = true
		_, err := r.Transfer(ctx, "c1", "b", t0)
		require.ErrorIs(t, err, routing.ErrOverCapacity)
		p, _ := r.Conversation("c1")
		require.Equal(t, routing.Waiting, p.Outcome, "neither agent could be charged: it waits")

		ledger.refuse = false
		ds, err := r.Refresh(ctx, "own", t0)
		require.NoError(t, err)
		want := []routing.Decision{{ConversationID: "c1", Outcome: routing.Assigned, AgentID: "own", Weight: 20, Dedicated: true, Automatic: true}}
		assert.Equal(t, want, ds, "the owner takes it back once it can")
	})
}

// A dedicated touchpoint's owner removed: nobody is left to give its
// conversations to automatically, so they become ordinary inbox work that
// the queues' agents may take, until an agent with the owner's ID is
// added again.
func TestRemovedOwnerLeavesItsDedicatedWorkInTheInbox(t *testing.T) {
	setup := func(t *testing.T) *routing.Router {
		r := newRouter(t, routing.Config{
			Agents:   []routing.Agent{{ID: "own", Queues: []string{"q"}, Capacity: 20}, {ID: "b", Queues: []string{"q"}}},
			Policies: []routing.Policy{{ID: "vip", Mode: routing.Dedicated, Agent: "own"}},
		})
		require.Equal(t, routing.Assigned, enqueue(t, r, item("c1", channel.WhatsApp, "vip", "q"), t0).Outcome)
		require.Equal(t, routing.Waiting, enqueue(t, r, item("c2", channel.WhatsApp, "vip", "q"), t0).Outcome)
		return r
	}
	queued := func(id string) routing.Decision { return routing.Decision{ConversationID: id, Outcome: routing.Queued} }

	t.Run("what it held and what waited for it go to the inbox", func(t *testing.T) {
		r := setup(t)
		ds, err := r.RemoveAgent(ctx, "own", t0)
		require.NoError(t, err)
		assert.Equal(t, []routing.Decision{queued("c1"), queued("c2")}, ds)
		assert.NoError(t, r.Check())
		for _, id := range []string{"c1", "c2"} {
			p, ok := r.Conversation(id)
			require.True(t, ok)
			assert.Equal(t, routing.Queued, p.Outcome, "%s: in the inbox, not waiting on nobody", id)
			assert.False(t, p.Item.Dedicated)
		}
		items, err := r.Inbox("b", routing.OldestFirst)
		require.NoError(t, err)
		assert.Len(t, items, 2, "the queue's agents see both")
		require.NoError(t, r.Assign(ctx, "c2", "b", t0))
		assert.Equal(t, 20, load(t, r, "b"))
	})
	t.Run("new conversations go to the inbox too", func(t *testing.T) {
		r := setup(t)
		_, err := r.RemoveAgent(ctx, "own", t0)
		require.NoError(t, err)
		assert.Equal(t, queued("c3"), enqueue(t, r, item("c3", channel.WhatsApp, "vip", "q"), t0))
	})
	t.Run("an owner added again owns the touchpoint again", func(t *testing.T) {
		r := setup(t)
		_, err := r.RemoveAgent(ctx, "own", t0)
		require.NoError(t, err)
		ds, err := r.AddAgent(ctx, routing.Agent{ID: "own", Queues: []string{"q"}}, t0)
		require.NoError(t, err)
		assert.Empty(t, ds, "what went to the inbox stays ordinary inbox work")
		d := enqueue(t, r, item("c3", channel.WhatsApp, "vip", "q"), t0)
		assert.Equal(t, routing.Decision{ConversationID: "c3", Outcome: routing.Assigned, AgentID: "own", Weight: 20, Dedicated: true, Automatic: true}, d)
	})
}

package routing_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/routing"
)

func offerRouter(t *testing.T, autoTransfer time.Duration) *routing.Router {
	return newRouter(t, routing.Config{
		Agents: []routing.Agent{{ID: "a", Queues: []string{"q"}}, {ID: "b", Queues: []string{"q"}}},
		Policies: []routing.Policy{
			{ID: "offer", Mode: routing.Automatic, Offer: true, OfferTimeout: time.Minute, Strategy: routing.RoundRobin{}},
			{ID: "push", Mode: routing.Automatic, AutoTransfer: 10 * time.Minute, Strategy: routing.RoundRobin{}},
		},
	})
}

func TestOffers(t *testing.T) {
	t.Run("accept turns the offer into an assignment", func(t *testing.T) {
		r := offerRouter(t, 0)
		d := enqueue(t, r, item("c", channel.WhatsApp, "offer", "q"), t0)
		require.Equal(t, routing.Offered, d.Outcome)
		assert.Equal(t, t0.Add(time.Minute), d.Deadline)
		assert.Equal(t, 20, load(t, r, "a"), "capacity is held during the offer")
		require.NoError(t, r.Accept("c", "a", t0.Add(30*time.Second)))
		p, _ := r.Conversation("c")
		assert.Equal(t, routing.Assigned, p.Outcome)
		moved, err := r.Expire(ctx, t0.Add(time.Hour))
		require.NoError(t, err)
		assert.Empty(t, moved, "an accepted offer does not expire")
	})
	t.Run("accept by someone else or after the deadline is refused", func(t *testing.T) {
		r := offerRouter(t, 0)
		enqueue(t, r, item("c", channel.WhatsApp, "offer", "q"), t0)
		assert.ErrorIs(t, r.Accept("c", "b", t0), routing.ErrNoOffer)
		assert.ErrorIs(t, r.Accept("c", "a", t0.Add(time.Minute)), routing.ErrNoOffer)
		assert.ErrorIs(t, r.Accept("zz", "a", t0), routing.ErrNoOffer)
	})
	t.Run("a rejected offer goes to the next agent, never back", func(t *testing.T) {
		r := offerRouter(t, 0)
		enqueue(t, r, item("c", channel.WhatsApp, "offer", "q"), t0)
		ds, err := r.Reject(ctx, "c", "a", t0)
		require.NoError(t, err)
		require.Len(t, ds, 1)
		assert.Equal(t, routing.Offered, ds[0].Outcome)
		assert.Equal(t, "b", ds[0].AgentID)
		assert.Zero(t, load(t, r, "a"), "the decliner's hold is freed")

		ds, err = r.Reject(ctx, "c", "b", t0)
		require.NoError(t, err)
		require.Len(t, ds, 1)
		assert.Equal(t, routing.Waiting, ds[0].Outcome, "everyone declined: it waits rather than going back")

		// A release that frees room on a decliner still does not send it back.
		enqueue(t, r, item("d", channel.SMS, "offer", "q"), t0)
		ds, err = r.Release(ctx, "d", t0)
		require.NoError(t, err)
		assert.Empty(t, ds)

		// A new agent can take it.
		ds, err = r.AddAgent(ctx, routing.Agent{ID: "c", Queues: []string{"q"}}, t0)
		require.NoError(t, err)
		require.Len(t, ds, 1)
		assert.Equal(t, "c", ds[0].AgentID)
	})
	t.Run("an expired offer goes to the next agent", func(t *testing.T) {
		r := offerRouter(t, 0)
		enqueue(t, r, item("c", channel.WhatsApp, "offer", "q"), t0)
		ds, err := r.Expire(ctx, t0.Add(59*time.Second))
		require.NoError(t, err)
		assert.Empty(t, ds, "not yet due")
		ds, err = r.Expire(ctx, t0.Add(time.Minute))
		require.NoError(t, err)
		require.Len(t, ds, 1)
		assert.Equal(t, "b", ds[0].AgentID)
		assert.Equal(t, t0.Add(2*time.Minute), ds[0].Deadline)
	})
	t.Run("reject without an offer", func(t *testing.T) {
		r := offerRouter(t, 0)
		_, err := r.Reject(ctx, "c", "a", t0)
		assert.ErrorIs(t, err, routing.ErrNoOffer)
	})
	t.Run("an agent going away passes its offers on", func(t *testing.T) {
		r := offerRouter(t, 0)
		enqueue(t, r, item("c", channel.WhatsApp, "offer", "q"), t0)
		ds, err := r.SetPresence(ctx, "a", routing.Away, t0)
		require.NoError(t, err)
		require.Len(t, ds, 1)
		assert.Equal(t, "b", ds[0].AgentID)
	})
}

func TestAutoTransfer(t *testing.T) {
	t.Run("no first reply in time: moved to the next agent, once", func(t *testing.T) {
		r := offerRouter(t, 0)
		d := enqueue(t, r, item("c", channel.WhatsApp, "push", "q"), t0)
		require.Equal(t, "a", d.AgentID)
		ds, err := r.Expire(ctx, t0.Add(10*time.Minute))
		require.NoError(t, err)
		require.Len(t, ds, 1)
		assert.Equal(t, "b", ds[0].AgentID)
		assert.Zero(t, load(t, r, "a"))
		ds, err = r.Expire(ctx, t0.Add(time.Hour))
		require.NoError(t, err)
		assert.Empty(t, ds, "only once")
	})
	t.Run("a first reply stops it", func(t *testing.T) {
		r := offerRouter(t, 0)
		enqueue(t, r, item("c", channel.WhatsApp, "push", "q"), t0)
		require.NoError(t, r.Replied("c", t0.Add(time.Minute)))
		ds, err := r.Expire(ctx, t0.Add(time.Hour))
		require.NoError(t, err)
		assert.Empty(t, ds)
	})
	t.Run("nobody else can take it: it stays", func(t *testing.T) {
		r := offerRouter(t, 0)
		_, err := r.SetPresence(ctx, "b", routing.Away, t0)
		require.NoError(t, err)
		enqueue(t, r, item("c", channel.WhatsApp, "push", "q"), t0)
		ds, err := r.Expire(ctx, t0.Add(time.Hour))
		require.NoError(t, err)
		assert.Empty(t, ds)
		assert.Equal(t, 20, load(t, r, "a"))
	})
}

func TestPresence(t *testing.T) {
	tps := []routing.Policy{{ID: "tp", Mode: routing.Automatic}}
	two := []routing.Agent{{ID: "a", Queues: []string{"q"}}, {ID: "b", Queues: []string{"q"}}}
	for _, p := range []routing.Presence{routing.Away, routing.Offline, routing.Draining} {
		t.Run(p.String()+" agents receive no new work", func(t *testing.T) {
			r := newRouter(t, routing.Config{Agents: []routing.Agent{{ID: "a", Queues: []string{"q"}, Presence: p}}, Policies: tps, DrainGrace: time.Hour})
			d := enqueue(t, r, item("c", channel.SMS, "tp", "q"), t0)
			assert.Equal(t, routing.Waiting, d.Outcome)
		})
	}
	t.Run("becoming available dispatches what waits, by priority then age", func(t *testing.T) {
		r := newRouter(t, routing.Config{Agents: []routing.Agent{{ID: "a", Queues: []string{"q"}, Presence: routing.Away, Capacity: 40}}, Policies: tps})
		for i, pr := range []int{0, 5, 0, 5} {
			it := item(string(rune('w'+i)), channel.WhatsApp, "tp", "q")
			it.Priority = pr
			it.Enqueued = t0.Add(time.Duration(i) * time.Minute)
			require.Equal(t, routing.Waiting, enqueue(t, r, it, t0).Outcome)
		}
		ds, err := r.SetPresence(ctx, "a", routing.Available, t0)
		require.NoError(t, err)
		require.Len(t, ds, 2, "capacity 40 holds two chats")
		assert.Equal(t, "x", ds[0].ConversationID)
		assert.Equal(t, "z", ds[1].ConversationID)
		ds, err = r.Release(ctx, "x", t0)
		require.NoError(t, err)
		require.Len(t, ds, 1)
		assert.Equal(t, "w", ds[0].ConversationID, "then the oldest of the lower priority")
	})
	t.Run("offline keeps work by default", func(t *testing.T) {
		r := newRouter(t, routing.Config{Agents: two, Policies: tps})
		enqueue(t, r, item("c", channel.SMS, "tp", "q"), t0)
		ds, err := r.SetPresence(ctx, "a", routing.Offline, t0)
		require.NoError(t, err)
		assert.Empty(t, ds)
		assert.Equal(t, 5, load(t, r, "a"))
	})
	t.Run("offline returns work when configured", func(t *testing.T) {
		r := newRouter(t, routing.Config{Agents: two, Policies: tps, OfflineReturnsWork: true})
		enqueue(t, r, item("c", channel.SMS, "tp", "q"), t0)
		ds, err := r.SetPresence(ctx, "a", routing.Offline, t0)
		require.NoError(t, err)
		require.Len(t, ds, 1)
		assert.Equal(t, "b", ds[0].AgentID)
		assert.Zero(t, load(t, r, "a"))
	})
	t.Run("draining hands work over after the grace period", func(t *testing.T) {
		r := newRouter(t, routing.Config{Agents: two, Policies: tps, DrainGrace: 15 * time.Minute})
		enqueue(t, r, item("c", channel.SMS, "tp", "q"), t0)
		ds, err := r.SetPresence(ctx, "a", routing.Draining, t0)
		require.NoError(t, err)
		assert.Empty(t, ds)
		ds, err = r.Expire(ctx, t0.Add(14*time.Minute))
		require.NoError(t, err)
		assert.Empty(t, ds, "within the grace period")
		ds, err = r.Expire(ctx, t0.Add(15*time.Minute))
		require.NoError(t, err)
		require.Len(t, ds, 1)
		assert.Equal(t, "b", ds[0].AgentID)
	})
	t.Run("coming back before the grace period ends cancels the hand-off", func(t *testing.T) {
		r := newRouter(t, routing.Config{Agents: two, Policies: tps, DrainGrace: 15 * time.Minute})
		enqueue(t, r, item("c", channel.SMS, "tp", "q"), t0)
		_, err := r.SetPresence(ctx, "a", routing.Draining, t0)
		require.NoError(t, err)
		_, err = r.SetPresence(ctx, "a", routing.Available, t0.Add(time.Minute))
		require.NoError(t, err)
		ds, err := r.Expire(ctx, t0.Add(time.Hour))
		require.NoError(t, err)
		assert.Empty(t, ds)
	})
	t.Run("unknown agent and presence", func(t *testing.T) {
		r := newRouter(t, routing.Config{Agents: two})
		_, err := r.SetPresence(ctx, "zz", routing.Away, t0)
		assert.ErrorIs(t, err, routing.ErrUnknownAgent)
		_, err = r.SetPresence(ctx, "a", routing.Presence(9), t0)
		assert.ErrorIs(t, err, routing.ErrInvalid)
	})
}

func TestDedicatedWaitsForItsOwner(t *testing.T) {
	r := newRouter(t, routing.Config{
		Agents:   []routing.Agent{{ID: "own", Queues: []string{"q"}, Capacity: 20}, {ID: "other", Queues: []string{"q"}}},
		Policies: []routing.Policy{{ID: "vip", Mode: routing.Dedicated, Agent: "own"}},
	})
	require.Equal(t, routing.Assigned, enqueue(t, r, item("c1", channel.WhatsApp, "vip", "q"), t0).Outcome)
	d := enqueue(t, r, item("c2", channel.WhatsApp, "vip", "q"), t0)
	assert.Equal(t, routing.Waiting, d.Outcome, "the owner is full")
	assert.Zero(t, load(t, r, "other"), "never given to another agent automatically")
	ds, err := r.Release(ctx, "c1", t0)
	require.NoError(t, err)
	require.Len(t, ds, 1)
	assert.Equal(t, routing.Decision{ConversationID: "c2", Outcome: routing.Assigned, AgentID: "own", Weight: 20, Dedicated: true, Automatic: true}, ds[0])
}

func TestTransfers(t *testing.T) {
	setup := func(t *testing.T) *routing.Router {
		r := newRouter(t, routing.Config{
			Agents: []routing.Agent{
				{ID: "a", Queues: []string{"sales"}}, {ID: "b", Queues: []string{"sales"}, Capacity: 25},
				{ID: "c", Queues: []string{"support"}}, {ID: "off", Queues: []string{"sales"}, Presence: routing.Offline},
			},
			Policies: []routing.Policy{{ID: "tp", Mode: routing.Automatic}},
		})
		require.Equal(t, "a", enqueue(t, r, item("c1", channel.WhatsApp, "tp", "sales"), t0).AgentID)
		return r
	}
	t.Run("to an agent with room", func(t *testing.T) {
		r := setup(t)
		ds, err := r.Transfer(ctx, "c1", "b", t0)
		require.NoError(t, err)
		require.NotEmpty(t, ds)
		assert.Equal(t, routing.Decision{ConversationID: "c1", Outcome: routing.Assigned, AgentID: "b", Weight: 20}, ds[0])
		assert.Zero(t, load(t, r, "a"))
		assert.Equal(t, 20, load(t, r, "b"))
	})
	t.Run("to an agent without room is refused and changes nothing", func(t *testing.T) {
		r := setup(t)
		enqueue(t, r, item("c2", channel.WhatsApp, "other", "sales"), t0)
		require.NoError(t, r.Assign(ctx, "c2", "b", t0))
		_, err := r.Transfer(ctx, "c1", "b", t0)
		assert.ErrorIs(t, err, routing.ErrOverCapacity, "20 + 20 > 25")
		assert.Equal(t, 20, load(t, r, "a"))
		assert.Equal(t, 20, load(t, r, "b"))
	})
	t.Run("to an offline agent is refused", func(t *testing.T) {
		_, err := setup(t).Transfer(ctx, "c1", "off", t0)
		assert.ErrorIs(t, err, routing.ErrUnavailable)
	})
	t.Run("to other queues keeps the queue age", func(t *testing.T) {
		r := setup(t)
		ds, err := r.TransferToQueues(ctx, "c1", []string{"support"}, t0.Add(time.Hour))
		require.NoError(t, err)
		require.NotEmpty(t, ds)
		assert.Equal(t, "c", ds[0].AgentID)
		p, _ := r.Conversation("c1")
		assert.Equal(t, t0, p.Item.Enqueued)
		assert.Equal(t, []string{"support"}, p.Item.Queues)
		_, err = r.TransferToQueues(ctx, "c1", nil, t0)
		assert.ErrorIs(t, err, routing.ErrInvalid)
	})
	t.Run("send to inbox frees the weight", func(t *testing.T) {
		r := setup(t)
		ds, err := r.SendToInbox(ctx, "c1", t0)
		require.NoError(t, err)
		require.NotEmpty(t, ds)
		assert.Equal(t, routing.Queued, ds[0].Outcome)
		assert.Zero(t, load(t, r, "a"))
		items, err := r.Inbox("b", routing.OldestFirst)
		require.NoError(t, err)
		require.Len(t, items, 1)
		require.NoError(t, r.Assign(ctx, "c1", "b", t0))
	})
	t.Run("remove an agent: its work is routed again", func(t *testing.T) {
		r := setup(t)
		ds, err := r.RemoveAgent(ctx, "a", t0)
		require.NoError(t, err)
		require.Len(t, ds, 1)
		assert.Equal(t, "b", ds[0].AgentID)
		_, ok := r.Agent("a")
		assert.False(t, ok)
	})
	t.Run("update an agent's queues and capacity", func(t *testing.T) {
		r := setup(t)
		enqueue(t, r, item("c3", channel.WhatsApp, "tp", "support"), t0)
		_, err := r.UpdateAgent(ctx, routing.Agent{ID: "c", Queues: []string{"sales"}}, t0)
		require.NoError(t, err)
		items, err := r.Inbox("c", routing.OldestFirst)
		require.NoError(t, err)
		assert.Empty(t, items)
		ag, ok := r.Agent("c")
		require.True(t, ok)
		assert.Equal(t, []string{"sales"}, ag.Queues)
		assert.Equal(t, 20, load(t, r, "c"), "its conversation stays with it")
	})
}

func TestInboxOrder(t *testing.T) {
	r := newRouter(t, routing.Config{Agents: []routing.Agent{{ID: "a", Queues: []string{"q"}}}})
	add := func(id string, prio int, age time.Duration, window time.Duration) {
		it := item(id, channel.WhatsApp, "", "q")
		it.Priority, it.Enqueued = prio, t0.Add(-age)
		if window > 0 {
			it.WindowCloses = t0.Add(window)
		}
		enqueue(t, r, it, t0)
	}
	add("old", 0, 3*time.Hour, 20*time.Hour)
	add("new", 0, time.Hour, 2*time.Hour)
	add("mid", 0, 2*time.Hour, 0)
	add("urgent", 9, 0, 0)
	cases := []struct {
		order routing.Order
		want  []string
	}{
		{routing.OldestFirst, []string{"urgent", "old", "mid", "new"}},
		{routing.NewestFirst, []string{"urgent", "new", "mid", "old"}},
		{routing.WindowClosingFirst, []string{"urgent", "new", "old", "mid"}},
	}
	for _, c := range cases {
		t.Run(map[routing.Order]string{0: "oldest first", 1: "newest first", 2: "window closing first"}[c.order], func(t *testing.T) {
			items, err := r.Inbox("a", c.order)
			require.NoError(t, err)
			var ids []string
			for _, it := range items {
				ids = append(ids, it.ConversationID)
			}
			assert.Equal(t, c.want, ids)
		})
	}
}

package routing_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/routing"
)

func TestModes(t *testing.T) {
	agents := []routing.Agent{{ID: "ana", Queues: []string{"q"}}, {ID: "bo", Queues: []string{"q"}}}
	tps := []routing.Policy{
		{ID: "inbox", Mode: routing.Simplified},
		{ID: "vip", Mode: routing.Dedicated, Agent: "bo"},
		{ID: "auto", Mode: routing.Automatic},
		{ID: "offer", Mode: routing.Automatic, Offer: true},
	}
	cases := []struct {
		name       string
		touchpoint string
		want       routing.Outcome
		agent      string
		dedicated  bool
		deadline   time.Time
	}{
		{"simplified waits in the inbox", "inbox", routing.Queued, "", false, time.Time{}},
		{"an unconfigured touchpoint is simplified", "elsewhere", routing.Queued, "", false, time.Time{}},
		{"dedicated goes to the owner, marked", "vip", routing.Assigned, "bo", true, time.Time{}},
		{"automatic assigns by strategy", "auto", routing.Assigned, "ana", false, time.Time{}},
		{"automatic with offers offers for 120 s", "offer", routing.Offered, "ana", false, t0.Add(120 * time.Second)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRouter(t, routing.Config{Agents: agents, Policies: tps})
			d := enqueue(t, r, item("c", channel.WhatsApp, c.touchpoint, "q"), t0)
			assert.Equal(t, c.want, d.Outcome)
			assert.Equal(t, c.agent, d.AgentID)
			assert.Equal(t, c.dedicated, d.Dedicated)
			assert.Equal(t, c.deadline, d.Deadline)
			p, ok := r.Conversation("c")
			require.True(t, ok)
			assert.Equal(t, c.dedicated, p.Item.Dedicated)
			if c.agent != "" {
				assert.Equal(t, 20, load(t, r, c.agent), "weight is charged (held, for an offer)")
			}
		})
	}
}

func TestConfigIsValidated(t *testing.T) {
	cases := []struct {
		name string
		cfg  routing.Config
		err  error
	}{
		{"empty agent ID", routing.Config{Agents: []routing.Agent{{}}}, routing.ErrInvalid},
		{"negative capacity", routing.Config{Agents: []routing.Agent{{ID: "a", Capacity: -1}}}, routing.ErrInvalid},
		{"duplicate agent", routing.Config{Agents: []routing.Agent{{ID: "a"}, {ID: "a"}}}, routing.ErrDuplicate},
		{"dedicated without agent", routing.Config{Policies: []routing.Policy{{ID: "t", Mode: routing.Dedicated}}}, routing.ErrInvalid},
		{"unknown mode", routing.Config{Policies: []routing.Policy{{ID: "t", Mode: 9}}}, routing.ErrInvalid},
		{"duplicate touchpoint", routing.Config{Policies: []routing.Policy{{ID: "t"}, {ID: "t"}}}, routing.ErrDuplicate},
		{"negative drain grace", routing.Config{DrainGrace: -time.Second}, routing.ErrInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := routing.New(c.cfg)
			assert.ErrorIs(t, err, c.err)
		})
	}
	t.Run("items", func(t *testing.T) {
		r := newRouter(t, routing.Config{})
		_, err := r.Enqueue(ctx, routing.Item{Queues: []string{"q"}}, t0)
		assert.ErrorIs(t, err, routing.ErrInvalid, "empty conversation ID")
		_, err = r.Enqueue(ctx, routing.Item{ConversationID: "c"}, t0)
		assert.ErrorIs(t, err, routing.ErrInvalid, "no queue")
		enqueue(t, r, item("c", channel.SMS, "", "q"), t0)
		_, err = r.Enqueue(ctx, item("c", channel.SMS, "", "q"), t0)
		assert.ErrorIs(t, err, routing.ErrDuplicate)
	})
}

// hostStrategy prefers agents whose ID sorts last, to show a host's own.
type hostStrategy struct{}

func (hostStrategy) Less(a, b *routing.Candidate) bool { return a.AgentID > b.AgentID }

func TestStrategies(t *testing.T) {
	type step struct {
		kind channel.Kind
		want string
	}
	cases := []struct {
		name     string
		strategy routing.Strategy
		agents   []routing.Agent
		steps    []step
	}{
		{"least loaded spreads by load ratio", routing.LeastLoaded{},
			[]routing.Agent{{ID: "a", Queues: []string{"q"}}, {ID: "b", Queues: []string{"q"}}},
			[]step{{channel.WebChat, "a"}, {channel.SMS, "b"}, {channel.SMS, "b"}, {channel.WebChat, "b"}, {channel.SMS, "a"}}},
		{"least loaded compares ratios, not points", routing.LeastLoaded{},
			[]routing.Agent{{ID: "small", Queues: []string{"q"}, Capacity: 40}, {ID: "big", Queues: []string{"q"}, Capacity: 200}},
			[]step{{channel.WhatsApp, "big"}, {channel.WhatsApp, "small"}, {channel.WhatsApp, "big"}, {channel.WhatsApp, "big"}, {channel.WhatsApp, "big"}}},
		{"least loaded skips an agent without room for the weight", routing.LeastLoaded{},
			[]routing.Agent{{ID: "tiny", Queues: []string{"q"}, Capacity: 10}, {ID: "big", Queues: []string{"q"}}},
			[]step{{channel.SMS, "big"}, {channel.WebChat, "big"}, {channel.SMS, "tiny"}}},
		{"round robin rotates whatever the load", routing.RoundRobin{},
			[]routing.Agent{{ID: "a", Queues: []string{"q"}}, {ID: "b", Queues: []string{"q"}}, {ID: "c", Queues: []string{"q"}}},
			[]step{{channel.SMS, "a"}, {channel.SMS, "b"}, {channel.SMS, "c"}, {channel.SMS, "a"}, {channel.WebChat, "b"}}},
		{"longest idle prefers idle agents, then the oldest assignment", routing.LongestIdle{},
			[]routing.Agent{{ID: "a", Queues: []string{"q"}}, {ID: "b", Queues: []string{"q"}}},
			[]step{{channel.SMS, "a"}, {channel.SMS, "b"}, {channel.SMS, "a"}, {channel.SMS, "b"}}},
		{"a host's own strategy", hostStrategy{},
			[]routing.Agent{{ID: "a", Queues: []string{"q"}}, {ID: "z", Queues: []string{"q"}}},
			[]step{{channel.SMS, "z"}, {channel.SMS, "z"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRouter(t, routing.Config{Agents: c.agents,
				Policies: []routing.Policy{{ID: "tp", Mode: routing.Automatic, Strategy: c.strategy}}})
			for i, s := range c.steps {
				d := enqueue(t, r, item(string(rune('a'+i)), s.kind, "tp", "q"), t0.Add(time.Duration(i)*time.Minute))
				require.Equal(t, routing.Assigned, d.Outcome, "step %d", i)
				assert.Equal(t, s.want, d.AgentID, "step %d", i)
			}
		})
	}
}

func TestSticky(t *testing.T) {
	agents := []routing.Agent{{ID: "ana", Queues: []string{"q"}}, {ID: "bo", Queues: []string{"q"}}, {ID: "cy", Queues: []string{"other"}}}
	sticky := routing.Policy{ID: "tp", Mode: routing.Automatic, Strategy: routing.Sticky{Window: 4 * time.Hour}}
	cases := []struct {
		name     string
		previous string
		at       time.Time
		setup    func(*routing.Router)
		want     string
	}{
		{"previous agent within the window", "bo", t0.Add(-time.Hour), nil, "bo"},
		{"window passed: fall back to least loaded", "bo", t0.Add(-5 * time.Hour), nil, "ana"},
		{"previous agent away: fall back at once", "bo", t0.Add(-time.Hour), func(r *routing.Router) {
			_, err := r.SetPresence(ctx, "bo", routing.Away, t0)
			require.NoError(t, err)
		}, "ana"},
		{"previous agent full: fall back at once", "bo", t0.Add(-time.Hour), func(r *routing.Router) {
			for _, id := range []string{"x1", "x2", "x3"} {
				enqueue(t, r, item(id, channel.WebChat, "inbox", "q"), t0)
				require.NoError(t, r.Assign(ctx, id, "bo", t0))
			}
		}, "ana"},
		{"previous agent outside the queues is not eligible", "cy", t0.Add(-time.Hour), nil, "ana"},
		{"no previous agent", "", time.Time{}, nil, "ana"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRouter(t, routing.Config{Agents: agents, Policies: []routing.Policy{sticky}})
			if c.setup != nil {
				c.setup(r)
			}
			it := item("c", channel.WhatsApp, "tp", "q")
			it.PreviousAgent, it.PreviousAt = c.previous, c.at
			it.Enqueued = t0.Add(-30 * time.Minute)
			d := enqueue(t, r, it, t0)
			assert.Equal(t, c.want, d.AgentID)
			p, _ := r.Conversation("c")
			assert.Equal(t, it.Enqueued, p.Item.Enqueued, "the original queue age is kept")
		})
	}
}

func TestKeptAgentOfReopenedConversation(t *testing.T) {
	agents := []routing.Agent{{ID: "ana", Queues: []string{"q"}}, {ID: "bo", Queues: []string{"q"}}}
	for _, c := range []struct {
		name     string
		presence routing.Presence
		want     routing.Outcome
		agent    string
	}{
		{"kept agent available: stays with them", routing.Available, routing.Assigned, "bo"},
		{"kept agent offline: re-routed, not left waiting", routing.Offline, routing.Assigned, "ana"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newRouter(t, routing.Config{Agents: agents, Policies: []routing.Policy{{ID: "tp", Mode: routing.Automatic}}})
			_, err := r.SetPresence(ctx, "bo", c.presence, t0)
			require.NoError(t, err)
			it := item("c", channel.WhatsApp, "tp", "q")
			it.PreviousAgent, it.KeepAgent = "bo", true
			d := enqueue(t, r, it, t0)
			assert.Equal(t, c.want, d.Outcome)
			assert.Equal(t, c.agent, d.AgentID)
		})
	}
}

func TestTrace(t *testing.T) {
	r := newRouter(t, routing.Config{Trace: true,
		Agents: []routing.Agent{
			{ID: "ana", Queues: []string{"q"}}, {ID: "bo", Queues: []string{"q"}, Presence: routing.Away},
			{ID: "cy", Queues: []string{"q"}, Capacity: 10},
		},
		Policies: []routing.Policy{{ID: "tp", Mode: routing.Automatic}}})
	d := enqueue(t, r, item("c", channel.WhatsApp, "tp", "q"), t0)
	require.NotNil(t, d.Trace)
	assert.Equal(t, "least loaded", d.Trace.Strategy)
	assert.Equal(t, []string{"ana"}, d.Trace.Eligible)
	assert.Equal(t, "ana", d.Trace.Winner)
	assert.NotEmpty(t, d.Trace.Why)
	assert.ElementsMatch(t, []routing.Skip{
		{AgentID: "bo", Reason: "presence is away"},
		{AgentID: "cy", Reason: "no room: load 0 + weight 20 > capacity 10"},
	}, d.Trace.Skipped)

	t.Run("no trace unless asked", func(t *testing.T) {
		r := newRouter(t, routing.Config{Agents: []routing.Agent{{ID: "ana", Queues: []string{"q"}}},
			Policies: []routing.Policy{{ID: "tp", Mode: routing.Automatic}}})
		assert.Nil(t, enqueue(t, r, item("c", channel.WhatsApp, "tp", "q"), t0).Trace)
	})
}

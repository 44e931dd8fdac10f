package routing_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/routing"
)

func TestWeights(t *testing.T) {
	// Voice 51 fixed; SMS 5, e-mail 5, web chat 30, the rest 20.
	defaults := []struct {
		kind channel.Kind
		want int
	}{
		{channel.Voice, 51}, {channel.SMS, 5}, {channel.Email, 5}, {channel.WebChat, 30},
		{channel.WhatsApp, 20}, {channel.Messenger, 20}, {channel.Instagram, 20},
		{channel.Telegram, 20}, {channel.LINE, 20}, {channel.Custom, 20},
	}
	for _, c := range defaults {
		t.Run("default "+c.kind.String(), func(t *testing.T) {
			assert.Equal(t, c.want, routing.Weights{}.Of(c.kind))
		})
	}

	changes := []struct {
		name   string
		kind   channel.Kind
		weight int
		err    error
	}{
		{"voice is fixed", channel.Voice, 40, routing.ErrFixedWeight},
		{"voice is fixed even at 51", channel.Voice, 51, routing.ErrFixedWeight},
		{"zero is below the range", channel.SMS, 0, routing.ErrInvalid},
		{"101 is above the range", channel.SMS, 101, routing.ErrInvalid},
		{"unknown kind", channel.Kind(0), 10, routing.ErrInvalid},
		{"1 is allowed", channel.SMS, 1, nil},
		{"100 is allowed", channel.WebChat, 100, nil},
	}
	for _, c := range changes {
		t.Run(c.name, func(t *testing.T) {
			base := routing.Weights{}
			got, err := base.With(c.kind, c.weight)
			if c.err != nil {
				assert.ErrorIs(t, err, c.err)
				assert.Equal(t, base, got, "bad input changes nothing")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.weight, got.Of(c.kind))
			assert.Equal(t, routing.Weights{}.Of(c.kind), base.Of(c.kind), "With returns a copy")
		})
	}
}

func TestCapacityFits(t *testing.T) {
	// Voice + e-mail + Messenger + SMS = 81, so a web chat no longer fits.
	cases := []struct {
		name     string
		capacity int
		held     []channel.Kind
		next     channel.Kind
		fits     bool
	}{
		{"81 points leave no room for web chat", 0, []channel.Kind{channel.Voice, channel.Email, channel.Messenger, channel.SMS}, channel.WebChat, false},
		{"81 points leave no room for WhatsApp", 0, []channel.Kind{channel.Voice, channel.Email, channel.Messenger, channel.SMS}, channel.WhatsApp, false},
		{"81 points leave room for SMS", 0, []channel.Kind{channel.Voice, channel.Email, channel.Messenger, channel.SMS}, channel.SMS, true},
		{"exactly full is allowed", 0, []channel.Kind{channel.WebChat, channel.WebChat, channel.WebChat, channel.SMS}, channel.SMS, true},
		{"two voice calls never fit", 0, []channel.Kind{channel.Voice}, channel.Voice, false},
		{"zero capacity means 100", 0, []channel.Kind{channel.WebChat, channel.WebChat, channel.WebChat}, channel.WebChat, false},
		{"capacity override 50", 50, []channel.Kind{channel.WebChat}, channel.WhatsApp, true},
		{"capacity override 50 refuses a second chat", 50, []channel.Kind{channel.WebChat}, channel.WebChat, false},
		{"capacity override 200 takes two calls", 200, []channel.Kind{channel.Voice}, channel.Voice, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRouter(t, routing.Config{Agents: []routing.Agent{{ID: "ana", Queues: []string{"q"}, Capacity: c.capacity}}})
			want := 0
			for i, k := range c.held {
				id := string(rune('a' + i))
				enqueue(t, r, item(id, k, "tp", "q"), t0)
				require.NoError(t, r.Assign(ctx, id, "ana", t0))
				want += routing.Weights{}.Of(k)
			}
			enqueue(t, r, item("next", c.next, "tp", "q"), t0)
			err := r.Assign(ctx, "next", "ana", t0)
			if c.fits {
				require.NoError(t, err)
				assert.Equal(t, want+routing.Weights{}.Of(c.next), load(t, r, "ana"))
				return
			}
			require.ErrorIs(t, err, routing.ErrOverCapacity)
			var ce *routing.CapacityError
			require.True(t, errors.As(err, &ce))
			wantCap := c.capacity
			if wantCap == 0 {
				wantCap = routing.DefaultCapacity
			}
			assert.Equal(t, routing.CapacityError{AgentID: "ana", Load: want, Weight: routing.Weights{}.Of(c.next), Capacity: wantCap}, *ce)
			assert.Equal(t, want, load(t, r, "ana"), "a refusal changes nothing")
			p, ok := r.Conversation("next")
			require.True(t, ok)
			assert.Equal(t, routing.Queued, p.Outcome, "the refused conversation stays in the inbox")
		})
	}
}

func TestWeightChangeIsNotRetroactive(t *testing.T) {
	r := newRouter(t, routing.Config{Agents: []routing.Agent{{ID: "ana", Queues: []string{"q"}}}})
	enqueue(t, r, item("c1", channel.SMS, "tp", "q"), t0)
	require.NoError(t, r.Assign(ctx, "c1", "ana", t0))
	heavier, err := routing.Weights{}.With(channel.SMS, 40)
	require.NoError(t, err)
	r.SetWeights(ctx, heavier, t0)
	enqueue(t, r, item("c2", channel.SMS, "tp", "q"), t0)
	require.NoError(t, r.Assign(ctx, "c2", "ana", t0))
	assert.Equal(t, 45, load(t, r, "ana"), "old charge 5 + new charge 40")
	_, err = r.Release(ctx, "c1", t0)
	require.NoError(t, err)
	assert.Equal(t, 40, load(t, r, "ana"), "release frees what was charged (5), not today's weight")
}

func TestVisibility(t *testing.T) {
	r := newRouter(t, routing.Config{Agents: []routing.Agent{
		{ID: "ana", Queues: []string{"sales"}},
		{ID: "bo", Queues: []string{"support", "billing"}},
	}})
	enqueue(t, r, item("c1", channel.WhatsApp, "tp", "support"), t0)
	enqueue(t, r, item("c2", channel.WhatsApp, "tp", "sales", "billing"), t0)

	cases := []struct {
		agent, conv string
		visible     bool
	}{
		{"ana", "c1", false},
		{"ana", "c2", true},
		{"bo", "c1", true},
		{"bo", "c2", true},
	}
	for _, c := range cases {
		t.Run(c.agent+" sees "+c.conv+"?", func(t *testing.T) {
			items, err := r.Inbox(c.agent, routing.OldestFirst)
			require.NoError(t, err)
			var ids []string
			for _, it := range items {
				ids = append(ids, it.ConversationID)
			}
			assert.Equal(t, c.visible, contains(ids, c.conv))
		})
	}
	t.Run("assigning outside the agent's queues is refused", func(t *testing.T) {
		err := r.Assign(ctx, "c1", "ana", t0)
		require.ErrorIs(t, err, routing.ErrNotVisible)
		var ve *routing.VisibilityError
		require.True(t, errors.As(err, &ve))
		assert.Equal(t, []string{"support"}, ve.Queues)
		assert.Zero(t, load(t, r, "ana"))
	})
	t.Run("an assigned conversation leaves every inbox", func(t *testing.T) {
		require.NoError(t, r.Assign(ctx, "c2", "ana", t0))
		items, err := r.Inbox("bo", routing.OldestFirst)
		require.NoError(t, err)
		require.Len(t, items, 1)
		assert.Equal(t, "c1", items[0].ConversationID)
		assert.ErrorIs(t, r.Assign(ctx, "c2", "bo", t0), routing.ErrAlreadyAssigned)
	})
	t.Run("unknown names", func(t *testing.T) {
		assert.ErrorIs(t, r.Assign(ctx, "nope", "ana", t0), routing.ErrUnknownConversation)
		assert.ErrorIs(t, r.Assign(ctx, "c1", "nobody", t0), routing.ErrUnknownAgent)
		_, err := r.Inbox("nobody", routing.OldestFirst)
		assert.ErrorIs(t, err, routing.ErrUnknownAgent)
	})
}

func contains(ids []string, id string) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func TestEscalate(t *testing.T) {
	cases := []struct {
		name     string
		held     []channel.Kind // the first is escalated
		wantLoad int
		err      error
	}{
		{"a chat becomes a 51-point call", []channel.Kind{channel.WhatsApp}, 51, nil},
		{"room left for the call beside SMS and e-mail", []channel.Kind{channel.WhatsApp, channel.SMS, channel.Email}, 61, nil},
		{"refused when 51 does not fit", []channel.Kind{channel.WhatsApp, channel.WebChat, channel.WebChat}, 80, routing.ErrOverCapacity},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRouter(t, routing.Config{Agents: []routing.Agent{{ID: "ana", Queues: []string{"q"}}}})
			for i, k := range c.held {
				id := string(rune('a' + i))
				enqueue(t, r, item(id, k, "tp", "q"), t0)
				require.NoError(t, r.Assign(ctx, id, "ana", t0))
			}
			_, err := r.Escalate(ctx, "a", t0)
			if c.err != nil {
				assert.ErrorIs(t, err, c.err)
			} else {
				require.NoError(t, err)
				p, _ := r.Conversation("a")
				assert.True(t, p.Voice)
				assert.Equal(t, routing.VoiceWeight, p.Weight)
			}
			assert.Equal(t, c.wantLoad, load(t, r, "ana"))
			_, err = r.Release(ctx, "a", t0)
			require.NoError(t, err)
			freed := routing.VoiceWeight
			if c.err != nil {
				freed = 20 // still the WhatsApp charge
			}
			assert.Equal(t, c.wantLoad-freed, load(t, r, "ana"), "release frees what is charged now")
		})
	}
}

// Releasing again frees nothing more: the agent keeps exactly the weight
// of what it still holds, and the router never had to clamp a load that
// would have gone negative (Check reports that as ErrInternal).
func TestReleaseIsIdempotent(t *testing.T) {
	cases := []struct {
		name string
		cfg  routing.Config
	}{
		{"in the router's memory", routing.Config{}},
		{"through a Ledger", routing.Config{Ledger: memory.NewLedger()}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.cfg.Agents = []routing.Agent{{ID: "ana", Queues: []string{"q"}}}
			r := newRouter(t, c.cfg)
			enqueue(t, r, item("c", channel.WebChat, "tp", "q"), t0)
			enqueue(t, r, item("other", channel.SMS, "tp", "q"), t0)
			require.NoError(t, r.Assign(ctx, "c", "ana", t0))
			require.NoError(t, r.Assign(ctx, "other", "ana", t0))
			for i := range 3 {
				_, err := r.Release(ctx, "c", t0)
				require.NoError(t, err, "release %d", i)
				assert.Equal(t, 5, load(t, r, "ana"), "release %d: only the SMS is held", i)
			}
			_, ok := r.Conversation("c")
			assert.False(t, ok)
			assert.NoError(t, r.Check())
		})
	}
}

// Lighter weights make room: what waits and now fits goes to the agents
// who have it, at once, not when some later release happens to dispatch.
func TestLighterWeightsDispatchWhatNowFits(t *testing.T) {
	r := newRouter(t, routing.Config{
		Agents:   []routing.Agent{{ID: "ana", Queues: []string{"q"}, Capacity: 30}},
		Policies: []routing.Policy{{ID: "auto", Mode: routing.Automatic}},
	})
	require.Equal(t, routing.Assigned, enqueue(t, r, item("c1", channel.WhatsApp, "auto", "q"), t0).Outcome)
	require.Equal(t, routing.Waiting, enqueue(t, r, item("c2", channel.WhatsApp, "auto", "q"), t0).Outcome, "20 + 20 > 30")
	lighter, err := routing.Weights{}.With(channel.WhatsApp, 10)
	require.NoError(t, err)
	decs := r.SetWeights(ctx, lighter, t0)
	require.Len(t, decs, 1)
	assert.Equal(t, routing.Decision{ConversationID: "c2", Outcome: routing.Assigned, AgentID: "ana", Weight: 10, Automatic: true}, decs[0])
	assert.Equal(t, 30, load(t, r, "ana"), "20 charged before, 10 now")
}

package routing_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/routing/routingtest"
)

// outcome is what an op returned, as the test compares it.
type outcome struct {
	Decisions []routing.Decision
	Err       string
}

func outcomeOf(decs []routing.Decision, err error) outcome {
	o := outcome{Decisions: decs}
	if err != nil {
		o.Err = err.Error()
	}
	return o
}

// encoded is s as JSON, how a snapshot is stored and compared: times
// compare by instant, not by monotonic reading or location.
func encoded(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// jsonCopy sends v through JSON, as a log in a database does.
func jsonCopy[T any](t *testing.T, v T) T {
	t.Helper()
	var out T
	require.NoError(t, json.Unmarshal([]byte(encoded(t, v)), &out))
	return out
}

func TestSnapshotRestoreDecidesAlike(t *testing.T) {
	ctx := context.Background()
	for seed := range uint64(20) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			ops := routingtest.RandomOps(seed, 600)
			a := newRouter(t, routingtest.LogConfig())
			for i, op := range ops {
				if i%97 == 50 {
					snap := jsonCopy(t, a.Snapshot())
					b := newRouter(t, routingtest.LogConfig())
					require.NoError(t, b.Restore(snap))
					require.NoError(t, b.Check())
					assert.Equal(t, encoded(t, a.Snapshot()), encoded(t, b.Snapshot()), "op %d: the restored router exports what it was given", i)
					// From here on b stands in for a: the same ops must
					// give the same decisions.
					a = b
				}
				_, _ = a.Apply(ctx, op)
				require.NoError(t, a.Check(), "op %d %s", i, op.Kind)
			}
		})
	}
}

// TestSnapshotRestoreMatchesReference runs each seed twice, once on one
// router and once restoring into a fresh router at every 37th op, and
// asks for the same outcome at every op.
func TestSnapshotRestoreMatchesReference(t *testing.T) {
	ctx := context.Background()
	for seed := range uint64(20) {
		ops := routingtest.RandomOps(seed, 600)
		ref := newRouter(t, routingtest.LogConfig())
		r := newRouter(t, routingtest.LogConfig())
		for i, op := range ops {
			if i%37 == 0 {
				fresh := newRouter(t, routingtest.LogConfig())
				require.NoError(t, fresh.Restore(jsonCopy(t, r.Snapshot())))
				r = fresh
			}
			want := outcomeOf(ref.Apply(ctx, op))
			got := outcomeOf(r.Apply(ctx, jsonCopy(t, op)))
			require.Equal(t, want, got, "seed %d op %d %s", seed, i, op.Kind)
		}
		assert.Equal(t, encoded(t, ref.Snapshot()), encoded(t, r.Snapshot()), "seed %d", seed)
	}
}

func TestRestoreRefusesWhatDoesNotHoldTogether(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	base := func() routing.Snapshot {
		r := newRouter(t, routingtest.LogConfig())
		_, err := r.AddAgent(context.Background(), routing.Agent{ID: "a1", Queues: []string{"q1"}}, now)
		require.NoError(t, err)
		enqueue(t, r, item("c1", channel.WhatsApp, "auto", "q1"), now)
		return r.Snapshot()
	}
	cases := map[string]func(s *routing.Snapshot){
		"unknown agent holds": func(s *routing.Snapshot) { s.Conversations[0].AgentID = "ghost" },
		"conversation twice":  func(s *routing.Snapshot) { s.Conversations = append(s.Conversations, s.Conversations[0]) },
		"agent twice":         func(s *routing.Snapshot) { s.Agents = append(s.Agents, s.Agents[0]) },
		"held list disagrees": func(s *routing.Snapshot) { s.Agents[0].Held = nil },
		"zero weight":         func(s *routing.Snapshot) { s.Conversations[0].Weight = 0 },
		"unknown outcome":     func(s *routing.Snapshot) { s.Conversations[0].Outcome = routing.NotRouted },
		"negative load":       func(s *routing.Snapshot) { s.Agents[0].Load = -1 },
		"deadline kind":       func(s *routing.Snapshot) { s.Deadlines = []routing.DeadlineSnapshot{{Kind: "lunch"}} },
		"deadline of no one": func(s *routing.Snapshot) {
			s.Deadlines = []routing.DeadlineSnapshot{{Kind: "offer", ConversationID: "c9"}}
		},
		"too many weights":        func(s *routing.Snapshot) { s.Weights = make([]int, 200) },
		"owned by someone else":   func(s *routing.Snapshot) { s.Owned = map[string][]string{"a1": {"c1"}} },
		"invalid agent ID":        func(s *routing.Snapshot) { s.Agents[0].ID = " a1" },
		"conversation no queue":   func(s *routing.Snapshot) { s.Conversations[0].Item.Queues = nil },
		"voice weight changed":    func(s *routing.Snapshot) { s.Weights = []int{channel.Voice: 10} },
		"held twice in one list":  func(s *routing.Snapshot) { s.Agents[0].Held = []string{"c1", "c1"} },
		"held by another's list":  func(s *routing.Snapshot) { s.Agents[0].Held = []string{"c9"} },
		"drain deadline of ghost": func(s *routing.Snapshot) { s.Deadlines = []routing.DeadlineSnapshot{{Kind: "drain", AgentID: "ghost"}} },
	}
	for name, breakIt := range cases {
		t.Run(name, func(t *testing.T) {
			s := base()
			breakIt(&s)
			r := newRouter(t, routingtest.LogConfig())
			_, err := r.AddAgent(context.Background(), routing.Agent{ID: "keep", Queues: []string{"q9"}}, now)
			require.NoError(t, err)
			want := routing.ErrInvalid
			if name == "voice weight changed" {
				want = routing.ErrFixedWeight
			}
			assert.ErrorIs(t, r.Restore(s), want)
			_, kept := r.Agent("keep")
			assert.True(t, kept, "a refused snapshot leaves the router as it was")
		})
	}
}

func TestReplicaRefusesAConfigItCannotShare(t *testing.T) {
	log := memory.NewRoutingLog(nil)
	cases := map[string]routing.ReplicaConfig{
		"no log":         {Router: routingtest.LogConfig()},
		"agents":         {Router: routing.Config{Agents: []routing.Agent{{ID: "a"}}}, Log: log},
		"own ledger":     {Router: routing.Config{Ledger: memory.NewLedger()}, Log: log},
		"negative":       {Log: log, SnapshotEvery: -1},
		"bad touchpoint": {Router: routing.Config{Policies: []routing.Policy{{ID: ""}}}, Log: log},
	}
	for name, cfg := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := routing.NewReplica(cfg)
			assert.ErrorIs(t, err, routing.ErrInvalid)
		})
	}
}

// flaky decides by chance, not from the candidates: replicas disagree,
// and the log's ledger answers tell.
type flaky struct{}

func (flaky) Less(a, b *routing.Candidate) bool { return rand.IntN(2) == 0 }

func TestReplicaRefusesToRouteFromAnotherState(t *testing.T) {
	ctx := context.Background()
	log := memory.NewRoutingLog(memory.NewLedger())
	replica := func() *routing.Replica {
		cfg := routing.Config{Policies: []routing.Policy{{ID: "auto", Mode: routing.Automatic, Strategy: flaky{}}}}
		p, err := routing.NewReplica(routing.ReplicaConfig{Router: cfg, Log: log})
		require.NoError(t, err)
		return p
	}
	a, b := replica(), replica()
	for i := range 5 {
		_, err := a.Do(ctx, routing.Op{Kind: routing.OpAddAgent, At: t0, Agent: &routing.Agent{ID: fmt.Sprintf("a%d", i), Queues: []string{"q"}}})
		require.NoError(t, err)
	}
	var diverged error
	for i := range 40 {
		op := routing.Op{Kind: routing.OpEnqueue, At: t0, Item: &routing.Item{ConversationID: fmt.Sprintf("c%d", i), Kind: channel.SMS, Touchpoint: "auto", Queues: []string{"q"}}}
		if _, diverged = a.Do(ctx, op); diverged != nil {
			break
		}
		if _, diverged = b.Do(ctx, routing.Op{Kind: routing.OpExpire, At: t0}); diverged != nil {
			break
		}
	}
	require.ErrorIs(t, diverged, routing.ErrInternal, "a replica whose replay picks other agents than the log says must stop")
}

// The replica that makes an op decides by the wall clock, as the
// replicas reading it back from a log (JSON keeps no monotonic reading)
// do: otherwise a step of the host's clock makes them decide otherwise
// (an offer accepted here, expired there). A time.Now() carries a
// monotonic reading; none may reach the router's state or the log.
func TestReplicasDecideByTheWallClock(t *testing.T) {
	ctx := context.Background()
	cfg := routing.Config{Policies: []routing.Policy{{ID: "offer", Mode: routing.Automatic, Offer: true, OfferTimeout: 30 * time.Second}}}
	log := memory.NewRoutingLog(memory.NewLedger())
	p, err := routing.NewReplica(routing.ReplicaConfig{Router: cfg, Log: log})
	require.NoError(t, err)
	now := time.Now()
	require.NotEqual(t, now, now.Round(0), "precondition: time.Now carries a monotonic reading")
	_, err = p.Do(ctx, routing.Op{Kind: routing.OpAddAgent, At: now, Agent: &routing.Agent{ID: "ana", Queues: []string{"q"}}})
	require.NoError(t, err)
	decs, err := p.Do(ctx, routing.Op{Kind: routing.OpEnqueue, At: now,
		Item: &routing.Item{ConversationID: "c1", Touchpoint: "offer", Queues: []string{"q"}, Enqueued: now}})
	require.NoError(t, err)
	require.Len(t, decs, 1)
	assert.Equal(t, decs[0].Deadline.Round(0), decs[0].Deadline, "the offer's deadline is a wall-clock instant")
	require.NoError(t, p.View(ctx, func(r *routing.Router) {
		c := r.Snapshot().Conversations[0]
		assert.Equal(t, c.Deadline.Round(0), c.Deadline)
		assert.Equal(t, c.Item.Enqueued.Round(0), c.Item.Enqueued)
	}))
	entries, err := log.Read(ctx, 0)
	require.NoError(t, err)
	for _, e := range entries.Entries {
		assert.Equal(t, e.Op.At.Round(0), e.Op.At, "entry %d", e.Seq)
	}
}

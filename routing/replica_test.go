package routing_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/routing"
)

// replicaConfig has a touchpoint of every mode and strategy, offers,
// auto-transfer and a drain grace, so that random ops reach every kind of
// state a snapshot must carry.
func replicaConfig() routing.Config {
	return routing.Config{
		DrainGrace:         time.Minute,
		OfflineReturnsWork: true,
		Policies: []routing.Policy{
			{ID: "auto", Mode: routing.Automatic},
			{ID: "offer", Mode: routing.Automatic, Offer: true, OfferTimeout: 30 * time.Second},
			{ID: "rr", Mode: routing.Automatic, Strategy: routing.RoundRobin{}, AutoTransfer: time.Minute},
			{ID: "idle", Mode: routing.Automatic, Strategy: routing.LongestIdle{}, Offer: true},
			{ID: "sticky", Mode: routing.Automatic, Strategy: routing.Sticky{Window: time.Hour}},
			{ID: "ded", Mode: routing.Dedicated, Agent: "a0"},
		},
	}
}

var (
	replicaTouchpoints = []string{"auto", "offer", "rr", "idle", "sticky", "ded", "simple"}
	replicaQueues      = []string{"q1", "q2", "q3"}
	replicaKinds       = []channel.Kind{channel.WhatsApp, channel.SMS, channel.WebChat, channel.Email}
)

// randomOp returns an op over a small world of agents, conversations and
// queues, so that ops meet each other: offers are accepted and rejected,
// released conversations free room for waiting ones, agents leave.
func randomOp(rng *rand.Rand, now time.Time) routing.Op {
	agent := fmt.Sprintf("a%d", rng.IntN(6))
	conv := fmt.Sprintf("c%d", rng.IntN(40))
	queues := func() []string {
		n := 1 + rng.IntN(2)
		qs := make([]string, n)
		for i := range qs {
			qs[i] = replicaQueues[rng.IntN(len(replicaQueues))]
		}
		return qs
	}
	op := routing.Op{At: now, ConversationID: conv, AgentID: agent}
	switch n := rng.IntN(100); {
	case n < 30:
		op.Kind = routing.OpEnqueue
		op.Item = &routing.Item{
			ConversationID: conv, Kind: replicaKinds[rng.IntN(len(replicaKinds))],
			Touchpoint: replicaTouchpoints[rng.IntN(len(replicaTouchpoints))], Queues: queues(),
			Priority: rng.IntN(3), PreviousAgent: fmt.Sprintf("a%d", rng.IntN(6)), PreviousAt: now.Add(-time.Duration(rng.IntN(120)) * time.Minute),
			KeepAgent: rng.IntN(5) == 0,
		}
	case n < 42:
		op.Kind = routing.OpRelease
	case n < 50:
		op.Kind = routing.OpAssign
	case n < 56:
		op.Kind = routing.OpAccept
	case n < 60:
		op.Kind = routing.OpReject
	case n < 64:
		op.Kind = routing.OpTransfer
	case n < 66:
		op.Kind, op.Queues = routing.OpTransferToQueues, queues()
	case n < 69:
		op.Kind = routing.OpSendToInbox
	case n < 71:
		op.Kind = routing.OpEscalate
	case n < 74:
		op.Kind = routing.OpReplied
	case n < 82:
		op.Kind = routing.OpExpire
	case n < 89:
		op.Kind, op.Presence = routing.OpSetPresence, routing.Presence(rng.IntN(4))
	case n < 93:
		op.Kind = routing.OpAddAgent
		op.Agent = &routing.Agent{ID: agent, Queues: queues(), Capacity: 20 + rng.IntN(90)}
	case n < 96:
		op.Kind = routing.OpUpdateAgent
		op.Agent = &routing.Agent{ID: agent, Queues: queues(), Capacity: 20 + rng.IntN(90)}
	case n < 98:
		op.Kind = routing.OpRemoveAgent
	default:
		w, err := routing.Weights{}.With(channel.SMS, 1+rng.IntN(20))
		if err != nil {
			panic(err)
		}
		op = routing.WeightsOp(w, now)
	}
	return op
}

// randomOps returns n ops, a few seconds apart, after the agents are in.
func randomOps(seed uint64, n int) []routing.Op {
	rng := rand.New(rand.NewPCG(seed, 0))
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	var ops []routing.Op
	for i := range 6 {
		ops = append(ops, routing.Op{Kind: routing.OpAddAgent, At: now,
			Agent: &routing.Agent{ID: fmt.Sprintf("a%d", i), Queues: replicaQueues[:1+i%3], Capacity: 40 + 10*i}})
	}
	for range n {
		now = now.Add(time.Duration(rng.IntN(20)) * time.Second)
		ops = append(ops, randomOp(rng, now))
	}
	return ops
}

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
			ops := randomOps(seed, 600)
			a := newRouter(t, replicaConfig())
			for i, op := range ops {
				if i%97 == 50 {
					snap := jsonCopy(t, a.Snapshot())
					b := newRouter(t, replicaConfig())
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
		ops := randomOps(seed, 600)
		ref := newRouter(t, replicaConfig())
		r := newRouter(t, replicaConfig())
		for i, op := range ops {
			if i%37 == 0 {
				fresh := newRouter(t, replicaConfig())
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
		r := newRouter(t, replicaConfig())
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
			r := newRouter(t, replicaConfig())
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

// TestReplicasRouteAsOne spreads random ops over three replicas of one
// log, with snapshots every few entries, a replica that starts late and
// one that is dropped and made anew (a restart), and asks every op for
// the outcome one router gives.
func TestReplicasRouteAsOne(t *testing.T) {
	ctx := context.Background()
	for _, ledgered := range []bool{false, true} {
		for seed := range uint64(10) {
			t.Run(fmt.Sprintf("ledger=%v/%d", ledgered, seed), func(t *testing.T) {
				var ledger routing.Ledger
				refCfg := replicaConfig()
				if ledgered {
					ledger = memory.NewLedger()
					refCfg.Ledger = memory.NewLedger()
				}
				log := memory.NewRoutingLog(ledger)
				newReplica := func() *routing.Replica {
					p, err := routing.NewReplica(routing.ReplicaConfig{Router: replicaConfig(), Log: log, SnapshotEvery: 13})
					require.NoError(t, err)
					return p
				}
				ref := newRouter(t, refCfg)
				replicas := []*routing.Replica{newReplica(), newReplica()}
				rng := rand.New(rand.NewPCG(seed, 1))
				for i, op := range randomOps(seed, 500) {
					switch i {
					case 100:
						replicas = append(replicas, newReplica()) // starts late
					case 250:
						replicas[0] = newReplica() // restarted
					}
					want := outcomeOf(ref.Apply(ctx, op))
					got := outcomeOf(replicas[rng.IntN(len(replicas))].Do(ctx, jsonCopy(t, op)))
					require.Equal(t, want, got, "op %d %s", i, op.Kind)
				}
				for i, p := range replicas {
					require.NoError(t, p.View(ctx, func(r *routing.Router) {
						assert.Equal(t, encoded(t, ref.Snapshot()), encoded(t, r.Snapshot()), "replica %d", i)
						assert.NoError(t, r.Check())
					}))
				}
			})
		}
	}
}

// TestReplicasConcurrent makes ops on four replicas from eight goroutines
// (run it under -race): whatever the interleaving, the log's order is
// one router's history, so a fresh replica ends where a router given the
// same ops in the log's order ends, and no agent is ever over capacity.
func TestReplicasConcurrent(t *testing.T) {
	ctx := context.Background()
	ledger := memory.NewLedger()
	log := memory.NewRoutingLog(ledger)
	replicas := make([]*routing.Replica, 4)
	for i := range replicas {
		p, err := routing.NewReplica(routing.ReplicaConfig{Router: replicaConfig(), Log: log, SnapshotEvery: 50})
		require.NoError(t, err)
		replicas[i] = p
	}
	ops := randomOps(7, 2000)
	for _, op := range ops[:6] {
		_, err := replicas[0].Do(ctx, op)
		require.NoError(t, err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := 6 + g; i < len(ops); i += 8 {
				_, _ = replicas[(i+g)%len(replicas)].Do(ctx, ops[i])
			}
		})
	}
	wg.Wait()
	final := make([]string, len(replicas))
	for i, p := range replicas {
		require.NoError(t, p.View(ctx, func(r *routing.Router) {
			require.NoError(t, r.Check())
			final[i] = encoded(t, r.Snapshot())
			for _, a := range r.Snapshot().Agents {
				led, err := ledger.Load(ctx, a.ID)
				require.NoError(t, err)
				assert.Equal(t, a.Load, led, "agent %s: the ledger and the replicas agree", a.ID)
			}
		}))
	}
	for i := 1; i < len(final); i++ {
		assert.Equal(t, final[0], final[i], "replica %d", i)
	}
}

func TestReplicaRefusesAConfigItCannotShare(t *testing.T) {
	log := memory.NewRoutingLog(nil)
	cases := map[string]routing.ReplicaConfig{
		"no log":         {Router: replicaConfig()},
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

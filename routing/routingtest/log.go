package routingtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/routing"
)

// RunLog checks a [routing.Log] against the contract [routing.Replica]
// relies on, as subtests:
//
//   - replicas of the log, some started late or made anew mid-run (a
//     restart), each given ops in turn, return at every op the outcome
//     one router given the same ops returns, through snapshots taken
//     every few entries;
//   - replicas making ops from many goroutines end in one state, and
//     agree with the log's Ledger on every agent's load;
//   - a change rolled back leaves nothing behind, and an entry that does
//     not follow the last one is refused;
//   - after a checkpoint, a new replica starts from the snapshot alone.
//
// newLog returns a fresh, empty log and the Ledger its changes reserve
// in, read outside any change (nil when the log has none); a log backed
// by a database registers its clean-up with t.Cleanup.
func RunLog(t *testing.T, newLog func(t *testing.T) (routing.Log, routing.Ledger)) {
	t.Helper()
	t.Run("replicas decide as one router", func(t *testing.T) {
		for seed := range uint64(4) {
			log, _ := newLog(t)
			if err := asOneRouter(log, seed, 300); err != nil {
				t.Errorf("seed %d: %v", seed, err)
			}
		}
	})
	t.Run("concurrent replicas end alike", func(t *testing.T) {
		log, ledger := newLog(t)
		if err := concurrentReplicas(log, ledger); err != nil {
			t.Error(err)
		}
	})
	t.Run("checkpoint leaves nothing to replay", func(t *testing.T) {
		log, _ := newLog(t)
		if err := checkpoint(log); err != nil {
			t.Error(err)
		}
	})
	t.Run("rollback leaves nothing", func(t *testing.T) {
		log, _ := newLog(t)
		if err := rollbackLeavesNothing(log); err != nil {
			t.Error(err)
		}
	})
}

// LogConfig is the router configuration RunLog's replicas share: a
// touchpoint of every mode and strategy (a host's own among them),
// offers, auto-transfer and a drain grace, so that random ops reach every kind of state a snapshot
// carries.
func LogConfig() routing.Config {
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
			{ID: "custom", Mode: routing.Automatic, Strategy: byID{}},
		},
	}
}

// byID is a host's own strategy, as replicas may use one: the agent whose
// ID sorts first, decided from the candidates alone.
type byID struct{}

func (byID) Less(a, b *routing.Candidate) bool { return a.AgentID < b.AgentID }

var (
	opTouchpoints = []string{"auto", "offer", "rr", "idle", "sticky", "ded", "custom", "simple"}
	opQueues      = []string{"q1", "q2", "q3"}
	opKinds       = []channel.Kind{channel.WhatsApp, channel.SMS, channel.WebChat, channel.Email}
)

// RandomOps returns six OpAddAgent ops, then n random ops a few seconds
// apart over a small world of agents, conversations and queues, so that
// ops meet each other: offers are accepted, rejected and expire, released
// conversations free room for waiting ones, agents come and go.
func RandomOps(seed uint64, n int) []routing.Op {
	rng := rand.New(rand.NewPCG(seed, 0))
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	var ops []routing.Op
	for i := range 6 {
		ops = append(ops, routing.Op{Kind: routing.OpAddAgent, At: now,
			Agent: &routing.Agent{ID: fmt.Sprintf("a%d", i), Queues: opQueues[:1+i%3], Capacity: 40 + 10*i}})
	}
	for range n {
		now = now.Add(time.Duration(rng.IntN(20)) * time.Second)
		ops = append(ops, randomOp(rng, now))
	}
	return ops
}

func randomOp(rng *rand.Rand, now time.Time) routing.Op {
	agent := fmt.Sprintf("a%d", rng.IntN(6))
	conv := fmt.Sprintf("c%d", rng.IntN(40))
	queues := func() []string {
		qs := make([]string, 1+rng.IntN(2))
		for i := range qs {
			qs[i] = opQueues[rng.IntN(len(opQueues))]
		}
		return qs
	}
	op := routing.Op{At: now, ConversationID: conv, AgentID: agent}
	switch n := rng.IntN(100); {
	case n < 30:
		op.Kind = routing.OpEnqueue
		op.Item = &routing.Item{
			ConversationID: conv, Kind: opKinds[rng.IntN(len(opKinds))],
			Touchpoint: opTouchpoints[rng.IntN(len(opTouchpoints))], Queues: queues(), Priority: rng.IntN(3),
			PreviousAgent: fmt.Sprintf("a%d", rng.IntN(6)), PreviousAt: now.Add(-time.Duration(rng.IntN(120)) * time.Minute),
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
		w, _ := routing.Weights{}.With(channel.SMS, 1+rng.IntN(20))
		op = routing.WeightsOp(w, now)
	}
	return op
}

func newReplica(log routing.Log, every int) (*routing.Replica, error) {
	return routing.NewReplica(routing.ReplicaConfig{Router: LogConfig(), Log: log, SnapshotEvery: every})
}

// outcome is an op's result as compared: decisions and error text.
type outcome struct {
	Decisions []routing.Decision
	Err       string
}

func outcomeOf(decs []routing.Decision, err error) string {
	o := outcome{Decisions: decs}
	if err != nil {
		o.Err = err.Error()
	}
	b, _ := json.Marshal(o)
	return string(b)
}

// state is a router's snapshot as JSON: times compare by instant.
func state(r *routing.Router) string {
	b, _ := json.Marshal(r.Snapshot())
	return string(b)
}

func asOneRouter(log routing.Log, seed uint64, n int) error {
	ctx := context.Background()
	ref, err := routing.New(LogConfig())
	if err != nil {
		return err
	}
	var replicas []*routing.Replica
	for range 2 {
		p, err := newReplica(log, 13)
		if err != nil {
			return err
		}
		replicas = append(replicas, p)
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	for i, op := range RandomOps(seed, n) {
		switch i {
		case n / 5: // starts late
			p, err := newReplica(log, 13)
			if err != nil {
				return err
			}
			replicas = append(replicas, p)
		case n / 2: // restarted
			if replicas[0], err = newReplica(log, 13); err != nil {
				return err
			}
		}
		want := outcomeOf(ref.Apply(ctx, op))
		got := outcomeOf(replicas[rng.IntN(len(replicas))].Do(ctx, op))
		if got != want {
			return fmt.Errorf("op %d (%s): a replica returned %s, one router %s", i, op.Kind, got, want)
		}
	}
	for i, p := range replicas {
		var got string
		var check error
		if err := p.View(ctx, func(r *routing.Router) { got, check = state(r), r.Check() }); err != nil {
			return err
		}
		if check != nil {
			return fmt.Errorf("replica %d: %w", i, check)
		}
		if want := state(ref); got != want {
			return fmt.Errorf("replica %d ends in another state than one router:\n got %s\nwant %s", i, got, want)
		}
	}
	return nil
}

func concurrentReplicas(log routing.Log, ledger routing.Ledger) error {
	ctx := context.Background()
	replicas := make([]*routing.Replica, 4)
	for i := range replicas {
		var err error
		if replicas[i], err = newReplica(log, 50); err != nil {
			return err
		}
	}
	ops := RandomOps(7, 600)
	for _, op := range ops[:6] {
		if _, err := replicas[0].Do(ctx, op); err != nil {
			return err
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for g := range 8 {
		wg.Go(func() {
			for i := 6 + g; i < len(ops); i += 8 {
				_, err := replicas[(i+g)%len(replicas)].Do(ctx, ops[i])
				if err != nil && errors.Is(err, routing.ErrInternal) {
					errs[g] = err
					return
				}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	var first routing.Snapshot
	for i, p := range replicas {
		var snap routing.Snapshot
		var check error
		if err := p.View(ctx, func(r *routing.Router) { snap, check = r.Snapshot(), r.Check() }); err != nil {
			return err
		}
		if check != nil {
			return fmt.Errorf("replica %d: %w", i, check)
		}
		if i == 0 {
			first = snap
		} else if !reflect.DeepEqual(mustJSON(first), mustJSON(snap)) {
			return fmt.Errorf("replica %d ends in another state than replica 0", i)
		}
	}
	if ledger == nil {
		return nil
	}
	for _, a := range first.Agents {
		load, err := ledger.Load(ctx, a.ID)
		if err != nil {
			return err
		}
		if load != a.Load {
			return fmt.Errorf("agent %s: the replicas count %d, the ledger %d", a.ID, a.Load, load)
		}
	}
	return nil
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func rollbackLeavesNothing(log routing.Log) error {
	ctx := context.Background()
	tx, _, err := log.Begin(ctx, 0)
	if err != nil {
		return err
	}
	op := routing.Op{Kind: routing.OpAddAgent, At: time.Now(), Agent: &routing.Agent{ID: "ana", Queues: []string{"q1"}}}
	err = tx.Append(ctx, routing.Entry{Seq: 2, Op: op})
	if err == nil {
		err = tx.Commit(ctx) // a log may check an entry when it commits
	}
	if err == nil {
		return errors.New("an entry at 2 on an empty log was appended; it must follow 0")
	}
	_ = tx.Rollback(ctx)
	if tx, _, err = log.Begin(ctx, 0); err != nil {
		return err
	}
	if err := tx.Append(ctx, routing.Entry{Seq: 1, Op: op}); err != nil {
		return err
	}
	if err := tx.Rollback(ctx); err != nil {
		return err
	}
	c, err := log.Read(ctx, 0)
	if err != nil {
		return err
	}
	if len(c.Entries) != 0 || c.Snapshot != nil {
		return fmt.Errorf("a rolled-back change left %d entries", len(c.Entries))
	}
	p, err := newReplica(log, 0)
	if err != nil {
		return err
	}
	if _, err := p.Do(ctx, op); err != nil {
		return fmt.Errorf("the log after a rollback: %w", err)
	}
	c, err = log.Read(ctx, 0)
	if err != nil {
		return err
	}
	if len(c.Entries) != 1 || c.Entries[0].Seq != 1 {
		return fmt.Errorf("after one op the log holds %d entries", len(c.Entries))
	}
	return nil
}

func checkpoint(log routing.Log) error {
	ctx := context.Background()
	p, err := newReplica(log, 0)
	if err != nil {
		return err
	}
	ops := RandomOps(3, 40)
	for _, op := range ops {
		_, _ = p.Do(ctx, op)
	}
	if err := p.Checkpoint(ctx); err != nil {
		return err
	}
	c, err := log.Read(ctx, 0)
	if err != nil {
		return err
	}
	if c.Snapshot == nil || c.SnapshotSeq == 0 {
		return errors.New("after a checkpoint, a replica at 0 is not given the snapshot")
	}
	last := c.SnapshotSeq
	if n := len(c.Entries); n > 0 {
		last = c.Entries[n-1].Seq
	}
	if last != c.SnapshotSeq {
		return fmt.Errorf("the checkpoint is at %d, the log goes on to %d", c.SnapshotSeq, last)
	}
	fresh, err := newReplica(log, 0)
	if err != nil {
		return err
	}
	var want, got string
	if err := p.View(ctx, func(r *routing.Router) { want = state(r) }); err != nil {
		return err
	}
	if err := fresh.View(ctx, func(r *routing.Router) { got = state(r) }); err != nil {
		return err
	}
	if got != want {
		return errors.New("a replica started after the checkpoint is in another state")
	}
	return nil
}

package routing_test

import (
	"context"
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

// charge is one reservation: a conversation, its agent and the weight.
type charge struct {
	conv, agent string
	weight      int
}

// recordingLedger wraps memory.Ledger and keeps, apart from it, every
// reservation the router made and the one each conversation holds now,
// so that the router's own reports (its decisions and placements) can be
// held to what it charged.
type recordingLedger struct {
	*memory.Ledger
	mu       sync.Mutex
	reserved map[charge]int    // every reservation made, counted
	live     map[string]charge // each conversation's reservation now
}

func newRecordingLedger() *recordingLedger {
	return &recordingLedger{Ledger: memory.NewLedger(), reserved: map[charge]int{}, live: map[string]charge{}}
}

func (l *recordingLedger) Reserve(ctx context.Context, agent, conv string, w, capacity int) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.Ledger.Reserve(ctx, agent, conv, w, capacity); err != nil {
		return err
	}
	c := charge{conv, agent, w}
	l.reserved[c]++
	l.live[conv] = c
	return nil
}

func (l *recordingLedger) Release(ctx context.Context, conv string) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.live, conv)
	return l.Ledger.Release(ctx, conv)
}

// agentSlot is what the test knows of one agent ID: whether the router
// has it and the capacity it was given, which the test never lowers
// while the agent is present (a capacity below the load is allowed, and
// would make "within capacity" meaningless).
type agentSlot struct {
	mu       sync.Mutex
	id       string
	present  bool
	capacity int
}

// TestConcurrentInvariants drives one router from many goroutines —
// conversations, presence, weights and the agents themselves changing at
// once — and between rounds, with everything quiet, checks the routing invariants:
// no agent over capacity, no conversation held twice, and every agent's
// load exactly the sum of the weights the router reported charging for
// what it holds. A weight change is not retroactive: a router that
// released a conversation's current weight rather than the one charged
// would leave loads that are not that sum. Through a Ledger, every
// reported charge is also one the Ledger was asked for, and each held
// conversation's reported weight is its reservation's.
func TestConcurrentInvariants(t *testing.T) {
	for _, shared := range []bool{false, true} {
		name := "in the router's memory"
		if shared {
			name = "through a Ledger"
		}
		t.Run(name, func(t *testing.T) { concurrentInvariants(t, shared) })
	}
}

func concurrentInvariants(t *testing.T, shared bool) {
	const goroutines, rounds, ops = 8, 10, 60
	capacities := []int{60, 100, 150}
	slots := make([]*agentSlot, 12)
	var agents []routing.Agent
	for i := range slots {
		slots[i] = &agentSlot{id: fmt.Sprintf("agent%d", i), present: true, capacity: capacities[i%3]}
		agents = append(agents, routing.Agent{ID: slots[i].id, Queues: []string{fmt.Sprintf("q%d", i%3), "all"}, Capacity: slots[i].capacity})
	}
	cfg := routing.Config{Agents: agents, OfflineReturnsWork: true, DrainGrace: 2 * time.Second, Policies: []routing.Policy{
		{ID: "push", Mode: routing.Automatic},
		{ID: "offer", Mode: routing.Automatic, Offer: true, Strategy: routing.RoundRobin{}},
		{ID: "vip", Mode: routing.Dedicated, Agent: "agent1"},
		{ID: "idle", Mode: routing.Automatic, Strategy: routing.LongestIdle{}, AutoTransfer: time.Second},
	}}
	var ledger *recordingLedger
	if shared {
		ledger = newRecordingLedger()
		cfg.Ledger = ledger
	}
	r := newRouter(t, cfg)
	kinds := channel.Kinds()
	tps := []string{"push", "offer", "vip", "idle", "inbox"}

	// reported counts the charges the router reported (decisions that
	// assign or offer), to be found among the Ledger's reservations.
	var repMu sync.Mutex
	reported := map[charge]int{}
	report := func(ds ...routing.Decision) {
		repMu.Lock()
		defer repMu.Unlock()
		for _, d := range ds {
			if d.Outcome == routing.Assigned || d.Outcome == routing.Offered {
				reported[charge{d.ConversationID, d.AgentID, d.Weight}]++
			}
		}
	}

	rngs := make([]*rand.Rand, goroutines)
	for g := range rngs {
		rngs[g] = rand.New(rand.NewPCG(uint64(g), 7))
	}
	now := make([]time.Time, goroutines)
	for g := range now {
		now[g] = t0
	}
	for round := range rounds {
		var wg sync.WaitGroup
		for g := range goroutines {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rng := rngs[g]
				for range ops {
					now[g] = now[g].Add(time.Duration(rng.IntN(3000)) * time.Millisecond)
					at := now[g]
					conv := fmt.Sprintf("c%d", rng.IntN(60))
					slot := slots[rng.IntN(len(slots))]
					agent := slot.id
					var ds []routing.Decision
					var err error
					switch rng.IntN(14) {
					case 0, 1, 2:
						var d routing.Decision
						d, err = r.Enqueue(ctx, item(conv, kinds[rng.IntN(len(kinds))], tps[rng.IntN(len(tps))], fmt.Sprintf("q%d", rng.IntN(3))), at)
						ds = []routing.Decision{d}
					case 3:
						err = r.Assign(ctx, conv, agent, at)
					case 4:
						ds, err = r.Release(ctx, conv, at)
					case 5:
						ds, err = r.Transfer(ctx, conv, agent, at)
					case 6:
						ds, err = r.Reject(ctx, conv, agent, at)
						if err == nil && rng.IntN(2) == 0 {
							err = r.Accept(conv, agent, at)
						}
					case 7:
						ds, err = r.SetPresence(ctx, agent, routing.Presence(rng.IntN(4)), at)
					case 8:
						ds, err = r.Expire(ctx, at)
					case 9:
						if rng.IntN(2) == 0 {
							ds, err = r.Escalate(ctx, conv, at)
						} else {
							ds, err = r.SendToInbox(ctx, conv, at)
						}
					case 10:
						// New weights for every digital kind: held
						// conversations keep what they were charged.
						var w routing.Weights
						for _, k := range kinds {
							if k != channel.Voice {
								w, _ = w.With(k, 1+rng.IntN(40))
							}
						}
						ds = r.SetWeights(ctx, w, at)
					case 11, 12, 13:
						// Remove (one time in three), update, or add back
						// an agent that was removed.
						slot.mu.Lock()
						switch {
						case !slot.present:
							slot.capacity = capacities[rng.IntN(3)]
							ds, err = r.AddAgent(ctx, routing.Agent{ID: agent, Queues: []string{fmt.Sprintf("q%d", rng.IntN(3)), "all"}, Capacity: slot.capacity}, at)
							slot.present = err == nil
						case rng.IntN(3) == 0:
							ds, err = r.RemoveAgent(ctx, agent, at)
							slot.present = err != nil
						default:
							c := max(slot.capacity, capacities[rng.IntN(3)])
							ds, err = r.UpdateAgent(ctx, routing.Agent{ID: agent, Queues: []string{fmt.Sprintf("q%d", rng.IntN(3))}, Capacity: c}, at)
							if err == nil {
								slot.capacity = c
							}
						}
						slot.mu.Unlock()
					}
					report(ds...)
					_ = err // refusals are expected; the invariants below are what counts
				}
			}()
		}
		wg.Wait()
		t.Run(fmt.Sprintf("after round %d", round), func(t *testing.T) {
			checkQuiet(t, r, slots, ledger, reported)
		})
	}
}

// checkQuiet checks the invariants of TestConcurrentInvariants on a
// router nobody is calling.
func checkQuiet(t *testing.T, r *routing.Router, slots []*agentSlot, ledger *recordingLedger, reported map[charge]int) {
	assert.NoError(t, r.Check())
	seen := map[string]string{}
	for _, s := range slots {
		ag, present := r.Agent(s.id)
		require.Equal(t, s.present, present, "%s present", s.id)
		if !present {
			if ledger != nil {
				lw, err := ledger.Load(ctx, s.id)
				require.NoError(t, err)
				assert.Zero(t, lw, "%s was removed with nothing reserved", s.id)
			}
			continue
		}
		l := load(t, r, s.id)
		assert.Equal(t, s.capacity, ag.Capacity)
		assert.LessOrEqual(t, l, ag.Capacity, "%s is over capacity", s.id)
		held, err := r.Held(s.id)
		require.NoError(t, err)
		sum := 0
		for _, c := range held {
			if other, dup := seen[c]; dup {
				t.Errorf("%s held by both %s and %s", c, other, s.id)
			}
			seen[c] = s.id
			p, ok := r.Conversation(c)
			require.True(t, ok)
			require.Equal(t, s.id, p.AgentID)
			sum += p.Weight
			if ledger != nil {
				assert.Equal(t, charge{c, s.id, p.Weight}, ledger.live[c], "%s: the weight reported is the one reserved", c)
			}
		}
		assert.Equal(t, sum, l, "%s: its load is the sum of the weights charged for what it holds: every release freed what was charged", s.id)
		if ledger != nil {
			lw, err := ledger.Load(ctx, s.id)
			require.NoError(t, err)
			assert.Equal(t, lw, l, "%s: the router and the ledger agree", s.id)
		}
	}
	if ledger == nil {
		return
	}
	assert.Len(t, ledger.live, len(seen), "the ledger reserves exactly what agents hold")
	for c, n := range reported {
		assert.GreaterOrEqual(t, ledger.reserved[c], n, "%v: reported charged %d times, reserved %d", c, n, ledger.reserved[c])
	}
}

func TestTwoRoutersShareOneLedger(t *testing.T) {
	ledger := memory.NewLedger()
	var agents []routing.Agent
	for i := range 5 {
		agents = append(agents, routing.Agent{ID: fmt.Sprintf("agent%d", i), Queues: []string{"q"}})
	}
	cfg := routing.Config{Agents: agents, Ledger: ledger, Policies: []routing.Policy{{ID: "tp", Mode: routing.Automatic}}}
	routers := []*routing.Router{newRouter(t, cfg), newRouter(t, cfg)}

	var mu sync.Mutex
	assigned := 0
	var wg sync.WaitGroup
	for p, r := range routers {
		for g := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 50 {
					d, err := r.Enqueue(ctx, item(fmt.Sprintf("p%d-g%d-%d", p, g, i), channel.WebChat, "tp", "q"), t0)
					if !assert.NoError(t, err) {
						return
					}
					if d.Outcome == routing.Assigned {
						mu.Lock()
						assigned++
						mu.Unlock()
					}
				}
			}()
		}
	}
	wg.Wait()

	total := 0
	for _, a := range agents {
		l, err := ledger.Load(ctx, a.ID)
		require.NoError(t, err)
		assert.LessOrEqual(t, l, routing.DefaultCapacity, "%s over capacity", a.ID)
		total += l
	}
	assert.Equal(t, 30*assigned, total, "every assignment is reserved once")
	assert.Equal(t, 15, assigned, "three web chats fit each of five agents, and both routers together fill them")
}

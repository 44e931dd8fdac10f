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

// recordingLedger wraps memory.Ledger and checks, on every release, that
// the weight freed is the weight last charged (DESIGN.md §7).
type recordingLedger struct {
	*memory.Ledger
	mu         sync.Mutex
	charged    map[string]int
	mismatches []string
}

func (l *recordingLedger) Reserve(ctx context.Context, agent, conv string, w, capacity int) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.Ledger.Reserve(ctx, agent, conv, w, capacity); err != nil {
		return err
	}
	l.charged[conv] = w
	return nil
}

func (l *recordingLedger) Release(ctx context.Context, conv string) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	w, err := l.Ledger.Release(ctx, conv)
	if w != 0 && w != l.charged[conv] {
		l.mismatches = append(l.mismatches, fmt.Sprintf("%s: released %d, charged %d", conv, w, l.charged[conv]))
	}
	delete(l.charged, conv)
	return w, err
}

func TestConcurrentInvariants(t *testing.T) {
	ledger := &recordingLedger{Ledger: memory.NewLedger(), charged: map[string]int{}}
	var agents []routing.Agent
	for i := range 12 {
		agents = append(agents, routing.Agent{ID: fmt.Sprintf("agent%d", i), Queues: []string{fmt.Sprintf("q%d", i%3), "all"}, Capacity: []int{0, 60, 150}[i%3]})
	}
	r := newRouter(t, routing.Config{Agents: agents, Ledger: ledger, OfflineReturnsWork: true, Touchpoints: []routing.Touchpoint{
		{ID: "push", Mode: routing.Automatic},
		{ID: "offer", Mode: routing.Automatic, Offer: true, Strategy: routing.RoundRobin{}},
		{ID: "vip", Mode: routing.Dedicated, Agent: "agent1"},
		{ID: "idle", Mode: routing.Automatic, Strategy: routing.LongestIdle{}, AutoTransfer: time.Second},
	}})
	kinds := channel.Kinds()
	tps := []string{"push", "offer", "vip", "idle", "inbox"}

	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(g), 7))
			now := t0
			for i := range 400 {
				now = now.Add(time.Duration(rng.IntN(3000)) * time.Millisecond)
				conv := fmt.Sprintf("c%d", rng.IntN(60))
				agent := fmt.Sprintf("agent%d", rng.IntN(12))
				var err error
				switch rng.IntN(10) {
				case 0, 1, 2:
					_, err = r.Enqueue(ctx, item(conv, kinds[rng.IntN(len(kinds))], tps[rng.IntN(len(tps))], fmt.Sprintf("q%d", rng.IntN(3))), now)
				case 3:
					err = r.Assign(ctx, conv, agent, now)
				case 4:
					_, err = r.Release(ctx, conv, now)
				case 5:
					_, err = r.Transfer(ctx, conv, agent, now)
				case 6:
					_, err = r.Reject(ctx, conv, agent, now)
					if err == nil && rng.IntN(2) == 0 {
						err = r.Accept(conv, agent, now)
					}
				case 7:
					_, err = r.SetPresence(ctx, agent, routing.Presence(rng.IntN(4)), now)
				case 8:
					_, err = r.Expire(ctx, now)
				case 9:
					if i%2 == 0 {
						_, err = r.Escalate(ctx, conv, now)
					} else {
						_, err = r.SendToInbox(ctx, conv, now)
					}
				}
				_ = err // refusals are expected; the invariants below are what counts
			}
		}()
	}
	wg.Wait()

	seen := map[string]string{}
	for _, a := range agents {
		l := load(t, r, a.ID)
		ag, _ := r.Agent(a.ID)
		assert.LessOrEqual(t, l, ag.Capacity, "%s is over capacity", a.ID)
		lw, err := ledger.Load(ctx, a.ID)
		require.NoError(t, err)
		assert.Equal(t, lw, l, "%s: the router and the ledger agree", a.ID)
		held, err := r.Held(a.ID)
		require.NoError(t, err)
		sum := 0
		for _, c := range held {
			if other, dup := seen[c]; dup {
				t.Errorf("%s held by both %s and %s", c, other, a.ID)
			}
			seen[c] = a.ID
			p, ok := r.Conversation(c)
			require.True(t, ok)
			sum += p.Weight
		}
		assert.Equal(t, l, sum, "%s: load is the sum of what it holds", a.ID)
	}
	assert.Empty(t, ledger.mismatches, "every released weight equals the charged one")
}

func TestTwoRoutersShareOneLedger(t *testing.T) {
	ledger := memory.NewLedger()
	var agents []routing.Agent
	for i := range 5 {
		agents = append(agents, routing.Agent{ID: fmt.Sprintf("agent%d", i), Queues: []string{"q"}})
	}
	cfg := routing.Config{Agents: agents, Ledger: ledger, Touchpoints: []routing.Touchpoint{{ID: "tp", Mode: routing.Automatic}}}
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

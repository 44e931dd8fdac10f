package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/parleytest"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/store/postgres"
	"github.com/parleyhq/parley/store/postgres/internal/pgtest"
)

// The scale-out desk: WhatsApp offered (for scaleOutOffer) and SMS
// assigned outright, to three agents whose room holds a few
// conversations, so that offers stand, expire and are declined, and
// conversations wait.
var scaleOutAgents = map[string]int{"a0": 40, "a1": 60, "a2": 45}

const (
	scaleOutOffer = time.Second
	// scaleOutSlack is how late past its deadline an offer may still
	// stand: a desk ticks every scaleOutTick, and a change waits for the
	// one before it, on a machine running five processes under the race
	// detector. A desk killed holding the routing lock frees it at once
	// (its connection closes), so no lease is waited for.
	scaleOutSlack = 3 * time.Second
	scaleOutTick  = 50 * time.Millisecond

	envScaleOutChild = "PARLEY_SCALEOUT_CHILD" // the schema; set only in a child
	envScaleOutStop  = "PARLEY_SCALEOUT_STOP"  // the file whose existence stops the child
)

func scaleOutRouting() routing.Policy {
	return routing.Policy{Mode: routing.Automatic, Offer: true, OfferTimeout: scaleOutOffer}
}

// scaleOutRouterConfig is the routing configuration the desks build from
// their Config, for the parent to read the log as they do.
func scaleOutRouterConfig() routing.Config {
	return routing.Config{Policies: []routing.Policy{
		{ID: "wa", Mode: routing.Automatic, Offer: true, OfferTimeout: scaleOutOffer},
		{ID: "sms", Mode: routing.Automatic},
	}}
}

// newScaleOutDesk returns a desk on pool routing through the shared log.
func newScaleOutDesk(t *testing.T, pool *pgxpool.Pool, pub parley.Publisher) *parley.Desk {
	t.Helper()
	st := postgres.New(pool)
	queues := []string{"support"}
	var agents []routing.Agent
	for _, id := range slices.Sorted(maps.Keys(scaleOutAgents)) {
		agents = append(agents, routing.Agent{ID: id, Queues: queues, Capacity: scaleOutAgents[id]})
	}
	d, err := parley.New(parley.Config{
		Transport: providerTransport{parleytest.NewTransport()},
		Touchpoints: []parley.Touchpoint{
			{ID: "wa", Kind: channel.WhatsApp, Address: "+14155550000", Queues: queues, Routing: scaleOutRouting()},
			{ID: "sms", Kind: channel.SMS, Address: "+14155550001", Queues: queues, Routing: routing.Policy{Mode: routing.Automatic}},
		},
		Agents:        agents,
		Conversations: st.Conversations,
		OptOuts:       st.OptOuts,
		Routing:       st.Routing,
		Windows:       st.Windows,
		Publisher:     pub,
		// Every window is within the warning from its first message, so
		// each desk's Tick has a notice to race the others for.
		WindowWarning: 25 * time.Hour,
	})
	require.NoError(t, err)
	return d
}

// scaleOutWebhooks are every message the contacts send: any desk may be
// handed any of them, and several desks the same one.
func scaleOutWebhooks() []webhook { return webhooks(9, 3, 60, -1) }

// offers collects the offers a desk publishes, for its agents to answer.
type offers struct {
	ch chan parley.OfferedEvent
}

func (o *offers) Publish(_ context.Context, e parley.Event) error {
	if ev, ok := e.(parley.WindowEvent); ok {
		// The parent counts each window's notices across the desks.
		fmt.Printf("notice %s %s %s %v\n", ev.Touchpoint, ev.Contact, ev.ClosesAt.Format(time.RFC3339Nano), ev.Closed)
	}
	if ev, ok := e.(parley.OfferedEvent); ok {
		select {
		case o.ch <- ev:
		default: // nobody answers this one: it expires
		}
	}
	return nil
}

// TestScaleOutChild is not a test: it is the body of the desk processes
// TestScaleOutSurvivesSIGKILL starts and kills. Each runs a Desk on the
// shared routing log and, until its stop file appears: receives random
// webhooks (a provider retrying sends the same one to several desks),
// ticks, answers offers (accept, reject, or let expire), sends agents
// away and back, ends and closes conversations, and transfers them.
func TestScaleOutChild(t *testing.T) {
	schema := os.Getenv(envScaleOutChild)
	if schema == "" {
		t.Skip("run as a child process by TestScaleOutSurvivesSIGKILL")
	}
	stop := os.Getenv(envScaleOutStop)
	pub := &offers{ch: make(chan parley.OfferedEvent, 64)}
	desk := newScaleOutDesk(t, pgtest.Pool(t, pgtest.DSN(t), schema), pub)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() {
		for ctx.Err() == nil {
			time.Sleep(scaleOutTick)
			if err := desk.Tick(ctx); err != nil && ctx.Err() == nil {
				fmt.Println("tick:", err)
			}
		}
	})
	wg.Go(func() {
		for {
			select {
			case <-ctx.Done():
				return
			case ev := <-pub.ch:
				switch n := rand.IntN(10); {
				case n < 6:
					_ = desk.Accept(ctx, ev.AgentID, ev.ConversationID)
				case n < 9:
					_ = desk.Reject(ctx, ev.AgentID, ev.ConversationID)
				}
			}
		}
	})
	all := scaleOutWebhooks()
	var received []conversation.ID
	for {
		if _, err := os.Stat(stop); err == nil {
			cancel()
			wg.Wait()
			return
		}
		switch n := rand.IntN(20); {
		case n < 14:
			w := all[rand.IntN(len(all))]
			rc, err := desk.Receive(ctx, w.inbound())
			if err == nil {
				received = append(received, rc.Conversation.ID)
			} else if !errors.Is(err, conversation.ErrConflict) {
				fmt.Println("receive:", err)
			}
		case n < 15 && len(received) > 0:
			id := received[rand.IntN(len(received))]
			_ = desk.End(ctx, parley.SystemActor, id)
			_ = desk.Close(ctx, parley.SystemActor, id, "done")
		case n < 16 && len(received) > 0:
			_ = desk.Transfer(ctx, parley.SystemActor, received[rand.IntN(len(received))], fmt.Sprintf("a%d", rand.IntN(3)))
		case n < 18:
			agent := fmt.Sprintf("a%d", rand.IntN(3))
			_ = desk.SetPresence(ctx, agent, routing.Away)
			time.Sleep(time.Duration(rand.IntN(20)) * time.Millisecond)
			_ = desk.SetPresence(ctx, agent, routing.Available)
		default:
			_ = desk.SetPresence(ctx, fmt.Sprintf("a%d", rand.IntN(3)), routing.Available)
		}
	}
}

// scaleOutChild is one desk process, started again after each kill.
type scaleOutChild struct {
	name string
	cmd  *exec.Cmd
	out  *strings.Builder
	past []string // what its killed runs printed
}

func (c *scaleOutChild) start(t *testing.T, schema, stop string) {
	t.Helper()
	c.cmd, c.out = childProcess(t, "TestScaleOutChild", c.name, envScaleOutChild+"="+schema, envScaleOutStop+"="+stop)
	require.NoError(t, c.cmd.Start())
}

// Four desk processes on one PostgreSQL, each handed random webhooks and
// agent actions, while every second or two one of them is killed with
// SIGKILL — whatever it was doing, the routing lock in hand or not — and
// started again. Checked while they run, in SQL and through the routing
// log: no agent over capacity, no slot with two open conversations, no
// offer standing past its deadline plus the slack. Checked at the end,
// once a provider has retried every webhook: each stored once, each
// conversation held by one agent in the ledger and the store alike, and
// no conversation waiting while an agent who may take it has room.
func TestScaleOutSurvivesSIGKILL(t *testing.T) {
	schema, pool := pgtest.Schema(t)
	run := time.Duration(envInt(t, "PARLEY_SCALEOUT_SECONDS", 12)) * time.Second
	stop := filepath.Join(t.TempDir(), "stop")
	children := make([]*scaleOutChild, 4)
	for i := range children {
		children[i] = &scaleOutChild{name: fmt.Sprintf("parley-scaleout-p%d", i)}
		children[i].start(t, schema, stop)
	}
	view, err := routing.NewReplica(routing.ReplicaConfig{Router: scaleOutRouterConfig(), Log: postgres.NewRoutingLog(pool)})
	require.NoError(t, err)
	ctx := context.Background()
	late, waiting := 0, 0
	stopWatch := watch(func() {
		checkLoads(t, pool, scaleOutAgents)
		checkSlots(t, pool)
		late += lateOffers(t, ctx, view, time.Now())
		waiting += stuck(t, ctx, view)
	})

	kills := 0
	for deadline := time.Now().Add(run); time.Now().Before(deadline); {
		time.Sleep(time.Duration(1000+rand.IntN(1000)) * time.Millisecond)
		c := children[rand.IntN(len(children))]
		require.NoError(t, c.cmd.Process.Signal(syscall.SIGKILL))
		_ = c.cmd.Wait()
		c.past = append(c.past, c.out.String())
		kills++
		c.start(t, schema, stop)
	}
	require.NoError(t, os.WriteFile(stop, nil, 0o600))
	for _, c := range children {
		assert.NoError(t, c.cmd.Wait(), "%s:\n%s", c.name, c.out)
	}
	polls := stopWatch()
	assert.Zero(t, late, "offers standing past their deadline plus %s", scaleOutSlack)
	notices := map[string]int{}
	for _, c := range children {
		for _, out := range append(c.past, c.out.String()) {
			for line := range strings.Lines(out) {
				if strings.HasPrefix(line, "notice ") {
					notices[strings.TrimSpace(line)]++
				}
			}
		}
	}
	for n, times := range notices {
		assert.Equal(t, 1, times, "%s published %d times", n, times)
	}
	require.NotEmpty(t, notices, "no window notice was published: the check above proved nothing")
	assert.Zero(t, waiting, "conversations seen waiting while an agent who may take them had room")

	// A provider retries every webhook: what a killed desk did not
	// commit is received now, what it did is found a duplicate.
	final := newScaleOutDesk(t, pool, nil)
	all := scaleOutWebhooks()
	var keys []string
	for _, w := range all {
		_, err := final.Receive(ctx, w.inbound())
		require.NoError(t, err, "retry of %s", w)
		keys = append(keys, w.key())
	}
	for a := range scaleOutAgents {
		require.NoError(t, final.SetPresence(ctx, a, routing.Available))
	}
	time.Sleep(scaleOutOffer + 100*time.Millisecond)
	require.NoError(t, final.Tick(ctx)) // offers left standing expire

	assert.ElementsMatch(t, keys, inboundKeys(t, pool), "each webhook stored once")
	checkLoads(t, pool, scaleOutAgents)
	checkSlots(t, pool)
	checkHolders(t, pool, view)
	assert.Zero(t, stuck(t, ctx, view), "conversations waiting while an agent who may take them has room")
	convs, followUps, closed, assigned := stats(t, pool)
	var ops int
	require.NoError(t, pool.QueryRow(ctx, `SELECT seq FROM parley_routing_head`).Scan(&ops))
	t.Logf("%s, %d kills: %d routing ops; %d conversations (%d follow-ups, %d closed, %d assigned); %d window notices, each once; %d checks while they ran",
		run, kills, ops, convs, followUps, closed, assigned, len(notices), polls)
	assert.Positive(t, kills)
	assert.Positive(t, assigned, "no conversation reached an agent")
}

// lateOffers counts the offers that stand past their deadline plus the
// slack at now.
func lateOffers(t *testing.T, ctx context.Context, view *routing.Replica, now time.Time) int {
	late := 0
	err := view.View(ctx, func(r *routing.Router) {
		for _, c := range r.Snapshot().Conversations {
			if c.Outcome == routing.Offered && now.After(c.Deadline.Add(scaleOutSlack)) {
				t.Logf("offer of %s to %s stands %s past its deadline", c.Item.ConversationID, c.AgentID, now.Sub(c.Deadline))
				late++
			}
		}
	})
	assert.NoError(t, err)
	return late
}

// stuck counts the conversations waiting while an available agent of
// one of their queues, who has not declined them, has room for them.
func stuck(t *testing.T, ctx context.Context, view *routing.Replica) int {
	n := 0
	require.NoError(t, view.View(ctx, func(r *routing.Router) {
		s := r.Snapshot()
		weights := routing.Weights{}
		for _, c := range s.Conversations {
			if c.Outcome != routing.Waiting {
				continue
			}
			w := weights.Of(c.Item.Kind)
			for _, a := range s.Agents {
				if a.Presence == routing.Available && a.Load+w <= a.Capacity && !slices.Contains(c.Declined, a.ID) &&
					slices.ContainsFunc(c.Item.Queues, func(q string) bool { return slices.Contains(a.Queues, q) }) {
					t.Logf("%s waits while %s has room (%d+%d of %d)", c.Item.ConversationID, a.ID, a.Load, w, a.Capacity)
					n++
					break
				}
			}
		}
	}))
	return n
}

// checkHolders checks that the ledger, the routers and the store agree
// on who holds each conversation: one agent, the same in all three.
func checkHolders(t *testing.T, pool *pgxpool.Pool, view *routing.Replica) {
	t.Helper()
	ctx := context.Background()
	rows, err := pool.Query(ctx, `SELECT conversation_id, agent_id FROM parley_reservations`)
	require.NoError(t, err)
	reserved, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([2]string, error) {
		var p [2]string
		return p, r.Scan(&p[0], &p[1])
	})
	require.NoError(t, err)
	routed, assigned := map[string]string{}, map[string]string{}
	require.NoError(t, view.View(ctx, func(r *routing.Router) {
		for _, c := range r.Snapshot().Conversations {
			if c.AgentID != "" {
				routed[c.Item.ConversationID] = c.AgentID
			}
			if c.Outcome == routing.Assigned {
				assigned[c.Item.ConversationID] = c.AgentID
			}
		}
	}))
	ledger := map[string]string{}
	for _, p := range reserved {
		ledger[p[0]] = p[1]
	}
	assert.Equal(t, ledger, routed, "the ledger's reservations are the routers' holders")
	rows, err = pool.Query(ctx, `SELECT id::text, assignee_id FROM parley_conversations WHERE status = 'assigned'`)
	require.NoError(t, err)
	stored, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([2]string, error) {
		var p [2]string
		return p, r.Scan(&p[0], &p[1])
	})
	require.NoError(t, err)
	storedTo := map[string]string{}
	for _, p := range stored {
		storedTo[p[0]] = p[1]
	}
	assert.Equal(t, assigned, storedTo, "the conversations the routers hold assigned are those the store says are, to the same agents")
}

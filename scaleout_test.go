package parley_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/optout"
	"github.com/parleyhq/parley/parleytest"
	"github.com/parleyhq/parley/routing"
)

// replicated is what desks in several processes share: the stores, the
// routing log with its ledger, the customer-service windows, and the
// clock. desk makes one more desk on
// them, as a process starting (or restarting) would.
type replicated struct {
	t       *testing.T
	store   *memory.ConversationStore
	optouts optout.Store
	ledger  *memory.Ledger
	log     *memory.RoutingLog
	windows *memory.WindowStore
	clock   *parleytest.Clock
	policy  routing.Policy
	made    int
}

// newReplicated shares stores among desks whose wa touchpoint routes by
// policy; ana and bo serve support.
func newReplicated(t *testing.T, policy routing.Policy) *replicated {
	ledger := memory.NewLedger()
	return &replicated{t: t, store: memory.NewConversationStore(), optouts: memory.NewOptOutStore(), ledger: ledger,
		log: memory.NewRoutingLog(ledger), windows: memory.NewWindowStore(nil), clock: parleytest.NewClock(parleytest.Epoch), policy: policy}
}

func (r *replicated) desk(capacity int, mutate ...func(*parley.Config)) *parleytest.Desk {
	r.made++
	idStart := parleytest.Epoch.Add(time.Duration(r.made) * time.Hour) // IDs of its own
	return newFixture(r.t, func(c *parley.Config) {
		c.Conversations, c.OptOuts, c.Routing, c.Windows, c.Clock = r.store, r.optouts, r.log, r.windows, r.clock.Now
		c.NewID = conversation.SequentialIDs(idStart)
		c.Agents = []routing.Agent{
			{ID: "ana", Queues: []string{"support"}, Capacity: capacity},
			{ID: "bo", Queues: []string{"support", "sales"}, Capacity: capacity},
		}
		touchpointOf(c, "wa").Routing = r.policy
		for _, m := range mutate {
			m(c)
		}
	})
}

// assignees returns who holds each conversation, as the store says.
func assignees(t *testing.T, f *parleytest.Desk, ids ...conversation.ID) []string {
	t.Helper()
	var out []string
	for _, id := range ids {
		_, who := status(t, f, id)
		out = append(out, who)
	}
	return out
}

func TestPresenceSetOnOneDeskHoldsOnAnother(t *testing.T) {
	r := newReplicated(t, routing.Policy{Mode: routing.Automatic})
	a, b := r.desk(100), r.desk(100)
	ctx := context.Background()
	require.NoError(t, a.SetPresence(ctx, "ana", routing.Away))
	var ids []conversation.ID
	for i := range 3 {
		rc := receive(t, b, "wa", wa(fmt.Sprintf("+1415555020%d", i)), fmt.Sprintf("p%d", i), "hello")
		ids = append(ids, rc.Conversation.ID)
	}
	assert.Equal(t, []string{"bo", "bo", "bo"}, assignees(t, b, ids...), "ana is away on every desk")
}

func TestOfferIsAcceptedOrRejectedOnAnyDesk(t *testing.T) {
	r := newReplicated(t, routing.Policy{Mode: routing.Automatic, Offer: true, OfferTimeout: time.Minute})
	a, b := r.desk(100), r.desk(100)
	ctx := context.Background()

	first := receive(t, a, "wa", wa("+14155550210"), "o1", "hello")
	require.Equal(t, routing.Offered, first.Routing.Outcome)
	to := first.Routing.AgentID
	require.NoError(t, b.Accept(ctx, to, first.Conversation.ID), "the offer a made is accepted on b")
	st, who := status(t, a, first.Conversation.ID)
	assert.Equal(t, conversation.Assigned, st)
	assert.Equal(t, to, who)

	second := receive(t, a, "wa", wa("+14155550211"), "o2", "hello")
	require.Equal(t, routing.Offered, second.Routing.Outcome)
	declined := second.Routing.AgentID
	require.NoError(t, b.Reject(ctx, declined, second.Conversation.ID), "the offer a made is rejected on b")
	items, err := a.Inbox(ctx, "ana", routing.OldestFirst)
	require.NoError(t, err)
	assert.Empty(t, items, "the rejected offer went to the other agent, not the inbox")
	assert.Contains(t, b.Publisher.Names(), "conversation.offered", "b offered it to the next agent")
}

func TestTransferSendToInboxAndRemoveAgentOnADeskThatDidNotRoute(t *testing.T) {
	r := newReplicated(t, routing.Policy{Mode: routing.Automatic})
	a, b := r.desk(100), r.desk(100)
	ctx := context.Background()
	rc := receive(t, a, "wa", wa("+14155550220"), "t1", "hello")
	require.Equal(t, routing.Assigned, rc.Routing.Outcome)
	from := rc.Routing.AgentID
	to := map[string]string{"ana": "bo", "bo": "ana"}[from]

	require.NoError(t, b.Transfer(ctx, parley.SystemActor, rc.Conversation.ID, to))
	assert.Equal(t, []string{to}, assignees(t, a, rc.Conversation.ID))
	require.NoError(t, b.SendToInbox(ctx, parley.SystemActor, rc.Conversation.ID))
	st, _ := status(t, a, rc.Conversation.ID)
	assert.Equal(t, conversation.Queued, st)
	require.NoError(t, a.Assign(ctx, "ana", rc.Conversation.ID, "ana"), "a assigns what b sent to the inbox")

	require.NoError(t, b.RemoveAgent(ctx, "ana"))
	assert.Equal(t, []string{"bo"}, assignees(t, a, rc.Conversation.ID),
		"the removed agent's work is routed again by its touchpoint's mode")
}

func TestWaitingConversationIsDispatchedAfterARestart(t *testing.T) {
	r := newReplicated(t, routing.Policy{Mode: routing.Automatic})
	a := r.desk(20)
	ctx := context.Background()
	require.NoError(t, a.SetPresence(ctx, "bo", routing.Offline))
	first := receive(t, a, "wa", wa("+14155550230"), "r1", "one")
	require.Equal(t, []string{"ana"}, assignees(t, a, first.Conversation.ID))
	second := receive(t, a, "wa", wa("+14155550231"), "r2", "two")
	require.Equal(t, routing.Waiting, second.Routing.Outcome, "precondition: ana is full, bo offline")

	restarted := r.desk(20) // a is gone: nothing of its memory remains
	require.NoError(t, restarted.Close(ctx, parley.SystemActor, first.Conversation.ID, "done"))
	assert.Equal(t, []string{"ana"}, assignees(t, restarted, second.Conversation.ID),
		"the freed room goes to the conversation that waited before the restart")
}

func TestOfferOfADeskThatDiedExpiresOnTime(t *testing.T) {
	r := newReplicated(t, routing.Policy{Mode: routing.Automatic, Offer: true, OfferTimeout: 30 * time.Second})
	a, b := r.desk(100), r.desk(100)
	ctx := context.Background()
	rc := receive(t, a, "wa", wa("+14155550240"), "e1", "hello")
	require.Equal(t, routing.Offered, rc.Routing.Outcome)
	first := rc.Routing.AgentID
	a = nil // the desk dies with its offer standing

	r.clock.Advance(29 * time.Second)
	require.NoError(t, b.Tick(ctx))
	held, err := r.ledger.Load(ctx, first)
	require.NoError(t, err)
	assert.Equal(t, 20, held, "the offer stands until its deadline")

	r.clock.Advance(2 * time.Second)
	require.NoError(t, b.Tick(ctx))
	held, err = r.ledger.Load(ctx, first)
	require.NoError(t, err)
	assert.Zero(t, held, "the expired offer's room is given back, not leaked")
	assert.Contains(t, b.Publisher.Names(), "conversation.offered", "b offered it to the next agent")
}

func TestWaitingOrderHoldsAcrossDesks(t *testing.T) {
	r := newReplicated(t, routing.Policy{Mode: routing.Automatic})
	a, b := r.desk(20), r.desk(20)
	ctx := context.Background()
	require.NoError(t, b.SetPresence(ctx, "bo", routing.Offline))
	busy := receive(t, a, "wa", wa("+14155550250"), "w0", "zero")
	older := receive(t, a, "wa", wa("+14155550251"), "w1", "one")
	r.clock.Advance(time.Minute)
	newer := receive(t, b, "wa", wa("+14155550252"), "w2", "two")
	require.Equal(t, routing.Waiting, older.Routing.Outcome)
	require.Equal(t, routing.Waiting, newer.Routing.Outcome)

	require.NoError(t, b.Close(ctx, parley.SystemActor, busy.Conversation.ID, "done"))
	assert.Equal(t, []string{"ana", ""}, assignees(t, b, older.Conversation.ID, newer.Conversation.ID),
		"the room b freed goes to the conversation a received first")
}

func TestInboxAndComposerAnswerTheSameOnEveryDesk(t *testing.T) {
	r := newReplicated(t, routing.Policy{Mode: routing.Automatic, Offer: true})
	a, b := r.desk(100), r.desk(100)
	ctx := context.Background()
	receive(t, a, "sms", sms("+14155550260"), "i1", "queued")
	offered := receive(t, a, "wa", wa("+14155550261"), "i2", "offered")
	require.Equal(t, routing.Offered, offered.Routing.Outcome)
	for _, agent := range []string{"ana", "bo"} {
		onA, err := a.Inbox(ctx, agent, routing.OldestFirst)
		require.NoError(t, err)
		onB, err := b.Inbox(ctx, agent, routing.OldestFirst)
		require.NoError(t, err)
		assert.Equal(t, len(onA), len(onB), agent)
		for i := range onA {
			assert.Equal(t, onA[i].ID, onB[i].ID, agent)
		}
	}
	ca, err := a.Composer(ctx, offered.Routing.AgentID, offered.Conversation.ID)
	require.NoError(t, err)
	cb, err := b.Composer(ctx, offered.Routing.AgentID, offered.Conversation.ID)
	require.NoError(t, err)
	assert.Equal(t, ca, cb)
}

// After a checkpoint, a desk started with another routing configuration
// replays nothing decided under the old one, and routes by its own.
func TestCheckpointLetsTheRoutingConfigurationChange(t *testing.T) {
	r := newReplicated(t, routing.Policy{Mode: routing.Automatic})
	ctx := context.Background()
	old := r.desk(100)
	first := receive(t, old, "wa", wa("+14155550270"), "k1", "hello")
	require.Equal(t, routing.Assigned, first.Routing.Outcome)
	require.NoError(t, old.CheckpointRouting(ctx))

	r.policy = routing.Policy{Mode: routing.Automatic, Offer: true}
	changed := r.desk(100)
	second := receive(t, changed, "wa", wa("+14155550271"), "k2", "hello")
	assert.Equal(t, routing.Offered, second.Routing.Outcome, "the new desk routes by its own configuration")
	live, err := changed.Live(ctx)
	require.NoError(t, err)
	for _, a := range live.Agents {
		if a.ID == first.Routing.AgentID {
			assert.Contains(t, a.Held, first.Conversation.ID, "what was decided before stays assigned, not replayed as an offer")
		}
	}
}

// A desk that starts after an agent was removed does not bring the agent
// back from its configuration: the log's agents stand.
func TestARemovedConfiguredAgentStaysRemoved(t *testing.T) {
	r := newReplicated(t, routing.Policy{Mode: routing.Automatic})
	ctx := context.Background()
	a := r.desk(100)
	require.NoError(t, a.RemoveAgent(ctx, "ana"))
	b := r.desk(100) // a second process, or a restarted one
	require.NoError(t, b.SetPresence(ctx, "bo", routing.Away))
	live, err := a.Live(ctx)
	require.NoError(t, err)
	for _, ag := range live.Agents {
		assert.NotEqual(t, "ana", ag.ID, "ana was removed; desk b's first call must not add her back")
	}
}

package deskmodel

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
)

// RunConcurrent runs the model test's operations from 8 goroutines
// against one Desk under -race, with injected transport failures and
// store conflicts, on touchpoints of every routing mode: offers accepted,
// rejected and expiring on Tick, waiting and dispatch, escalation, and
// conversations the business starts. No sequential model can say which of two racing agents
// wins, so it checks what must hold whatever the interleaving, at
// quiescent points between rounds and at the end (rules 3 to 6): the
// ledger's watch (capacity, one holder, exact release) after
// every round; at the end, every webhook stored exactly once however
// often it was retried, the store and the ledger agreeing on who holds
// what, one open conversation per slot, no failed message without a
// reason, and the events counting what was stored and sent.
//
// opts.Ops is shared among the goroutines and rounds (at least 5 each).
func RunConcurrent(t *testing.T, stores Stores, opts Options) {
	t.Helper()
	opts = opts.withDefaults(t)
	seed := opts.Seed
	h := newHarness(t, seed, stores, opts.tee)
	h.guardT.check = nil // the guard's inputs are the sequential driver's
	ctx := context.Background()
	const workers, rounds = 8, 20
	perRound := max(opts.Ops/workers/rounds, 5)

	var mu sync.Mutex
	convs := map[conversation.ID]bool{}
	var order []conversation.ID // convs in the order they were first seen
	pids := map[inPid]string{}  // the sender's contact ID
	var surfaced int
	addConv := func(id conversation.ID) {
		mu.Lock()
		if !convs[id] {
			convs[id] = true
			order = append(order, id)
		}
		mu.Unlock()
	}
	latest := map[string]conversation.ID{} // by touchpoint and contact: the conversation their last webhook reached
	// someConv picks, three times in four, the conversation some contact's
	// last webhook reached, so most actions meet open conversations, and
	// any conversation otherwise, so closed ones are acted on too.
	someConv := func(rng *rand.Rand) (conversation.ID, bool) {
		mu.Lock()
		defer mu.Unlock()
		if len(order) == 0 {
			return conversation.ID{}, false
		}
		if len(latest) > 0 && rng.IntN(4) > 0 {
			n := rng.IntN(len(latest))
			for _, id := range latest {
				if n == 0 {
					return id, true
				}
				n--
			}
		}
		return order[rng.IntN(len(order))], true
	}
	// sender is the conversation's assignee half the time, so agents'
	// sends are not mostly refused as not visible to them.
	sender := func(rng *rand.Rand, id conversation.ID, agent string) string {
		if rng.IntN(2) == 0 {
			if c, err := h.d.Conversation(ctx, parley.SystemActor, id); err == nil && c.AssigneeID != "" {
				return c.AssigneeID
			}
		}
		return agent
	}

	// routingOp is one operation of routing's push path: answering an
	// offer (by whoever: most answers by the wrong agent are refused),
	// Tick after a clock advance that may pass offers' deadlines,
	// escalation, and a conversation the business starts.
	routingOp := func(rng *rand.Rand, w, round, i int, agent string) {
		switch r := rng.IntN(100); {
		case r < 45:
			if id, ok := someConv(rng); ok {
				if r < 25 {
					_ = h.d.Accept(ctx, agent, id)
				} else {
					_ = h.d.Reject(ctx, agent, id)
				}
			}
		case r < 65:
			h.d.Clock.Advance(time.Duration(rng.IntN(4)) * modelOfferTimeout / 2)
			_ = h.d.Tick(ctx)
		case r < 80:
			if id, ok := someConv(rng); ok {
				_ = h.d.Escalate(ctx, parley.SystemActor, id)
			}
		default:
			tp := modelTPs[[]int{1, 4, 3, 5}[rng.IntN(4)]]
			o := parley.Opening{Touchpoint: tp.id, To: tp.contacts[rng.IntN(len(tp.contacts))], Text: fmt.Sprintf("start %d.%d.%d", w, round, i),
				InteractionID: fmt.Sprintf("i-%d.%d.%d", w, round, i)}
			if tp.kind == channel.WhatsApp {
				o.Text, o.Template = "", &parley.TemplateMessage{Name: "order_update", Language: "en_US", Params: map[string]string{"1": "#1"}}
			}
			if tp.kind != channel.Custom {
				o.InteractionID = ""
			}
			if c, _, _ := h.d.Start(ctx, agent, o); c != nil {
				addConv(c.ID)
			}
		}
	}

	worker := func(w, round int) {
		rng := rand.New(rand.NewPCG(uint64(seed), uint64(w*1000+round)))
		for i := range perRound {
			agent := modelAgents[rng.IntN(len(modelAgents))]
			if rng.IntN(12) == 0 {
				h.store.conflictNext.Store(true)
			}
			if rng.IntN(4) == 0 {
				routingOp(rng, w, round, i, agent)
				continue
			}
			switch r := rng.IntN(100); {
			case r < 35:
				tp := modelTPs[rng.IntN(len(modelTPs))]
				for !tp.inbound {
					tp = modelTPs[rng.IntN(len(modelTPs))]
				}
				ci := rng.IntN(len(tp.contacts))
				// Workers share provider IDs on purpose: concurrent
				// retries of one webhook must store one message. A
				// provider ID names one message, so one sender.
				pid := fmt.Sprintf("c-%d-%d-%d", round, ci, rng.IntN(perRound))
				text := "hello"
				if tp.kind == channel.SMS {
					text = smsTexts[rng.IntN(len(smsTexts))]
				}
				in := parley.Inbound{Touchpoint: tp.id, From: tp.contacts[ci], ProviderID: pid, Text: text}
				mu.Lock()
				pids[inPid{tp.id, pid}] = tp.contacts[ci].String()
				mu.Unlock()
				var rc parley.Receipt
				var err error
				for attempt := 0; attempt < 5; attempt++ { // the provider retries until it is accepted
					if rc, err = h.d.Receive(ctx, in); err == nil {
						break
					}
					mu.Lock()
					surfaced++
					mu.Unlock()
					t.Logf("seed %d: webhook %s attempt %d: %v", seed, pid, attempt+1, err)
				}
				if assert.NoError(t, err, "webhook %s lost after 5 attempts", pid) {
					addConv(rc.Conversation.ID)
					mu.Lock()
					latest[tp.id+" "+tp.contacts[ci].String()] = rc.Conversation.ID
					mu.Unlock()
				}
			case r < 60:
				if id, ok := someConv(rng); ok {
					agent := sender(rng, id, agent)
					if rng.IntN(10) == 0 { // a send, likely this one, fails
						h.d.Transport.FailNext([]error{errors.New("connection reset"), &parley.SendError{Reason: "invalid number", Permanent: true}}[rng.IntN(2)])
					}
					switch r % 3 {
					case 0:
						_, _ = h.d.Reply(ctx, agent, id, fmt.Sprintf("reply %d.%d.%d", w, round, i))
					case 1:
						_, _ = h.d.SendSnippet(ctx, agent, id, "/thanks", nil)
					default:
						_, _ = h.d.SendTemplate(ctx, agent, id, "order_update", language.AmericanEnglish, map[string]string{"1": "#1"})
					}
				}
			case r < 90:
				if id, ok := someConv(rng); ok {
					switch r % 5 {
					case 0:
						_ = h.d.Assign(ctx, parley.SystemActor, id, agent)
					case 1:
						_ = h.d.Transfer(ctx, parley.SystemActor, id, agent)
					case 2:
						_ = h.d.SendToInbox(ctx, parley.SystemActor, id)
					case 3:
						_ = h.d.End(ctx, parley.SystemActor, id)
					default:
						_ = h.d.Close(ctx, parley.SystemActor, id, "done")
					}
				}
			case r < 94:
				p := []routing.Presence{routing.Available, routing.Away, routing.Offline, routing.Available}[rng.IntN(4)]
				_ = h.d.SetPresence(ctx, agent, p)
			case r < 96:
				var ws routing.Weights
				ws, _ = ws.With(channel.WhatsApp, []int{10, 20, 35}[rng.IntN(3)])
				ws, _ = ws.With(channel.WebChat, []int{20, 30, 45}[rng.IntN(3)])
				h.d.SetWeights(ws)
			case r < 99:
				sent := h.d.Transport.Sent()
				if len(sent) > 0 {
					st := []conversation.DeliveryStatus{conversation.DeliveryDelivered, conversation.DeliveryRead, conversation.DeliveryFailed}[rng.IntN(3)]
					n := rng.IntN(len(sent))
					_, _ = h.d.UpdateDelivery(ctx, parley.DeliveryReport{Touchpoint: sent[n].Touchpoint, ProviderID: fmt.Sprintf("fake-%d", n+1), Status: st, Reason: "provider says so"})
				}
			default:
				h.d.Clock.Advance(time.Duration(1+rng.IntN(300)) * time.Minute)
			}
		}
	}

	for round := range rounds {
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() { worker(w, round) })
		}
		wg.Wait()
		h.d.Transport.Heal()
		require.Empty(t, h.v.take(), "seed %d, round %d: invariants broken", seed, round)
		h.checkQuiescent(t, seed, convs)
	}

	// Every webhook is stored exactly once, however often it was retried.
	inbound := 0
	for p, from := range pids {
		m, err := h.store.MessageByProvider(ctx, p.tp, from, p.pid)
		require.NoError(t, err, "seed %d: webhook %s/%s lost", seed, p.tp, p.pid)
		assert.Equal(t, conversation.Inbound, m.Direction)
		inbound++
	}
	stored, outbound := 0, 0
	for id := range convs {
		msgs, err := h.messages(ctx, id)
		require.NoError(t, err)
		for _, m := range msgs {
			if m.Direction == conversation.Inbound {
				stored++
			} else if m.ProviderID != "" {
				outbound++ // accepted by the transport (a later callback may fail it)
			}
		}
	}
	assert.Equal(t, inbound, stored, "seed %d: one stored message per provider ID", seed)

	// Every event matches a state change: a start per conversation, a
	// received per stored inbound message, a sent per accepted send.
	assert.Equal(t, len(convs), h.pub.count("conversation.started"), "seed %d", seed)
	assert.Equal(t, stored, h.pub.count("message.received"), "seed %d: a received event per stored inbound message", seed)
	assert.Equal(t, len(h.d.Transport.Sent()), h.pub.count("message.sent"), "seed %d", seed)
	assert.Equal(t, len(h.d.Transport.Sent()), outbound, "seed %d: every accepted send is stored", seed)
	if opts.Ops >= 1000 { // a short run may send no webhook to an open conversation
		assert.Positive(t, h.store.oneStep.Load(), "seed %d: webhooks to open conversations take the one-step write", seed)
	}
	t.Logf("seed %d: %d workers × %d rounds × %d operations, %d conversations, %d webhooks (%d stored in one step), %d sent, %d surfaced errors retried, %d store faults, %d charges, %d releases; %d offers, %d assignments, %d busy notices, %d escalations",
		seed, workers, rounds, perRound, len(convs), inbound, h.store.oneStep.Load(), len(h.d.Transport.Sent()), surfaced, h.store.injected.Load(), h.ledger.charges, h.ledger.releases,
		h.pub.count("conversation.offered"), h.pub.count("conversation.assigned"), h.pub.count("routing.all_agents_busy"), h.pub.count("conversation.escalated"))
}

// checkQuiescent checks, with no operation running, that the store and
// the ledger agree on every conversation (rule 3), that no slot holds two
// open conversations (rule 5), and that no failed message lacks a reason
// nor any status went back (rules 5 and 6).
func (h *harness) checkQuiescent(t *testing.T, seed int64, convs map[conversation.ID]bool) {
	t.Helper()
	ctx := context.Background()
	open := map[conversation.Key]conversation.ID{}
	loads := map[string]int{}
	for id := range convs {
		h.checks++
		c, err := h.store.Get(ctx, id)
		require.NoError(t, err)
		hc, held := h.ledger.holder(id.String())
		switch {
		case c.Status == conversation.Assigned:
			require.True(t, held && hc.agent == c.AssigneeID, "seed %d: %s assigned to %s, ledger holds %v %+v", seed, id, c.AssigneeID, held, hc)
			loads[hc.agent] += hc.weight
		case c.Status == conversation.Queued && c.Touchpoint == "auto" && held:
			// A standing offer: the store says Queued, the agent offered
			// it is charged until it answers (offers are made on the
			// automatic touchpoint only).
			loads[hc.agent] += hc.weight
		default:
			require.False(t, held, "seed %d: %s is %s, ledger still charges %+v", seed, id, c.Status, hc)
		}
		if c.Status.Open() {
			other, dup := open[c.Key()]
			require.False(t, dup, "seed %d: %s and %s both open for %v", seed, id, other, c.Key())
			open[c.Key()] = id
		}
		msgs, err := h.messages(ctx, id)
		require.NoError(t, err)
		for _, m := range msgs {
			if m.Delivery.Status == conversation.DeliveryFailed {
				require.NotEmpty(t, m.Delivery.Reason, "seed %d: failed without a reason: %+v", seed, m)
			}
			if prev, ok := h.delivered[m.ID]; ok {
				require.False(t, regressed(prev, m.Delivery.Status), "seed %d: %s went back from %s to %s", seed, m.ID, prev, m.Delivery.Status)
			}
			h.delivered[m.ID] = m.Delivery.Status
		}
	}
	for _, a := range modelAgents {
		require.Equal(t, loads[a], h.ledger.agentLoad(a), "seed %d: agent %s", seed, a)
		require.LessOrEqual(t, loads[a], modelCapacity[a], "seed %d: agent %s over capacity", seed, a)
	}
}

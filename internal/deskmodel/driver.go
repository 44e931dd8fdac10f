package deskmodel

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/optout"
	"github.com/parleyhq/parley/parleytest"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/template"
)

// Stores makes the stores a run's Desk keeps its state in, fresh and
// empty for each harness: conversations, opt-out consent, and agent
// capacity. The harness wraps them in its own fault injectors.
type Stores func(t *testing.T) (conversation.Store, optout.Store, routing.Ledger)

// Memory is [Stores] on package memory: what the core's tests run on.
func Memory(*testing.T) (conversation.Store, optout.Store, routing.Ledger) {
	return memory.NewConversationStore(), memory.NewOptOutStore(), memory.NewLedger()
}

// Options is one run's seed and length; the zero value is a run of
// DefaultOps operations seeded from the time.
type Options struct {
	// Seed replays a run; 0 draws one from the time. A failure reports it.
	Seed int64
	// Ops is how many operations the run drives; 0 means DefaultOps.
	Ops int
	// Replay returns the command that replays a failed run, printed in
	// its report. Nil: the command for this package's tests.
	Replay func(seed int64) string
	// SharedRouting routes through a memory.RoutingLog on the stores'
	// ledger, as desks sharing one route, instead of the Desk's own
	// router: a run must give the same Summary either way.
	SharedRouting bool
	// Publisher, when set, also receives every event the Desk publishes
	// (a report's accumulator and event log).
	Publisher parley.Publisher
}

// tee wires o.Publisher beside the run's own publisher.
func (o Options) tee(cfg *parley.Config) {
	if o.Publisher == nil {
		return
	}
	own, also := cfg.Publisher, o.Publisher
	cfg.Publisher = parley.PublisherFunc(func(ctx context.Context, e parley.Event) error {
		return errors.Join(own.Publish(ctx, e), also.Publish(ctx, e))
	})
}

// DefaultOps is a run's length when Options.Ops is 0.
const DefaultOps = 20000

// wire is how the run's options change the Desk's Config.
func (o Options) wire() []func(*parley.Config) {
	wire := []func(*parley.Config){o.tee}
	if o.SharedRouting {
		wire = append(wire, func(c *parley.Config) {
			c.Routing, c.Ledger = memory.NewRoutingLog(c.Ledger), nil
		})
	}
	return wire
}

func (o Options) withDefaults(t *testing.T) Options {
	if o.Seed == 0 {
		o.Seed = time.Now().UnixNano()
	}
	if o.Ops <= 0 {
		o.Ops = DefaultOps
	}
	if o.Replay == nil {
		name := t.Name()
		o.Replay = func(seed int64) string {
			return fmt.Sprintf("go test -run '^%s$' ./internal/deskmodel -seed %d", name, seed)
		}
	}
	return o
}

// The fixture: three agents (cy small enough to fill up), a handful of
// contacts per touchpoint, and touchpoints of each routing mode (rule 4):
// simplified WhatsApp, SMS and web chat; an automatic WhatsApp number
// (least loaded, offers that stand 90 s, a busy message); a second SMS
// number dedicated to bo, in the first one's opt-out scope and with the
// same contacts; and the host's own channel, where the business starts
// conversations (no inbound: the model does not follow interaction IDs).
var (
	modelAgents   = []string{"ana", "bo", "cy"}
	modelCapacity = map[string]int{"ana": 100, "bo": 100, "cy": 40}
	modelTPs      = []struct {
		id       string
		kind     channel.Kind
		address  string
		contacts []channel.Address
		opts     parley.Touchpoint // its settings beyond ID, kind, address and queues
		inbound  bool
	}{
		{"wa", channel.WhatsApp, "+14155550000", []channel.Address{wa("+14155550101"), wa("+14155550102"), wa("+14155550103"), wa("+14155550104")}, parley.Touchpoint{}, true},
		{"sms", channel.SMS, "+14155550001", []channel.Address{sms("+14155550201"), sms("+14155550202"), sms("+14155550203")}, parley.Touchpoint{}, true},
		{"chat", channel.WebChat, "site", []channel.Address{{Kind: channel.WebChat, ID: "v-1"}, {Kind: channel.WebChat, ID: "v-2"}}, parley.Touchpoint{}, true},
		{"auto", channel.WhatsApp, "+14155550010", []channel.Address{wa("+14155550111"), wa("+14155550112"), wa("+14155550113"), wa("+14155550114")},
			parley.Touchpoint{Routing: routing.Policy{Mode: routing.Automatic, Offer: true, OfferTimeout: modelOfferTimeout}, BusyMessage: modelBusy}, true},
		{"ded", channel.SMS, "+14155550011", []channel.Address{sms("+14155550201"), sms("+14155550202"), sms("+14155550211")},
			parley.Touchpoint{Routing: routing.Policy{Mode: routing.Dedicated, Agent: "bo"}}, true},
		{"cust", channel.Custom, "app", []channel.Address{{Kind: channel.Custom, ID: "u-1"}, {Kind: channel.Custom, ID: "u-2"}}, parley.Touchpoint{}, false},
	}
	smsTexts = []string{"STOP", "START", "HELP", "stop.", "is my order late?", "hello"}
)

const (
	modelOfferTimeout = 90 * time.Second
	modelBusy         = "All our agents are busy; we will answer soon."
)

func wa(id string) channel.Address  { return channel.Address{Kind: channel.WhatsApp, ID: id} }
func sms(id string) channel.Address { return channel.Address{Kind: channel.SMS, ID: id} }

// harness is a real Desk and the model, driven in lock-step.
type harness struct {
	t       *testing.T
	replay  func(seed int64) string
	rng     *rand.Rand
	d       *parleytest.Desk
	m       *model
	v       *violations
	ledger  *watchedLedger
	store   *faultStore
	consent optout.Store
	guardT  *guardTransport
	pub     *stepPublisher

	pidSeq    int
	inPids    []webhook
	outPids   []inPid
	outSeen   map[inPid]bool
	convs     []*modelConv
	sentSeen  int // messages sent and compared
	delivered map[conversation.ID]conversation.DeliveryStatus
	inbound   map[slot]time.Time // the latest inbound per slot, for the guard
	trail     []string           // the last operations, for a failure report

	ops, checks, transportFaults int
}

type inPid struct{ tp, pid string }

// webhook is an inbound provider ID with its sender: a retry comes from
// the same sender.
type webhook struct {
	inPid
	from channel.Address
}

// newHarness makes a Desk on the doubles around the stores, with the model
// beside it. wire, if any, changes the Desk's Config before the Desk is
// made: wrapping Conversations in plainStore, say, for the FindOpen,
// Receive and Record steps in place of the one-step write.
func newHarness(t *testing.T, seed int64, stores Stores, wire ...func(*parley.Config)) *harness {
	t.Helper()
	convs, consent, ledger := stores(t)
	h := &harness{
		t: t, rng: rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15)), v: &violations{},
		store:     &faultStore{Store: convs},
		consent:   consent,
		delivered: map[conversation.ID]conversation.DeliveryStatus{},
		inbound:   map[slot]time.Time{},
		outSeen:   map[inPid]bool{},
	}
	h.ledger = newWatchedLedger(ledger, h.v)
	rec := parleytest.NewTransport()
	lib := template.NewLibrary(template.Options{})
	require.NoError(t, lib.Add(template.Snippet{Shortcut: "thanks", Title: "Thanks", Variants: []template.Variant{{Body: "Thanks from {{agent.id}} at {{company}}."}}}))
	var agents []routing.Agent
	for _, a := range modelAgents {
		agents = append(agents, routing.Agent{ID: a, Queues: []string{"support"}, Capacity: modelCapacity[a]})
	}
	var tps []parley.Touchpoint
	for _, tp := range modelTPs {
		t := tp.opts
		t.ID, t.Kind, t.Address, t.Queues = tp.id, tp.kind, tp.address, []string{"support"}
		tps = append(tps, t)
	}
	h.guardT = &guardTransport{inner: rec, v: h.v, check: h.guard}
	h.pub = &stepPublisher{counts: map[string]int{}}
	cfg := parley.Config{
		Transport:     h.guardT,
		Touchpoints:   tps,
		Agents:        agents,
		Snippets:      lib,
		Variables:     map[string]string{"company": "Acme"},
		Conversations: h.store,
		OptOuts:       h.consent,
		Ledger:        h.ledger,
		Publisher:     h.pub,
		Templates: []template.WhatsApp{{Name: "order_update", Language: language.AmericanEnglish, Category: template.Utility,
			Status: template.Approved, Body: "Your order {{1}} has shipped."}},
	}
	for _, w := range wire {
		w(&cfg)
	}
	h.d = parleytest.NewDesk(t, cfg)
	h.d.Transport = rec
	h.m = newModel(parleytest.Epoch, modelCapacity)
	for _, tp := range modelTPs {
		h.m.tps[tp.id] = tpConf{kind: tp.kind, mode: tp.opts.Routing.Mode, owner: tp.opts.Routing.Agent, busy: tp.opts.BusyMessage, timeout: tp.opts.Routing.OfferTimeout}
	}
	h.m.note = h.note
	h.m.choose = func(c *modelConv, tied []string) string {
		agent, ok := h.pub.nextOffer(c.id)
		switch {
		case !ok && h.m.fault == nil:
			h.m.fault = fmt.Errorf("conversation %s: the model offers it to one of %v, the Desk offered it to nobody", c.id, tied)
		case ok && !slices.Contains(tied, agent) && h.m.fault == nil:
			h.m.fault = fmt.Errorf("conversation %s offered to %s, the model says one of %v (the least loaded eligible)", c.id, agent, tied)
		}
		if !ok {
			return tied[0]
		}
		return agent
	}
	return h
}

// guard is checked as each message leaves: never to an opted-out SMS
// address but the STOP confirmation (rule 2); never free-form WhatsApp
// outside the window (rule 1). It reads the consent ledger and the inbound
// times the driver saw, not the Desk.
func (h *harness) guard(out parley.Outgoing) string {
	switch out.To.Kind {
	case channel.SMS:
		e, ok, err := h.consent.Latest(context.Background(), optout.DefaultScope, out.To)
		if err == nil && ok && e.Action == optout.OptOut && out.Text != replyStop {
			return "sent to an opted-out address"
		}
	case channel.WhatsApp:
		last := h.inbound[slot{out.Touchpoint, out.To}]
		if out.Template == nil && !h.d.Clock.Now().Before(last.Add(window)) {
			return "free-form whatsapp outside the window"
		}
	}
	return ""
}

func (h *harness) pick(n int) int { return h.rng.IntN(n) }

// fail reports a mismatch with the seed and the operations that led to it.
func (h *harness) fail(seed int64, format string, args ...any) {
	h.t.Helper()
	replay := fmt.Sprintf("-seed %d", seed)
	if h.replay != nil {
		replay = h.replay(seed)
	}
	h.t.Fatalf("model test, seed %d (replay: %s), after %d operations:\n%s\nlast operations:\n  %s\nthe model, after:\n  %s",
		seed, replay, h.ops, fmt.Sprintf(format, args...), strings.Join(h.trail, "\n  "), h.m.describe())
}

func (h *harness) note(format string, args ...any) {
	h.trail = append(h.trail, fmt.Sprintf("%d: ", h.ops)+fmt.Sprintf(format, args...))
	if len(h.trail) > 20 {
		h.trail = h.trail[1:]
	}
}

// outcomeOf classifies a Desk call's result the way the model predicts.
// Whether a refused message was stored (refused) or only returned is told
// by the error; compareConv then checks the store agrees.
func outcomeOf(m *conversation.Message, err error) outcome {
	switch {
	case err == nil:
		return done
	case m != nil && m.Delivery.Status == conversation.DeliveryFailed && errors.Is(err, routing.ErrNotVisible):
		return returned
	case m != nil && m.Delivery.Status == conversation.DeliveryFailed:
		return refused
	}
	return rejected
}

// anyConv picks a conversation the model knows, or nil.
func (h *harness) anyConv() *modelConv {
	if len(h.convs) == 0 {
		return nil
	}
	// Favour recent ones: they are the ones still open.
	n := len(h.convs)
	lo := max(0, n-12)
	if h.pick(4) == 0 {
		lo = 0
	}
	return h.convs[lo+h.pick(n-lo)]
}

// step runs one random operation on both and returns the conversation it
// touched (nil when none) and any mismatch. The Desk goes first, then the
// model, which reads from the events the Desk published the one choice it
// leaves open (model.choose); the comparison follows.
func (h *harness) step(ctx context.Context) (*modelConv, error) {
	h.ops++
	h.m.fault = nil
	agent := modelAgents[h.pick(len(modelAgents))]
	if h.pick(12) == 0 {
		h.store.conflictNext.Store(true) // invisible: the Desk must retry
		h.note("store: next update conflicts")
	}
	if h.pick(4) == 0 {
		return h.routingOp(ctx, agent)
	}
	switch r := h.pick(100); {
	case r < 32:
		return h.inboundOp(ctx)
	case r < 48, r < 53, r < 57:
		c := h.anyConv()
		if c == nil {
			return nil, nil
		}
		h.maybeFault()
		var m *conversation.Message
		var err error
		var want outcome
		switch {
		case r < 48:
			text := fmt.Sprintf("reply %d", h.ops)
			h.note("reply %s %s %q", agent, c.id, text)
			m, err = h.d.Reply(ctx, agent, c.id, text)
			want = h.m.send(agent, c, text, false)
		case r < 53:
			h.note("snippet %s %s", agent, c.id)
			m, err = h.d.SendSnippet(ctx, agent, c.id, "/thanks", nil)
			want = h.m.send(agent, c, "Thanks from "+agent+" at Acme.", false)
		default:
			if c.kind != channel.WhatsApp {
				h.heal()
				return nil, nil
			}
			order := fmt.Sprintf("#%d", h.ops)
			h.note("template %s %s", agent, c.id)
			m, err = h.d.SendTemplate(ctx, agent, c.id, "order_update", language.AmericanEnglish, map[string]string{"1": order})
			want = h.m.send(agent, c, "Your order "+order+" has shipped.", true)
		}
		h.heal()
		if got := outcomeOf(m, err); got != want {
			return c, fmt.Errorf("send: got %s (%v), model says %s", got, err, want)
		}
		if got := outcomeOf(m, err); (got == refused || got == returned) && (m.Delivery.Reason == "" || m.Delivery.Code == "") {
			return c, fmt.Errorf("refused message without a reason or code: %+v", m)
		}
		return c, nil
	case r < 65:
		c := h.anyConv()
		if c == nil {
			return nil, nil
		}
		actor, sees := h.actorFor(ctx, c)
		h.note("assign %s %s by %s", c.id, agent, actor)
		err := h.d.Assign(ctx, actor, c.id, agent)
		if !sees {
			return c, refusedActor("assign", actor, err)
		}
		return c, sameOutcome("assign", h.m.assign(c, agent), err)
	case r < 70:
		c := h.anyConv()
		if c == nil {
			return nil, nil
		}
		actor, sees := h.actorFor(ctx, c)
		h.note("transfer %s to %s by %s", c.id, agent, actor)
		err := h.d.Transfer(ctx, actor, c.id, agent)
		if !sees {
			return c, refusedActor("transfer", actor, err)
		}
		return c, sameOutcome("transfer", h.m.transfer(c, agent), err)
	case r < 73:
		c := h.anyConv()
		if c == nil {
			return nil, nil
		}
		actor, sees := h.actorFor(ctx, c)
		h.note("send to inbox %s by %s", c.id, actor)
		err := h.d.SendToInbox(ctx, actor, c.id)
		if !sees {
			return c, refusedActor("send to inbox", actor, err)
		}
		return c, sameOutcome("send to inbox", h.m.toInbox(c), err)
	case r < 78:
		c := h.anyConv()
		if c == nil {
			return nil, nil
		}
		actor, sees := h.actorFor(ctx, c)
		h.note("end %s by %s", c.id, actor)
		err := h.d.End(ctx, actor, c.id)
		if !sees {
			return c, refusedActor("end", actor, err)
		}
		return c, sameOutcome("end", h.m.end(c), err)
	case r < 82:
		c := h.anyConv()
		if c == nil {
			return nil, nil
		}
		actor, sees := h.actorFor(ctx, c)
		h.note("close %s by %s", c.id, actor)
		err := h.d.Close(ctx, actor, c.id, "done")
		if !sees {
			return c, refusedActor("close", actor, err)
		}
		return c, sameOutcome("close", h.m.close(c), err)
	case r < 85:
		p := []routing.Presence{routing.Available, routing.Away, routing.Offline}[h.pick(3)]
		if h.pick(2) == 0 {
			p = routing.Available // mostly at work
		}
		h.note("presence %s %s", agent, p)
		err := h.d.SetPresence(ctx, agent, p)
		h.m.presenceChange(agent, p)
		return nil, err
	case r < 87:
		var w routing.Weights
		for _, k := range []channel.Kind{channel.WhatsApp, channel.SMS, channel.WebChat} {
			v := []int{5, 20, 30, 45}[h.pick(4)]
			if k == channel.WebChat && h.pick(3) == 0 {
				v = 60 // heavier than a call: escalating frees room
			}
			var err error
			if w, err = w.With(k, v); err != nil {
				return nil, err
			}
			h.m.weights[k] = v
		}
		h.note("weights %v", h.m.weights)
		err := h.d.SetWeights(ctx, w)
		h.m.reweighed()
		return nil, err
	case r < 94:
		if len(h.outPids) == 0 {
			return nil, nil
		}
		p := h.outPids[h.pick(len(h.outPids))]
		st := []conversation.DeliveryStatus{conversation.DeliverySent, conversation.DeliveryDelivered, conversation.DeliveryRead, conversation.DeliveryFailed}[h.pick(4)]
		want := h.m.callback(p.tp, p.pid, st)
		h.note("callback %s %s %s", p.tp, p.pid, st)
		got, err := h.d.UpdateDelivery(ctx, parley.DeliveryReport{Touchpoint: p.tp, ProviderID: p.pid, Status: st, Reason: "provider says so"})
		if err != nil || got != want {
			return nil, fmt.Errorf("callback: changed %v (%v), model says %v", got, err, want)
		}
		// A late callback may touch any message: compare that one.
		stored, err := h.store.MessageByProvider(ctx, p.tp, "", p.pid)
		if err != nil {
			return nil, err
		}
		if w := h.m.pids[pidKey(p.tp, p.pid)]; stored.Delivery.Status != w.status {
			return nil, fmt.Errorf("callback: message %s is %s, model says %s", p.pid, stored.Delivery.Status, w.status)
		}
		if prev := h.delivered[stored.ID]; regressed(prev, stored.Delivery.Status) {
			return nil, fmt.Errorf("message %s went back from %s to %s", stored.ID, prev, stored.Delivery.Status)
		}
		h.delivered[stored.ID] = stored.Delivery.Status
		return h.convOfPid(p), nil
	default:
		d := time.Duration(1+h.pick(90)) * time.Minute
		if h.pick(4) == 0 {
			d = 23*time.Hour + time.Duration(h.pick(120))*time.Minute // across the 24 h boundary
		}
		h.note("clock +%s", d)
		h.d.Clock.Advance(d)
		h.m.now = h.m.now.Add(d)
		return nil, nil
	}
}

// routingOp runs one of the operations of routing's push path (rule 4):
// accepting or rejecting a standing offer (by the agent offered it, or
// by another, refused), Tick after a clock advance that may pass offers'
// deadlines, escalation to voice, a conversation the business starts, and
// ending or closing a conversation of the automatic or dedicated
// touchpoint, so that their contacts start new ones and agents' room
// frees for what waits.
func (h *harness) routingOp(ctx context.Context, agent string) (*modelConv, error) {
	switch r := h.pick(100); {
	case r < 20:
		var cands []*modelConv
		for _, c := range h.convs[max(0, len(h.convs)-60):] {
			if c.status.Open() && (c.tp == "auto" || c.tp == "ded") {
				cands = append(cands, c)
			}
		}
		if len(cands) == 0 {
			return nil, nil
		}
		c := cands[h.pick(len(cands))]
		if c.status == conversation.Assigned && h.pick(2) == 0 {
			h.note("end %s", c.id)
			err := h.d.End(ctx, parley.SystemActor, c.id)
			return c, sameOutcome("end", h.m.end(c), err)
		}
		h.note("close %s", c.id)
		err := h.d.Close(ctx, parley.SystemActor, c.id, "done")
		return c, sameOutcome("close", h.m.close(c), err)
	case r < 55:
		c := h.offered()
		if c == nil {
			return nil, nil
		}
		by := c.offeredTo
		if h.pick(4) == 0 {
			by = agent // perhaps not the one offered it: refused
		}
		if r < 40 {
			h.note("accept %s by %s (offered to %s until %s)", c.id, by, c.offeredTo, c.deadline.Sub(h.m.now))
			err := h.d.Accept(ctx, by, c.id)
			return c, sameOutcome("accept", h.m.accept(c, by), err)
		}
		h.note("reject %s by %s (offered to %s)", c.id, by, c.offeredTo)
		err := h.d.Reject(ctx, by, c.id)
		return c, sameOutcome("reject", h.m.reject(c, by), err)
	case r < 75:
		d := time.Duration(h.pick(4)) * modelOfferTimeout / 2
		h.note("clock +%s, tick", d)
		h.d.Clock.Advance(d)
		h.m.now = h.m.now.Add(d)
		err := h.d.Tick(ctx)
		h.m.tick()
		return nil, err
	case r < 87:
		c := h.anyConv()
		if c == nil {
			return nil, nil
		}
		h.note("escalate %s", c.id)
		err := h.d.Escalate(ctx, parley.SystemActor, c.id)
		return c, sameOutcome("escalate", h.m.escalate(c), err)
	default:
		return h.startOp(ctx, agent)
	}
}

// offered picks a conversation with a standing offer, or nil.
func (h *harness) offered() *modelConv {
	var cands []*modelConv
	for _, c := range h.convs[max(0, len(h.convs)-60):] {
		if c.offeredTo != "" {
			cands = append(cands, c)
		}
	}
	if len(cands) == 0 {
		return nil
	}
	return cands[h.pick(len(cands))]
}

// startOp starts a conversation from the business: SMS (opt-out), the
// dedicated number, WhatsApp (a template, or free-form inside the
// window), and the host's own channel (one open outbound conversation per
// contact).
func (h *harness) startOp(ctx context.Context, agent string) (*modelConv, error) {
	tp := []int{1, 4, 0, 3, 5}[h.pick(5)]
	conf := modelTPs[tp]
	to := conf.contacts[h.pick(len(conf.contacts))]
	o := parley.Opening{Touchpoint: conf.id, To: to, Text: fmt.Sprintf("hello from %s, %d", agent, h.ops)}
	text, isTemplate := o.Text, false
	if conf.kind == channel.WhatsApp && h.pick(2) == 0 {
		order := fmt.Sprintf("#%d", h.ops)
		o.Text = ""
		o.Template = &parley.TemplateMessage{Name: "order_update", Language: "en_US", Params: map[string]string{"1": order}}
		text, isTemplate = "Your order "+order+" has shipped.", true
	}
	if conf.kind == channel.Custom {
		o.InteractionID = fmt.Sprintf("i-%d", h.ops)
	}
	h.maybeFault()
	h.note("start %s %s to %s %q", agent, conf.id, to, text)
	c, m, err := h.d.Start(ctx, agent, o)
	if c != nil {
		h.m.nextID = c.ID
	}
	want, mc := h.m.start(agent, conf.id, to, text, isTemplate)
	h.heal()
	if got := outcomeOf(m, err); got != want {
		return nil, fmt.Errorf("start: got %s (%v), model says %s", got, err, want)
	}
	if mc == nil {
		return nil, nil
	}
	if c == nil {
		return nil, fmt.Errorf("start: no conversation, model says one")
	}
	mc.id = c.ID
	h.m.convs[c.ID] = mc
	h.convs = append(h.convs, mc)
	return mc, nil
}

// maybeFault arms a transport failure for the next send: temporary,
// permanent, or a timeout.
func (h *harness) maybeFault() {
	if h.pick(8) != 0 {
		return
	}
	err := []error{parleytest.Temporary("rate limited"), parleytest.Permanent("invalid recipient"),
		&parley.SendError{Reason: "timeout", Err: context.DeadlineExceeded}}[h.pick(3)]
	h.d.Transport.FailNext(err)
	h.m.sendFault = err
	h.transportFaults++
	h.note("transport: next send fails: %v", err)
}

// heal clears a fault the operation did not reach, on both sides.
func (h *harness) heal() {
	h.d.Transport.Heal()
	h.m.sendFault = nil
}

// actorFor picks who acts on c: mostly the system actor or c's own agent,
// sometimes any agent or one the Desk does not know. It reports whether
// that actor may see c by the visibility rules (every model conversation
// is in the support queue, which every agent serves): the system sees
// everything, an agent sees an unassigned conversation and its own.
func (h *harness) actorFor(ctx context.Context, c *modelConv) (actor string, sees bool) {
	stored, err := h.d.Conversation(ctx, parley.SystemActor, c.id)
	if err != nil {
		return parley.SystemActor, true
	}
	switch h.pick(6) {
	case 0, 1:
		return parley.SystemActor, true
	case 2:
		if stored.AssigneeID != "" {
			return stored.AssigneeID, true
		}
	case 3:
		return "zed", false
	}
	actor = modelAgents[h.pick(len(modelAgents))]
	return actor, stored.AssigneeID == "" || stored.AssigneeID == actor
}

// refusedActor checks that an actor who may not see a conversation, or is
// unknown, was refused with the error that says so; the model, untouched,
// then checks that nothing changed.
func refusedActor(op, actor string, err error) error {
	if errors.Is(err, routing.ErrNotVisible) || errors.Is(err, routing.ErrUnknownAgent) {
		return nil
	}
	return fmt.Errorf("%s by %s, who may not see it: got %v, want routing.ErrNotVisible or routing.ErrUnknownAgent", op, actor, err)
}

func sameOutcome(op string, want outcome, err error) error {
	got := done
	if err != nil {
		got = rejected
	}
	if got != want {
		return fmt.Errorf("%s: got %s (%v), model says %s", op, got, err, want)
	}
	return nil
}

// inboundOp delivers a webhook: new, a provider retry of an earlier one,
// or one that arrives late (its At minutes in the past).
func (h *harness) inboundOp(ctx context.Context) (*modelConv, error) {
	var tpi int
	var from channel.Address
	var pid, text string
	at := h.m.now
	if len(h.inPids) > 0 && h.pick(6) == 0 {
		p := h.inPids[h.pick(len(h.inPids))]
		for i, tp := range modelTPs {
			if tp.id == p.tp {
				tpi = i
			}
		}
		from, pid, text = p.from, p.pid, "retry"
	} else {
		for tpi = h.pick(len(modelTPs)); !modelTPs[tpi].inbound; tpi = h.pick(len(modelTPs)) {
		}
		from = modelTPs[tpi].contacts[h.pick(len(modelTPs[tpi].contacts))]
		h.pidSeq++
		pid = fmt.Sprintf("in-%d", h.pidSeq)
		text = fmt.Sprintf("message %d", h.pidSeq)
		if modelTPs[tpi].kind == channel.SMS {
			text = smsTexts[h.pick(len(smsTexts))]
		}
		if h.pick(10) == 0 {
			at = at.Add(-time.Duration(1+h.pick(30)) * time.Minute) // past optout.DefaultConfirmWithin too
		}
		h.inPids = append(h.inPids, webhook{inPid{modelTPs[tpi].id, pid}, from})
	}
	tp := modelTPs[tpi]
	h.maybeFault()
	if _, dup := h.m.pids[pidKey(tp.id, pid)]; !dup {
		s := slot{tp.id, from}
		if at.After(h.inbound[s]) {
			h.inbound[s] = at
		}
	}
	h.note("receive %s from %s %s %q at %s", tp.id, from, pid, text, at.Sub(parleytest.Epoch))
	rc, err := h.d.Receive(ctx, parley.Inbound{Touchpoint: tp.id, From: from, ProviderID: pid, Text: text, At: at})
	if err != nil {
		h.heal()
		return nil, fmt.Errorf("receive: %v", err)
	}
	h.m.nextID = rc.Conversation.ID
	want := h.m.receive(tp.id, tp.kind, from, pid, text, at)
	h.heal()
	if rc.Duplicate != want.dup || rc.Started != want.started {
		return nil, fmt.Errorf("receive: duplicate %v started %v, model says %v %v", rc.Duplicate, rc.Started, want.dup, want.started)
	}
	if want.started {
		h.m.pending.id = rc.Conversation.ID
		h.m.convs[rc.Conversation.ID] = h.m.pending
		h.convs = append(h.convs, h.m.pending)
	}
	if want.dup {
		return h.m.convs[rc.Conversation.ID], nil
	}
	return want.conv, nil
}

func (h *harness) convOfPid(p inPid) *modelConv { return h.m.pids[pidKey(p.tp, p.pid)].conv }

// compareStep checks what one step changed: the events it published, the
// messages it sent, the conversation it touched, every agent's load.
func (h *harness) compareStep(ctx context.Context, c *modelConv) error {
	h.checks++
	if h.m.fault != nil {
		return h.m.fault
	}
	if vs := h.v.take(); len(vs) > 0 {
		return fmt.Errorf("invariants broken:\n  %s", strings.Join(vs, "\n  "))
	}
	got := h.pub.take()
	want := h.m.events
	h.m.events = nil
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		return fmt.Errorf("events: published %v, model says %v", got, want)
	}
	fresh := h.guardT.take()
	if h.sentSeen+len(fresh) != len(h.m.sent) {
		return fmt.Errorf("transport: %d sent, model says %d", h.sentSeen+len(fresh), len(h.m.sent))
	}
	for i, out := range fresh {
		if w := h.m.sent[h.sentSeen+i]; out.To != w.to || out.Text != w.text {
			return fmt.Errorf("transport: sent %q to %s, model says %q to %s", out.Text, out.To, w.text, w.to)
		}
	}
	h.sentSeen += len(fresh)
	for _, a := range modelAgents {
		if got, want := h.ledger.agentLoad(a), h.m.load(a); got != want {
			return fmt.Errorf("agent %s holds %d points, model says %d", a, got, want)
		}
	}
	if c != nil {
		return h.compareConv(ctx, c, false)
	}
	return nil
}

// tail is how many of its newest messages a step compares.
const tail = 6

// compareConv compares one conversation: status, assignee, the weight its
// agent is charged, and every message with its delivery status.
func (h *harness) compareConv(ctx context.Context, mc *modelConv, full bool) error {
	c, err := h.d.Conversation(ctx, parley.SystemActor, mc.id)
	if err != nil {
		return err
	}
	if c.Status != mc.status || (mc.status != conversation.Queued && c.AssigneeID != mc.assignee) {
		return fmt.Errorf("conversation %s: %s by %q, model says %s by %q", c.ID, c.Status, c.AssigneeID, mc.status, mc.assignee)
	}
	hc, held := h.ledger.holder(c.ID.String())
	if holder := mc.holder(); held != (holder != "") || held && (hc.agent != holder || hc.weight != mc.charged) {
		return fmt.Errorf("conversation %s (%s by %s, offered to %q, %d points): ledger holds %v %+v", c.ID, mc.status, mc.assignee, mc.offeredTo, mc.charged, held, hc)
	}
	var msgs []*conversation.Message
	want := mc.msgs
	if full {
		if msgs, err = h.messages(ctx, c.ID); err != nil {
			return err
		}
	} else {
		// After a step only its tail can have changed but for a late
		// callback, which the driver compares in full.
		page, err := h.d.Messages(ctx, parley.SystemActor, conversation.MessageQuery{ConversationID: c.ID, Limit: tail})
		if err != nil {
			return err
		}
		msgs = page.Messages
		slices.Reverse(msgs)
		want = want[max(0, len(want)-tail):]
	}
	if len(msgs) != len(want) {
		return fmt.Errorf("conversation %s: %d messages stored, model says %d", c.ID, len(msgs), len(want))
	}
	for i, m := range msgs {
		w := want[i]
		if m.Direction != w.dir || m.Text != w.text || m.Delivery.Status != w.status {
			return fmt.Errorf("conversation %s message %d: %s %q %s, model says %s %q %s", c.ID, i, m.Direction, m.Text, m.Delivery.Status, w.dir, w.text, w.status)
		}
		if m.Delivery.Status == conversation.DeliveryFailed && m.Delivery.Reason == "" {
			return fmt.Errorf("conversation %s message %d failed without a reason", c.ID, i)
		}
		if prev, ok := h.delivered[m.ID]; ok && regressed(prev, m.Delivery.Status) {
			return fmt.Errorf("message %s went back from %s to %s", m.ID, prev, m.Delivery.Status)
		}
		h.delivered[m.ID] = m.Delivery.Status
		if p := (inPid{c.Touchpoint, m.ProviderID}); m.Direction == conversation.Outbound && m.ProviderID != "" && w.pid == m.ProviderID && !h.outSeen[p] {
			h.outSeen[p] = true
			h.outPids = append(h.outPids, p)
		}
	}
	return nil
}

// messages returns every message of conversation id, oldest first.
func (h *harness) messages(ctx context.Context, id conversation.ID) ([]*conversation.Message, error) {
	var out []*conversation.Message
	q := conversation.MessageQuery{ConversationID: id, Sort: conversation.Oldest, Limit: 500}
	for {
		page, err := h.d.Messages(ctx, parley.SystemActor, q)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Messages...)
		if page.Next == "" {
			return out, nil
		}
		q.Cursor = page.Next
	}
}

// regressed reports a delivery status moving back (rule 5): failed is
// terminal; otherwise the order is pending → sent → delivered → read.
func regressed(from, to conversation.DeliveryStatus) bool {
	if from == conversation.DeliveryFailed {
		return to != conversation.DeliveryFailed
	}
	return to != conversation.DeliveryFailed && to < from
}

// compareAll checks every conversation: the full state, at the end.
func (h *harness) compareAll(ctx context.Context) error {
	for _, c := range h.convs {
		if err := h.compareConv(ctx, c, true); err != nil {
			return err
		}
	}
	return nil
}

// compareSome checks n conversations picked at random, so that a long run
// also revisits old ones (late callbacks, refused replies to closed ones)
// without a quadratic cost.
func (h *harness) compareSome(ctx context.Context, n int) error {
	for range min(n, len(h.convs)) {
		if err := h.compareConv(ctx, h.convs[h.pick(len(h.convs))], true); err != nil {
			return err
		}
	}
	return nil
}

// run drives ops random operations, checking after each.
func (h *harness) run(seed int64, ops int) {
	h.t.Helper()
	ctx := context.Background()
	for range ops {
		c, err := h.step(ctx)
		if err == nil {
			err = h.compareStep(ctx, c)
		}
		if err == nil && h.ops%500 == 0 {
			err = h.compareSome(ctx, 10)
		}
		if err != nil {
			h.fail(seed, "%v", err)
		}
	}
	if err := h.compareAll(ctx); err != nil {
		h.fail(seed, "%v", err)
	}
}

// Summary is what a run did and where it left the stores. The Desk is
// deterministic given its stores' answers, so one seed gives one Summary
// on any stores that keep the contract: comparing the Summary of a run on
// memory with one on other stores finds what the model does not look at.
type Summary struct {
	Seed, Ops, Conversations, Started, OneStep, Sent, Checks           int64
	TransportFaults, StoreFaults, Charges, Releases                    int64
	Offers, Accepted, Rejected, Expired, Dispatched, Busy, Escalations int64
	// Events counts the events the Desk published, by name.
	Events map[string]int
	// State is every conversation, then its messages, oldest first, as
	// the Desk returns them at the end: one line each, every field.
	State []string
}

// Run is the model test: opts.Ops random operations on a Desk on the
// stores, each compared with the model (the rules in the package doc). It
// fails t with the seed, the last operations and the model's state at the
// first mismatch, and returns the run's Summary.
func Run(t *testing.T, stores Stores, opts Options) Summary {
	t.Helper()
	opts = opts.withDefaults(t)
	seed := opts.Seed
	h := newHarness(t, seed, stores, opts.wire()...)
	h.replay = opts.Replay
	h.run(seed, opts.Ops)
	if opts.Ops >= 1000 { // a short run may send no webhook to an open conversation
		require.Positive(t, h.store.oneStep.Load(), "seed %d: webhooks to open conversations take the one-step write", seed)
	}
	m := h.m
	t.Logf("seed %d: %d operations, %d conversations (%d started by the business), %d messages stored in one step, %d messages sent, %d step checks, %d transport faults, %d store faults, %d charges, %d releases; "+
		"%d offers (%d accepted, %d rejected, %d expired), %d dispatched when room freed, %d busy notices, %d escalations",
		seed, h.ops, len(h.convs), m.starts, h.store.oneStep.Load(), len(m.sent), h.checks, h.transportFaults, h.store.injected.Load(), h.ledger.charges, h.ledger.releases,
		m.offers, m.accepted, m.rejectedOffers, m.expired, m.dispatched, m.busyNotices, m.escalations)
	h.pub.mu.Lock()
	events := maps.Clone(h.pub.counts)
	h.pub.mu.Unlock()
	return Summary{
		Seed: seed, Ops: int64(h.ops), Conversations: int64(len(h.convs)), Started: int64(m.starts), OneStep: h.store.oneStep.Load(),
		Sent: int64(len(m.sent)), Checks: int64(h.checks), TransportFaults: int64(h.transportFaults), StoreFaults: h.store.injected.Load(),
		Charges: int64(h.ledger.charges), Releases: int64(h.ledger.releases), Offers: int64(m.offers), Accepted: int64(m.accepted),
		Rejected: int64(m.rejectedOffers), Expired: int64(m.expired), Dispatched: int64(m.dispatched), Busy: int64(m.busyNotices),
		Escalations: int64(m.escalations), Events: events, State: h.state(),
	}
}

// state lists every conversation the run made and its messages, every
// field, for Summary.State.
func (h *harness) state() []string {
	ctx := context.Background()
	ts := func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
	var out []string
	for _, mc := range h.convs {
		c, err := h.d.Conversation(ctx, parley.SystemActor, mc.id)
		require.NoError(h.t, err)
		out = append(out, fmt.Sprintf("conversation %s v%d %s %s %s %s %s by %q bot-paused %v contact %+v interaction %q subject %q queues %v priority %d previous %s unread %d note %q disposition %q tags %v "+
			"created %s updated %s assigned %s ended %s closed %s last-inbound %s last-message %s",
			c.ID, c.Version, c.Touchpoint, c.Channel, c.Direction, c.Status, c.AssignMode, c.AssigneeID, c.BotPaused, c.Contact, c.InteractionID, c.Subject, c.Queues, c.Priority, c.Previous, c.Unread, c.ClosingNote, c.Disposition, c.Tags,
			ts(c.CreatedAt), ts(c.UpdatedAt), ts(c.AssignedAt), ts(c.EndedAt), ts(c.ClosedAt), ts(c.LastInboundAt), ts(c.LastMessageAt)))
		msgs, err := h.messages(ctx, c.ID)
		require.NoError(h.t, err)
		for _, m := range msgs {
			tpl := "-"
			if m.Template != nil {
				tpl = fmt.Sprintf("%+v", *m.Template)
			}
			out = append(out, fmt.Sprintf("  message %s of %s %s internal %v imported %v notice %v author %+v %q attachments %+v template %s provider %q %s %q %q at %s created %s",
				m.ID, m.ConversationID, m.Direction, m.Internal, m.Imported, m.Notice, m.Author, m.Text, m.Attachments, tpl, m.ProviderID,
				m.Delivery.Status, m.Delivery.Reason, m.Delivery.Code, ts(m.Delivery.At), ts(m.CreatedAt)))
		}
	}
	return out
}

func mustReceive(h *harness, in parley.Inbound) parley.Receipt {
	h.t.Helper()
	rc, err := h.d.Receive(context.Background(), in)
	require.NoError(h.t, err)
	return rc
}

// snapshot is the observable state: every conversation with its status,
// assignee, unread count and messages, what was sent, and every agent's
// load.
func snapshot(t *testing.T, h *harness) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	page, err := h.store.Search(ctx, conversation.Query{Viewer: conversation.Viewer{Supervisor: true}, Sort: conversation.Oldest, Limit: 100})
	require.NoError(t, err)
	// IDs a failed attempt drew are not reused, so conversations are
	// named by their order and Previous by the index it points at.
	index := map[conversation.ID]int{}
	for i, c := range page.Conversations {
		index[c.ID] = i + 1
		out = append(out, fmt.Sprintf("conversation %d %s %q unread %d previous %d", i+1, c.Status, c.AssigneeID, c.Unread, index[c.Previous]))
		msgs, err := h.messages(ctx, c.ID)
		require.NoError(t, err)
		for _, m := range msgs {
			out = append(out, fmt.Sprintf("  %s %q %s %s", m.Direction, m.Text, m.Delivery.Status, m.ProviderID))
		}
	}
	for _, s := range h.d.Transport.Sent() {
		out = append(out, fmt.Sprintf("sent %q to %s", s.Text, s.To))
	}
	for _, a := range modelAgents {
		out = append(out, fmt.Sprintf("load %s %d", a, h.ledger.agentLoad(a)))
	}
	return out
}

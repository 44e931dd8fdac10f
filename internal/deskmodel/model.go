package deskmodel

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
)

// The reference model: a deliberately simple, single-threaded description
// of what the Desk must be seen to do (the rules in doc.go). It knows nothing of stores, locks or the router's trees; each
// method predicts the outcome of one Desk call and applies it to the
// model's state. The driver (driver.go) runs the same call
// on a real Desk and compares.

// outcome is how a Desk call ended, as the model predicts it.
type outcome uint8

const (
	// done: no error.
	done outcome = iota
	// refused: an error, and the refused or failed message is stored as
	// failed with its reason (rule 6: nothing silently dropped).
	refused
	// rejected: an error, and nothing is stored or sent.
	rejected
	// returned: an error, and the refused message is returned failed with
	// its reason but not stored: the conversation is not the agent's to
	// see (routing.ErrNotVisible), so not the agent's to write into.
	returned
)

var outcomeNames = [...]string{"done", "refused", "rejected", "returned"}

func (o outcome) String() string { return outcomeNames[o] }

// window is the WhatsApp customer-service window (rule 1).
const window = 24 * time.Hour

// modelMsg is one stored message.
type modelMsg struct {
	dir    conversation.Direction
	text   string
	status conversation.DeliveryStatus
	pid    string // provider ID: the inbound webhook's, or the transport's answer
	conv   *modelConv
}

// modelConv is one conversation.
type modelConv struct {
	id          conversation.ID // the real Desk's, bound after creation
	tp          string
	kind        channel.Kind
	contact     channel.Address
	status      conversation.Status
	assignee    string
	charged     int // weight charged to its holder: the assignee, or the agent offered it (rule 3)
	lastInbound time.Time
	msgs        []*modelMsg

	// Routing (rule 4), as the router holds the conversation while it is
	// open: mode is how the router routes it (its touchpoint's, but
	// simplified for one the business started: Start assigns it to its
	// agent); seq its order among waiting conversations; auto marks one
	// waiting for the router (automatic or dedicated, no agent had room)
	// rather than in the inbox for an agent to take.
	mode      routing.Mode
	seq       int
	inRouter  bool
	auto      bool
	offeredTo string    // a standing offer (the store still says Queued)
	deadline  time.Time // the offer's
	offerGen  int       // invalidates the offer's timer once it is answered or withdrawn
	declined  []string  // agents who declined or let an offer expire: never offered it again
	keep      string    // the previous conversation's agent, tried first (reopen policy)
	voice     bool      // escalated: weighs routing.VoiceWeight wherever it is charged
	busy      bool      // the contact was told once that every agent is busy
	heldSeq   int       // when its holder was charged: the router lists an agent's work newest first
	outbound  bool      // the business started it
}

// holder is who is charged for c: its assignee, or the agent offered it.
func (c *modelConv) holder() string {
	switch {
	case c.status == conversation.Assigned:
		return c.assignee
	case c.offeredTo != "":
		return c.offeredTo
	}
	return ""
}

// waiting reports c waiting for the router to find it an agent.
func (c *modelConv) waiting() bool {
	return c.inRouter && c.status == conversation.Queued && c.auto && c.offeredTo == ""
}

// tpConf is a touchpoint as the model sees it.
type tpConf struct {
	kind    channel.Kind
	mode    routing.Mode
	owner   string        // a dedicated touchpoint's agent
	busy    string        // the "all agents busy" message; empty sends none
	timeout time.Duration // how long an offer stands
}

// offerTimer is an offer's deadline. The router acts on deadlines at the
// same instant in the order they were set (routing's doc), so the model
// keeps when each was set too.
type offerTimer struct {
	at  time.Time
	set int // the model's count of offers made when this one was
	c   *modelConv
	gen int
}

// modelWindow is a WhatsApp window as the Desk tracks it for Tick's
// notices (rule 1: window expiring, window closed), with the notices dealt
// with for the window closing at noticed.
type modelWindow struct {
	last             time.Time
	noticed          time.Time
	expiring, closed bool
}

// windowWarning is Config.WindowWarning's default.
const windowWarning = time.Hour

// slot is (touchpoint, contact): at most one open conversation (rule 5).
type slot struct {
	tp      string
	contact channel.Address
}

// sent is one message handed to the transport and accepted.
type sent struct {
	to   channel.Address
	text string
}

// model is the Desk's observable state.
type model struct {
	now       time.Time
	convs     map[conversation.ID]*modelConv
	last      map[slot]*modelConv // the newest conversation of each slot
	pids      map[string]*modelMsg
	capacity  map[string]int
	loads     map[string]int
	presence  map[string]routing.Presence
	weights   map[channel.Kind]int
	optedOut  map[channel.Address]bool // the one SMS scope
	sent      []sent
	sendFault error // the next transport send fails with it
	events    []string
	// pending holds the conversation a Receive started, until the driver
	// binds the real Desk's ID to it.
	pending *modelConv
	// nextID is the real Desk's ID of the conversation the operation
	// starts, known before the model runs it.
	nextID conversation.ID

	tps      map[string]tpConf
	seq      int
	heldSeq  int
	queue    []*modelConv            // conversations waiting for the router, oldest first
	owned    map[string][]*modelConv // dedicated ones waiting for their owner, in order
	timers   []offerTimer
	waits    []*modelConv        // decided "waiting" during this operation
	outbound map[slot]*modelConv // the open outbound conversation of a custom slot
	windows  map[slot]*modelWindow
	// choose is the oracle for the one choice the model does not make
	// itself: which of the least-loaded eligible agents automatic routing
	// picks (see place). It returns the Desk's pick, and records in fault
	// a pick outside tied.
	choose func(c *modelConv, tied []string) string
	fault  error
	// note adds to the failure report's trail.
	note func(format string, args ...any)

	offers, accepted, rejectedOffers, expired, escalations, busyNotices, dispatched, starts int
}

func newModel(now time.Time, capacity map[string]int) *model {
	m := &model{
		now: now, convs: map[conversation.ID]*modelConv{}, last: map[slot]*modelConv{},
		pids: map[string]*modelMsg{}, capacity: capacity, loads: map[string]int{}, presence: map[string]routing.Presence{},
		weights:  map[channel.Kind]int{channel.WhatsApp: 20, channel.SMS: 5, channel.WebChat: 30},
		optedOut: map[channel.Address]bool{},
		tps:      map[string]tpConf{}, owned: map[string][]*modelConv{},
		outbound: map[slot]*modelConv{}, windows: map[slot]*modelWindow{},
	}
	m.weights[channel.Custom] = 20
	for a := range capacity {
		m.presence[a] = routing.Available
	}
	return m
}

func pidKey(tp, pid string) string { return tp + "\x00" + pid }

// load is what agent holds: the weights charged at assignment.
func (m *model) load(agent string) int { return m.loads[agent] }

// weightOf is what c would be charged now: today's weight of its kind,
// or the voice weight once escalated (rule 3).
func (m *model) weightOf(c *modelConv) int {
	if c.voice {
		return routing.VoiceWeight
	}
	return m.weights[c.kind]
}

// charge charges agent for c.
func (m *model) charge(c *modelConv, agent string) {
	c.charged = m.weightOf(c)
	m.loads[agent] += c.charged
	m.heldSeq++
	c.heldSeq = m.heldSeq
}

// hold makes c Assigned to agent, charged what it weighs now.
func (m *model) hold(c *modelConv, agent string) {
	m.unhold(c)
	m.leaveQueue(c)
	c.status, c.assignee = conversation.Assigned, agent
	m.charge(c, agent)
}

// unhold releases exactly what c's holder was charged (rule 3), and
// withdraws a standing offer.
func (m *model) unhold(c *modelConv) {
	if h := c.holder(); h != "" {
		m.loads[h] -= c.charged
	}
	c.charged = 0
	c.offeredTo = ""
	c.offerGen++
}

// fits reports whether agent may take w more points (rule 3).
func (m *model) fits(agent string, w int) bool { return m.load(agent)+w <= m.capacity[agent] }

func (m *model) emit(names ...string) { m.events = append(m.events, names...) }

// receiveResult is what the model predicts of one Receive.
type receiveResult struct {
	dup, started bool
	conv         *modelConv
}

// receive applies one inbound message (rules 2, 4 and 5).
func (m *model) receive(tp string, kind channel.Kind, from channel.Address, pid, text string, at time.Time) receiveResult {
	if _, ok := m.pids[pidKey(tp, pid)]; ok {
		return receiveResult{dup: true} // a provider retry stores and sends nothing
	}
	s := slot{tp, from}
	c := m.last[s]
	var res receiveResult
	if c == nil || !c.status.Open() {
		prev := c
		c = &modelConv{id: m.nextID, tp: tp, kind: kind, contact: from, status: conversation.Queued, mode: m.tps[tp].mode}
		if prev != nil {
			// KeepAgent (the default reopen policy): the previous agent
			// is tried first (place).
			c.keep = prev.assignee
		}
		m.last[s] = c
		m.pending = c
		res.started = true
		m.emit("conversation.started")
		defer func() {
			m.route(c)
			m.settle()
		}()
	}
	res.conv = c
	msg := &modelMsg{dir: conversation.Inbound, text: text, pid: pid, conv: c}
	c.msgs = append(c.msgs, msg)
	m.pids[pidKey(tp, pid)] = msg
	if at.After(c.lastInbound) {
		c.lastInbound = at
	}
	if kind == channel.WhatsApp {
		w := m.windows[s]
		if w == nil {
			w = &modelWindow{}
			m.windows[s] = w
		}
		if at.After(w.last) {
			w.last = at
		}
	}
	m.emit("message.received")
	if kind == channel.SMS {
		m.keyword(c, text)
	}
	return res
}

// The keyword replies: optout's English defaults.
const (
	replyStop  = "You have been unsubscribed and will receive no more messages from us. Reply START to subscribe again."
	replyStart = "You have been subscribed again. Reply HELP for help or STOP to unsubscribe."
	replyHelp  = "This is an automated message service. Reply STOP to unsubscribe or START to subscribe again."
)

// keyword applies an SMS keyword and its reply (rule 2): STOP's confirmation
// is the one message an opted-out contact gets.
func (m *model) keyword(c *modelConv, text string) {
	switch text {
	case "STOP", "stop.", "Stop":
		if !m.optedOut[c.contact] {
			m.emit("contact.opted_out")
		}
		m.optedOut[c.contact] = true
		m.deliver(c, replyStop, false, true)
	case "START":
		if m.optedOut[c.contact] {
			m.emit("contact.opted_in")
		}
		m.optedOut[c.contact] = false
		m.deliver(c, replyStart, false, false)
	case "HELP":
		m.deliver(c, replyHelp, false, false)
	}
}

// allowed is the Desk's check before sending: an open conversation, the
// SMS opt-out (but the STOP confirmation), the WhatsApp window for
// free-form messages.
func (m *model) allowed(c *modelConv, isTemplate, confirmation bool) bool {
	switch {
	case !c.status.Open():
		return false
	case c.kind == channel.SMS && m.optedOut[c.contact] && !confirmation:
		return false
	case c.kind == channel.WhatsApp && !isTemplate && !m.now.Before(c.lastInbound.Add(window)):
		return false
	}
	return true
}

// deliver records an outbound message and sends it, or records it failed.
func (m *model) deliver(c *modelConv, text string, isTemplate, confirmation bool) outcome {
	if !m.allowed(c, isTemplate, confirmation) {
		return m.refuse(c, text)
	}
	msg := &modelMsg{dir: conversation.Outbound, text: text, conv: c}
	c.msgs = append(c.msgs, msg)
	if m.sendFault != nil {
		m.sendFault = nil
		msg.status = conversation.DeliveryFailed
		m.emit("message.failed")
		return refused
	}
	m.sent = append(m.sent, sent{to: c.contact, text: text})
	msg.status = conversation.DeliverySent
	msg.pid = fmt.Sprintf("fake-%d", len(m.sent))
	m.pids[pidKey(c.tp, msg.pid)] = msg
	m.emit("message.sent")
	return done
}

// refuse records a refused outbound message as failed (rule 6: never
// silently dropped).
func (m *model) refuse(c *modelConv, text string) outcome {
	c.msgs = append(c.msgs, &modelMsg{dir: conversation.Outbound, text: text, conv: c, status: conversation.DeliveryFailed})
	m.emit("message.failed")
	return refused
}

// send is an agent's reply, snippet or template (rules 1 and 3 to 6): an
// agent may answer what it may see (else the refused message is returned,
// not stored); answering the inbox assigns first, within capacity, but
// only once the message passed the rules; a reply the agent has no room
// (or is not available) to take on is refused and recorded.
func (m *model) send(agent string, c *modelConv, text string, isTemplate bool) outcome {
	if c.assignee != "" && c.assignee != agent {
		return returned // not visible: someone else's conversation
	}
	if c.status == conversation.Queued {
		if !m.allowed(c, isTemplate, false) {
			return m.refuse(c, text)
		}
		if !m.take(c, agent) {
			return m.refuse(c, text)
		}
		m.hold(c, agent)
		m.emit("conversation.assigned")
	}
	return m.deliver(c, text, isTemplate, false)
}

// take reports whether the router lets agent take queued c (rules 3 and 4): not
// while it is offered to someone, only an available agent (only available
// agents receive new work), not beyond the agent's capacity. Refused for capacity, the Desk first reloads the
// agent from the Ledger, which lets the agent take what else waits.
func (m *model) take(c *modelConv, agent string) bool {
	switch {
	case c.offeredTo != "", m.presence[agent] != routing.Available:
		return false
	case !m.fits(agent, m.weightOf(c)):
		m.dispatch(agent)
		return false
	}
	return true
}

// assign takes a conversation from the inbox, or one waiting (rule 4).
func (m *model) assign(c *modelConv, agent string) outcome {
	if c.status != conversation.Queued || !m.take(c, agent) {
		return rejected
	}
	m.hold(c, agent)
	m.emit("conversation.assigned")
	return done
}

// transfer moves an assigned conversation to an available agent, charging
// the new agent what it weighs now and releasing exactly what the old one was charged (rule 3);
// the old agent's freed room goes to what waits.
func (m *model) transfer(c *modelConv, agent string) outcome {
	if c.status != conversation.Assigned || c.assignee == agent || m.presence[agent] != routing.Available {
		return rejected
	}
	if !m.fits(agent, m.weightOf(c)) {
		m.dispatch(agent) // the Desk reloads the agent from the Ledger first
		return rejected
	}
	from := c.assignee
	m.hold(c, agent)
	m.emit("conversation.transferred")
	m.dispatch(from)
	return done
}

// toInbox, end and close release the weight (rules 3 and 5) and give the
// room to what waits. Sent to the inbox, a conversation waits there for an
// agent to take it, whatever its mode.
func (m *model) toInbox(c *modelConv) outcome {
	if c.status != conversation.Assigned {
		return rejected
	}
	a := c.assignee
	m.unhold(c)
	c.status, c.assignee = conversation.Queued, ""
	m.emit("conversation.sent_to_inbox")
	m.dispatch(a)
	return done
}

func (m *model) end(c *modelConv) outcome {
	if c.status != conversation.Assigned {
		return rejected
	}
	m.emit("conversation.ended")
	m.release(c)
	c.status = conversation.WrapUp
	return done
}

func (m *model) close(c *modelConv) outcome {
	if c.status == conversation.Closed {
		return rejected
	}
	m.emit("conversation.closed")
	if c.inRouter {
		m.release(c)
	}
	c.status = conversation.Closed
	return done
}

// callback applies a provider's delivery report (rule 5): forward only;
// failed is terminal and taken only before delivery.
func (m *model) callback(tp, pid string, to conversation.DeliveryStatus) bool {
	msg := m.pids[pidKey(tp, pid)]
	switch {
	case msg.status == conversation.DeliveryFailed:
		return false // terminal
	case to == conversation.DeliveryFailed && msg.status >= conversation.DeliveryDelivered:
		return false // a late failure after delivery
	case to != conversation.DeliveryFailed && to <= msg.status:
		return false // late or duplicate
	}
	msg.status = to
	if to == conversation.DeliveryFailed {
		m.emit("message.failed")
	} else {
		m.emit("message.status_changed")
	}
	return true
}

// Routing (rule 4). The router's rules, restated for the model's one queue
// ("support", which every agent and touchpoint is in).

// leaveQueue takes c out of the router's waiting lists.
func (m *model) leaveQueue(c *modelConv) {
	if !c.auto {
		return
	}
	c.auto = false
	m.queue = slices.DeleteFunc(m.queue, func(x *modelConv) bool { return x == c })
	if c.mode == routing.Dedicated {
		o := m.tps[c.tp].owner
		m.owned[o] = slices.DeleteFunc(m.owned[o], func(x *modelConv) bool { return x == c })
	}
}

// wait makes c wait for the router: in order in the queue, and on its
// owner's list when dedicated. Whether the contact is told is settled
// when the operation ends (settle).
func (m *model) wait(c *modelConv) {
	m.note("  model: %s waits", c.id)
	c.auto = true
	i, _ := slices.BinarySearchFunc(m.queue, c, func(x, t *modelConv) int { return x.seq - t.seq })
	m.queue = slices.Insert(m.queue, i, c)
	if c.mode == routing.Dedicated {
		o := m.tps[c.tp].owner
		m.owned[o] = append(m.owned[o], c)
	}
	m.waits = append(m.waits, c)
}

// eligible reports whether agent may be given c at weight w by the router:
// available, never declined it, with room (every agent is in c's queue).
func (m *model) eligible(c *modelConv, agent string, w int) bool {
	return m.presence[agent] == routing.Available && !slices.Contains(c.declined, agent) && m.load(agent)+w <= m.capacity[agent]
}

// assignAuto is the router assigning c to agent by itself.
func (m *model) assignAuto(c *modelConv, agent string) {
	m.note("  model: %s assigned to %s", c.id, agent)
	m.hold(c, agent)
	m.emit("conversation.assigned")
}

// place routes c, held by nobody and waiting nowhere, by its mode: the
// kept agent first (a follow-up, if that agent may take it now), then
// the dedicated owner, or the least loaded eligible agent (offered, with a
// deadline), or the inbox; else c waits.
//
// The one weakening: of the eligible agents with the lowest load ratio
// (load over capacity), LeastLoaded takes the one idle longest, then the
// longest since its last assignment, then by ID. When several tie on the
// ratio the model does not predict which; it checks that the Desk's pick
// (choose) is one of them, and follows it.
func (m *model) place(c *modelConv) {
	w := m.weightOf(c)
	if c.keep != "" && m.eligible(c, c.keep, w) {
		m.assignAuto(c, c.keep)
		return
	}
	switch c.mode {
	case routing.Dedicated:
		if o := m.tps[c.tp].owner; m.presence[o] == routing.Available && m.fits(o, w) {
			m.assignAuto(c, o)
			return
		}
		m.wait(c)
	case routing.Automatic:
		var tied []string
		for _, a := range modelAgents {
			if !m.eligible(c, a, w) {
				continue
			}
			if len(tied) > 0 {
				b := tied[0]
				x, y := m.load(a)*m.capacity[b], m.load(b)*m.capacity[a]
				if x > y {
					continue
				}
				if x < y {
					tied = tied[:0]
				}
			}
			tied = append(tied, a)
		}
		if len(tied) == 0 {
			m.wait(c)
			return
		}
		a := tied[0]
		if len(tied) > 1 || m.choose != nil {
			a = m.choose(c, tied)
		}
		m.leaveQueue(c)
		m.charge(c, a)
		c.offeredTo = a
		c.deadline = m.now.Add(m.tps[c.tp].timeout)
		c.offerGen++
		m.timers = append(m.timers, offerTimer{at: c.deadline, set: m.offers, c: c, gen: c.offerGen})
		m.note("  model: %s offered to %s of %v", c.id, a, tied)
		m.offers++
		m.emit("conversation.offered")
	}
	// simplified: the inbox
}

// dispatch gives agent's room to what waits (routing's dispatch): first
// the dedicated conversations waiting for agent, then the oldest waiting
// conversation agent can take, each routed by its own mode (so possibly
// to another agent), until one would wait again.
func (m *model) dispatch(agent string) {
	if m.presence[agent] != routing.Available {
		return
	}
	for i := 0; i < len(m.owned[agent]); {
		c := m.owned[agent][i]
		if m.load(agent)+m.weightOf(c) > m.capacity[agent] {
			i++
			continue
		}
		m.leaveQueue(c)
		m.dispatched++
		if m.place(c); c.waiting() {
			return
		}
	}
	for {
		var pick *modelConv
		for _, c := range m.queue {
			if c.mode != routing.Dedicated && !slices.Contains(c.declined, agent) && m.fits(agent, m.weightOf(c)) {
				pick = c
				break
			}
		}
		if pick == nil {
			return
		}
		m.leaveQueue(pick)
		m.dispatched++
		if m.place(pick); pick.waiting() {
			return
		}
	}
}

// reweighed gives what now fits, after new weights, to the available
// agents in the order they joined.
func (m *model) reweighed() {
	for _, a := range modelAgents {
		m.dispatch(a)
	}
}

// route enters a new conversation in the router and places it. Before
// saying it waits, the Desk (its capacity shared through a Ledger)
// refreshes the agents concerned, each of which takes what waits that it
// can.
func (m *model) route(c *modelConv) {
	m.seq++
	c.seq, c.inRouter = m.seq, true
	m.place(c)
	if !c.waiting() {
		return
	}
	if c.mode == routing.Dedicated {
		m.dispatch(m.tps[c.tp].owner)
		return
	}
	for _, a := range modelAgents {
		m.dispatch(a)
	}
}

// settle is the Desk applying the operation's "waiting" decisions: a
// conversation still waiting when they are applied is announced once
// (routing.all_agents_busy) with its touchpoint's busy message, which is
// judged as every message is.
func (m *model) settle() {
	ws := m.waits
	m.waits = nil
	for _, c := range ws {
		if !c.waiting() || c.busy {
			continue
		}
		c.busy = true
		m.busyNotices++
		m.emit("routing.all_agents_busy")
		if text := m.tps[c.tp].busy; text != "" {
			m.deliver(c, text, false, false)
		}
	}
}

// pass takes an offered c from its agent, who never gets it again, routes
// it to the next, and gives the freed room to what waits.
func (m *model) pass(c *modelConv) {
	a := c.offeredTo
	m.unhold(c)
	if !slices.Contains(c.declined, a) {
		c.declined = append(c.declined, a)
	}
	m.place(c)
	m.dispatch(a)
}

// release frees c (end, close) and gives the room to what waits.
func (m *model) release(c *modelConv) {
	h := c.holder()
	m.unhold(c)
	m.leaveQueue(c)
	c.inRouter = false
	if h != "" {
		m.dispatch(h)
	}
}

// accept turns agent's standing offer of c into an assignment, before its
// deadline.
func (m *model) accept(c *modelConv, agent string) outcome {
	if c.offeredTo != agent || agent == "" || !m.now.Before(c.deadline) {
		return rejected
	}
	c.offeredTo, c.status, c.assignee = "", conversation.Assigned, agent
	c.offerGen++
	m.accepted++
	m.emit("conversation.assigned")
	return done
}

// reject declines agent's standing offer of c (even past its deadline,
// until a Tick expires it).
func (m *model) reject(c *modelConv, agent string) outcome {
	if c.offeredTo != agent || agent == "" {
		return rejected
	}
	m.rejectedOffers++
	m.emit("conversation.offer_rejected")
	m.pass(c)
	m.settle()
	return done
}

// tick is Desk.Tick: expired offers go on, in the router's order; then
// the window notices.
func (m *model) tick() {
	// Passing an offer on sets a deadline after now, so the due ones are
	// known before any is acted on.
	var due []offerTimer
	kept := m.timers[:0]
	for _, t := range m.timers {
		if t.at.After(m.now) {
			kept = append(kept, t)
		} else {
			due = append(due, t)
		}
	}
	m.timers = kept
	slices.SortFunc(due, func(a, b offerTimer) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return cmp.Compare(a.set, b.set)
	})
	for _, t := range due {
		if t.c.offerGen == t.gen && t.c.offeredTo != "" {
			m.expired++
			m.emit("conversation.offer_expired")
			m.pass(t.c)
		}
	}
	m.settle()
	until := m.now.Add(windowWarning)
	for s, w := range m.windows {
		closes := w.last.Add(window)
		if closes.After(until) {
			w.noticed, w.expiring, w.closed = time.Time{}, false, false
			continue
		}
		closed := !closes.After(m.now)
		if !w.noticed.Equal(closes) {
			w.noticed, w.expiring, w.closed = closes, false, false
		}
		if w.closed || !closed && w.expiring {
			continue
		}
		if c := m.last[s]; c != nil && c.status.Open() {
			if closed {
				m.emit("session.window_closed")
			} else {
				m.emit("session.window_expiring")
			}
		}
		w.expiring, w.closed = true, closed
	}
	for s, w := range m.windows {
		if !w.last.Add(window).After(m.now) {
			delete(m.windows, s) // session.Tracker.Prune: a closed window is forgotten
		}
	}
}

// escalate turns an assigned conversation into a voice call: its agent is
// charged the voice weight in place of the digital one, or it is refused
// when that does not fit (rule 3). Escalating again changes nothing.
func (m *model) escalate(c *modelConv) outcome {
	if !c.inRouter || c.status != conversation.Assigned {
		return rejected
	}
	if !c.voice {
		a := c.assignee
		if m.load(a)-c.charged+routing.VoiceWeight > m.capacity[a] {
			return rejected
		}
		freed := c.charged > routing.VoiceWeight
		m.loads[a] += routing.VoiceWeight - c.charged
		c.charged, c.voice = routing.VoiceWeight, true
		m.escalations++
		if freed {
			m.dispatch(a)
		}
	}
	m.emit("conversation.escalated")
	return done
}

// presenceChange is Desk.SetPresence: an agent becoming available takes
// what waits; one going away or offline passes its standing offers on
// (not as declined: it may be offered them again when back).
func (m *model) presenceChange(agent string, p routing.Presence) {
	if m.presence[agent] == p {
		return
	}
	m.presence[agent] = p
	if p == routing.Available {
		m.dispatch(agent)
		m.settle()
		return
	}
	var offered []*modelConv
	for _, c := range m.convs {
		if c.offeredTo == agent {
			offered = append(offered, c)
		}
	}
	// The router walks the agent's work newest charge first.
	slices.SortFunc(offered, func(x, y *modelConv) int { return y.heldSeq - x.heldSeq })
	for _, c := range offered {
		m.unhold(c)
		m.place(c)
	}
	m.settle()
}

// start is Desk.Start: a conversation the business opens, assigned to
// agent, and its first message (rules 1, 2 and 5). The router holds it
// as the agent's own (simplified), whatever its touchpoint's mode. A first
// message refused (by the rules, the agent's capacity or presence, or a
// permanent transport failure) is stored failed and the conversation
// closed.
func (m *model) start(agent, tp string, to channel.Address, text string, isTemplate bool) (outcome, *modelConv) {
	conf := m.tps[tp]
	s := slot{tp, to}
	if conf.kind == channel.WhatsApp && !isTemplate {
		if w := m.windows[s]; w == nil || !m.now.Before(w.last.Add(window)) {
			return rejected, nil // ErrBusinessInitiated
		}
	}
	if conf.kind == channel.Custom {
		if o := m.outbound[s]; o != nil && o.status.Open() {
			return rejected, nil // ErrOutboundExists
		}
	} else if o := m.last[s]; o != nil && o.status.Open() {
		return rejected, nil // ErrOpenExists
	}
	c := &modelConv{id: m.nextID, tp: tp, kind: conf.kind, contact: to, status: conversation.Queued, mode: routing.Simplified, outbound: true}
	if w := m.windows[s]; w != nil && conf.kind == channel.WhatsApp {
		c.lastInbound = w.last
	}
	if conf.kind == channel.Custom {
		m.outbound[s] = c
	} else {
		m.last[s] = c
	}
	m.starts++
	m.emit("conversation.started")
	m.seq++
	c.seq, c.inRouter = m.seq, true
	closeIt := func() {
		m.release(c)
		c.status = conversation.Closed
		m.emit("conversation.closed")
	}
	if m.presence[agent] != routing.Available || !m.fits(agent, m.weightOf(c)) {
		if m.presence[agent] == routing.Available {
			m.dispatch(agent) // the Desk refreshes the agent from the Ledger before refusing
		}
		m.refuse(c, text)
		closeIt()
		return refused, c
	}
	m.hold(c, agent)
	m.emit("conversation.assigned")
	fault := m.sendFault
	got := m.deliver(c, text, isTemplate, false)
	if got == refused && (fault == nil || !errors.Is(fault, parley.ErrTemporary) || !m.allowed(c, isTemplate, false)) {
		closeIt()
	}
	return got, c
}

// describe lists what the model thinks waits and who holds what, for a
// failure report.
func (m *model) describe() string {
	var b []string
	for _, c := range m.queue {
		b = append(b, fmt.Sprintf("waiting %s (%s, %s, %d points, declined by %v)", c.id, c.tp, c.mode, m.weightOf(c), c.declined))
	}
	for _, a := range modelAgents {
		b = append(b, fmt.Sprintf("agent %s: %s, %d/%d points", a, m.presence[a], m.load(a), m.capacity[a]))
	}
	return strings.Join(b, "\n  ")
}

package report

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/optout"
	"github.com/parleyhq/parley/routing"
)

// DefaultAnsweredWithin is the service-level threshold T when
// Config.AnsweredWithin is zero.
const DefaultAnsweredWithin = time.Minute

// DefaultMaxOpen is how many open conversations an Accumulator keeps
// state for when Config.MaxOpen is zero (rule 15).
const DefaultMaxOpen = 1 << 20

// DefaultKeepHours is how many hours of hourly figures an Accumulator
// keeps when Config.KeepHours is zero: five weeks.
const DefaultKeepHours = 35 * 24

// ErrInvalidConfig is returned by New for a Config it cannot run; the
// error says which field. Check it with errors.Is.
var ErrInvalidConfig = errors.New("report: invalid configuration")

// Config describes an [Accumulator]. Its zero value is a working
// accumulator: wall-clock times, T of one minute, hours in UTC.
type Config struct {
	// Touchpoints are the desk's touchpoints, as in parley.Config: their
	// queues attribute conversations to queues, their Hours give the
	// business hours of rule 18.
	Touchpoints []parley.Touchpoint
	// Agents are the desk's agents, for their capacity (rule 14's
	// occupancy); an agent not listed has routing.DefaultCapacity.
	Agents []routing.Agent
	// Weights are the channel weights, as in parley.Config.
	Weights routing.Weights
	// AnsweredWithin is the service-level threshold T (rule 16); zero
	// means DefaultAnsweredWithin.
	AnsweredWithin time.Duration
	// BusinessHours measures every duration in the touchpoint's business
	// hours only (rule 18).
	BusinessHours bool
	// Location is the time zone of hours and days; nil means UTC.
	Location *time.Location
	// KeepHours is how many of the latest hours keep hourly figures
	// (rule 15); zero means DefaultKeepHours.
	KeepHours int
	// MaxOpen bounds the open conversations whose state is kept (rule
	// 15): starting one more evicts the least recently touched; zero
	// means DefaultMaxOpen.
	MaxOpen int
	// Closed, when set, receives each conversation's figures when it
	// closes, after the accumulator released its lock (rule 17).
	Closed func(Conversation)
}

// Accumulator turns the Desk's events into [Figures] as they happen. Give
// it every event, in the order the Desk published them, with Observe or
// as a parley.Publisher; read figures at any time. Each event costs O(1)
// (rule 15). It is safe for concurrent use.
type Accumulator struct {
	cfg   Config
	loc   *time.Location
	utc   bool
	tps   map[string]*tpInfo
	caps  map[string]int
	slaT  time.Duration
	busHr bool

	mu       sync.Mutex
	total    Figures
	hours    []*hourSlot
	latest   int64 // the latest hour seen
	channels map[channel.Kind]*Figures
	touch    map[string]*Figures
	queues   map[string]*Figures
	agents   map[string]*agentState
	convs    map[conversation.ID]*conv
	maxOpen  int
	lru      conv // the recency ring's sentinel: its older is the newest, its newer the oldest
	free     []*conv
	buf      []*Figures
}

// tpInfo is what the accumulator knows of a touchpoint.
type tpInfo struct {
	queues []string
	hours  *openHours
}

// hourSlot is one hour of the ring of hourly figures.
type hourSlot struct {
	key int64 // local hours since the Unix epoch
	f   Figures
}

// agentState is one agent's figures and load.
type agentState struct {
	f        Figures
	capacity int
	load     int
	since    time.Time // of the last load change
	first    time.Time // first event seen
	occupied float64   // ∫ load/capacity dt, in seconds, until since
}

// conv is one conversation's state until it closes (rule 15).
type conv struct {
	id        conversation.ID
	tp        string
	info      *tpInfo
	channel   channel.Kind
	queues    []string
	dims      []*Figures // channel, touchpoint, then each queue
	newer     *conv      // neighbours in the accumulator's recency ring
	older     *conv
	byContact bool

	started, queued, firstAssigned, ended, firstContact, awaiting time.Time
	responded, windowClosed                                       bool
	lastOut                                                       time.Time // the latest agent message observed
	lastOutAgent                                                  string
	lastOutAnswered                                               bool
	holder                                                        string // the agent holding it, through wrap-up
	holdSince                                                     time.Time
	shares                                                        []share
	agent, lastAgent                                              string
	weight                                                        int
	offerTo                                                       string
	transfers, in, out                                            int
	wait, first                                                   Timed
}

// share is one agent's part of a conversation's handle time (rule 10).
type share struct {
	agent string
	d     time.Duration
}

// New returns an Accumulator for cfg, or an error matching
// ErrInvalidConfig for a negative threshold or KeepHours.
func New(cfg Config) (*Accumulator, error) {
	switch {
	case cfg.AnsweredWithin < 0:
		return nil, fmt.Errorf("%w: AnsweredWithin %s is negative", ErrInvalidConfig, cfg.AnsweredWithin)
	case cfg.KeepHours < 0:
		return nil, fmt.Errorf("%w: KeepHours %d is negative", ErrInvalidConfig, cfg.KeepHours)
	case cfg.MaxOpen < 0:
		return nil, fmt.Errorf("%w: MaxOpen %d is negative", ErrInvalidConfig, cfg.MaxOpen)
	}
	a := &Accumulator{
		cfg:      cfg,
		loc:      cfg.Location,
		tps:      make(map[string]*tpInfo, len(cfg.Touchpoints)),
		caps:     make(map[string]int, len(cfg.Agents)),
		slaT:     cfg.AnsweredWithin,
		busHr:    cfg.BusinessHours,
		channels: map[channel.Kind]*Figures{},
		touch:    map[string]*Figures{},
		queues:   map[string]*Figures{},
		agents:   map[string]*agentState{},
		convs:    map[conversation.ID]*conv{},
	}
	if a.loc == nil {
		a.loc = time.UTC
	}
	a.utc = a.loc == time.UTC
	a.maxOpen = cfg.MaxOpen
	if a.maxOpen == 0 {
		a.maxOpen = DefaultMaxOpen
	}
	a.lru.newer, a.lru.older = &a.lru, &a.lru
	if a.slaT == 0 {
		a.slaT = DefaultAnsweredWithin
	}
	keep := cfg.KeepHours
	if keep == 0 {
		keep = DefaultKeepHours
	}
	a.hours = make([]*hourSlot, keep)
	a.latest = math.MinInt64 + int64(keep)
	for _, tp := range cfg.Touchpoints {
		a.tps[tp.ID] = &tpInfo{queues: slices.Clone(tp.Queues), hours: newOpenHours(tp.Hours)}
	}
	for _, ag := range cfg.Agents {
		a.caps[ag.ID] = ag.Capacity
	}
	return a, nil
}

// Publish observes e; it makes the Accumulator a parley.Publisher, and
// never fails.
func (a *Accumulator) Publish(_ context.Context, e parley.Event) error {
	a.Observe(e)
	return nil
}

// Observe takes one event into the figures. Events of a kind the figures
// do not use are ignored, as are events of a conversation whose start
// was never observed, but for the volumes they count (rule 1).
func (a *Accumulator) Observe(e parley.Event) {
	a.mu.Lock()
	closed, ok := a.observe(e)
	a.mu.Unlock()
	if ok && a.cfg.Closed != nil {
		a.cfg.Closed(closed)
	}
}

// observe is Observe under the lock; it returns a closed conversation's
// figures.
func (a *Accumulator) observe(e parley.Event) (Conversation, bool) {
	if c := a.convs[e.Conversation()]; c != nil {
		a.markUsed(c)
	}
	switch e := e.(type) {
	case conversation.StartedEvent:
		a.started(&e)
	case conversation.HandedOffEvent:
		if c := a.convs[e.ConversationID]; c != nil {
			if c.queued.IsZero() {
				c.queued = e.At
			}
			if e.Queues != nil {
				a.requeue(c, e.Queues)
			}
		}
	case conversation.AssignedEvent:
		a.assigned(e.ConversationID, e.AgentID, e.At, "")
	case conversation.TransferredEvent:
		a.assigned(e.ConversationID, e.ToAgentID, e.At, e.FromAgentID)
	case conversation.SentToInboxEvent:
		c := a.convs[e.ConversationID]
		for _, f := range a.targets(c, e.At, e.FromAgentID) {
			f.SentToInbox++
		}
		if c != nil {
			a.unhold(c, e.At)
			a.release(c, e.At)
			if e.Queues != nil {
				a.requeue(c, e.Queues)
			}
		}
	case conversation.EndedEvent:
		if c := a.convs[e.ConversationID]; c != nil {
			c.ended = e.At
			a.release(c, e.At)
		}
	case conversation.ClosedEvent:
		return a.closed(&e)
	case conversation.MessageReceivedEvent:
		a.received(&e)
	case conversation.MessageSentEvent:
		a.sent(&e)
	case parley.OfferedEvent:
		if c := a.convs[e.ConversationID]; c != nil {
			a.settleOffer(c, "", e.At)
			c.offerTo = e.AgentID
		}
	case parley.OfferEndedEvent:
		a.offerEnded(&e)
	case parley.AllAgentsBusyEvent:
		if c := a.convs[e.ConversationID]; c != nil {
			a.settleOffer(c, "", e.At)
		}
	case parley.EscalatedEvent:
		if c := a.convs[e.ConversationID]; c != nil && c.agent != "" {
			ag := a.agent(c.agent, e.At)
			a.charge(ag, routing.VoiceWeight-c.weight, e.At)
			c.weight = routing.VoiceWeight
		}
	case parley.WindowEvent:
		if c := a.convs[e.ConversationID]; c != nil && e.Closed {
			c.windowClosed = true
		}
	case parley.OptOutEvent:
		c := a.convs[e.ConversationID]
		for _, f := range a.targets(c, e.At, "") {
			if e.Action == optout.OptIn {
				f.OptIns++
			} else {
				f.OptOuts++
			}
		}
	}
	return Conversation{}, false
}

// started opens a conversation's state (rule 3); a repeated start is
// ignored.
func (a *Accumulator) started(e *conversation.StartedEvent) {
	if a.convs[e.ConversationID] != nil {
		return
	}
	c := a.newConv()
	c.id, c.tp, c.channel, c.started = e.ConversationID, e.Touchpoint, e.Channel, e.At
	c.byContact = e.Direction == conversation.Inbound
	if e.Status == conversation.Queued {
		c.queued = e.At
	}
	c.info = a.tps[e.Touchpoint]
	var queues []string
	if c.info != nil {
		queues = c.info.queues
	}
	a.requeue(c, queues)
	if len(a.convs) >= a.maxOpen {
		a.evict(a.lru.newer, e.At)
	}
	a.convs[c.id] = c
	a.link(c)
	for _, f := range a.targets(c, e.At, "") {
		f.Started++
		if c.byContact {
			f.StartedByContact++
		} else {
			f.StartedByBusiness++
		}
	}
}

// markUsed makes c the most recently touched open conversation.
func (a *Accumulator) markUsed(c *conv) {
	c.newer.older, c.older.newer = c.older, c.newer
	a.link(c)
}

// link puts c first in the recency ring, just after its head.
func (a *Accumulator) link(c *conv) {
	c.older, c.newer = a.lru.older, &a.lru
	c.older.newer = c
	a.lru.older = c
}

// forget removes c from the open conversations and keeps its state for
// reuse.
func (a *Accumulator) forget(c *conv) {
	c.newer.older, c.older.newer = c.older, c.newer
	delete(a.convs, c.id)
	*c = conv{dims: c.dims[:0], shares: c.shares[:0]}
	a.free = append(a.free, c)
}

// evict drops the state of c, the least recently touched open
// conversation, at instant at (rule 15): its agent's load is freed, and
// its later events count as those of a conversation never observed.
func (a *Accumulator) evict(c *conv, at time.Time) {
	for _, f := range a.targets(c, at, "") {
		f.Evicted++
	}
	a.release(c, at)
	a.forget(c)
}

// newConv takes a conversation state from the free list, or makes one.
func (a *Accumulator) newConv() *conv {
	if n := len(a.free); n > 0 {
		c := a.free[n-1]
		a.free = a.free[:n-1]
		return c
	}
	return &conv{}
}

// requeue sets the conversation's queues and the figures it counts in.
func (a *Accumulator) requeue(c *conv, queues []string) {
	c.queues = queues
	c.dims = c.dims[:0]
	c.dims = append(c.dims, figuresIn(a.channels, c.channel), figuresIn(a.touch, c.tp))
	for _, q := range queues {
		c.dims = append(c.dims, figuresIn(a.queues, q))
	}
}

// figuresIn returns m's figures for k, made on first sight.
func figuresIn[K comparable](m map[K]*Figures, k K) *Figures {
	f := m[k]
	if f == nil {
		f = &Figures{}
		m[k] = f
	}
	return f
}

// targets returns the figures a fact at instant at counts in: the
// total, its hour, and, when the conversation is known, its channel,
// touchpoint and queues, and agent's when named. The slice is reused by
// the next call.
func (a *Accumulator) targets(c *conv, at time.Time, agent string) []*Figures {
	a.buf = append(a.buf[:0], &a.total)
	if h := a.hour(at); h != nil {
		a.buf = append(a.buf, h)
	}
	if c != nil {
		a.buf = append(a.buf, c.dims...)
	}
	if agent != "" {
		a.buf = append(a.buf, &a.agent(agent, at).f)
	}
	return a.buf
}

// hourKey returns the local hour of t, counted from the Unix epoch.
func (a *Accumulator) hourKey(t time.Time) int64 {
	s := t.Unix()
	if !a.utc {
		_, off := t.In(a.loc).Zone()
		s += int64(off)
	}
	if s < 0 {
		return (s - 3599) / 3600
	}
	return s / 3600
}

// hour returns the figures of t's hour, or nil when that hour has left
// the ring (older than KeepHours behind the latest).
func (a *Accumulator) hour(t time.Time) *Figures {
	k := a.hourKey(t)
	if k > a.latest {
		a.latest = k
	}
	if k <= a.latest-int64(len(a.hours)) {
		return nil
	}
	i := int(k % int64(len(a.hours)))
	if i < 0 {
		i += len(a.hours)
	}
	h := a.hours[i]
	switch {
	case h == nil:
		h = &hourSlot{key: k}
		a.hours[i] = h
	case h.key == k:
	case h.key > k:
		return nil
	default:
		*h = hourSlot{key: k}
	}
	return &h.f
}

// agent returns an agent's state, made on first sight.
func (a *Accumulator) agent(id string, at time.Time) *agentState {
	ag := a.agents[id]
	if ag == nil {
		capacity := a.caps[id]
		if capacity == 0 {
			capacity = routing.DefaultCapacity
		}
		ag = &agentState{capacity: capacity, since: at, first: at}
		a.agents[id] = ag
	}
	return ag
}

// charge changes an agent's load by delta points at instant at,
// integrating the load held until then (rule 14).
func (a *Accumulator) charge(ag *agentState, delta int, at time.Time) {
	if at.After(ag.since) {
		ag.occupied += float64(ag.load) / float64(ag.capacity) * at.Sub(ag.since).Seconds()
		ag.since = at
	}
	ag.load = max(ag.load+delta, 0)
}

// release frees the conversation's weight from its agent.
func (a *Accumulator) release(c *conv, at time.Time) {
	if c.agent == "" {
		return
	}
	a.charge(a.agent(c.agent, at), -c.weight, at)
	c.agent, c.weight = "", 0
}

// assigned records an assignment or, with from set, a transfer (rule 4):
// the first one ends the wait (rule 7).
func (a *Accumulator) assigned(id conversation.ID, to string, at time.Time, from string) {
	c := a.convs[id]
	if from != "" {
		for _, f := range a.targets(c, at, from) {
			f.Transferred++
		}
	} else {
		for _, f := range a.targets(c, at, to) {
			f.Assigned++
		}
	}
	if c == nil {
		return
	}
	a.settleOffer(c, to, at)
	if from != "" {
		c.transfers++
	}
	if c.firstAssigned.IsZero() {
		c.firstAssigned = at
		queued := c.queued
		if queued.IsZero() { // straight from the bot
			queued = at
		}
		c.wait = Timed{D: a.span(c, queued, at), OK: true}
		for _, f := range a.targets(c, at, to) {
			f.Wait.Add(c.wait.D)
		}
	}
	a.unhold(c, at)
	c.holder, c.holdSince = to, at
	a.release(c, at)
	c.agent, c.lastAgent = to, to
	c.weight = a.cfg.Weights.Of(c.channel)
	if c.channel == channel.Voice {
		c.weight = routing.VoiceWeight
	}
	a.charge(a.agent(to, at), c.weight, at)
}

// unhold ends the current agent's hold at instant at, adding its time to
// that agent's share (rule 10).
func (a *Accumulator) unhold(c *conv, at time.Time) {
	if c.holder == "" {
		return
	}
	d := a.span(c, c.holdSince, at)
	i := slices.IndexFunc(c.shares, func(s share) bool { return s.agent == c.holder })
	if i < 0 {
		c.shares = append(c.shares, share{agent: c.holder})
		i = len(c.shares) - 1
	}
	c.shares[i].d += d
	c.holder = ""
}

// settleOffer ends the standing offer, if any (rule 14): accepted when
// the conversation went to the offered agent; otherwise withdrawn, or
// ended by an OfferEndedEvent, which counts it.
func (a *Accumulator) settleOffer(c *conv, to string, at time.Time) {
	if c.offerTo == "" {
		return
	}
	agent := c.offerTo
	c.offerTo = ""
	if to != agent {
		return
	}
	for _, f := range a.targets(c, at, agent) {
		f.OffersAccepted++
	}
}

// offerEnded counts an offer rejected or expired, as the Desk said
// (rule 14).
func (a *Accumulator) offerEnded(e *parley.OfferEndedEvent) {
	c := a.convs[e.ConversationID]
	if c != nil && c.offerTo == e.AgentID {
		c.offerTo = ""
	}
	for _, f := range a.targets(c, e.At, e.AgentID) {
		if e.Expired {
			f.OffersExpired++
		} else {
			f.OffersRejected++
		}
	}
}

// span is the time from a to b, in business hours when so configured
// (rule 18).
func (a *Accumulator) span(c *conv, from, to time.Time) time.Duration {
	if a.busHr && c.info != nil && c.info.hours != nil {
		return c.info.hours.openBetween(from, to)
	}
	return to.Sub(from)
}

// msgTime is a message's own time, the event's when it has none.
func msgTime(m *conversation.Message, at time.Time) time.Time {
	if m.CreatedAt.IsZero() {
		return at
	}
	return m.CreatedAt
}

// received counts a contact's message (rule 5) and starts the clocks of
// rules 8 and 9, or stops them at once when an agent message created at
// or after it was already observed.
func (a *Accumulator) received(e *conversation.MessageReceivedEvent) {
	if e.Message.Imported {
		return
	}
	c := a.convs[e.ConversationID]
	agent := ""
	if c != nil {
		agent = c.agent
	}
	for _, f := range a.targets(c, e.At, agent) {
		f.MessagesIn++
	}
	if c == nil {
		return
	}
	c.in++
	t := msgTime(&e.Message, e.At)
	if !c.responded && (c.firstContact.IsZero() || t.Before(c.firstContact)) {
		c.firstContact = t
	}
	if !c.lastOut.IsZero() && !t.After(c.lastOut) {
		if !c.lastOutAnswered {
			a.answer(c, t, c.lastOut, c.lastOutAgent)
		}
		return
	}
	if c.awaiting.IsZero() || t.Before(c.awaiting) {
		c.awaiting = t
	}
}

// sent counts a message sent (rule 5); an agent's answers stop the
// clocks of rules 8 and 9, a bot's or the system's do not.
func (a *Accumulator) sent(e *conversation.MessageSentEvent) {
	m := &e.Message
	c := a.convs[e.ConversationID]
	agent := ""
	if m.Author.Kind == conversation.AuthorAgent {
		agent = m.Author.ID
	}
	for _, f := range a.targets(c, e.At, agent) {
		f.MessagesOut++
	}
	if c == nil {
		return
	}
	c.out++
	if agent == "" || !m.Sendable() {
		return
	}
	t := msgTime(m, e.At)
	if c.lastOut.IsZero() || t.After(c.lastOut) {
		c.lastOut, c.lastOutAgent, c.lastOutAnswered = t, agent, false
	}
	if c.awaiting.IsZero() || c.awaiting.After(t) {
		return
	}
	a.answer(c, c.awaiting, t, agent)
}

// answer records the agent message at t answering the contact's oldest
// unanswered message, from (rules 8 and 9).
func (a *Accumulator) answer(c *conv, from, t time.Time, agent string) {
	r := a.span(c, from, t)
	c.awaiting = time.Time{}
	if t.Equal(c.lastOut) {
		c.lastOutAnswered = true
	}
	first := !c.responded
	if first {
		c.responded = true
		c.first = Timed{D: a.span(c, c.firstContact, t), OK: true}
	}
	for _, f := range a.targets(c, t, agent) {
		f.Response.Add(r)
		if first {
			f.FirstResponse.Add(c.first.D)
			f.Answered++
			if c.first.D <= a.slaT {
				f.AnsweredWithin++
			}
		}
	}
}

// closedIn counts a closed conversation's measures in f, but handle time,
// which the slices count whole and the agents by share (rules 10–13, 16).
func (a *Accumulator) closedIn(f *Figures, out *Conversation) {
	f.Resolution.Add(out.Resolution.D)
	if out.Handle.OK {
		f.Handled++
	}
	if out.WrapUp.OK {
		f.WrapUp.Add(out.WrapUp.D)
	}
	if out.Abandoned {
		f.Abandoned++
	}
}

// closed closes a conversation: its last measures (rules 10–13, 16) and
// the release of its state.
func (a *Accumulator) closed(e *conversation.ClosedEvent) (Conversation, bool) {
	c := a.convs[e.ConversationID]
	for _, f := range a.targets(c, e.At, "") {
		f.Closed++
	}
	if c == nil {
		return Conversation{}, false
	}
	c.offerTo = "" // withdrawn: neither accepted nor declined
	a.unhold(c, e.At)
	a.release(c, e.At)
	agent := e.AgentID
	if agent == "" {
		agent = c.lastAgent
	}
	out := Conversation{
		Touchpoint: c.tp, Channel: c.channel.String(), Queues: c.queues, Agent: agent,
		ByContact: c.byContact, Started: c.started, Closed: e.At,
		Wait: c.wait, FirstResponse: c.first, Transfers: c.transfers, MessagesIn: c.in, MessagesOut: c.out,
		Resolution: Timed{D: a.span(c, c.started, e.At), OK: true},
	}
	if !c.firstAssigned.IsZero() {
		out.Handle.OK = true
		for _, s := range c.shares {
			out.Handle.D += s.d
		}
	}
	if e.From == conversation.WrapUp && !c.ended.IsZero() {
		out.WrapUp = Timed{D: a.span(c, c.ended, e.At), OK: true}
	}
	// Rule 16: the contact left (a close through the host's own channel)
	// or the contact's window ran out first.
	out.Abandoned = !c.firstContact.IsZero() && !c.responded && (e.ByAPI || c.windowClosed)
	for _, f := range a.targets(c, e.At, "") {
		a.closedIn(f, &out)
		if out.Handle.OK {
			f.Handle.Add(out.Handle.D)
		}
	}
	if agent != "" {
		a.closedIn(&a.agent(agent, e.At).f, &out)
	}
	for _, s := range c.shares {
		a.agent(s.agent, e.At).f.Handle.Add(s.d)
	}
	closedID := c.id
	a.forget(c)
	if a.cfg.Closed == nil {
		return Conversation{}, false
	}
	out.ID = closedID.String()
	return out, true
}

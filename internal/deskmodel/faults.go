package deskmodel

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
)

// Doubles the model-based tests wire into a real Desk: a ledger that
// watches every charge and release (rule 3), a store that fails or
// conflicts on demand (rule 6), and a transport guard that refuses to let a
// forbidden message out unnoticed (rules 1 and 2).

// violations collects broken invariants from any goroutine.
type violations struct {
	mu   sync.Mutex
	list []string
}

func (v *violations) add(format string, args ...any) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.list = append(v.list, fmt.Sprintf(format, args...))
}

func (v *violations) take() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := v.list
	v.list = nil
	return out
}

// charge is one reservation the ledger holds.
type charge struct {
	agent  string
	weight int
}

// watchedLedger is a routing.Ledger with a second, independent account of
// every reservation: it reports an agent over capacity, a conversation
// reserved for two agents, and a release that does not free exactly the
// weight charged (rule 3: every charged weight is released exactly once).
type watchedLedger struct {
	inner routing.Ledger
	v     *violations

	mu       sync.Mutex
	held     map[string]charge
	load     map[string]int
	charges  int
	releases int
}

func newWatchedLedger(inner routing.Ledger, v *violations) *watchedLedger {
	return &watchedLedger{inner: inner, v: v, held: map[string]charge{}, load: map[string]int{}}
}

func (l *watchedLedger) Reserve(ctx context.Context, agentID, conversationID string, weight, capacity int) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.inner.Reserve(ctx, agentID, conversationID, weight, capacity); err != nil {
		return err
	}
	if h, ok := l.held[conversationID]; ok {
		if h.agent != agentID {
			l.v.add("ledger: conversation %s reserved for %s and %s at once", conversationID, h.agent, agentID)
		}
		l.load[h.agent] -= h.weight
	}
	l.held[conversationID] = charge{agentID, weight}
	l.load[agentID] += weight
	l.charges++
	if l.load[agentID] > capacity {
		l.v.add("ledger: agent %s at %d points, over capacity %d", agentID, l.load[agentID], capacity)
	}
	return nil
}

func (l *watchedLedger) Release(ctx context.Context, conversationID string) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	w, err := l.inner.Release(ctx, conversationID)
	if err != nil {
		return w, err
	}
	h, ok := l.held[conversationID]
	switch {
	case ok && w != h.weight:
		l.v.add("ledger: releasing %s freed %d points, %d were charged", conversationID, w, h.weight)
	case !ok && w != 0:
		l.v.add("ledger: releasing %s freed %d points twice", conversationID, w)
	}
	if ok {
		delete(l.held, conversationID)
		l.load[h.agent] -= h.weight
		l.releases++
	}
	return w, nil
}

func (l *watchedLedger) Load(ctx context.Context, agentID string) (int, error) {
	return l.inner.Load(ctx, agentID)
}

// holder returns who holds conversationID and for how much.
func (l *watchedLedger) holder(conversationID string) (charge, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	h, ok := l.held[conversationID]
	return h, ok
}

func (l *watchedLedger) agentLoad(agent string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.load[agent]
}

var _ routing.Ledger = (*watchedLedger)(nil)

// errCrash is the injected store failure: the process "dies" at that write.
var errCrash = errors.New("model test: store write failed")

// faultStore wraps a conversation.Store. failAt > 0 fails the failAt-th
// write (Create, Update, Record, ReceiveOpen, AppendMessage,
// UpdateDelivery) from now on with errCrash, changing nothing, as a crash
// before the write would; conflictNext makes the next Update, Record or
// ReceiveOpen of an open conversation report an optimistic-concurrency
// conflict without writing, as a concurrent writer in another process
// would (rule 6). It forwards ReceiveOpen (conversation.Receiver), so the
// model and crash tests take the Desk's one-step path for a webhook to an
// open conversation, as a Desk on the memory store does; wrap it in
// plainStore for the FindOpen, Receive and Record steps.
type faultStore struct {
	conversation.Store
	writes       atomic.Int64
	failAt       atomic.Int64
	conflictNext atomic.Bool
	injected     atomic.Int64
	// oneStep counts the messages ReceiveOpen stored: a test on the
	// default path checks that it was taken.
	oneStep atomic.Int64
	// onFindOpen, when set, runs after each FindOpen that found c: the
	// moment another goroutine's action can slip in.
	onFindOpen func(c *conversation.Conversation)
}

func (s *faultStore) FindOpen(ctx context.Context, k conversation.Key) (*conversation.Conversation, error) {
	c, err := s.Store.FindOpen(ctx, k)
	if err == nil && s.onFindOpen != nil {
		s.onFindOpen(c)
	}
	return c, err
}

func (s *faultStore) write() error {
	n := s.writes.Add(1)
	if f := s.failAt.Load(); f > 0 && n == f {
		s.injected.Add(1)
		return errCrash
	}
	return nil
}

func (s *faultStore) Create(ctx context.Context, c *conversation.Conversation) error {
	if err := s.write(); err != nil {
		return err
	}
	return s.Store.Create(ctx, c)
}

func (s *faultStore) Update(ctx context.Context, c *conversation.Conversation) error {
	if err := s.write(); err != nil {
		return err
	}
	if s.conflictNext.CompareAndSwap(true, false) {
		s.injected.Add(1)
		return &conversation.ConflictError{ID: c.ID, Version: c.Version, Current: c.Version + 1}
	}
	return s.Store.Update(ctx, c)
}

func (s *faultStore) Record(ctx context.Context, c *conversation.Conversation, m *conversation.Message) (*conversation.Message, bool, error) {
	if err := s.write(); err != nil {
		return nil, false, err
	}
	if s.conflictNext.CompareAndSwap(true, false) {
		s.injected.Add(1)
		return nil, false, &conversation.ConflictError{ID: c.ID, Version: c.Version, Current: c.Version + 1}
	}
	return s.Store.Record(ctx, c, m)
}

// ReceiveOpen forwards to the inner store's one-step write, a write like
// Record: a failure injected there stores nothing, and a conflict stores
// nothing and makes the Desk take the plain steps. An inner store without
// ReceiveOpen answers ErrNotFound, which sends the Desk the same way.
func (s *faultStore) ReceiveOpen(ctx context.Context, k conversation.Key, m *conversation.Message) (conversation.Received, error) {
	rs, ok := s.Store.(conversation.Receiver)
	if !ok {
		return conversation.Received{}, conversation.ErrNotFound
	}
	if err := s.write(); err != nil {
		return conversation.Received{}, err
	}
	// A conflict needs a conversation to conflict on; with none open the
	// flag waits for the next Update or Record.
	if s.conflictNext.Load() {
		if c, err := s.Store.FindOpen(ctx, k); err == nil && s.conflictNext.CompareAndSwap(true, false) {
			s.injected.Add(1)
			return conversation.Received{}, &conversation.ConflictError{ID: c.ID, Version: c.Version, Current: c.Version + 1}
		}
	}
	r, err := rs.ReceiveOpen(ctx, k, m)
	if err == nil && r.Created {
		s.oneStep.Add(1)
	}
	return r, err
}

var _ conversation.Receiver = (*faultStore)(nil)

func (s *faultStore) AppendMessage(ctx context.Context, m *conversation.Message) (*conversation.Message, bool, error) {
	if err := s.write(); err != nil {
		return nil, false, err
	}
	return s.Store.AppendMessage(ctx, m)
}

func (s *faultStore) UpdateDelivery(ctx context.Context, u conversation.DeliveryUpdate) (*conversation.Message, bool, error) {
	if err := s.write(); err != nil {
		return nil, false, err
	}
	return s.Store.UpdateDelivery(ctx, u)
}

// failWrite arms the store to fail the n-th write from now.
func (s *faultStore) failWrite(n int) { s.failAt.Store(s.writes.Load() + int64(n)) }

// plainStore hides a store's one-step ReceiveOpen (conversation.Receiver),
// so the Desk takes FindOpen, Receive and Record.
type plainStore struct{ conversation.Store }

// guardTransport checks every message as it leaves, against what the
// test knows independently of the Desk; check returns the broken rule.
type guardTransport struct {
	inner parley.Transport
	v     *violations
	check func(out parley.Outgoing) string

	mu    sync.Mutex
	fresh []parley.Outgoing
	total int
}

func (g *guardTransport) Send(ctx context.Context, out parley.Outgoing) (string, error) {
	if g.check != nil {
		if why := g.check(out); why != "" {
			g.v.add("transport: %s: %q to %s", why, out.Text, out.To)
		}
	}
	id, err := g.inner.Send(ctx, out)
	if err == nil {
		g.mu.Lock()
		g.fresh = append(g.fresh, out)
		g.total++
		g.mu.Unlock()
	}
	return id, err
}

// take returns the messages sent since the last call.
func (g *guardTransport) take() []parley.Outgoing {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := g.fresh
	g.fresh = nil
	return out
}

// stepPublisher records event names since the last take, and counts them
// all; unlike parleytest.Publisher it does not copy the whole history on
// each look, which a 10⁶-operation run cannot afford.
type stepPublisher struct {
	mu     sync.Mutex
	fresh  []string
	counts map[string]int
	// offers are the offers published since the last take, in order: the
	// model's oracle for the agent automatic routing picked among those
	// tied (model.choose).
	offers []seenOffer
}

type seenOffer struct {
	conv  conversation.ID
	agent string
	used  bool
}

func (p *stepPublisher) Publish(_ context.Context, e parley.Event) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fresh = append(p.fresh, e.Name())
	p.counts[e.Name()]++
	if o, ok := e.(parley.OfferedEvent); ok {
		p.offers = append(p.offers, seenOffer{conv: o.Conversation(), agent: o.AgentID})
	}
	return nil
}

func (p *stepPublisher) take() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.fresh
	p.fresh, p.offers = nil, nil
	return out
}

// nextOffer returns the agent of the next offer of conversation id
// published since the last take, and consumes it.
func (p *stepPublisher) nextOffer(id conversation.ID) (string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := range p.offers {
		if o := &p.offers[i]; !o.used && o.conv == id {
			o.used = true
			return o.agent, true
		}
	}
	return "", false
}

func (p *stepPublisher) count(name string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.counts[name]
}

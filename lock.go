package parley

import (
	"context"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
)

// The lock protocol. Within one process, two sets of 64 striped mutexes
// serialise the Desk's work; across processes sharing a store, optimistic
// concurrency (conversation.ErrConflict, retried) settles it.
//
//   - A contact's lock on a touchpoint is held by Receive and Start, so that
//     two webhooks of one contact never open two conversations.
//   - A conversation's lock is held by every action that changes it.
//
// The rules, which withContact and withConversation enforce (nothing else
// in the Desk locks or unlocks these mutexes):
//
//  1. A contact's lock is taken before a conversation's, never after.
//  2. A goroutine holds at most one conversation's lock, and never waits on
//     a second one (two conversations may share a stripe). Routing
//     decisions about other conversations are applied with applyAside,
//     which takes only a free lock and puts the others off, or after the
//     lock is let go.
//  3. Once an action has let go of its locks it concludes: it applies the
//     routing decisions it left for other conversations, publishes its
//     events, then theirs, and applies what applyAside put off (settle),
//     so that the store is in line with the router when the action
//     returns.

// after is what an action leaves for once its locks are let go (rule 3).
type after struct {
	// events are the action's own events, published first.
	events []Event
	// decs are the router's decisions about other conversations, taken at
	// now; each is applied under its conversation's lock, and its events
	// are published after events.
	decs []routing.Decision
	now  time.Time
}

// withConversation runs f holding conversation id's lock, then concludes
// with what f left: rules 2 and 3 for an action on one conversation.
func (d *Desk) withConversation(ctx context.Context, id conversation.ID, f func() (after, error)) error {
	a, err := holding(d.convMutex(id), nil, f)
	d.conclude(ctx, a)
	return err
}

// withContact runs f holding the lock of the contact whose ID hashes to
// contactHash on touchpoint tp (rule 1). f may take one conversation's
// lock through conv, a zero convLock of the caller's; both are let go
// after f, conv's first, and then the action concludes with what f left.
func (d *Desk) withContact(ctx context.Context, tp *touchpoint, contactHash uint64, conv *convLock, f func() (after, error)) error {
	conv.d = d
	a, err := holding(d.contactMutex(tp, contactHash), conv, f)
	d.conclude(ctx, a)
	return err
}

// inConversation runs f holding conversation id's lock, for work whose
// caller concludes: applying routing decisions, claiming Tick's notices.
func (d *Desk) inConversation(id conversation.ID, f func() (after, error)) (after, error) {
	return holding(d.convMutex(id), nil, f)
}

// holding runs f with mu locked, and lets go of conv's lock, if f took
// one, then of mu, even when f panics (a transport's panic a host's HTTP
// server recovers must not leave a stripe locked).
func holding(mu *sync.Mutex, conv *convLock, f func() (after, error)) (after, error) {
	mu.Lock()
	defer func() {
		if conv != nil {
			conv.unlock()
		}
		mu.Unlock()
	}()
	return f()
}

// conclude is rule 3: what every action does once it holds no lock.
func (d *Desk) conclude(ctx context.Context, a after) {
	applied := d.apply(ctx, a.now, a.decs...)
	d.publish(ctx, a.events...)
	d.publish(ctx, applied...)
	d.settle(ctx)
}

// convLock is the one conversation lock an action under a contact's lock
// may hold (rules 1 and 2); withContact lets it go.
type convLock struct {
	d  *Desk
	mu *sync.Mutex
}

// lock takes conversation id's lock, after letting go of the one held, if
// any: a mutex is not re-entrant, and id may share its stripe.
func (l *convLock) lock(id conversation.ID) {
	l.unlock()
	l.mu = l.d.convMutex(id)
	l.mu.Lock()
}

// unlock lets go of the conversation's lock, if one is held.
func (l *convLock) unlock() {
	if l.mu != nil {
		l.mu.Unlock()
		l.mu = nil
	}
}

// contactMutex is the stripe of the contact whose ID hashes to
// contactHash (Desk.contactHash, which Receive has from the address
// cache) on touchpoint tp. Unrelated keys sharing a stripe contend rarely
// and briefly, and the lock set stays fixed.
func (d *Desk) contactMutex(tp *touchpoint, contactHash uint64) *sync.Mutex {
	h := tp.hash*31 ^ contactHash
	return &d.contactLocks[h%uint64(len(d.contactLocks))]
}

// convMutex is the stripe of conversation id.
func (d *Desk) convMutex(id conversation.ID) *sync.Mutex {
	return &d.convLocks[maphash.Bytes(d.seed, id[:])%uint64(len(d.convLocks))]
}

// contactHash is the hash contactMutex takes for contactID.
func (d *Desk) contactHash(contactID string) uint64 { return maphash.String(d.seed, contactID) }

// applyAside applies decisions about conversations other than own while
// the caller holds locks (rule 2): a conversation whose lock is free is
// updated at once; one whose lock is busy (perhaps held by the caller,
// which would wait on itself) is put off until settle. Decisions about
// own are the caller's.
func (d *Desk) applyAside(ctx context.Context, now time.Time, own conversation.ID, decs []routing.Decision) []Event {
	var events []Event
	ownID := own.String()
	for _, dec := range decs {
		if dec.ConversationID == ownID {
			continue
		}
		id, err := conversation.ParseID(dec.ConversationID)
		if err != nil {
			continue
		}
		m := d.convMutex(id)
		if !m.TryLock() {
			d.later.push(putOff{dec, now})
			continue
		}
		evs, err := d.applyOne(ctx, id, dec, now)
		m.Unlock()
		if err != nil {
			d.log.ErrorContext(ctx, "parley: applying routing decision", "conversation", dec.ConversationID, "outcome", dec.Outcome.String(), "err", err)
		}
		events = append(events, evs...)
	}
	return events
}

// deferred holds routing decisions about conversations whose lock a
// caller could not take (it may hold that lock's stripe itself); the
// caller applies them once it has let go of its locks (settle), or the
// next Tick does. applyOne follows the router's current placement, so
// applying one late writes what is true then.
type deferred struct {
	n  atomic.Int32 // len(ds), read without the lock by settle's fast path
	mu sync.Mutex
	ds []putOff
}

// putOff is a decision put off, with the instant it was taken at.
type putOff struct {
	dec routing.Decision
	now time.Time
}

func (q *deferred) push(p putOff) {
	q.mu.Lock()
	q.ds = append(q.ds, p)
	q.n.Store(int32(len(q.ds)))
	q.mu.Unlock()
}

func (q *deferred) take() []putOff {
	if q.n.Load() == 0 {
		return nil
	}
	q.mu.Lock()
	ds := q.ds
	q.ds = nil
	q.n.Store(0)
	q.mu.Unlock()
	return ds
}

// settle applies the decisions applyAside put off, once the caller holds
// no lock (rule 3): a conversation the router assigned must not read
// Queued until the next Tick. It costs one atomic load when nothing was
// put off.
func (d *Desk) settle(ctx context.Context) {
	var events []Event
	for _, p := range d.later.take() {
		events = append(events, d.apply(ctx, p.now, p.dec)...)
	}
	d.publish(ctx, events...)
}

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

// lockContact serialises inbound work for one contact on one touchpoint
// within the process, so two webhooks of one contact never open two
// conversations. Keys share 64 stripes: contention between unrelated keys
// is rare and brief, and the lock set stays fixed. It returns the locked
// mutex rather than its Unlock method: a method value escapes to the heap,
// an allocation on every inbound message. contactHash is the contact ID's
// hash (Desk.contactHash), which Receive has from the address cache.
func (d *Desk) lockContact(tp *touchpoint, contactHash uint64) *sync.Mutex {
	h := tp.hash*31 ^ contactHash
	m := &d.contactLocks[h%uint64(len(d.contactLocks))]
	m.Lock()
	return m
}

// lockConversation serialises agent actions on one conversation within
// the process; across processes optimistic concurrency settles them. Like
// lockContact it returns the locked mutex.
func (d *Desk) lockConversation(id conversation.ID) *sync.Mutex {
	m := &d.convLocks[d.stripe(id)]
	m.Lock()
	return m
}

// contactHash is the hash lockContact takes for contactID.
func (d *Desk) contactHash(contactID string) uint64 { return maphash.String(d.seed, contactID) }

// stripe is the index of conversation id's lock.
func (d *Desk) stripe(id conversation.ID) uint64 {
	return maphash.Bytes(d.seed, id[:]) % uint64(len(d.convLocks))
}

// applyAside applies decisions about conversations other than own while
// the caller may hold locks: a conversation whose lock is free is updated
// at once; one whose lock is busy (perhaps held by the caller, which would
// wait on itself) is deferred. Decisions about own are the caller's.
func (d *Desk) applyAside(ctx context.Context, now time.Time, own conversation.ID, decs []routing.Decision) []Event {
	var events []Event
	for _, dec := range decs {
		if dec.ConversationID == own.String() {
			continue
		}
		id, err := conversation.ParseID(dec.ConversationID)
		if err != nil {
			continue
		}
		m := &d.convLocks[d.stripe(id)]
		if !m.TryLock() {
			d.later.push(dec, now)
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
// next Tick does. applyOne follows the router's current
// placement, so applying one late writes what is true then.
type deferred struct {
	n   atomic.Int32
	mu  sync.Mutex
	ds  []routing.Decision
	now []time.Time
}

func (q *deferred) push(dec routing.Decision, now time.Time) {
	q.mu.Lock()
	q.ds = append(q.ds, dec)
	q.now = append(q.now, now)
	q.n.Store(int32(len(q.ds)))
	q.mu.Unlock()
}

func (q *deferred) take() ([]routing.Decision, []time.Time) {
	if q.n.Load() == 0 {
		return nil, nil
	}
	q.mu.Lock()
	ds, now := q.ds, q.now
	q.ds, q.now = nil, nil
	q.n.Store(0)
	q.mu.Unlock()
	return ds, now
}

// settle applies the decisions applyAside put off, once the caller holds
// no lock: every public method that may defer one calls it before it
// returns, so that the store is in line with the router when it does (a
// conversation the router assigned must not read Queued until the next
// Tick). It costs one atomic load when nothing was put off.
func (d *Desk) settle(ctx context.Context) {
	if d.later.n.Load() == 0 {
		return
	}
	d.publish(ctx, d.applyDeferred(ctx)...)
}

// applyDeferred applies the decisions applyAside put off; the caller holds
// no conversation's lock.
func (d *Desk) applyDeferred(ctx context.Context) []Event {
	ds, nows := d.later.take()
	var events []Event
	for i, dec := range ds {
		events = append(events, d.apply(ctx, nows[i], dec)...)
	}
	return events
}

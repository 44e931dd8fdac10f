package session

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/parleyhq/parley/channel"
)

// Key names one window: the business's address (the number or page the
// contact writes to) and the contact's address, on the same channel. WhatsApp
// keeps one window per (business number, contact), so a contact writing to
// two numbers of one business has two windows.
type Key struct {
	// Business is the business's end: the number, page or account the
	// contact writes to.
	Business channel.Address
	// Contact is the contact's address; its kind is the window's channel.
	Contact channel.Address
}

// Tracked is one window a [Tracker] holds, with its key.
type Tracked struct {
	// Key names the window's (business, contact) pair.
	Key Key
	// Expiry is the window and when it closes.
	Expiry
}

// Tracker keeps the windows of many (business, contact) pairs in memory. It
// is safe for concurrent use by multiple goroutines. Hosts that store windows
// with their conversations need not use it: a [Window] value is enough.
//
// It keeps its windows indexed by when they close and by when Prune may
// forget them, so [Tracker.Notices], [Tracker.Due], [Tracker.Expiring] and
// [Tracker.Prune] cost O(k log n) for the k windows they return or forget,
// however many others are held. A Touch that moves a window later, as
// nearly every message does, changes no index: the window is moved when it
// comes up.
//
// The zero Tracker is not usable; call [NewTracker].
type Tracker struct {
	policies Policies

	// mu guards windows, n and idx. A plain mutex: every call holds it
	// for a lookup or for the windows it returns, never for a scan.
	mu sync.Mutex
	// windows holds the windows by the contact's ID; a contact writes to
	// one business address or a few, so the slice is short. Keyed by ID,
	// not by Key, to keep Touch's lookup cheap.
	windows map[string][]*entry
	n       int // windows held
	idx     [indexes]deadlines
}

// NewTracker returns an empty tracker that applies ps (nil for the defaults).
// ps is copied, so later changes to the caller's map do not race with it.
func NewTracker(ps Policies) *Tracker {
	var own Policies
	if len(ps) > 0 {
		own = make(Policies, len(ps))
		for k, p := range ps {
			own[k] = p
		}
	}
	t := &Tracker{policies: own, windows: make(map[string][]*entry)}
	for i := range t.idx {
		t.idx[i].idx = i
	}
	return t
}

// Touch records an inbound message or call on k at inboundAt and returns the
// window after it. The channel is the contact's kind; the two addresses
// must be of the same valid kind, otherwise Touch returns [ErrInvalidKey]
// and records nothing. Out-of-order events never move a window back; a
// window that moves is a new one, with no notice dealt with yet.
func (t *Tracker) Touch(k Key, inboundAt time.Time) (Window, error) {
	if err := checkKey(k); err != nil {
		return Window{}, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if e := t.find(k); e != nil {
		if w := e.w.Touch(inboundAt); w != e.w {
			t.set(e, w)
		}
		return e.w, nil
	}
	e := &entry{key: k, windowed: t.policies.For(k.Contact.Kind).Windowed()}
	for i := range e.pos {
		e.pos[i] = -1
	}
	t.windows[k.Contact.ID] = append(t.windows[k.Contact.ID], e)
	t.n++
	t.set(e, Window{Channel: k.Contact.Kind}.Touch(inboundAt))
	return e.w, nil
}

// find returns the entry of k, nil when there is none. The caller holds
// t.mu.
func (t *Tracker) find(k Key) *entry {
	for _, e := range t.windows[k.Contact.ID] {
		if e.key == k {
			return e
		}
	}
	return nil
}

// set gives e the window w, which starts with no notice dealt with, and
// places it in the indexes. The caller holds t.mu.
func (t *Tracker) set(e *entry, w Window) {
	l := t.policies.Limits(w)
	e.w, e.closes, e.forget = w, l.Closes, l.Over
	e.announced = unannounced
	t.reindex(e)
}

// reindex puts e in, moves it within or takes it out of each index, as its
// fields now say. The caller holds t.mu.
func (t *Tracker) reindex(e *entry) {
	for i := range t.idx {
		h := &t.idx[i]
		switch in, want := e.pos[i] >= 0, e.in(i); {
		case want && !in:
			h.push(e)
		case want:
			h.fix(e)
		case in:
			h.remove(e)
		}
	}
}

// Window returns the window of k; a pair never touched gets a window with a
// zero LastInbound (closed on windowed channels) and ok false.
func (t *Tracker) Window(k Key) (w Window, ok bool) {
	t.mu.Lock()
	if e := t.find(k); e != nil {
		w, ok = e.w, true
	}
	t.mu.Unlock()
	if !ok {
		w = Window{Channel: k.Contact.Kind}
	}
	return w, ok
}

// Check reports whether out may be sent on k's window at now; see
// [Policies.Check].
func (t *Tracker) Check(k Key, out Outbound, now time.Time) error {
	w, _ := t.Window(k)
	return t.policies.Check(w, out, now)
}

// Composer returns the composer state of k's window at now; see
// [Policies.Composer].
func (t *Tracker) Composer(k Key, human bool, now time.Time) Composer {
	w, _ := t.Window(k)
	return t.policies.Composer(w, human, now)
}

// Expiring lists the tracked windows open at now that close within d,
// soonest first; see [Policies.Expiring]. Expiry.Index is meaningless here.
// It looks only at windows closing by now+d, those already closed but not
// yet pruned included.
func (t *Tracker) Expiring(now time.Time, d time.Duration) []Tracked {
	var out []Tracked
	t.mu.Lock()
	t.idx[byCloses].visit(now.Add(d), func(e *entry) {
		if t.policies.Open(e.w, now) {
			out = append(out, Tracked{Key: e.key, Expiry: Expiry{Window: e.w, ExpiresAt: e.closes, Remaining: e.closes.Sub(now)}})
		}
	})
	t.mu.Unlock()
	slices.SortFunc(out, soonestFirst)
	return out
}

// soonestFirst orders tracked windows by when they close, ties by key (not
// by the map's order), so that answers are stable.
func soonestFirst(a, b Tracked) int {
	if c := a.ExpiresAt.Compare(b.ExpiresAt); c != 0 {
		return c
	}
	return a.Key.Compare(b.Key)
}

// Due lists the tracked windows on windowed channels that close at or
// before until, open or already closed, soonest first (ties by key).
// Expiry.Index is meaningless here; Remaining is measured from until and
// is zero or negative for a window closing exactly then or before. A host
// that publishes "window expiring" and "window closed" notices once each
// asks [Tracker.Notices] instead, which leaves out what it dealt with.
func (t *Tracker) Due(until time.Time) []Tracked {
	var out []Tracked
	t.mu.Lock()
	t.idx[byCloses].visit(until, func(e *entry) {
		out = append(out, Tracked{Key: e.key, Expiry: Expiry{Window: e.w, ExpiresAt: e.closes, Remaining: e.closes.Sub(until)}})
	})
	t.mu.Unlock()
	slices.SortFunc(out, soonestFirst)
	return out
}

// Notice is one window with something to announce: it closes within the
// warning ("window expiring") or has closed ("window closed").
type Notice struct {
	Tracked
	// Closed is true when the window has closed at the Notices call's now;
	// Remaining is then zero or negative.
	Closed bool
}

// Notices lists the windows with a notice not yet dealt with
// ([Tracker.Noticed]) at now: "window closed" for each window that has
// closed, and "window expiring" for each open one closing within warn
// (none when warn is zero or negative). A window that is already closed
// when first listed gets only "window closed". The list is soonest first
// (ties by key); Remaining is measured from now.
//
// A notice stays listed until it is marked dealt with, so one that failed
// to go out is listed again; two callers asking at once may both get it,
// so a host running several of them claims each notice somewhere shared.
// Its cost grows with the notices listed, not with the windows held.
func (t *Tracker) Notices(now time.Time, warn time.Duration) []Notice {
	var out []Notice
	add := func(e *entry, closed bool) {
		out = append(out, Notice{Tracked: Tracked{Key: e.key, Expiry: Expiry{Window: e.w, ExpiresAt: e.closes, Remaining: e.closes.Sub(now)}}, Closed: closed})
	}
	t.mu.Lock()
	t.idx[toClose].visit(now, func(e *entry) { add(e, true) })
	if warn > 0 {
		t.idx[toWarn].visit(now.Add(warn), func(e *entry) {
			if e.closes.After(now) {
				add(e, false)
			}
		})
	}
	t.mu.Unlock()
	slices.SortFunc(out, func(a, b Notice) int { return soonestFirst(a.Tracked, b.Tracked) })
	return out
}

// Noticed marks the notice of k's window closing at closes as dealt with —
// "window closed" when closed, otherwise "window expiring" — so that
// [Tracker.Notices] no longer lists it; "window closed" covers both. It
// does nothing when k's window no longer closes at closes (the contact
// wrote since: that is a new window) or is no longer tracked. It reports
// whether this call made the mark, so that of several callers racing to
// announce one notice exactly one does.
func (t *Tracker) Noticed(k Key, closes time.Time, closed bool) bool {
	s := warned
	if closed {
		s = closedOut
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if e := t.find(k); e != nil && !e.closes.IsZero() && e.closes.Equal(closes) && e.announced < s {
		e.announced = s
		t.reindex(e)
		return true
	}
	return false
}

// Forget drops every window of contact, with any business, and returns
// how many it dropped: erasure on request (the right to be forgotten) leaves
// no trace of when the contact last wrote. A later message opens a fresh
// window as for a new contact.
func (t *Tracker) Forget(contact channel.Address) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, e := range slices.Clone(t.windows[contact.ID]) {
		if e.key.Contact == contact {
			t.drop(e)
			n++
		}
	}
	return n
}

// drop removes e from the tracker and its indexes. The caller holds t.mu.
func (t *Tracker) drop(e *entry) {
	id := e.key.Contact.ID
	kept := slices.DeleteFunc(t.windows[id], func(o *entry) bool { return o == e })
	if len(kept) == 0 {
		delete(t.windows, id)
	} else {
		t.windows[id] = kept
	}
	for i := range t.idx {
		if e.pos[i] >= 0 {
			t.idx[i].remove(e)
		}
	}
	t.n--
}

// Prune forgets the windows whose every limit ended at or before cutoff:
// the window itself and, on Messenger and Instagram, the 7-day HUMAN_AGENT
// tag (windowless channels are never forgotten; they are always open) and
// returns how many it forgot.
//
// Forgetting is not free: a forgotten pair reads as one that never wrote.
// Its [Composer] says NeverOpened instead of TemplateOnly (or WindowClosed)
// since the window closed, and a refusal's ClosedAt is zero. Sending rules
// are unchanged — both are closed — but an agent no longer sees when. So
// pass the host's retention, not now: Prune(now.Add(-30*24*time.Hour))
// keeps what closed in the last 30 days; Prune(now) forgets as soon as
// nothing but a template may be sent. A window with a LastInbound after
// cutoff is kept.
func (t *Tracker) Prune(cutoff time.Time) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for e := t.idx[byForget].min(); e != nil && t.policies.over(e.w, cutoff); e = t.idx[byForget].min() {
		t.drop(e)
		n++
	}
	return n
}

// Len returns how many windows the tracker holds.
func (t *Tracker) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.n
}

// ErrInvalidKey means a [Key] whose addresses are not of one valid channel
// kind. Check it with errors.Is.
var ErrInvalidKey = errors.New("session: invalid window key")

func checkKey(k Key) error {
	if !k.Contact.Kind.Valid() || k.Business.Kind != k.Contact.Kind {
		return fmt.Errorf("%w: business %q and contact %q must share one valid kind", ErrInvalidKey, k.Business, k.Contact)
	}
	return nil
}

func compareAddress(a, b channel.Address) int {
	if a.Kind != b.Kind {
		return int(a.Kind) - int(b.Kind)
	}
	switch {
	case a.ID < b.ID:
		return -1
	case a.ID > b.ID:
		return 1
	}
	return 0
}

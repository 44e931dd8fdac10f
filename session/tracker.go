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
// The zero Tracker is not usable; call [NewTracker].
type Tracker struct {
	policies Policies

	// mu guards windows and n. A plain mutex: most calls hold it for one
	// lookup, too short for a reader-writer lock to pay off.
	mu sync.Mutex
	// windows holds the windows by the contact's ID, each with its key; a
	// contact writes to one business address or a few, so the slice is
	// short. Keyed by ID, not by Key, to keep Touch's lookup cheap.
	windows map[string][]pair
	n       int // windows held
}

// pair is one tracked window with its key.
type pair struct {
	key Key
	w   Window
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
	return &Tracker{policies: own, windows: make(map[string][]pair)}
}

// Touch records an inbound message or call on k at inboundAt and returns the
// window after it. The channel is the contact's kind; the two addresses
// must be of the same valid kind, otherwise Touch returns [ErrInvalidKey]
// and records nothing. Out-of-order events never move a window back.
func (t *Tracker) Touch(k Key, inboundAt time.Time) (Window, error) {
	if err := checkKey(k); err != nil {
		return Window{}, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	ws := t.windows[k.Contact.ID]
	for i := range ws {
		if ws[i].key == k {
			w := &ws[i].w
			*w = w.Touch(inboundAt)
			return *w, nil
		}
	}
	w := Window{Channel: k.Contact.Kind}.Touch(inboundAt)
	t.windows[k.Contact.ID] = append(ws, pair{key: k, w: w})
	t.n++
	return w, nil
}

// Window returns the window of k; a pair never touched gets a window with a
// zero LastInbound (closed on windowed channels) and ok false.
func (t *Tracker) Window(k Key) (w Window, ok bool) {
	t.mu.Lock()
	for _, p := range t.windows[k.Contact.ID] {
		if p.key == k {
			w, ok = p.w, true
			break
		}
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
func (t *Tracker) Expiring(now time.Time, d time.Duration) []Tracked {
	t.mu.Lock()
	keys := make([]Key, 0, t.n)
	ws := make([]Window, 0, t.n)
	for _, ps := range t.windows {
		for _, p := range ps {
			keys = append(keys, p.key)
			ws = append(ws, p.w)
		}
	}
	t.mu.Unlock()
	es := t.policies.Expiring(ws, now, d)
	out := make([]Tracked, len(es))
	for i, e := range es {
		out[i] = Tracked{Key: keys[e.Index], Expiry: e}
	}
	slices.SortFunc(out, soonestFirst)
	return out
}

// soonestFirst orders tracked windows by when they close, ties by key (not
// by the map's order), so that answers are stable.
func soonestFirst(a, b Tracked) int {
	if c := a.ExpiresAt.Compare(b.ExpiresAt); c != 0 {
		return c
	}
	if c := compareAddress(a.Key.Business, b.Key.Business); c != 0 {
		return c
	}
	return compareAddress(a.Key.Contact, b.Key.Contact)
}

// Due lists the tracked windows on windowed channels that close at or
// before until, open or already closed, soonest first (ties by key). A
// host that publishes "window expiring" and "window closed" notices asks
// for Due(now+warning): those closing after now are expiring, the others
// have closed. Expiry.Index is meaningless here; Remaining is measured
// from until and is zero or negative for a window closing exactly then or
// before.
func (t *Tracker) Due(until time.Time) []Tracked {
	var out []Tracked
	t.mu.Lock()
	for _, ps := range t.windows {
		for _, p := range ps {
			w := p.w
			if !w.Channel.Valid() || !t.policies.For(w.Channel).Windowed() || w.LastInbound.IsZero() {
				continue
			}
			at := t.policies.ExpiresAt(w)
			if at.After(until) {
				continue
			}
			out = append(out, Tracked{Key: p.key, Expiry: Expiry{Window: w, ExpiresAt: at, Remaining: at.Sub(until)}})
		}
	}
	t.mu.Unlock()
	slices.SortFunc(out, soonestFirst)
	return out
}

// Forget drops every window of contact, with any business, and returns
// how many it dropped: erasure on request (the right to be forgotten) leaves
// no trace of when the contact last wrote. A later message opens a fresh
// window as for a new contact.
func (t *Tracker) Forget(contact channel.Address) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.drop(contact.ID, func(p pair) bool { return p.key.Contact == contact })
}

// drop removes the windows of contact ID id that gone reports, and
// returns how many. The caller holds t.mu.
func (t *Tracker) drop(id string, gone func(pair) bool) int {
	ps := t.windows[id]
	before := len(ps)
	kept := slices.DeleteFunc(ps, gone)
	n := before - len(kept)
	switch {
	case n == 0:
		return 0
	case len(kept) == 0:
		delete(t.windows, id)
	default:
		t.windows[id] = kept
	}
	t.n -= n
	return n
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
	over := func(p pair) bool { return t.policies.over(p.w, cutoff) }
	n := 0
	for id := range t.windows {
		n += t.drop(id, over)
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

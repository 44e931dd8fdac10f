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
// keeps one window per (business number, contact) (DESIGN.md §3.2).
type Key struct {
	Business channel.Address
	Contact  channel.Address
}

// Tracked is one window a [Tracker] holds, with its key.
type Tracked struct {
	Key Key
	Expiry
}

// Tracker keeps the windows of many (business, contact) pairs in memory. It
// is safe for concurrent use by multiple goroutines. Hosts that store windows
// with their conversations need not use it: a [Window] value is enough.
//
// The zero Tracker is not usable; call [NewTracker].
type Tracker struct {
	policies Policies

	mu      sync.RWMutex
	windows map[Key]Window
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
	return &Tracker{policies: own, windows: make(map[Key]Window)}
}

// Touch records an inbound message or call on k at inboundAt and returns the
// window after it. The channel is the contact's kind; the two addresses
// must be of the same valid kind, otherwise Touch returns [ErrInvalidKey]
// and records nothing. Out-of-order events never move a window back (§3.2).
func (t *Tracker) Touch(k Key, inboundAt time.Time) (Window, error) {
	if err := checkKey(k); err != nil {
		return Window{}, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	w, ok := t.windows[k]
	if !ok {
		w = Window{Channel: k.Contact.Kind}
	}
	w = w.Touch(inboundAt)
	t.windows[k] = w
	return w, nil
}

// Window returns the window of k; a pair never touched gets a window with a
// zero LastInbound (closed on windowed channels) and ok false.
func (t *Tracker) Window(k Key) (w Window, ok bool) {
	t.mu.RLock()
	w, ok = t.windows[k]
	t.mu.RUnlock()
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
	t.mu.RLock()
	keys := make([]Key, 0, len(t.windows))
	ws := make([]Window, 0, len(t.windows))
	for k, w := range t.windows {
		keys = append(keys, k)
		ws = append(ws, w)
	}
	t.mu.RUnlock()
	es := t.policies.Expiring(ws, now, d)
	out := make([]Tracked, len(es))
	for i, e := range es {
		out[i] = Tracked{Key: keys[e.Index], Expiry: e}
	}
	// Ties on ExpiresAt come from map order; sort them by key for a stable
	// answer.
	slices.SortStableFunc(out, func(a, b Tracked) int {
		if c := a.ExpiresAt.Compare(b.ExpiresAt); c != 0 {
			return c
		}
		if c := compareAddress(a.Key.Business, b.Key.Business); c != 0 {
			return c
		}
		return compareAddress(a.Key.Contact, b.Key.Contact)
	})
	return out
}

// Prune forgets the windows that can no longer send anything but a template
// at now (past the window and any HUMAN_AGENT limit) and returns how many it
// forgot. Forgetting loses nothing: an unknown pair reads as closed, exactly
// as a long-closed window does.
func (t *Tracker) Prune(now time.Time) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for k, w := range t.windows {
		if t.policies.Open(w, now) || !t.policies.humanAgentUntil(w, now).IsZero() {
			continue
		}
		delete(t.windows, k)
		n++
	}
	return n
}

// Len returns how many windows the tracker holds.
func (t *Tracker) Len() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return len(t.windows)
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

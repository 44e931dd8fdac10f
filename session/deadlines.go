package session

import "time"

// The indexes a Tracker keeps its windows in, each a min-heap by instant,
// so that what falls due is found without looking at what does not.
const (
	byCloses = iota // every window with a closing instant: Due, Expiring
	toWarn          // windows not yet announced as expiring
	toClose         // windows not yet announced as closed
	byForget        // windows on windowed channels, by when Prune may forget them
	indexes
)

// entry is one tracked window, with where it sits in each index.
type entry struct {
	key Key
	w   Window
	// closes is when the window closes, zero when the contact has never
	// written; forget is when every limit has ended (Prune).
	closes, forget time.Time
	windowed       bool
	// announced is how far the window's notices have gone (Noticed).
	announced stage
	pos       [indexes]int       // position in each index, -1 when absent
	keys      [indexes]time.Time // the instant each index orders e by
}

// stage is what has been announced of one window.
type stage uint8

const (
	unannounced stage = iota
	warned            // "window expiring" dealt with
	closedOut         // "window closed" dealt with
)

// in reports whether e belongs in index i.
func (e *entry) in(i int) bool {
	switch i {
	case byCloses:
		return !e.closes.IsZero()
	case toWarn:
		return !e.closes.IsZero() && e.announced < warned
	case toClose:
		return !e.closes.IsZero() && e.announced < closedOut
	}
	return e.windowed
}

// instant is e's key in index i.
func (e *entry) instant(i int) time.Time {
	if i == byForget {
		return e.forget
	}
	return e.closes
}

// deadlines is one index: a binary min-heap of entries by instant, each
// entry knowing its position so that it can be moved or removed in
// O(log n).
//
// An entry is ordered by its key, which is never after its instant: an
// instant that moves later (a contact writing again pushes the window's
// closing out, on nearly every message) leaves the key where it was,
// still a lower bound, and the entry is moved only when it comes up
// (min, visit). So a message costs no heap work; see BenchmarkReceive.
type deadlines struct {
	idx int
	es  []*entry
}

func (h *deadlines) less(i, j int) bool {
	return h.es[i].keys[h.idx].Before(h.es[j].keys[h.idx])
}

func (h *deadlines) swap(i, j int) {
	h.es[i], h.es[j] = h.es[j], h.es[i]
	h.es[i].pos[h.idx] = i
	h.es[j].pos[h.idx] = j
}

func (h *deadlines) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !h.less(i, p) {
			return
		}
		h.swap(i, p)
		i = p
	}
}

func (h *deadlines) down(i int) bool {
	start := i
	for {
		c := 2*i + 1
		if c >= len(h.es) {
			break
		}
		if r := c + 1; r < len(h.es) && h.less(r, c) {
			c = r
		}
		if !h.less(c, i) {
			break
		}
		h.swap(i, c)
		i = c
	}
	return i > start
}

func (h *deadlines) push(e *entry) {
	e.keys[h.idx] = e.instant(h.idx)
	e.pos[h.idx] = len(h.es)
	h.es = append(h.es, e)
	h.up(len(h.es) - 1)
}

// fix restores the order after e's instant changed: at once when it moved
// earlier; when it moved later, once e comes up (rekey).
func (h *deadlines) fix(e *entry) {
	if at := e.instant(h.idx); at.Before(e.keys[h.idx]) {
		e.keys[h.idx] = at
		h.up(e.pos[h.idx])
	}
}

// rekey gives e its instant as key, which is no earlier than its key, and
// moves it down to where that belongs.
func (h *deadlines) rekey(e *entry) {
	e.keys[h.idx] = e.instant(h.idx)
	h.down(e.pos[h.idx])
}

// reorder moves the entry at i to where its key belongs.
func (h *deadlines) reorder(i int) {
	if !h.down(i) {
		h.up(i)
	}
}

func (h *deadlines) remove(e *entry) {
	i, last := e.pos[h.idx], len(h.es)-1
	if i != last {
		h.swap(i, last)
	}
	h.es[last] = nil
	h.es = h.es[:last]
	e.pos[h.idx] = -1
	if i != last {
		h.reorder(i)
	}
}

// min returns the entry with the earliest instant, nil when empty. The top
// entry's key is no later than any instant, so once the top's key is its
// instant, it is the earliest.
func (h *deadlines) min() *entry {
	for len(h.es) > 0 {
		e := h.es[0]
		if !e.instant(h.idx).After(e.keys[h.idx]) {
			return e
		}
		h.rekey(e)
	}
	return nil
}

// visit calls fn for every entry whose instant is at or before until, in
// no particular order. It looks at those entries, at entries whose key is
// due but whose instant has moved past until (moved to their place after),
// and at most two more each, never at the rest: a heap's subtree starts
// with its earliest key.
func (h *deadlines) visit(until time.Time, fn func(*entry)) {
	var stale []*entry
	h.walk(0, until, fn, &stale)
	for _, e := range stale {
		h.rekey(e)
	}
}

func (h *deadlines) walk(i int, until time.Time, fn func(*entry), stale *[]*entry) {
	if i >= len(h.es) || h.es[i].keys[h.idx].After(until) {
		return
	}
	if e := h.es[i]; e.instant(h.idx).After(until) {
		*stale = append(*stale, e)
	} else {
		fn(e)
	}
	h.walk(2*i+1, until, fn, stale)
	h.walk(2*i+2, until, fn, stale)
}

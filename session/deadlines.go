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
	pos       [indexes]int // position in each index, -1 when absent
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
type deadlines struct {
	idx int
	es  []*entry
}

func (h *deadlines) less(i, j int) bool {
	return h.es[i].instant(h.idx).Before(h.es[j].instant(h.idx))
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
	e.pos[h.idx] = len(h.es)
	h.es = append(h.es, e)
	h.up(len(h.es) - 1)
}

// fix restores the order after e's instant changed.
func (h *deadlines) fix(e *entry) {
	if i := e.pos[h.idx]; !h.down(i) {
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
		h.fix(h.es[i])
	}
}

// min returns the entry with the earliest instant, nil when empty.
func (h *deadlines) min() *entry {
	if len(h.es) == 0 {
		return nil
	}
	return h.es[0]
}

// visit calls fn for every entry whose instant is at or before until, in
// no particular order. It looks at those entries and at most two more
// each, never at the rest: a heap's subtree starts with its earliest.
func (h *deadlines) visit(until time.Time, fn func(*entry)) {
	h.walk(0, until, fn)
}

func (h *deadlines) walk(i int, until time.Time, fn func(*entry)) {
	if i >= len(h.es) || h.es[i].instant(h.idx).After(until) {
		return
	}
	fn(h.es[i])
	h.walk(2*i+1, until, fn)
	h.walk(2*i+2, until, fn)
}

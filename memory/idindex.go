package memory

import (
	"encoding/binary"

	"github.com/parleyhq/parley/conversation"
)

// idIndex finds messages by ID. Message IDs are UUIDv7s (DESIGN.md §1):
// from one generator each is greater than the last, so nearly every new ID
// sorts after every ID stored. The index keeps them in a sorted slice, where
// such an ID is appended without hashing it or touching a random cache line
// (a hash map's insert costs a cache miss per message, and its growth more).
// An ID a little out of order (several desks' generators interleaving) is
// inserted near the end; one far out of order (an ID derived from an older
// one, an imported message) goes to a map. Lookups search back from the
// newest, where the IDs a desk asks for (the message it just sent) are.
type idIndex struct {
	// chunks hold the sorted entries, idChunk at a time, so that growing
	// never copies them; a removed entry keeps its place with ref 0.
	chunks [][]idEntry
	n      int // entries in chunks
	others map[conversation.ID]msgRef
}

const idChunkBits = 10

const idChunk = 1 << idChunkBits

// at returns the i-th entry in ID order.
func (x *idIndex) at(i int) *idEntry {
	return &x.chunks[i>>idChunkBits][i&(idChunk-1)]
}

// push adds a zero entry at the end and returns it.
func (x *idIndex) push() *idEntry {
	if x.n>>idChunkBits == len(x.chunks) {
		x.chunks = append(x.chunks, make([]idEntry, idChunk))
	}
	x.n++
	return x.at(x.n - 1)
}

// idEntry is one ID of the sorted slice: the ID as two big-endian words,
// so comparing is two integer comparisons.
type idEntry struct {
	hi, lo uint64
	ref    msgRef
}

// maxShift is how far from the end an ID may sort and still be inserted
// into the slice; beyond it the ID goes to the map.
const maxShift = 64

func idKey(id conversation.ID) (hi, lo uint64) {
	return binary.BigEndian.Uint64(id[:8]), binary.BigEndian.Uint64(id[8:])
}

func (e *idEntry) less(hi, lo uint64) bool { return e.hi < hi || e.hi == hi && e.lo < lo }

// search returns the position of the first entry not less than (hi, lo),
// galloping back from the end: O(log d) for an ID d entries from the end.
func (x *idIndex) search(hi, lo uint64) int {
	n := x.n
	// Find a bound below the position: an entry less than the key.
	top, step := n, 1
	bottom := n - step
	for bottom >= 0 && !x.at(bottom).less(hi, lo) {
		top = bottom
		step *= 2
		bottom = n - step
	}
	bottom = max(bottom+1, 0)
	// Binary search in [bottom, top): entries before bottom are less.
	for bottom < top {
		mid := int(uint(bottom+top) >> 1)
		if x.at(mid).less(hi, lo) {
			bottom = mid + 1
		} else {
			top = mid
		}
	}
	return bottom
}

// find returns the message of id, or 0.
func (x *idIndex) find(id conversation.ID) msgRef {
	hi, lo := idKey(id)
	n := x.n
	if n == 0 || x.at(n-1).less(hi, lo) {
		// After every ID in the slice, so also after every ID in the map:
		// each went there sorting before the slice's end at the time.
		return 0
	}
	// A removed ID's entry has ref 0; the ID may have come back since, in
	// the map.
	if i := x.search(hi, lo); i < n {
		if e := x.at(i); e.hi == hi && e.lo == lo && e.ref != 0 {
			return e.ref
		}
	}
	return x.others[id]
}

// add records id as ref's; id must not be in the index.
func (x *idIndex) add(id conversation.ID, ref msgRef) {
	hi, lo := idKey(id)
	n := x.n
	if n == 0 || x.at(n-1).less(hi, lo) {
		*x.push() = idEntry{hi: hi, lo: lo, ref: ref}
		return
	}
	i := x.search(hi, lo)
	if n-i > maxShift {
		if x.others == nil {
			x.others = make(map[conversation.ID]msgRef)
		}
		x.others[id] = ref
		return
	}
	x.push()
	for j := n; j > i; j-- {
		*x.at(j) = *x.at(j - 1)
	}
	*x.at(i) = idEntry{hi: hi, lo: lo, ref: ref}
}

// remove forgets id.
func (x *idIndex) remove(id conversation.ID) {
	hi, lo := idKey(id)
	if i := x.search(hi, lo); i < x.n {
		if e := x.at(i); e.hi == hi && e.lo == lo && e.ref != 0 {
			e.ref = 0
			return
		}
	}
	delete(x.others, id)
}

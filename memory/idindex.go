package memory

import (
	"encoding/binary"

	"github.com/parleyhq/parley/conversation"
)

// idIndex finds messages by ID. Message IDs are UUIDv7s, which sort by
// creation time, so nearly every new ID sorts after every ID stored: the
// index keeps record references in a sorted slice, where such an ID is an
// append. An ID a little out of order (several desks' generators
// interleaving) is inserted near the end; one far out of order (an
// imported message) goes to a map. Lookups search back from the newest end,
// where the IDs a desk asks for (the message it just sent) are.
//
// The slice holds references only and reads the IDs from the records. An
// erased record keeps its ID, marked flagErased, so the slice stays
// sorted; the ID added again takes the erased one's place.
// Chosen over a map for the cost of each append: see BenchmarkAppendMessage.
type idIndex struct {
	// chunks hold the sorted references, idChunk at a time, so that
	// growing never copies them.
	chunks [][]msgRef
	n      int // entries in chunks
	others map[conversation.ID]msgRef
}

const idChunkBits = 12

const idChunk = 1 << idChunkBits

// at returns the i-th entry in ID order.
func (x *idIndex) at(i int) *msgRef {
	return &x.chunks[i>>idChunkBits][i&(idChunk-1)]
}

// push adds a zero entry at the end and returns it.
func (x *idIndex) push() *msgRef {
	if x.n>>idChunkBits == len(x.chunks) {
		x.chunks = append(x.chunks, make([]msgRef, idChunk))
	}
	x.n++
	return x.at(x.n - 1)
}

// maxShift is how far from the end an ID may sort and still be inserted
// into the slice; beyond it the ID goes to the map.
const maxShift = 64

// idKey is id as two big-endian words, so comparing is two integer
// comparisons.
func idKey(id *conversation.ID) (hi, lo uint64) {
	return binary.BigEndian.Uint64(id[:8]), binary.BigEndian.Uint64(id[8:])
}

// less reports whether the ID of the i-th entry sorts before (hi, lo).
func (x *idIndex) less(recs *msgSlabs, i int, hi, lo uint64) bool {
	h, l := idKey(&recs.at(*x.at(i)).id)
	return h < hi || h == hi && l < lo
}

// search returns the position of the first entry not less than (hi, lo),
// galloping back from the end: O(log d) for an ID d entries from the end.
func (x *idIndex) search(recs *msgSlabs, hi, lo uint64) int {
	n := x.n
	// Find a bound below the position: an entry less than the key.
	top, step := n, 1
	bottom := n - step
	for bottom >= 0 && !x.less(recs, bottom, hi, lo) {
		top = bottom
		step *= 2
		bottom = n - step
	}
	bottom = max(bottom+1, 0)
	// Binary search in [bottom, top): entries before bottom are less.
	for bottom < top {
		mid := int(uint(bottom+top) >> 1)
		if x.less(recs, mid, hi, lo) {
			bottom = mid + 1
		} else {
			top = mid
		}
	}
	return bottom
}

// find returns the message of id, or 0.
func (x *idIndex) find(recs *msgSlabs, id conversation.ID) msgRef {
	hi, lo := idKey(&id)
	n := x.n
	if n == 0 || x.less(recs, n-1, hi, lo) {
		// After every ID in the slice, so also after every ID in the map:
		// each went there sorting before the slice's end at the time.
		return 0
	}
	// An erased ID's entry stays, marked in its record; the ID may have
	// come back since, in the map.
	if i := x.search(recs, hi, lo); i < n {
		if ref := *x.at(i); live(recs.at(ref), id) {
			return ref
		}
	}
	return x.others[id]
}

// live reports whether r is the record of id and not erased.
func live(r *msgRecord, id conversation.ID) bool {
	return r.id == id && r.flags&flagErased == 0
}

// add records id as ref's, whose record already holds id; id must not be
// in the index.
func (x *idIndex) add(recs *msgSlabs, id conversation.ID, ref msgRef) {
	hi, lo := idKey(&id)
	n := x.n
	if n == 0 || x.less(recs, n-1, hi, lo) {
		*x.push() = ref
		return
	}
	i := x.search(recs, hi, lo)
	if i < n && recs.at(*x.at(i)).id == id {
		*x.at(i) = ref // the ID was erased and comes back: its place is free
		return
	}
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
	*x.at(i) = ref
}

// remove forgets ref's message, whose record the caller then marks erased
// (flagErased, keeping its ID): an entry in the slice stays and reads as
// absent, one in the map goes.
func (x *idIndex) remove(id conversation.ID, ref msgRef) {
	if x.others[id] == ref {
		delete(x.others, id)
	}
}

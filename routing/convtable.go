package routing

import "hash/maphash"

// convTable holds the router's conversations by ID: open addressing with
// linear probing and backward-shift deletion, so no tombstones pile up as
// conversations come and go.
//
// It replaces a Go map on the decision path because a map costs two hashed
// operations where the router needs one: Enqueue checks for a duplicate
// and then inserts at the slot the check found, and Release deletes at the
// slot its lookup found (DESIGN.md §6). The seed is random per table, as a
// Go map's, so conversation IDs chosen by outsiders cannot force long
// probes.
type convTable struct {
	seed  maphash.Seed
	slots []convSlot // a power of two long; at most half full
	n     int
}

// convSlot is one slot; st is nil when the slot is empty. The hash is
// kept to compare before the ID and to rehash without rereading records.
type convSlot struct {
	hash uint64
	st   *itemState
}

func newConvTable() convTable {
	return convTable{seed: maphash.MakeSeed(), slots: make([]convSlot, 16)}
}

// find returns the record for id, or nil with the empty slot where id
// would go; h is id's hash, for put.
func (t *convTable) find(id string) (st *itemState, h uint64, i int) {
	h = maphash.String(t.seed, id)
	mask := len(t.slots) - 1
	for i = int(h) & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.st == nil || s.hash == h && s.st.item.ConversationID == id {
			return s.st, h, i
		}
	}
}

// get returns the record for id, or nil.
func (t *convTable) get(id string) *itemState {
	st, _, _ := t.find(id)
	return st
}

// put stores st in empty slot i that find returned for its ID with hash h;
// nothing may have changed the table in between.
func (t *convTable) put(h uint64, i int, st *itemState) {
	t.slots[i] = convSlot{hash: h, st: st}
	t.n++
	if 2*t.n > len(t.slots) {
		t.grow()
	}
}

func (t *convTable) grow() {
	old := t.slots
	t.slots = make([]convSlot, 2*len(old))
	mask := len(t.slots) - 1
	for _, s := range old {
		if s.st == nil {
			continue
		}
		i := int(s.hash) & mask
		for t.slots[i].st != nil {
			i = (i + 1) & mask
		}
		t.slots[i] = s
	}
}

// remove forgets id, if held.
func (t *convTable) remove(id string) {
	if st, _, i := t.find(id); st != nil {
		t.removeAt(i)
	}
}

// removeAt empties full slot i, then moves back every later entry of the
// same probe run that may no longer be reached past the gap.
func (t *convTable) removeAt(i int) {
	mask := len(t.slots) - 1
	for j := (i + 1) & mask; t.slots[j].st != nil; j = (j + 1) & mask {
		home := int(t.slots[j].hash) & mask
		// The entry at j stays when its home lies cyclically in (i, j]:
		// its probe from home still reaches it without passing i.
		if i <= j && i < home && home <= j || i > j && (i < home || home <= j) {
			continue
		}
		t.slots[i] = t.slots[j]
		i = j
	}
	t.slots[i] = convSlot{}
	t.n--
}

package routing

import "hash/maphash"

// convTable holds the router's conversations by ID: open addressing with
// linear probing and backward-shift deletion, so no tombstones pile up as
// conversations come and go.
//
// Unlike a Go map it hashes an ID once: Enqueue inserts at the slot its
// duplicate check found, and Release deletes at the slot its lookup found
// (see BenchmarkDecision). The seed is random per table, as a Go map's, so
// conversation IDs chosen by outsiders cannot force long probes.
//
// Each slot also has a one-byte tag, in an array of its own, so probing
// reads the slots only where a tag matches.
type convTable struct {
	seed  maphash.Seed
	tags  []uint8    // by slot: 0 when empty, else tagOf the slot's hash
	slots []convSlot // as long as tags, a power of two; at most half full
	n     int
}

// convSlot is one full slot's entry. The hash is kept to compare before
// the ID and to rehash without rereading records.
type convSlot struct {
	hash uint64
	st   *itemState
}

// tagOf is a full slot's tag: seven bits of the hash the slot index does
// not use (they come from the top), plus one so that no tag is 0. A probe
// passes a full slot of another ID with a different tag 127 times in 128.
func tagOf(h uint64) uint8 { return uint8(h>>57) + 1 }

func newConvTable() convTable {
	return convTable{seed: maphash.MakeSeed(), tags: make([]uint8, 16), slots: make([]convSlot, 16)}
}

// find returns the record for id, or nil with the empty slot where id
// would go; h is id's hash, for put.
func (t *convTable) find(id string) (st *itemState, h uint64, i int) {
	h = maphash.String(t.seed, id)
	tag := tagOf(h)
	tags, slots := t.tags, t.slots
	mask := len(tags) - 1
	for i = int(h) & mask; ; i = (i + 1) & mask {
		switch tags[i] {
		case 0:
			return nil, h, i
		case tag:
			if s := &slots[i]; s.hash == h && s.st.item.ConversationID == id {
				return s.st, h, i
			}
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
	t.tags[i], t.slots[i] = tagOf(h), convSlot{hash: h, st: st}
	t.n++
	if 2*t.n > len(t.slots) {
		t.grow()
	}
}

func (t *convTable) grow() {
	oldTags, old := t.tags, t.slots
	t.tags, t.slots = make([]uint8, 2*len(old)), make([]convSlot, 2*len(old))
	mask := len(t.slots) - 1
	for j, s := range old {
		if oldTags[j] == 0 {
			continue
		}
		i := int(s.hash) & mask
		for t.tags[i] != 0 {
			i = (i + 1) & mask
		}
		t.tags[i], t.slots[i] = oldTags[j], s
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
	for j := (i + 1) & mask; t.tags[j] != 0; j = (j + 1) & mask {
		home := int(t.slots[j].hash) & mask
		// The entry at j stays when its home lies cyclically in (i, j]:
		// its probe from home still reaches it without passing i.
		if i <= j && i < home && home <= j || i > j && (i < home || home <= j) {
			continue
		}
		t.tags[i], t.slots[i] = t.tags[j], t.slots[j]
		i = j
	}
	t.tags[i], t.slots[i] = 0, convSlot{}
	t.n--
}

package memory

// providerIndex finds a touchpoint's messages by provider key: inbound
// messages are idempotent on (touchpoint, sender, provider ID), and
// delivery callbacks name outbound messages by (touchpoint, provider ID).
// Inbound messages enter it on append, outbound ones when UpdateDelivery
// records the transport's ID.
//
// It is a hash table with open addressing and linear probing, kept in two
// parallel arrays: a one-byte tag per slot, and the slots themselves (the
// key's 32-bit hash and its record). A lookup of a new key, the common
// case, reads tags only until it meets an empty one. Two keys with one
// hash take two slots of the same probe run, so both are found; comparing
// the keys decides. Deleting shifts later entries of the run back, so no tombstones
// pile up as contacts are erased.
// Chosen over a Go map for the cost of each lookup: see
// BenchmarkMessageByProvider.
type providerIndex struct {
	tags  []uint8        // by slot: 0 when empty, else providerTag of the slot's hash
	slots []providerSlot // as long as tags, a power of two, at most 7/8 full
	n     int            // full slots
}

// providerSlot is one full slot: the provider key's hash, to compare before
// the key and to move the entry without rereading its record, and the
// record.
type providerSlot struct {
	h   uint32
	ref msgRef
}

// providerTag is a full slot's tag: the hash's top seven bits, which a slot
// index uses only in tables of over 2²⁵ slots, plus one so that no tag is
// 0. A probe passes a slot holding another key 127 times in 128 on the tag
// alone.
func providerTag(h uint32) uint8 { return uint8(h>>25) + 1 }

// minProviderSlots is the size of a touchpoint's first table.
const minProviderSlots = 16

func newProviderIndex() *providerIndex {
	return &providerIndex{tags: make([]uint8, minProviderSlots), slots: make([]providerSlot, minProviderSlots)}
}

// find returns the record whose provider key hashes to h and is the one
// sought, or 0. same reports whether ref's key is the one sought; it is
// called only on a slot whose hash is h.
func (ix *providerIndex) find(h uint32, same func(ref msgRef) bool) msgRef {
	tag, mask := providerTag(h), len(ix.tags)-1
	for i := int(h) & mask; ; i = (i + 1) & mask {
		switch ix.tags[i] {
		case 0:
			return 0
		case tag:
			if sl := &ix.slots[i]; sl.h == h && same(sl.ref) {
				return sl.ref
			}
		}
	}
}

// add enters ref, whose provider key hashes to h; the caller has checked
// that the key is not in the index.
func (ix *providerIndex) add(h uint32, ref msgRef) {
	if 8*(ix.n+1) > 7*len(ix.slots) {
		ix.grow()
	}
	ix.put(h, ref)
	ix.n++
}

// put writes an entry into the first empty slot of its probe run.
func (ix *providerIndex) put(h uint32, ref msgRef) {
	mask := len(ix.tags) - 1
	i := int(h) & mask
	for ix.tags[i] != 0 {
		i = (i + 1) & mask
	}
	ix.tags[i], ix.slots[i] = providerTag(h), providerSlot{h: h, ref: ref}
}

// grow doubles the table, moving every entry by its kept hash.
func (ix *providerIndex) grow() {
	tags, slots := ix.tags, ix.slots
	ix.tags, ix.slots = make([]uint8, 2*len(tags)), make([]providerSlot, 2*len(slots))
	for i, tag := range tags {
		if tag != 0 {
			ix.put(slots[i].h, slots[i].ref)
		}
	}
}

// remove takes out ref, whose provider key hashes to h, if it is there.
func (ix *providerIndex) remove(h uint32, ref msgRef) {
	mask := len(ix.tags) - 1
	i := int(h) & mask
	for ; ix.tags[i] != 0; i = (i + 1) & mask {
		if ix.slots[i].ref == ref {
			ix.removeAt(i)
			return
		}
	}
}

// removeAt empties full slot i, then moves back every later entry of the
// same probe run that a probe from its home would no longer reach past
// the gap.
func (ix *providerIndex) removeAt(i int) {
	mask := len(ix.tags) - 1
	for j := (i + 1) & mask; ix.tags[j] != 0; j = (j + 1) & mask {
		home := int(ix.slots[j].h) & mask
		// The entry at j stays when its home lies cyclically in (i, j]:
		// its probe from home still reaches it without passing i.
		if i <= j && i < home && home <= j || i > j && (i < home || home <= j) {
			continue
		}
		ix.tags[i], ix.slots[i] = ix.tags[j], ix.slots[j]
		i = j
	}
	ix.tags[i], ix.slots[i] = 0, providerSlot{}
	ix.n--
}

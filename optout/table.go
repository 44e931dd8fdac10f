package optout

import "math/bits"

// mark is set on every byte the fast path packs, so that no packed byte is
// zero: a text of up to fastMax bytes then packs to words of its own, its
// length included, and a lookup compares the words alone.
const mark = 0x80

// pack appends the marked byte v to the text held in lo and hi, the last
// eight bytes in lo and the eight before in hi, the last byte lowest. Only
// texts of up to fastMax bytes pack apart; longer ones lose their first
// bytes.
func pack(lo, hi, v uint64) (uint64, uint64) {
	return lo<<8 | v, hi<<8 | lo>>56
}

// slot is one ASCII key of the fast path, packed, with its hit; the zero
// slot is empty (no packed text is zero, and its hit is none).
type slot struct {
	lo, hi uint64
	hit    hit
}

// table maps packed ASCII keys to their hits by multiplicative hashing:
// newTable searches for multipliers that give every key its own slot, so a
// lookup is two multiplies, one load and one compare. Keys the hash cannot
// separate (no multiplier was found within the size bounds) share a run of
// slots: probes says how many a lookup reads.
type table struct {
	slots  []slot
	m0, m1 uint64
	shift  uint8
	probes int
}

// Multiplier search bounds: tables grow from twice the key count (at least
// minSlots) to maxGrowth times it, trying tries multiplier pairs at each
// size before growing.
const (
	minSlots  = 8
	maxGrowth = 16
	tries     = 64
)

// newTable indexes the ASCII keys of es that fit fastMax.
func newTable(es []entry) table {
	var ks []slot
	for i, e := range es {
		if len(e.key) > fastMax || !isASCII(e.key) {
			continue
		}
		var lo, hi uint64
		for j := 0; j < len(e.key); j++ {
			lo, hi = pack(lo, hi, uint64(e.key[j])|mark)
		}
		ks = append(ks, slot{lo: lo, hi: hi, hit: newHit(i, e.kw.Action)})
	}
	// A fixed seed keeps a set's layout the same from run to run.
	rng := uint64(0x9e3779b97f4a7c15)
	var best table
	for size := max(minSlots, 2*len(ks)); ; size *= 2 {
		size = 1 << bits.Len(uint(size-1))
		for range tries {
			t := table{m0: splitmix(&rng) | 1, m1: splitmix(&rng) | 1, shift: uint8(64 - bits.TrailingZeros(uint(size)))}
			t.fill(ks, size)
			if best.slots == nil || t.probes < best.probes {
				best = t
			}
			if best.probes <= 1 {
				return best
			}
		}
		if size >= maxGrowth*len(ks) {
			return best
		}
	}
}

// fill places ks in size empty slots by linear probing and records the
// longest run a lookup must read.
func (t *table) fill(ks []slot, size int) {
	t.slots = make([]slot, size)
	t.probes = 1
	mask := uint64(size - 1)
	for _, k := range ks {
		h := t.hash(k.lo, k.hi)
		p := uint64(0)
		for t.slots[(h+p)&mask].hit != 0 {
			p++
		}
		t.slots[(h+p)&mask] = k
		t.probes = max(t.probes, int(p)+1)
	}
}

// hash returns the home slot of the key packed in lo, hi: the top bits of a
// multiply-add, which every input byte reaches.
func (t *table) hash(lo, hi uint64) uint64 {
	return (lo*t.m0 + hi*t.m1) >> (t.shift & 63)
}

// lookup returns the hit for the key packed in lo, hi (1 to fastMax
// bytes), or 0. matchTrimmed does the same with the home slot written
// out, which is the only slot to read when the search found multipliers
// that separate every key.
func (t *table) lookup(lo, hi uint64) hit {
	h := t.hash(lo, hi)
	if s := &t.slots[h&uint64(len(t.slots)-1)]; s.lo == lo && s.hi == hi {
		return s.hit
	}
	return t.probe(h, lo, hi)
}

// probe reads the slots after the home slot h, for lookup.
func (t *table) probe(h, lo, hi uint64) hit {
	for p := 1; p < t.probes; p++ {
		s := &t.slots[(h+uint64(p))&uint64(len(t.slots)-1)]
		if s.lo == lo && s.hi == hi {
			return s.hit
		}
	}
	return 0
}

// splitmix advances *x and returns the next SplitMix64 output, a cheap
// well-mixed sequence for the multiplier search.
func splitmix(x *uint64) uint64 {
	*x += 0x9e3779b97f4a7c15
	z := *x
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

package optout

import "math/bits"

// put sets byte i (i < fastMax) of the text packed in w0 (bytes 0–7) and w1
// (bytes 8–15).
func put(w0, w1 uint64, i int, c byte) (uint64, uint64) {
	if i < 8 {
		return w0 | uint64(c)<<(uint(i)*8), w1
	}
	return w0, w1 | uint64(c)<<(uint(i-8)*8)
}

// slot is one entry of the open-addressing table; n == 0 marks it empty.
type slot struct {
	w0, w1 uint64
	n      int
	idx    int
}

// table maps packed ASCII keys to entry indexes: a small open-addressing
// hash table, so the fast path looks a keyword up in a few nanoseconds
// without hashing a string.
type table struct {
	slots []slot
	shift uint
}

func hashPacked(w0, w1 uint64, n int) uint64 {
	return (w0*0x9e3779b97f4a7c15 ^ bits.RotateLeft64(w1*0xbf58476d1ce4e5b9, 29) ^ uint64(n)) * 0x94d049bb133111eb
}

// newTable indexes the ASCII keys of es that fit fastMax, at a load of at
// most one half.
func newTable(es []entry) table {
	size := 8
	for size < 2*len(es) {
		size *= 2
	}
	t := table{slots: make([]slot, size), shift: uint(64 - bits.TrailingZeros(uint(size)))}
	for i, e := range es {
		if len(e.key) > fastMax || !isASCII(e.key) {
			continue
		}
		var w0, w1 uint64
		for j := 0; j < len(e.key); j++ {
			w0, w1 = put(w0, w1, j, e.key[j])
		}
		h := hashPacked(w0, w1, len(e.key)) >> t.shift
		for t.slots[h].n != 0 {
			h = (h + 1) & uint64(size-1)
		}
		t.slots[h] = slot{w0: w0, w1: w1, n: len(e.key), idx: i}
	}
	return t
}

// lookup returns the entry index of the key packed in w0, w1 with length n,
// or -1.
func (t *table) lookup(w0, w1 uint64, n int) int {
	mask := uint64(len(t.slots) - 1)
	for h := hashPacked(w0, w1, n) >> t.shift; ; h = (h + 1) & mask {
		s := &t.slots[h]
		if s.n == n && s.w0 == w0 && s.w1 == w1 {
			return s.idx
		}
		if s.n == 0 {
			return -1
		}
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

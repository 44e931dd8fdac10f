package optout

// put sets byte i (i < fastMax) of the text packed in w0 (bytes 0–7) and w1
// (bytes 8–15).
func put(w0, w1 uint64, i int, c byte) (uint64, uint64) {
	if i < 8 {
		return w0 | uint64(c)<<(uint(i)*8), w1
	}
	return w0, w1 | uint64(c)<<(uint(i-8)*8)
}

// slot is one ASCII key of the fast path, packed.
type slot struct {
	w0, w1 uint64
	idx    int
}

// table maps packed ASCII keys to entry indexes, bucketed by length: a
// lookup compares the words of the few keys of that length (four at most in
// the default set), with no hash on the critical path.
type table struct {
	byLen [32][]slot
}

// newTable indexes the ASCII keys of es that fit fastMax.
func newTable(es []entry) table {
	var t table
	for i, e := range es {
		if len(e.key) > fastMax || !isASCII(e.key) {
			continue
		}
		var w0, w1 uint64
		for j := 0; j < len(e.key); j++ {
			w0, w1 = put(w0, w1, j, e.key[j])
		}
		t.byLen[len(e.key)] = append(t.byLen[len(e.key)], slot{w0: w0, w1: w1, idx: i})
	}
	return t
}

// lookup returns the entry index of the key packed in w0, w1 with length n
// (at most fastMax), or -1.
func (t *table) lookup(w0, w1 uint64, n int) int {
	for _, s := range t.byLen[n&31] {
		if s.w0 == w0 && s.w1 == w1 {
			return s.idx
		}
	}
	return -1
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

package memory

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"math/bits"
	"slices"
	"unicode"
	"unicode/utf8"
)

// textIndex finds the contacts whose name or address ID contains a text,
// as [conversation.MatchText] matches it, without reading every contact.
//
// Each string is kept case-folded (every character replaced by the
// smallest of its simple case-folding orbit, the equivalence MatchText
// compares by) in arena, followed by a terminator byte 0xFF, which UTF-8
// never holds, and a trailer: its contact's number and the contact's
// previous string. The index proper is the list of every suffix of those
// strings, by arena offset, sorted by their bytes: the suffixes that
// begin with a folded text are one run of that list. The list is kept as
// a few sorted runs of halving sizes, merged as they fill (a logarithmic
// method), so an insert costs O(log n) amortized and a lookup O(log² n).
// Each run samples the first bytes of every textSample-th suffix into a
// small array searched first, so a lookup reads the big arrays at a few
// places per run, not at every step of a binary search.
//
// A string is indexed once per contact, and stays while any of its
// contact's conversations may carry it: stale ones only add candidates,
// which the query's own check discards. Strings longer than
// maxIndexedText bytes are not split into suffixes; their contacts are
// candidates of every lookup (names and addresses are short).
type textIndex struct {
	arena []byte
	runs  []textRun // each at most half the size of the one before
	long  []uint32  // contacts with a string too long to index
	buf   []byte    // scratch for folding
}

// textRun is one sorted run of suffixes.
type textRun struct {
	offs []uint32 // suffix offsets in arena, sorted by their bytes
	keys []uint64 // keys[i] is the key of offs[i*textSample]
	top  []uint64 // top[i] is keys[i*textTop]
}

// textSample is how many suffixes of a run one key stands for: 2 bytes of
// keys per suffix, and a lookup reads 3 suffixes between two keys.
const textSample = 4

// textTop is how many keys one top entry stands for: the top of a run of
// 20 million suffixes is 610 KiB, which stays cached between lookups.
const textTop = 64

// textSampleMin is the smallest run given keys; smaller ones are searched
// whole, as they span a few cache lines.
const textSampleMin = 64

// maxIndexedText is the longest folded string split into suffixes.
const maxIndexedText = 256

// textTerm ends each string in the arena.
const textTerm = 0xFF

// textTrailer is the terminator, owner and previous string after each.
const textTrailer = 9

// maxTextHits is how many suffixes a lookup reads before it gives up: a
// text that common matches so many conversations that scanning them in
// order finds a page sooner.
const maxTextHits = 1024

// foldRune is r's representative in its simple case-folding orbit.
func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'a' <= r && r <= 'z' {
			r -= 'a' - 'A'
		}
		return r
	}
	m := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		m = min(m, f)
	}
	return m
}

// fold appends s case-folded to dst. Bytes that are not UTF-8 fold to
// U+FFFD each, as MatchText decodes them.
func fold(dst []byte, s string) []byte {
	for _, r := range s {
		dst = utf8.AppendRune(dst, foldRune(r))
	}
	return dst
}

// owner returns the contact of the string holding offset off.
func (x *textIndex) owner(off uint32) uint32 {
	end := off + uint32(bytes.IndexByte(x.arena[off:], textTerm))
	return binary.LittleEndian.Uint32(x.arena[end+1:])
}

// str returns the folded string starting at off and the offset + 1 of
// its contact's previous one.
func (x *textIndex) str(off uint32) (s []byte, prev uint32) {
	end := off + uint32(bytes.IndexByte(x.arena[off:], textTerm))
	return x.arena[off:end], binary.LittleEndian.Uint32(x.arena[end+5:])
}

// add indexes s for contact e, numbered n, unless e has it already. It
// returns the offset + 1 of s's string in the index, 0 when s is not in
// the runs (empty, too long, or past the arena's reach), and whether s was
// new to e.
func (x *textIndex) add(e *contactEntry, n uint32, s string) (at uint32, added bool) {
	if s == "" {
		return 0, false
	}
	x.buf = fold(x.buf[:0], s)
	if len(x.buf) > maxIndexedText {
		if !slices.Contains(x.long, n) {
			x.long = append(x.long, n)
		}
		return 0, false
	}
	for p := e.text; p != 0; {
		have, prev := x.str(p - 1)
		if bytes.Equal(have, x.buf) {
			return p, false
		}
		p = prev
	}
	if uint64(len(x.arena))+uint64(len(x.buf))+textTrailer > 1<<32 {
		// Offsets are 32 bits: past 4 GiB of names and addresses the
		// contact is found by scanning, as a long string is.
		if !slices.Contains(x.long, n) {
			x.long = append(x.long, n)
		}
		return 0, false
	}
	start := uint32(len(x.arena))
	x.arena = append(x.arena, x.buf...)
	x.arena = append(x.arena, textTerm)
	x.arena = binary.LittleEndian.AppendUint32(x.arena, n)
	x.arena = binary.LittleEndian.AppendUint32(x.arena, e.text)
	e.text = start + 1
	run := make([]uint32, 0, utf8.RuneCount(x.buf))
	for i := range string(x.buf) {
		run = append(run, start+uint32(i))
	}
	slices.SortFunc(run, x.compare)
	x.push(textRun{offs: run})
	return e.text, true
}

// count returns how many strings contact e has in the index.
func (x *textIndex) count(e *contactEntry) int {
	n := 0
	for p := e.text; p != 0; n++ {
		_, p = x.str(p - 1)
	}
	return n
}

// compare orders two suffixes by their bytes up to the terminator, then
// by offset.
func (x *textIndex) compare(a, b uint32) int {
	for i := uint32(0); ; i++ {
		p, q := x.arena[a+i], x.arena[b+i]
		if p != q {
			return cmp.Compare(p, q)
		}
		if p == textTerm {
			return cmp.Compare(a, b)
		}
	}
}

// push adds a sorted run and merges the last runs while the newest is at
// least half the size of the one before.
func (x *textIndex) push(run textRun) {
	x.runs = append(x.runs, run)
	for n := len(x.runs); n >= 2 && 2*len(x.runs[n-1].offs) >= len(x.runs[n-2].offs); n-- {
		a, b := x.runs[n-2].offs, x.runs[n-1].offs
		m := make([]uint32, 0, len(a)+len(b))
		i, j := 0, 0
		for i < len(a) && j < len(b) {
			if x.compare(a[i], b[j]) <= 0 {
				m, i = append(m, a[i]), i+1
			} else {
				m, j = append(m, b[j]), j+1
			}
		}
		m = append(append(m, a[i:]...), b[j:]...)
		x.runs[n-2], x.runs[n-1] = x.sample(m), textRun{}
		x.runs = x.runs[:n-1]
	}
}

// sample returns the run of sorted suffixes offs with its keys.
func (x *textIndex) sample(offs []uint32) textRun {
	r := textRun{offs: offs}
	if len(offs) >= textSampleMin {
		r.keys = make([]uint64, (len(offs)+textSample-1)/textSample)
		for i := range r.keys {
			r.keys[i] = x.key(offs[i*textSample])
		}
		r.top = make([]uint64, (len(r.keys)+textTop-1)/textTop)
		for i := range r.top {
			r.top[i] = r.keys[i*textTop]
		}
	}
	return r
}

// key is the first 8 bytes of the suffix at off, big-endian, with 0xFF
// from its terminator on. Keys are in the order of their suffixes, and for
// a query of at most 8 bytes a suffix is below the query exactly when its
// key is below the query's (see queryKey).
func (x *textIndex) key(off uint32) uint64 {
	// The terminator and trailer leave at least 8 bytes after any suffix
	// start, and the first 0xFF byte is the terminator.
	w := binary.LittleEndian.Uint64(x.arena[off : off+8])
	v := ^w
	t := (v - 0x0101010101010101) &^ v & 0x8080808080808080
	w |= ^uint64(0) << (bits.TrailingZeros64(t) &^ 7) // no 0xFF: a shift by 64, which is 0
	return bits.ReverseBytes64(w)
}

// queryKey is the first 8 bytes of the folded query fq, big-endian,
// padded with zeros.
func queryKey(fq []byte) uint64 {
	var k uint64
	for i := range 8 {
		k <<= 8
		if i < len(fq) {
			k |= uint64(fq[i])
		}
	}
	return k
}

// countBelow returns how many of ks are below k. It reads all of them
// without branching on any, so their cache misses overlap.
func countBelow(ks []uint64, k uint64) int {
	n := uint64(0)
	for _, v := range ks {
		_, b := bits.Sub64(v, k, 0)
		n += b
	}
	return int(n)
}

// lowerBound returns the index in r of the first suffix not below fq when
// cut to its length; qk is fq's queryKey.
func (x *textIndex) lowerBound(r *textRun, fq []byte, qk uint64) int {
	if r.keys == nil {
		return x.searchPrefix(r.offs, fq)
	}
	// j is the first key not below qk: top[t-1] is below it, top[t] not.
	t, _ := slices.BinarySearch(r.top, qk)
	lo := max(0, (t-1)*textTop+1)
	j := lo + countBelow(r.keys[lo:min(len(r.keys), t*textTop)], qk)
	// The suffix of key j-1 is below fq; the one of key j is not when fq
	// is at most 8 bytes long, nor is the first with a key above qk.
	lo = max(0, (j-1)*textSample+1)
	if len(fq) <= 8 {
		var ks [textSample]uint64
		bucket := r.offs[lo:min(len(r.offs), j*textSample)]
		for i, off := range bucket {
			ks[i] = x.key(off)
		}
		return lo + countBelow(ks[:len(bucket)], qk)
	}
	k, _ := slices.BinarySearch(r.keys[j:], qk+1)
	return lo + x.searchPrefix(r.offs[lo:min(len(r.offs), (j+k)*textSample)], fq)
}

// lowerBounds sets at[ri] to lowerBound(&x.runs[ri], fq, qk) for every
// run. For a query of at most 8 bytes it goes step by step across the
// runs (the key block, then the suffixes), so the cache misses of the
// different runs overlap rather than follow one another: see
// BenchmarkSearchText.
func (x *textIndex) lowerBounds(fq []byte, qk uint64, at []int) {
	if len(fq) > 8 {
		for ri := range x.runs {
			at[ri] = x.lowerBound(&x.runs[ri], fq, qk)
		}
		return
	}
	// at[ri] is first the first key not below qk in a keyed run.
	for ri := range x.runs {
		r := &x.runs[ri]
		if r.keys == nil {
			at[ri] = x.searchPrefix(r.offs, fq)
			continue
		}
		t := lowerBoundKey(r.top, qk)
		lo := max(0, (t-1)*textTop+1)
		at[ri] = lo + countBelow(r.keys[lo:min(len(r.keys), t*textTop)], qk)
	}
	// The suffix of key j-1 is below fq, the one of key j is not.
	for ri := range x.runs {
		r := &x.runs[ri]
		if r.keys == nil {
			continue
		}
		j := at[ri]
		lo := max(0, (j-1)*textSample+1)
		var ks [textSample]uint64
		bucket := r.offs[lo:min(len(r.offs), j*textSample)]
		for i, off := range bucket {
			ks[i] = x.key(off)
		}
		at[ri] = lo + countBelow(ks[:len(bucket)], qk)
	}
}

// lowerBoundKey returns how many of ks, sorted, are below k, by a binary
// search whose steps do not branch on the data.
func lowerBoundKey(ks []uint64, k uint64) int {
	if len(ks) == 0 {
		return 0
	}
	base, n := 0, len(ks)
	for n > 1 {
		half := n / 2
		if ks[base+half] < k {
			base += half
		}
		n -= half
	}
	if ks[base] < k {
		base++
	}
	return base
}

// searchPrefix returns the index in offs, sorted suffixes, of the first
// not below fq when cut to its length. Written out rather than
// slices.BinarySearchFunc, which would move the caller's fq to the heap.
func (x *textIndex) searchPrefix(offs []uint32, fq []byte) int {
	lo, hi := 0, len(offs)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if x.comparePrefix(offs[mid], fq) < 0 {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// comparePrefix compares the suffix at off, cut to len(fq) bytes, with fq.
func (x *textIndex) comparePrefix(off uint32, fq []byte) int {
	for i, c := range fq {
		if p := x.arena[off+uint32(i)]; p != c {
			return cmp.Compare(p, c)
		}
	}
	return 0
}

// candidates appends to dst the contacts with an indexed string containing
// text, as MatchText matches, sorted, and returns them with the contacts
// whose strings are too long to index, which may hold text too (the caller
// must not keep that list). It reports false when the index cannot answer:
// text is not UTF-8 (MatchText then also matches raw bytes), or it is so
// common that more than maxTextHits suffixes hold it.
func (x *textIndex) candidates(text string, dst []uint32) (hits, long []uint32, ok bool) {
	if !utf8.ValidString(text) {
		return nil, nil, false
	}
	var qb [64]byte
	fq := fold(qb[:0], text)
	qk := queryKey(fq)
	hits = dst
	var atBuf [48]int // runs halve, so 48 hold 2^48 suffixes
	at := atBuf[:]
	if len(x.runs) > len(at) {
		at = make([]int, len(x.runs))
	}
	at = at[:len(x.runs)]
	x.lowerBounds(fq, qk, at)
	n := 0
	for ri := range x.runs {
		run := x.runs[ri].offs
		i := at[ri]
		if len(fq) <= 8 {
			// A suffix holds fq when its key is between fq padded with
			// zeros and fq padded with 0xFF.
			qhi := qk | ^uint64(0)>>(8*len(fq))
			for ; i < len(run) && x.key(run[i]) <= qhi; i++ {
				if n++; n > maxTextHits {
					return nil, nil, false
				}
				hits = append(hits, x.owner(run[i]))
			}
			continue
		}
		for ; i < len(run) && x.comparePrefix(run[i], fq) == 0; i++ {
			if n++; n > maxTextHits {
				return nil, nil, false
			}
			hits = append(hits, x.owner(run[i]))
		}
	}
	slices.Sort(hits)
	return slices.Compact(hits), x.long, true
}

// erase forgets contact e's strings: their suffixes leave the runs and
// their bytes are zeroed (the right to be forgotten).
func (x *textIndex) erase(e *contactEntry, n uint32) {
	if i := slices.Index(x.long, n); i >= 0 {
		x.long = slices.Delete(x.long, i, i+1)
	}
	type span struct{ from, to uint32 }
	var gone []span
	for p := e.text; p != 0; {
		s, prev := x.str(p - 1)
		gone = append(gone, span{p - 1, p - 1 + uint32(len(s))})
		p = prev
	}
	e.text = 0
	if len(gone) == 0 {
		return
	}
	for i, run := range x.runs {
		x.runs[i] = x.sample(slices.DeleteFunc(run.offs, func(off uint32) bool {
			return slices.ContainsFunc(gone, func(g span) bool { return g.from <= off && off < g.to })
		}))
	}
	for _, g := range gone {
		clear(x.arena[g.from:g.to])
		clear(x.arena[g.to+1 : g.to+textTrailer])
	}
}

// addText indexes r's contact's name and address IDs, and keeps the
// contact's mixed flag: a text hit on the contact proves a match of each
// of its conversations only while every one of them carries exactly the
// strings indexed for it. The caller holds s.mu for writing.
func (s *ConversationStore) addText(r *convRecord) {
	e := s.contact(r.contact)
	var own [4]uint32 // r's indexed strings, by offset + 1
	have, added := own[:0], false
	put := func(str string) {
		at, isNew := s.text.add(e, r.contact, str)
		added = added || isNew
		if at != 0 && !slices.Contains(have, at) {
			have = append(have, at)
		}
	}
	put(r.c.Contact.Name)
	for _, a := range r.c.Contact.Addresses {
		put(a.ID)
	}
	same := len(have) == s.text.count(e)
	if e.newest == r && r.older == nil {
		e.mixed = !same // r is the contact's only conversation
	} else {
		e.mixed = e.mixed || added || !same
	}
}

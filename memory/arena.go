package memory

import (
	"math"
	"unsafe"
)

// Messages are kept free of pointers (strings in a byteArena, records in
// msgSlabs, indexes of integers) so the garbage collector skips them whole.

// byteArena keeps strings as bytes in large chunks shared by many
// messages. Bytes are written once and only ever overwritten by erase,
// which zeroes them.
type byteArena struct {
	chunks [][]byte
	cur    int // the chunk being filled, -1 before the first
}

// arenaChunk is the size of a shared chunk. A string larger than a
// quarter of it gets a chunk of its own, so a large e-mail body never
// wastes the rest of a shared one.
// Kept under the allocator's 32 KB small-object limit: see BenchmarkAppendMessage.
const arenaChunk = 16 << 10

// span locates one string in a byteArena in 8 bytes (see
// TestMessageRecordIs64Bytes); the zero span is "". A string in a shared
// chunk starts below arenaChunk and is at most arenaChunk/4 bytes long, so
// offset and length fit 16 bits each. A longer string has a chunk of its
// own, whole: its span says so with n == wholeChunk, and its length is the
// chunk's, so it has no limit.
type span struct {
	chunk uint32
	off   uint16
	n     uint16 // the length, or wholeChunk
}

// wholeChunk is span.n for a string that fills a chunk of its own. A
// shared string is never that long (arenaChunk/4 < wholeChunk).
const wholeChunk = math.MaxUint16

// The limits of a span's fields, checked where the program is built.
const (
	_ = uint16(arenaChunk - 1)                // every offset in a chunk fits span.off
	_ = uint16(wholeChunk - arenaChunk/4 - 1) // a shared string's length fits span.n, below wholeChunk
)

// maxChunks is how many chunks an arena can number: span.chunk is 32 bits.
// Each holds more than arenaChunk/4 bytes, so an arena reaches it only
// past 16 TiB of strings.
const maxChunks = math.MaxUint32 + 1

func newByteArena() byteArena { return byteArena{cur: -1} }

// put copies s into the arena.
func (a *byteArena) put(s string) span {
	if s == "" {
		return span{}
	}
	if len(s) > arenaChunk/4 {
		a.grow()
		a.chunks = append(a.chunks, []byte(s))
		return span{chunk: uint32(len(a.chunks) - 1), n: wholeChunk}
	}
	if a.cur < 0 || len(a.chunks[a.cur])+len(s) > cap(a.chunks[a.cur]) {
		a.grow()
		a.chunks = append(a.chunks, make([]byte, 0, arenaChunk))
		a.cur = len(a.chunks) - 1
	}
	c := a.chunks[a.cur]
	sp := span{chunk: uint32(a.cur), off: uint16(len(c)), n: uint16(len(s))}
	a.chunks[a.cur] = append(c, s...)
	return sp
}

// grow checks that the arena can number one more chunk. Past that a span
// could not name the string, and a store that kept going would read
// another message's bytes; stopping is the only safe answer, and no
// process holds 16 TiB of messages in memory.
func (a *byteArena) grow() {
	if uint64(len(a.chunks)) >= maxChunks {
		panic("memory: byte arena full: 2^32 chunks of message strings")
	}
}

// bytes returns the bytes of sp, in place.
func (a *byteArena) bytes(sp span) []byte {
	switch sp.n {
	case 0:
		return nil
	case wholeChunk:
		c := a.chunks[sp.chunk]
		return c[:len(c):len(c)]
	}
	end := int(sp.off) + int(sp.n)
	return a.chunks[sp.chunk][sp.off:end:end]
}

// string returns a copy of sp's string, which the caller may keep.
func (a *byteArena) string(sp span) string { return string(a.bytes(sp)) }

// view returns sp's string without copying it. The view is only for a
// comparison or a search under the store's lock: the bytes stay as they
// are while the lock is held (erase, which zeroes them, takes the write
// lock), and the view must not outlive the call.
func (a *byteArena) view(sp span) string {
	b := a.bytes(sp)
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// erase zeroes sp's bytes: an erased message leaves nothing readable in
// memory (the right to be forgotten). The room is not reused.
func (a *byteArena) erase(sp span) { clear(a.bytes(sp)) }

// msgRef names a stored message: its position in msgSlabs, counted from 1,
// so that the zero msgRef is "none".
type msgRef uint32

// msgSlabs holds message records in fixed-size slabs: appending never
// moves a record, and one allocation serves slabSize messages.
type msgSlabs struct {
	slabs [][]msgRecord
	n     int // records handed out
}

const slabBits = 8

const slabSize = 1 << slabBits

// add returns a new zero record and its reference.
func (s *msgSlabs) add() (msgRef, *msgRecord) {
	i := s.n
	if i >= math.MaxUint32 {
		// A reference is i+1 in 32 bits; wrapping would make it 0, "no
		// message", and the indexes would mix messages up. 2^32 records
		// are 256 GiB of them.
		panic("memory: message store full: 2^32 - 1 messages")
	}
	if i>>slabBits == len(s.slabs) {
		s.slabs = append(s.slabs, make([]msgRecord, slabSize))
	}
	s.n++
	return msgRef(i + 1), &s.slabs[i>>slabBits][i&(slabSize-1)]
}

// at returns the record of ref, which must not be zero.
func (s *msgSlabs) at(ref msgRef) *msgRecord {
	i := int(ref) - 1
	return &s.slabs[i>>slabBits][i&(slabSize-1)]
}

// interner numbers strings that many messages share (their authors: a
// contact, an agent), so a record keeps a number instead of a string.
type interner struct {
	ids   map[string]uint32
	names []string // by number; names[0] is ""
}

func newInterner() interner {
	return interner{ids: make(map[string]uint32), names: []string{""}}
}

// id returns s's number, numbering it on first use.
func (in *interner) id(s string) uint32 {
	if s == "" {
		return 0
	}
	if n, ok := in.ids[s]; ok {
		return n
	}
	n := uint32(len(in.names))
	in.ids[s] = n
	in.names = append(in.names, s)
	return n
}

// forget drops s, so it is no longer kept (an erased contact's ID); a
// number it had is never given again.
func (in *interner) forget(s string) {
	if n, ok := in.ids[s]; ok {
		delete(in.ids, s)
		in.names[n] = ""
	}
}

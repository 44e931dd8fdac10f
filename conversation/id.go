package conversation

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

// ID identifies a conversation, a message or a comment. It is a UUIDv7
// (RFC 9562 §5.7): the first 48 bits are a Unix time in milliseconds, so IDs
// sort by creation time, which keeps database indexes append-mostly. The zero
// value ID{} means "no ID" (see [ID.IsZero]).
type ID uuid.UUID

// ErrBadID is returned when text is not a UUID. Check it with errors.Is.
var ErrBadID = errors.New("conversation: malformed id")

// NewID returns a fresh random UUIDv7. It is the default ID generator a desk
// uses; domain code never calls it itself but takes IDs, or a func() ID, from
// its caller so tests stay deterministic (see [SequentialIDs]). It panics only
// if the operating system's random source fails, as crypto/rand does.
func NewID() ID {
	return ID(uuid.Must(uuid.NewV7()))
}

// ParseID reads an ID in any form uuid.Parse accepts (canonical
// 8-4-4-4-12 hex, with or without braces or the urn:uuid: prefix).
func ParseID(s string) (ID, error) {
	u, err := uuid.Parse(s)
	if err != nil {
		return ID{}, fmt.Errorf("%w %q: %v", ErrBadID, s, err)
	}
	return ID(u), nil
}

// MustParseID is like [ParseID] but panics on malformed input; it is meant
// for constants in tests and examples.
func MustParseID(s string) ID {
	id, err := ParseID(s)
	if err != nil {
		panic(err)
	}
	return id
}

// IsZero reports whether id is the zero ID, which stands for "none".
func (id ID) IsZero() bool { return id == ID{} }

// String returns the canonical lower-case 8-4-4-4-12 form.
func (id ID) String() string { return uuid.UUID(id).String() }

// Time returns the creation time encoded in a UUIDv7, to the millisecond.
// For IDs of other versions it returns the zero time.
func (id ID) Time() time.Time {
	if uuid.UUID(id).Version() != 7 {
		return time.Time{}
	}
	ms := int64(binary.BigEndian.Uint64(id[:8]) >> 16)
	return time.UnixMilli(ms).UTC()
}

// Compare orders IDs byte-wise, which for UUIDv7 is creation order. It
// returns -1, 0 or +1.
func (id ID) Compare(other ID) int {
	for i := range id {
		switch {
		case id[i] < other[i]:
			return -1
		case id[i] > other[i]:
			return 1
		}
	}
	return 0
}

// MarshalText encodes the ID in canonical form, so IDs read well in JSON
// and in databases. The zero ID encodes as the nil UUID.
func (id ID) MarshalText() ([]byte, error) {
	return uuid.UUID(id).MarshalText()
}

// UnmarshalText decodes any form [ParseID] accepts.
func (id *ID) UnmarshalText(b []byte) error {
	v, err := ParseID(string(b))
	if err != nil {
		return err
	}
	*id = v
	return nil
}

// SequentialIDs returns a deterministic ID generator for tests and examples:
// valid UUIDv7s whose timestamp is start's millisecond and whose remaining
// bits count 1, 2, 3, …, so they sort in the order they were made and are the
// same in every run. The generator is safe for concurrent use.
func SequentialIDs(start time.Time) func() ID {
	ms := uint64(start.UnixMilli())
	var n atomic.Uint64
	return func() ID {
		var id ID
		binary.BigEndian.PutUint64(id[:8], ms<<16|0x7000) // version 7, rand_a 0
		binary.BigEndian.PutUint64(id[8:], 0x8000000000000000|n.Add(1))
		return id
	}
}

// NewIDGenerator returns a UUIDv7 generator for high-volume use, such as a
// desk storing thousands of messages a second. Each ID carries the
// millisecond of now, the caller's clock (a Desk passes its Config.Clock);
// now must not be nil. The generator is safe for concurrent use.
//
// IDs from one generator are unique and strictly increasing even when the
// clock stands still or goes back: an ID made at or before the last one's
// millisecond takes that millisecond and counts up in the 12 rand_a bits
// (RFC 9562 §6.2, method 1); after 4 096 IDs in one millisecond it moves
// on to the next millisecond, ahead of the clock. The 62 remaining bits are
// random, drawn from crypto/rand 4 KiB at a time.
func NewIDGenerator(now func() time.Time) func() ID {
	if now == nil {
		panic("conversation: NewIDGenerator needs a clock, such as time.Now")
	}
	g := &idGenerator{now: now, pos: len(idGenerator{}.buf), lastMS: math.MinInt64}
	return g.next
}

type idGenerator struct {
	now    func() time.Time
	mu     sync.Mutex
	buf    [4096]byte
	pos    int
	lastMS int64
	seq    uint16
}

func (g *idGenerator) next() ID {
	ms := max(g.now().UnixMilli(), 0) // a clock before 1970 counts from 1970
	g.mu.Lock()
	if g.pos+10 > len(g.buf) {
		if _, err := rand.Read(g.buf[:]); err != nil {
			panic("conversation: crypto/rand failed: " + err.Error())
		}
		g.pos = 0
	}
	random := g.buf[g.pos : g.pos+10]
	g.pos += 10
	if ms <= g.lastMS {
		ms = g.lastMS // never go back when the clock does
		g.seq++
		if g.seq > 0x0fff { // the counter is full: borrow the next millisecond
			ms++
			g.seq = uint16(random[0]) & 0x01ff
		}
	} else {
		g.seq = binary.BigEndian.Uint16(random) & 0x01ff // leave room to count up
	}
	g.lastMS = ms
	seq := g.seq
	var id ID
	copy(id[8:], random[2:])
	g.mu.Unlock()

	binary.BigEndian.PutUint64(id[:8], uint64(ms)<<16|0x7000|uint64(seq))
	id[8] = id[8]&0x3f | 0x80 // RFC 9562 variant
	return id
}

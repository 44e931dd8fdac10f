package memory

import (
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
)

// Every Receive hands out one conversation copy and the store keeps one
// record per conversation. At 512 bytes or less each is one size class
// below the next and needs no allocation header, which Desk.Receive's
// allocation budget and the footprint goal count on. A field added to
// conversation.Conversation that breaks this should be placed to pack, or
// the budget rechecked.
func TestConversationCopiesFit512Bytes(t *testing.T) {
	assert.LessOrEqual(t, unsafe.Sizeof(cloned{}), uintptr(512), "a conversation handed out")
	assert.LessOrEqual(t, unsafe.Sizeof(convRecord{}), uintptr(512), "a conversation stored")
}

// A stored message is a msgRecord, most of what the store keeps per
// message, and every byte of it costs Desk.Receive about two bytes of
// fresh memory (idindex.go). It was 80 bytes; at 64, a slab of slabSize
// records is 16 KiB, a size class of its own, with nothing wasted. A field
// added to the record should fit in these 64 bytes (a flag bit, or beside
// the records like extras) or the record be rethought.
func TestMessageRecordIs64Bytes(t *testing.T) {
	assert.Equal(t, uintptr(8), unsafe.Sizeof(span{}), "a span")
	assert.Equal(t, uintptr(64), unsafe.Sizeof(msgRecord{}), "a message record")
	assert.Equal(t, uintptr(16<<10), slabSize*unsafe.Sizeof(msgRecord{}), "a slab of records")
}

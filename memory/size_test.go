package memory

import (
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
)

// Every Receive hands out one conversation copy and the store keeps one
// record per conversation. At 512 bytes or less each is one size class
// below the next and needs no allocation header, which Desk.Receive's
// budget (DESIGN.md §6) and the footprint goal count on. A field added to
// conversation.Conversation that breaks this should be placed to pack, or
// the budget rechecked.
func TestConversationCopiesFit512Bytes(t *testing.T) {
	assert.LessOrEqual(t, unsafe.Sizeof(cloned{}), uintptr(512), "a conversation handed out")
	assert.LessOrEqual(t, unsafe.Sizeof(convRecord{}), uintptr(512), "a conversation stored")
}

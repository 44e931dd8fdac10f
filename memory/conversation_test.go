package memory_test

import (
	"testing"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/parleytest"
)

// TestConversationStore runs the conformance suite against the in-memory
// store: the reference every host's store is measured by.
func TestConversationStore(t *testing.T) {
	parleytest.TestConversationStore(t, func() conversation.Store { return memory.NewConversationStore() })
}

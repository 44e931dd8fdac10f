package conversationtest_test

import (
	"testing"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/conversation/conversationtest"
	"github.com/parleyhq/parley/memory"
)

// testStore is the test a host writes beside its own store, named TestStore
// in its store_test.go; here the store is package memory's.
func testStore(t *testing.T) {
	conversationtest.Run(t, func(t *testing.T) conversation.Store {
		// A store on a database would open a clean schema here and
		// register t.Cleanup to drop it.
		return memory.NewConversationStore()
	})
}

// A host proves its store keeps the contract by running the suite from its
// own tests; go test reports each rule as a subtest.
func Example() {
	_ = testStore
}

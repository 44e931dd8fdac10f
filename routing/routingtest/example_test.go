package routingtest_test

import (
	"testing"

	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/routing/routingtest"
)

// testLedger is the test a host writes beside its own ledger, named
// TestLedger in its store_test.go; here the ledger is package memory's.
func testLedger(t *testing.T) {
	routingtest.Run(t, func(t *testing.T) routing.Ledger {
		// A ledger on a database would open a clean schema here and
		// register t.Cleanup to drop it.
		return memory.NewLedger()
	})
}

// A host proves its ledger keeps the contract by running the suite from its
// own tests; go test reports each rule as a subtest.
func Example() {
	_ = testLedger
}

package optouttest_test

import (
	"testing"

	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/optout"
	"github.com/parleyhq/parley/optout/optouttest"
)

// testConsentStore is the test a host writes beside its own consent store,
// named TestConsentStore in its store_test.go; here the store is package
// memory's.
func testConsentStore(t *testing.T) {
	optouttest.Run(t, func(t *testing.T) optout.Store {
		// A store on a database would open a clean schema here and
		// register t.Cleanup to drop it.
		return memory.NewOptOutStore()
	})
}

// A host proves its consent store keeps the contract by running the suite
// from its own tests; go test reports each rule as a subtest.
func Example() {
	_ = testConsentStore
}

package memory_test

import (
	"testing"

	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/parleytest"
	"github.com/parleyhq/parley/routing"
)

func TestLedger(t *testing.T) {
	parleytest.TestLedger(t, func() routing.Ledger { return memory.NewLedger() })
}

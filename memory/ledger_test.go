package memory_test

import (
	"testing"

	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/routing/routingtest"
)

func TestLedger(t *testing.T) {
	routingtest.Run(t, func(*testing.T) routing.Ledger { return memory.NewLedger() })
}

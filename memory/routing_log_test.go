package memory_test

import (
	"testing"

	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/routing/routingtest"
)

func TestRoutingLog(t *testing.T) {
	t.Run("without a ledger", func(t *testing.T) {
		routingtest.RunLog(t, func(*testing.T) (routing.Log, routing.Ledger) {
			return memory.NewRoutingLog(nil), nil
		})
	})
	t.Run("with a ledger", func(t *testing.T) {
		routingtest.RunLog(t, func(*testing.T) (routing.Log, routing.Ledger) {
			ledger := memory.NewLedger()
			return memory.NewRoutingLog(ledger), ledger
		})
	})
}

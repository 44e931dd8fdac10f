package postgres_test

import (
	"testing"

	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/routing/routingtest"
	"github.com/parleyhq/parley/store/postgres"
	"github.com/parleyhq/parley/store/postgres/internal/pgtest"
)

// The capacity ledger keeps the whole routing.Ledger contract.
func TestLedger(t *testing.T) {
	routingtest.Run(t, func(t *testing.T) routing.Ledger {
		_, pool := pgtest.Schema(t)
		return postgres.New(pool).Ledger
	})
}

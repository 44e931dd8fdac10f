package postgres_test

import (
	"testing"

	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/routing/routingtest"
	"github.com/parleyhq/parley/store/postgres"
	"github.com/parleyhq/parley/store/postgres/internal/pgtest"
)

func TestRoutingLog(t *testing.T) {
	routingtest.RunLog(t, func(t *testing.T) (routing.Log, routing.Ledger) {
		_, pool := pgtest.Schema(t)
		s := postgres.New(pool)
		return s.Routing, s.Ledger
	})
}

package postgres_test

import (
	"context"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/parleytest"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/store/postgres"
)

// A Desk whose conversations, opt-out consent, agent capacity and
// customer-service windows live in PostgreSQL: a pool, Migrate, and the stores in parley.Config. Every
// desk given the same database shares them. (It needs a server, so it is
// compiled, not run.)
func Example() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		panic(err)
	}
	defer pool.Close()
	if err := postgres.Migrate(ctx, pool); err != nil {
		panic(err)
	}
	st := postgres.New(pool)
	desk, err := parley.New(parley.Config{
		Conversations: st.Conversations,
		OptOuts:       st.OptOuts,
		Routing:       st.Routing, // desks on the database route as one
		Windows:       st.Windows,
		Transport:     parleytest.NewTransport(), // the host's transport
		Touchpoints:   []parley.Touchpoint{{ID: "wa", Kind: channel.WhatsApp, Address: "+14155550000", Queues: []string{"support"}}},
		Agents:        []routing.Agent{{ID: "ana", Queues: []string{"support"}}},
	})
	if err != nil {
		panic(err)
	}
	_ = desk
}

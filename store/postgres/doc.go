// Package postgres keeps parley's conversations, opt-out consent and agent
// capacity in PostgreSQL, so that a helpdesk survives restarts and several
// desks share one truth.
//
//	pool, err := pgxpool.New(ctx, dsn)
//	err = postgres.Migrate(ctx, pool)
//	st := postgres.New(pool)
//
// Then give st.Conversations, st.OptOuts and st.Ledger to the fields of
// the same names in parley.Config.
//
// It is a module of its own, so that parley's core keeps no database
// driver.
//
// The quickstart's story, with every store in PostgreSQL (a fresh schema,
// dropped at the end), prints what the memory version prints:
//
//	cd store/postgres && go run ./examples/quickstart -postgres "$DSN"
//
// scripts/pg.sh start gives a throwaway server and its DSN.
package postgres

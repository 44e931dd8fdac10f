// Package postgres keeps parley's conversations, opt-out consent and agent
// capacity in PostgreSQL, so that a helpdesk survives restarts and several
// desks share one truth.
//
//	pool, err := pgxpool.New(ctx, dsn)
//	err = postgres.Migrate(ctx, pool)
//	st := postgres.New(pool)
//
// It is a module of its own, so that parley's core keeps no database
// driver.
package postgres

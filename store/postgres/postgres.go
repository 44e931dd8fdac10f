package postgres

import "github.com/jackc/pgx/v5/pgxpool"

// Stores are parley's stores on one PostgreSQL database: give each to the
// matching field of parley.Config.
type Stores struct {
	// Conversations keeps conversations, messages and comments.
	Conversations *ConversationStore

	pool *pgxpool.Pool
}

// New returns the stores on pool, whose schema [Migrate] brought up to
// date. The pool is the caller's to close.
func New(pool *pgxpool.Pool) *Stores {
	return &Stores{
		Conversations: &ConversationStore{pool: pool},
		pool:          pool,
	}
}

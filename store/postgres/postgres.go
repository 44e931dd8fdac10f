package postgres

import "github.com/jackc/pgx/v5/pgxpool"

// Stores are parley's stores on one PostgreSQL database: give each to the
// matching field of parley.Config.
type Stores struct {
	// Conversations keeps conversations, messages and comments.
	Conversations *ConversationStore
	// OptOuts is the opt-out consent ledger, append-only in the database.
	OptOuts *OptOutStore
	// Ledger is the agent capacity ledger every desk on the database shares.
	Ledger *Ledger
	// Routing is the routing log every desk on the database routes from;
	// a desk given it (parley.Config.Routing) reserves capacity in
	// Ledger's tables through it, so it takes no Ledger of its own.
	Routing *RoutingLog
	// Windows keeps the customer-service windows and their notices, under
	// the default window policies; a host that overrides
	// parley.Config.Sessions makes its own with [NewWindowStore].
	Windows *WindowStore
	// Reports is the report's shared event log: every desk appends its
	// events (its parley.Config.Publisher, or a report.Tee with it) and
	// one reporting process follows it (report.Follow).
	Reports *ReportLog
}

// New returns the stores on pool, whose schema [Migrate] brought up to
// date. The pool is the caller's to close.
func New(pool *pgxpool.Pool) *Stores {
	return &Stores{
		Conversations: &ConversationStore{pool: pool},
		OptOuts:       &OptOutStore{pool: pool},
		Ledger:        &Ledger{db: pool},
		Routing:       NewRoutingLog(pool),
		Windows:       NewWindowStore(pool, nil),
		Reports:       NewReportLog(pool),
	}
}

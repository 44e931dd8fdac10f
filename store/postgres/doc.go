// Package postgres keeps parley's conversations, opt-out consent, agent
// capacity, customer-service windows and visitor numbers in PostgreSQL, so that a helpdesk survives restarts and several
// desks share one truth.
//
//	pool, err := pgxpool.New(ctx, dsn)
//	err = postgres.Migrate(ctx, pool)
//	st := postgres.New(pool)
//
// Then give st.Conversations, st.OptOuts, st.Routing and st.Windows to
// the fields of the same names in parley.Config, and st.Reports (the
// report package's shared event log) to its Publisher, or to a report.Tee
// beside the host's own: desks in any number of
// processes on the database then route as one, and a restarted desk goes
// on where routing and the customer-service windows stood (st.Routing
// reserves capacity in st.Ledger's tables; give Config.Ledger alone only to
// desks that each route on their own and share capacity only).
//
// It is a module of its own, so that parley's core keeps no database
// driver.
//
// # Rules kept by the database
//
// Every rule of the store contracts holds in the schema itself, so that no
// interleaving of desks, processes or hosts' own SQL can break it:
//
//  1. One open conversation per slot (touchpoint, contact, interaction):
//     a partial unique index over open conversations.
//  2. One open outbound conversation per contact on a touchpoint of the
//     host's own channel: a second partial unique index.
//  3. An inbound message is stored once per (touchpoint, sender, provider
//     ID), an outbound one once per (touchpoint, provider ID): unique
//     indexes, so a reused ID from another sender is its own message.
//  4. A stale write fails: every update is conditional on the version it
//     read (UPDATE … WHERE version = $n).
//  5. A delivery status never goes back: one conditional UPDATE moves it.
//  6. No agent goes over capacity: a reservation and the agent's load
//     change in one statement, only where load + weight ≤ capacity.
//  7. The consent ledger is append-only: a trigger refuses every DELETE
//     and every UPDATE but the redaction of an erased contact.
//  8. Routing changes happen one at a time, in order, whichever desk makes
//     them: a change locks the routing log's head row (a transaction-scoped
//     row lock, so PgBouncer in transaction mode is fine), appends its entry
//     at the next position (the primary key) and reserves capacity, all in
//     one transaction. A desk that dies mid-change leaves nothing of it,
//     and the lock is free as soon as the server sees its connection close;
//     one that freezes loses its session after RoutingLog.Lease.
//  9. Migrations only add: no file drops or rewrites data, and a file
//     never changes once released; an upgrade is a new file.
//  10. Times are kept to the microsecond, in UTC.
//  11. A window never moves back, and each of its notices is marked dealt
//     with once: one conditional upsert moves parley_windows'
//     last_inbound only forward (resetting the notices of the new
//     window), and a notice is marked only while the window still closes
//     at the instant it was listed with.
//  12. No two anonymous visitors get one number: they are numbered by the
//     sequence parley_visitor_numbers, across desks and restarts.
//  13. The report's event log is read in the order it was appended,
//     whichever desk appended: an append draws its position (an identity
//     column) and commits under a transaction-scoped advisory lock keyed
//     by parley_report_events, so no lower position commits after a
//     higher one is visible, and report.Follow never skips an event.
//
// The quickstart's story, with every store in PostgreSQL (a fresh schema,
// dropped at the end), prints what the memory version prints:
//
//	cd store/postgres && go run ./examples/quickstart -postgres "$DSN"
//
// scripts/pg.sh start gives a throwaway server and its DSN.
package postgres

package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/parleyhq/parley/routing"
)

// Ledger is [routing.Ledger] in the tables parley_agent_loads (one row per
// agent: its load) and parley_reservations (one row per conversation: the
// agent and the weight charged). Every desk on the database shares it, so
// no interleaving of any number of processes puts an agent over capacity.
// It is safe for concurrent use.
//
// An agent's row stays, with load 0, once its last reservation is
// released: removing it would race with the next reservation's charge.
type Ledger struct {
	// db is the pool, or the transaction of a routing log change
	// (RoutingLog), so that reservations commit or roll back with the
	// change that made them.
	db querier
}

var _ routing.Ledger = (*Ledger)(nil)

// reserveSQL reserves in one statement, so the check and the charge are one
// atomic step and a refusal changes nothing: parley_reserve (migration
// 0007) locks the conversation's reservation, charges the agent only if
// its load stays within capacity, and writes the reservation. When another
// process inserted the same conversation meanwhile, the call fails on the
// primary key and is undone whole; Reserve then tries again and sees that
// reservation. $1 agent, $2 conversation, $3 weight, $4 capacity.
//
// The row says which case happened: the holding agent (another's means
// ErrAlreadyReserved), whether the charge was made, the load it was
// refused against, and whether the reservation was written.
const reserveSQL = `SELECT holder, charged, load, written FROM parley_reserve($1, $2, $3, $4)`

// releaseSQL deletes the reservation and takes its weight off the agent's
// load in one statement (parley_release, migration 0007). A second release
// of the same conversation waits for the first, then finds nothing to
// delete and frees nothing.
const releaseSQL = `SELECT parley_release($1)`

// chargeSQL is the common reservation, a conversation with none that
// fits, in one plain statement, cheaper than parley_reserve's steps. It
// takes the locks in parley_reserve's order (the conversation's
// reservation, then the agent's row), as Release does, so that no two
// calls wait on each other in opposite orders: it locks conversation $2's
// reservation if there is one, and only if there is none charges weight
// $3 to agent $1 where the load stays within capacity $4 (checked on the
// row's latest version under its lock), then inserts the reservation. It
// returns false, having changed nothing, when the conversation has a
// reservation, the charge does not fit or the agent has no row yet; the
// insert fails on the key when another call inserted the conversation
// meanwhile, undoing the charge. In those cases parley_reserve decides.
const chargeSQL = `WITH old AS (
	SELECT FROM parley_reservations WHERE conversation_id = $2 FOR UPDATE
), charge AS (
	UPDATE parley_agent_loads SET load = load + $3
	WHERE agent_id = $1 AND load + $3 <= $4 AND NOT EXISTS (SELECT FROM old)
	RETURNING 1
), put AS (
	INSERT INTO parley_reservations (conversation_id, agent_id, weight) SELECT $2, $1, $3 FROM charge
	RETURNING 1
)
SELECT EXISTS (SELECT FROM put)`

// reserveAttempts bounds Reserve's and Release's retries after losing a
// race to insert the same conversation (the next attempt usually sees the
// winner's row, unless a release removed it meanwhile and another insert
// won again: TestLedgerReserveAndReleaseRace's churn on three
// conversations lost three attempts in a row once in CI) or being chosen
// as a deadlock's victim. A deadlock is possible when calls on one
// conversation meet a reservation inserted after their statement began:
// the insert then waits for a release that waits for the agent's row.
// Each call is one statement, undone whole when it fails, so trying it
// again is safe.
const reserveAttempts = 8

// Reserve implements [routing.Ledger] with one conditional statement (see
// reserveSQL): it charges weight to agentID for conversationID if the
// agent's load stays within capacity, re-weighs a reservation the agent
// already holds under the same check, and refuses a conversation another
// agent holds. Errors match routing.ErrOverCapacity (a
// *routing.CapacityError), routing.ErrAlreadyReserved or routing.ErrInvalid.
func (l *Ledger) Reserve(ctx context.Context, agentID, conversationID string, weight, capacity int) error {
	if weight < 1 || capacity < 1 || !ledgerID(agentID) || !ledgerID(conversationID) {
		return fmt.Errorf("%w: reservation of weight %d, capacity %d, agent %q, conversation %q",
			routing.ErrInvalid, weight, capacity, agentID, conversationID)
	}
	var (
		err error
		r   struct {
			holder        pgtype.Text
			charged       bool
			load, written int64
		}
	)
	// The common case, a new reservation that fits, in one plain statement.
	var put bool
	err = l.db.QueryRow(ctx, chargeSQL, agentID, conversationID, weight, capacity).Scan(&put)
	switch {
	case err == nil && put:
		return nil
	case err != nil && !retryable(err):
		return fmt.Errorf("postgres: reserve: %w", err)
	}
	for range reserveAttempts {
		err = l.db.QueryRow(ctx, reserveSQL, agentID, conversationID, weight, capacity).
			Scan(&r.holder, &r.charged, &r.load, &r.written)
		switch {
		case retryable(err):
			continue
		case err != nil:
			return fmt.Errorf("postgres: reserve: %w", err)
		case r.holder.Valid && r.holder.String != agentID:
			return fmt.Errorf("%w: conversation %q is held by %q", routing.ErrAlreadyReserved, conversationID, r.holder.String)
		case !r.charged:
			return &routing.CapacityError{AgentID: agentID, Load: int(r.load), Weight: weight, Capacity: capacity}
		case r.written != 1:
			// The conversation's reservation vanished between the lock and
			// the write, which the lock forbids.
			return fmt.Errorf("postgres: reserve: %w: conversation %q charged but not written", routing.ErrInternal, conversationID)
		}
		return nil
	}
	return fmt.Errorf("postgres: reserve: conversation %q: %d attempts lost a race: %w", conversationID, reserveAttempts, err)
}

// Release implements [routing.Ledger]: it frees the conversation's
// reservation and returns exactly the weight charged for it; 0 when there
// is none, so Release is idempotent.
func (l *Ledger) Release(ctx context.Context, conversationID string) (int, error) {
	var (
		w   int64
		err error
	)
	for range reserveAttempts {
		if err = l.db.QueryRow(ctx, releaseSQL, conversationID).Scan(&w); err == nil {
			return int(w), nil
		}
		if !retryable(err) {
			break
		}
	}
	return 0, fmt.Errorf("postgres: release: %w", err)
}

// retryable reports a statement undone by a race another attempt settles:
// a duplicate key, or a deadlock's victim.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "23505" || pe.Code == "40P01")
}

// Load implements [routing.Ledger]: the points reserved for agentID, 0
// for an agent with none.
func (l *Ledger) Load(ctx context.Context, agentID string) (int, error) {
	var load int64
	err := l.db.QueryRow(ctx, `SELECT load FROM parley_agent_loads WHERE agent_id = $1`, agentID).Scan(&load)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("postgres: load: %w", err)
	}
	return int(load), nil
}

// ledgerID reports whether id is a non-empty ID PostgreSQL's text can
// hold.
func ledgerID(id string) bool {
	return id != "" && utf8.ValidString(id) && !strings.ContainsRune(id, 0)
}

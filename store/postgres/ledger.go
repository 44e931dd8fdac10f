package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

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
	pool *pgxpool.Pool
}

var _ routing.Ledger = (*Ledger)(nil)

// reserveSQL reserves in one statement, so the check and the charge are one
// atomic step and a refusal changes nothing. $1 agent, $2 conversation,
// $3 weight, $4 capacity.
//
//   - old locks the conversation's reservation, if any: re-weighs and
//     releases of one conversation queue here, and old reads the latest
//     weight once the lock is granted.
//   - delta is what the agent's load moves by: the new weight less the
//     weight already charged for this conversation; no row when another
//     agent holds the conversation.
//   - charge adds delta to the agent's load only if the result stays within
//     capacity. The ON CONFLICT update locks the agent's row and evaluates
//     "load + delta <= capacity" on its latest committed version, so two
//     processes charging one agent are serialised and the second sees the
//     first's load; an agent's first charge inserts the row instead (its
//     delta is the whole weight; greatest only keeps a negative delta, a
//     re-weigh down, from tripping the load >= 0 check on the row offered
//     for insertion, which PostgreSQL checks before finding the conflict).
//   - put writes the reservation only if charge succeeded: it inserts a new
//     one, or re-weighs the locked one. When another process inserted the
//     same conversation meanwhile, the insert fails on the primary key and
//     the whole statement, charge included, is undone; Reserve then tries
//     again and sees that reservation.
//
// The final row says which case happened: the holding agent (another's
// means ErrAlreadyReserved), whether the charge was made, and the load it
// was refused against.
const reserveSQL = `
WITH old AS (
	SELECT agent_id, weight FROM parley_reservations
	WHERE conversation_id = $2
	FOR UPDATE
), delta AS (
	SELECT $3::bigint - coalesce((SELECT weight FROM old), 0) AS delta
	WHERE NOT EXISTS (SELECT 1 FROM old WHERE agent_id <> $1)
), charge AS (
	INSERT INTO parley_agent_loads AS l (agent_id, load)
	SELECT $1, greatest(delta, 0) FROM delta WHERE delta <= $4
	ON CONFLICT (agent_id) DO UPDATE SET load = l.load + (SELECT delta FROM delta)
		WHERE l.load + (SELECT delta FROM delta) <= $4
	RETURNING load
), put AS (
	INSERT INTO parley_reservations (conversation_id, agent_id, weight)
	SELECT $2, $1, $3 FROM charge WHERE NOT EXISTS (SELECT 1 FROM old)
	RETURNING 1
), reweigh AS (
	UPDATE parley_reservations SET weight = $3
	FROM charge
	WHERE conversation_id = $2 AND EXISTS (SELECT 1 FROM old)
	RETURNING 1
)
SELECT
	(SELECT agent_id FROM old),
	EXISTS (SELECT 1 FROM charge),
	coalesce((SELECT load FROM parley_agent_loads WHERE agent_id = $1), 0)
		- coalesce((SELECT weight FROM old), 0),
	(SELECT count(*) FROM put) + (SELECT count(*) FROM reweigh)`

// releaseSQL deletes the reservation and takes its weight off the agent's
// load in one statement. A second release of the same conversation waits
// for the first, then finds nothing to delete and frees nothing.
const releaseSQL = `
WITH gone AS (
	DELETE FROM parley_reservations WHERE conversation_id = $1
	RETURNING agent_id, weight
), freed AS (
	UPDATE parley_agent_loads l SET load = l.load - gone.weight
	FROM gone WHERE l.agent_id = gone.agent_id
	RETURNING 1
)
SELECT coalesce((SELECT weight FROM gone), 0)`

// reserveAttempts bounds Reserve's retries after losing a race to insert
// the same conversation; the second attempt sees the winner's row.
const reserveAttempts = 3

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
	var err error
	for range reserveAttempts {
		var (
			holder  *string
			charged bool
			load    int64
			written int64
		)
		err = l.pool.QueryRow(ctx, reserveSQL, agentID, conversationID, weight, capacity).
			Scan(&holder, &charged, &load, &written)
		switch {
		case isDuplicateKey(err):
			continue
		case err != nil:
			return fmt.Errorf("postgres: reserve: %w", err)
		case holder != nil && *holder != agentID:
			return fmt.Errorf("%w: conversation %q is held by %q", routing.ErrAlreadyReserved, conversationID, *holder)
		case !charged:
			return &routing.CapacityError{AgentID: agentID, Load: int(load), Weight: weight, Capacity: capacity}
		case written != 1:
			// The conversation's reservation vanished between the lock and
			// the write, which the lock forbids.
			return fmt.Errorf("postgres: reserve: %w: conversation %q charged but not written", routing.ErrInternal, conversationID)
		}
		return nil
	}
	return fmt.Errorf("postgres: reserve: conversation %q: %d attempts lost the race to insert it: %w", conversationID, reserveAttempts, err)
}

// Release implements [routing.Ledger]: it frees the conversation's
// reservation and returns exactly the weight charged for it; 0 when there
// is none, so Release is idempotent.
func (l *Ledger) Release(ctx context.Context, conversationID string) (int, error) {
	var w int64
	if err := l.pool.QueryRow(ctx, releaseSQL, conversationID).Scan(&w); err != nil {
		return 0, fmt.Errorf("postgres: release: %w", err)
	}
	return int(w), nil
}

// Load implements [routing.Ledger]: the points reserved for agentID, 0
// for an agent with none.
func (l *Ledger) Load(ctx context.Context, agentID string) (int, error) {
	var load int64
	err := l.pool.QueryRow(ctx, `SELECT load FROM parley_agent_loads WHERE agent_id = $1`, agentID).Scan(&load)
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

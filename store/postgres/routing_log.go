package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley/routing"
)

// DefaultLease bounds how long a routing change may hold the log's lock
// while its desk does nothing (RoutingLog.Lease when zero): a desk that
// dies has its lock freed at once, as the server sees its connection
// close, but one cut off from the server, or frozen, holds it until the
// server gives up on its transaction after the lease.
const DefaultLease = 5 * time.Second

// routingChannel is the notification channel on which a committed change
// announces its position, so that replicas read the log only when it
// grew.
const routingChannel = "parley_routing"

// RoutingLog is [routing.Log] in the tables parley_routing_head and
// parley_routing_log: desks in any number of processes on the database
// route as one. A change locks the head row (SELECT … FOR UPDATE, a
// transaction-scoped lock, so it works through PgBouncer in transaction
// mode), appends its entry and reserves capacity in [Ledger]'s tables, all
// in one transaction: what a desk that dies did not commit is absent
// whole, and its lock is freed. Pass it as parley.Config.Routing.
type RoutingLog struct {
	pool *pgxpool.Pool
	// Lease is the server's idle_in_transaction_session_timeout for a
	// change: a desk that holds the lock that long without a word loses
	// its session, and the lock, so others go on. Zero means DefaultLease.
	Lease time.Duration
}

var _ routing.Log = (*RoutingLog)(nil)

// NewRoutingLog returns the routing log on pool, whose schema Migrate
// brought up to date.
func NewRoutingLog(pool *pgxpool.Pool) *RoutingLog { return &RoutingLog{pool: pool} }

// lockSQL takes the log's lock and reads where it stands; set_config
// makes the lease the transaction's own, in the same round trip.
const lockSQL = `SELECT set_config('idle_in_transaction_session_timeout', $1, true), seq, snapshot_seq
FROM parley_routing_head FOR UPDATE`

// Begin takes the log's lock for one change.
func (l *RoutingLog) Begin(ctx context.Context) (routing.LogTx, error) {
	tx, err := l.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: routing log: begin: %w", err)
	}
	lease := l.Lease
	if lease <= 0 {
		lease = DefaultLease
	}
	c := &routingChange{tx: tx}
	var setting string
	if err := tx.QueryRow(ctx, lockSQL, fmt.Sprint(lease.Milliseconds())).Scan(&setting, &c.seq, &c.snapSeq); err != nil {
		_ = tx.Rollback(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("postgres: routing log: lock: %w", err)
	}
	return c, nil
}

// readSQL reads, in one statement and so from one snapshot of the
// tables, what a replica at position $1 lacks: the entries after $1 when
// the log still keeps the next one, else the snapshot and the entries
// after it.
const readSQL = `WITH h AS (
  SELECT snapshot_seq, snapshot,
    $1::bigint < snapshot_seq AND NOT EXISTS (SELECT 1 FROM parley_routing_log WHERE seq = $1::bigint + 1) AS behind
  FROM parley_routing_head)
SELECT h.snapshot_seq, CASE WHEN h.behind THEN h.snapshot END,
  (SELECT coalesce(jsonb_agg(l.entry ORDER BY l.seq), '[]') FROM parley_routing_log l
   WHERE l.seq > CASE WHEN h.behind THEN h.snapshot_seq ELSE $1::bigint END)
FROM h`

// Read returns what a replica at position after lacks.
func (l *RoutingLog) Read(ctx context.Context, after uint64) (routing.Catchup, error) {
	return readLog(ctx, l.pool, after)
}

func readLog(ctx context.Context, q querier, after uint64) (routing.Catchup, error) {
	var (
		snapSeq  int64
		snap     []byte
		entries  []byte
		catchup  routing.Catchup
		position = int64(after)
	)
	if err := q.QueryRow(ctx, readSQL, position).Scan(&snapSeq, &snap, &entries); err != nil {
		return catchup, fmt.Errorf("postgres: routing log: read: %w", err)
	}
	if snap != nil {
		catchup.Snapshot, catchup.SnapshotSeq = new(routing.Snapshot), uint64(snapSeq)
		if err := json.Unmarshal(snap, catchup.Snapshot); err != nil {
			return catchup, fmt.Errorf("postgres: routing log: snapshot at %d: %w", snapSeq, err)
		}
	}
	if err := json.Unmarshal(entries, &catchup.Entries); err != nil {
		return catchup, fmt.Errorf("postgres: routing log: entries after %d: %w", after, err)
	}
	return catchup, nil
}

// routingChange is one change, holding the log's lock in its
// transaction.
type routingChange struct {
	tx           pgx.Tx
	seq, snapSeq int64 // the head as locked
}

func (c *routingChange) Read(ctx context.Context, after uint64) (routing.Catchup, error) {
	return readLog(ctx, c.tx, after)
}

func (c *routingChange) Ledger() routing.Ledger { return &Ledger{db: c.tx} }

// appendSQL adds entry $2 at position $1 and moves the head there, only
// from the position before: a change can only follow the last entry. The
// notification goes out when the transaction commits.
const appendSQL = `WITH entry AS (INSERT INTO parley_routing_log (seq, entry) VALUES ($1, $2)),
head AS (UPDATE parley_routing_head SET seq = $1 WHERE seq = $1 - 1 RETURNING seq)
SELECT pg_notify('` + routingChannel + `', seq::text) FROM head`

func (c *routingChange) Append(ctx context.Context, e routing.Entry) error {
	if int64(e.Seq) != c.seq+1 {
		return fmt.Errorf("postgres: routing log: entry %d does not follow %d: %w", e.Seq, c.seq, routing.ErrInvalid)
	}
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("postgres: routing log: entry %d: %w", e.Seq, err)
	}
	rows, err := c.tx.Exec(ctx, appendSQL, int64(e.Seq), b)
	if err != nil {
		return fmt.Errorf("postgres: routing log: append %d: %w", e.Seq, err)
	}
	if rows.RowsAffected() != 1 {
		return fmt.Errorf("postgres: routing log: append %d: the head moved under the lock: %w", e.Seq, routing.ErrInternal)
	}
	c.seq = int64(e.Seq)
	return nil
}

// snapshotSQL keeps the snapshot at $1 and deletes the entries up to the
// one before, which a replica a little behind may still replay rather
// than read the whole snapshot.
const snapshotSQL = `WITH old AS (SELECT snapshot_seq FROM parley_routing_head),
drop AS (DELETE FROM parley_routing_log WHERE seq <= (SELECT snapshot_seq FROM old))
UPDATE parley_routing_head SET snapshot_seq = $1, snapshot = $2`

func (c *routingChange) SaveSnapshot(ctx context.Context, seq uint64, s routing.Snapshot) error {
	if int64(seq) > c.seq {
		return fmt.Errorf("postgres: routing log: snapshot at %d, after the last entry %d: %w", seq, c.seq, routing.ErrInvalid)
	}
	b, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("postgres: routing log: snapshot at %d: %w", seq, err)
	}
	if _, err := c.tx.Exec(ctx, snapshotSQL, int64(seq), b); err != nil {
		return fmt.Errorf("postgres: routing log: snapshot at %d: %w", seq, err)
	}
	return nil
}

func (c *routingChange) Commit(ctx context.Context) error {
	if err := c.tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: routing log: commit: %w", err)
	}
	return nil
}

func (c *routingChange) Rollback(ctx context.Context) error {
	if err := c.tx.Rollback(ctx); err != nil && !errors.Is(err, pgx.ErrTxClosed) {
		return fmt.Errorf("postgres: routing log: rollback: %w", err)
	}
	return nil
}

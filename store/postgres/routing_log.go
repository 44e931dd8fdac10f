package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/puddle/v2"

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
//
// Reads (Read, which a replica's reads call) skip the database when the
// log has not grown: a committed change notifies its position on the
// channel parley_routing, which the log listens to on a connection of its
// own, and asks the head itself every PollEvery as a backstop, since a
// notification can be missed while that connection is down. A read may so
// lag a change made by another process by the notification's delay; a
// change never does, as Begin reads under the lock.
type RoutingLog struct {
	pool *pgxpool.Pool
	// Lease is the server's idle_in_transaction_session_timeout for a
	// change: a desk that holds the lock that long without a word loses
	// its session, and the lock, so others go on. Zero means DefaultLease.
	Lease time.Duration

	listen  sync.Once
	stop    context.CancelFunc
	stopped chan struct{}
	head    atomic.Int64 // the newest position heard of
	current atomic.Int64 // until when (unix ns) head is known current
}

// PollEvery is how often a log listening for notifications asks the head
// itself, and how long a head heard of stays trusted.
const PollEvery = time.Second

var _ routing.Log = (*RoutingLog)(nil)

// NewRoutingLog returns the routing log on pool, whose schema Migrate
// brought up to date.
func NewRoutingLog(pool *pgxpool.Pool) *RoutingLog { return &RoutingLog{pool: pool} }

// lockSQL takes the log's lock; set_config makes the lease the
// transaction's own.
const lockSQL = `SELECT set_config('idle_in_transaction_session_timeout', $1, true), seq
FROM parley_routing_head FOR UPDATE`

// Begin takes the log's lock for one change and reads what a replica at
// position after lacks, in one round trip: BEGIN, the lock and the read
// go together, the read a statement of its own so that its snapshot is
// taken once the lock is held and sees every entry before it.
func (l *RoutingLog) Begin(ctx context.Context, after uint64) (routing.LogTx, routing.Catchup, error) {
	lease := l.Lease
	if lease <= 0 {
		lease = DefaultLease
	}
	conn, err := l.pool.Acquire(ctx)
	if err != nil {
		return nil, routing.Catchup{}, fmt.Errorf("postgres: routing log: %w", err)
	}
	c := &routingChange{conn: conn}
	var (
		setting       string
		snapSeq       int64
		snap, entries []byte
	)
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	b.Queue(lockSQL, fmt.Sprint(lease.Milliseconds())).QueryRow(func(row pgx.Row) error { return row.Scan(&setting, &c.seq) })
	b.Queue(readSQL, int64(after)).QueryRow(func(row pgx.Row) error { return row.Scan(&snapSeq, &snap, &entries) })
	if err := conn.SendBatch(ctx, b).Close(); err != nil {
		c.end(ctx)
		return nil, routing.Catchup{}, fmt.Errorf("postgres: routing log: lock: %w", err)
	}
	catchup, err := decodeCatchup(snapSeq, snap, entries, after)
	if err != nil {
		c.end(ctx)
		return nil, routing.Catchup{}, err
	}
	return c, catchup, nil
}

// readSQL reads, in one statement and so from one snapshot of the
// tables, what a replica at position $1 lacks: the entries after $1, or,
// when the newest snapshot is past $1, the snapshot and the entries after
// it.
const readSQL = `WITH h AS (
  SELECT snapshot_seq, snapshot,
    $1::bigint < snapshot_seq AS behind
  FROM parley_routing_head)
SELECT h.snapshot_seq, CASE WHEN h.behind THEN h.snapshot END,
  (SELECT coalesce(jsonb_agg(l.entry ORDER BY l.seq), '[]') FROM parley_routing_log l
   WHERE l.seq > CASE WHEN h.behind THEN h.snapshot_seq ELSE $1::bigint END)
FROM h`

// Read returns what a replica at position after lacks: nothing, without
// a query, when the log is known not to have grown past it.
func (l *RoutingLog) Read(ctx context.Context, after uint64) (routing.Catchup, error) {
	l.listen.Do(l.startListening)
	if time.Now().UnixNano() < l.current.Load() && int64(after) >= l.head.Load() {
		return routing.Catchup{}, nil
	}
	return readLog(ctx, l.pool, after)
}

// Close stops listening for notifications and gives back the listening
// connection; the log still works, reading the database on every Read.
func (l *RoutingLog) Close() {
	l.listen.Do(func() {}) // never start after Close
	if l.stop != nil {
		l.stop()
		<-l.stopped
	}
	l.current.Store(0)
}

func (l *RoutingLog) startListening() {
	ctx, cancel := context.WithCancel(context.Background())
	l.stop, l.stopped = cancel, make(chan struct{})
	go func() {
		defer close(l.stopped)
		for ctx.Err() == nil {
			l.listenOnce(ctx)
			l.current.Store(0)
			select { // a lost connection: try again shortly
			case <-ctx.Done():
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
}

// listenOnce listens on a connection of its own, outside the pool (so
// that it never holds up the pool's Close), until it fails or the pool is
// closed: each notification moves the head; with none for half of
// PollEvery, the head is read through the pool instead, which also finds
// the pool closed.
func (l *RoutingLog) listenOnce(ctx context.Context) {
	conn, err := pgx.ConnectConfig(ctx, l.pool.Config().ConnConfig.Copy())
	if err != nil {
		return
	}
	defer func() { _ = conn.Close(context.Background()) }()
	if _, err := conn.Exec(ctx, "LISTEN "+routingChannel); err != nil {
		return
	}
	for {
		// Read the head after LISTEN, so nothing committed between is
		// missed; then trust it, and what is heard, for PollEvery.
		var head int64
		if err := l.pool.QueryRow(ctx, `SELECT seq FROM parley_routing_head`).Scan(&head); err != nil {
			if errors.Is(err, puddle.ErrClosedPool) {
				l.stop() // the host is done with the database
			}
			return
		}
		l.moveHead(head)
		for {
			wait, cancel := context.WithTimeout(ctx, PollEvery/2)
			n, err := conn.WaitForNotification(wait)
			cancel()
			if err != nil {
				if ctx.Err() != nil || !errors.Is(err, context.DeadlineExceeded) {
					return
				}
				break // no news for a while: read the head
			}
			if seq, err := strconv.ParseInt(n.Payload, 10, 64); err == nil {
				l.moveHead(seq)
			}
		}
	}
}

// moveHead records that the log reached seq, as of now.
func (l *RoutingLog) moveHead(seq int64) {
	for {
		old := l.head.Load()
		if seq <= old || l.head.CompareAndSwap(old, seq) {
			break
		}
	}
	l.current.Store(time.Now().Add(PollEvery).UnixNano())
}

func readLog(ctx context.Context, q querier, after uint64) (routing.Catchup, error) {
	var (
		snapSeq       int64
		snap, entries []byte
	)
	if err := q.QueryRow(ctx, readSQL, int64(after)).Scan(&snapSeq, &snap, &entries); err != nil {
		return routing.Catchup{}, fmt.Errorf("postgres: routing log: read: %w", err)
	}
	return decodeCatchup(snapSeq, snap, entries, after)
}

func decodeCatchup(snapSeq int64, snap, entries []byte, after uint64) (routing.Catchup, error) {
	var c routing.Catchup
	if snap != nil {
		c.Snapshot, c.SnapshotSeq = new(routing.Snapshot), uint64(snapSeq)
		if err := json.Unmarshal(snap, c.Snapshot); err != nil {
			return c, fmt.Errorf("postgres: routing log: snapshot at %d: %w", snapSeq, err)
		}
	}
	if err := json.Unmarshal(entries, &c.Entries); err != nil {
		return c, fmt.Errorf("postgres: routing log: entries after %d: %w", after, err)
	}
	return c, nil
}

// routingChange is one change, holding the log's lock in the transaction
// open on its connection. Its entry and snapshot are written at Commit,
// in one round trip with COMMIT.
type routingChange struct {
	conn    *pgxpool.Conn
	seq     int64 // the last entry, as locked or appended
	entries [][]byte
	snap    []byte
	snapSeq int64
	done    bool
}

func (c *routingChange) Ledger() routing.Ledger { return &Ledger{db: c.conn} }

// appendSQL adds entry $2 at position $1 and moves the head there; the
// notification goes out when the transaction commits.
const appendSQL = `WITH entry AS (INSERT INTO parley_routing_log (seq, entry) VALUES ($1, $2)),
head AS (UPDATE parley_routing_head SET seq = $1)
SELECT pg_notify('` + routingChannel + `', $1::text)`

func (c *routingChange) Append(_ context.Context, e routing.Entry) error {
	if c.done {
		return errChangeDone
	}
	if int64(e.Seq) != c.seq+1 {
		return fmt.Errorf("postgres: routing log: entry %d does not follow %d: %w", e.Seq, c.seq, routing.ErrInvalid)
	}
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("postgres: routing log: entry %d: %w", e.Seq, err)
	}
	c.entries = append(c.entries, b)
	c.seq = int64(e.Seq)
	return nil
}

// snapshotSQL keeps the snapshot at $1 and deletes the entries it
// covers: a replica behind it starts again from it.
const snapshotSQL = `WITH drop AS (DELETE FROM parley_routing_log WHERE seq <= $1)
UPDATE parley_routing_head SET snapshot_seq = $1, snapshot = $2`

func (c *routingChange) SaveSnapshot(_ context.Context, seq uint64, s routing.Snapshot) error {
	if c.done {
		return errChangeDone
	}
	if int64(seq) > c.seq {
		return fmt.Errorf("postgres: routing log: snapshot at %d, after the last entry %d: %w", seq, c.seq, routing.ErrInvalid)
	}
	b, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("postgres: routing log: snapshot at %d: %w", seq, err)
	}
	c.snap, c.snapSeq = b, int64(seq)
	return nil
}

func (c *routingChange) Commit(ctx context.Context) error {
	if c.done {
		return errChangeDone
	}
	defer c.end(ctx)
	b := &pgx.Batch{}
	for i, e := range c.entries {
		b.Queue(appendSQL, c.seq-int64(len(c.entries)-1-i), e)
	}
	if c.snap != nil {
		b.Queue(snapshotSQL, c.snapSeq, c.snap)
	}
	b.Queue("COMMIT")
	if err := c.conn.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("postgres: routing log: commit: %w", err)
	}
	return nil
}

func (c *routingChange) Rollback(ctx context.Context) error {
	if c.done {
		return nil
	}
	c.end(ctx)
	return nil
}

// end rolls back what is not committed and gives the connection back.
// A connection left in a transaction (the rollback failed) is closed by
// the pool rather than reused.
func (c *routingChange) end(ctx context.Context) {
	if c.done {
		return
	}
	c.done = true
	if c.conn.Conn().PgConn().TxStatus() != 'I' {
		_, _ = c.conn.Exec(context.WithoutCancel(ctx), "ROLLBACK")
	}
	c.conn.Release()
}

var errChangeDone = errors.New("postgres: routing log change already committed or rolled back")

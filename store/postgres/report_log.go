package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/report"
)

// ReportLog is [report.Log] and [report.Feed] in the table
// parley_report_events: the one shared, ordered log that the desks of
// every process append their events to (give it, or a report.Tee with
// it, as parley.Config.Publisher), and from which one reporting process
// builds its figures with report.Follow, or rebuilds them with
// report.Rebuild. Each event is kept as its export record
// (report.EventRecord) in jsonb, at a position drawn from an identity
// column. Appends are serialised until they commit (rule 13), so
// positions become visible in order.
type ReportLog struct {
	pool *pgxpool.Pool
}

var (
	_ report.Feed      = (*ReportLog)(nil)
	_ parley.Publisher = (*ReportLog)(nil)
)

// NewReportLog returns the report's event log on pool, whose schema
// Migrate brought up to date.
func NewReportLog(pool *pgxpool.Pool) *ReportLog { return &ReportLog{pool: pool} }

// reportPage is how many events a read holds at once.
const reportPage = 500

// Append records e at the end of the log; a nil event is refused with
// report.ErrNilEvent.
func (l *ReportLog) Append(ctx context.Context, e parley.Event) error {
	if e == nil {
		return report.ErrNilEvent
	}
	rec, err := report.EventRecord(e)
	if err != nil {
		return err
	}
	data, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("postgres: report log: %w", err)
	}
	var conv any
	if id := e.Conversation(); !id.IsZero() {
		conv = uuidArg(id)
	}
	err = pgx.BeginFunc(ctx, l.pool, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		b.Queue(reportLockSQL)
		b.Queue(`INSERT INTO parley_report_events (conversation_id, at, name, record) VALUES ($1, $2, $3, $4)`,
			conv, e.Time().UTC(), e.Name(), data)
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return fmt.Errorf("postgres: report log: append %s: %w", e.Name(), err)
	}
	return nil
}

// reportLockSQL serialises appends until they commit: a transaction-scoped
// advisory lock keyed by the table, which reads never wait for. (LOCK
// TABLE would deadlock: a batch parses its INSERT, taking the table's
// ROW EXCLUSIVE lock, before the LOCK runs.)
const reportLockSQL = `SELECT pg_advisory_xact_lock('parley_report_events'::regclass::oid::bigint)`

// Publish appends e, making the log a parley.Publisher.
func (l *ReportLog) Publish(ctx context.Context, e parley.Event) error { return l.Append(ctx, e) }

// Events yields the events q selects, in position order, one page at a
// time. Events appended meanwhile may or may not be yielded.
func (l *ReportLog) Events(ctx context.Context, q report.LogQuery, yield func(parley.Event) error) error {
	var conv, since, until any
	if !q.ConversationID.IsZero() {
		conv = uuidArg(q.ConversationID)
	}
	// The table keeps microseconds: the bounds are widened by one, so
	// that however the driver rounds, q then decides to the nanosecond.
	if !q.Since.IsZero() {
		since = q.Since.UTC().Truncate(time.Microsecond).Add(-time.Microsecond)
	}
	if !q.Until.IsZero() {
		until = q.Until.UTC().Truncate(time.Microsecond).Add(2 * time.Microsecond)
	}
	const sql = `SELECT position, record FROM parley_report_events
WHERE position > $1 AND ($2::uuid IS NULL OR conversation_id = $2)
  AND ($3::timestamptz IS NULL OR at >= $3) AND ($4::timestamptz IS NULL OR at < $4)
ORDER BY position LIMIT $5`
	return l.read(ctx, 0, 0, func(pos uint64, n int) (pgx.Rows, error) {
		return l.pool.Query(ctx, sql, int64(pos), conv, since, until, n)
	}, func(_ uint64, e parley.Event) error {
		if !q.Matches(e) {
			return nil
		}
		return yield(e)
	})
}

// After yields the events after position pos, oldest first, with their
// positions, at most limit of them when limit > 0.
func (l *ReportLog) After(ctx context.Context, pos uint64, limit int, yield func(uint64, parley.Event) error) error {
	const sql = `SELECT position, record FROM parley_report_events WHERE position > $1 ORDER BY position LIMIT $2`
	return l.read(ctx, pos, limit, func(pos uint64, n int) (pgx.Rows, error) {
		return l.pool.Query(ctx, sql, int64(pos), n)
	}, yield)
}

// read pages through query from position pos, at most limit events (all
// when limit ≤ 0), decoding each record.
func (l *ReportLog) read(ctx context.Context, pos uint64, limit int, query func(pos uint64, n int) (pgx.Rows, error),
	yield func(uint64, parley.Event) error) error {
	type row struct {
		pos uint64
		e   parley.Event
	}
	page := make([]row, 0, reportPage)
	for left := limit; limit <= 0 || left > 0; {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := reportPage
		if limit > 0 {
			n = min(n, left)
		}
		rows, err := query(pos, n)
		if err != nil {
			return fmt.Errorf("postgres: report log: %w", err)
		}
		page = page[:0]
		for rows.Next() {
			var (
				p    int64
				data []byte
			)
			if err := rows.Scan(&p, &data); err != nil {
				rows.Close()
				return fmt.Errorf("postgres: report log: %w", err)
			}
			e, err := decodeReportEvent(data)
			if err != nil {
				rows.Close()
				return fmt.Errorf("postgres: report log: position %d: %w", p, err)
			}
			page = append(page, row{uint64(p), e})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("postgres: report log: %w", err)
		}
		for _, r := range page {
			if err := yield(r.pos, r.e); err != nil {
				return err
			}
		}
		if len(page) < n {
			return nil
		}
		pos = page[len(page)-1].pos
		left -= len(page)
	}
	return nil
}

func decodeReportEvent(data []byte) (parley.Event, error) {
	var rec report.Record
	if err := json.Unmarshal(data, &rec); err != nil {
		return nil, err
	}
	return rec.Event()
}

package postgres

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/session"
)

// WindowStore is [session.Store] in the table parley_windows: one row per
// (business, contact) pair with when its window closes, when all its
// limits end, and which of its notices were dealt with. Every desk on the
// database shares it, so any desk announces every window, once between
// them, and sees a window another desk's message opened. It is safe for
// concurrent use.
//
// The store computes the instants from its policies when the contact
// writes, so a desk must apply the same (parley.Config.Sessions). Times
// are kept to the microsecond: a nanosecond part is truncated, and times
// come back in UTC.
type WindowStore struct {
	pool     *pgxpool.Pool
	policies session.Policies
}

var _ session.Store = (*WindowStore)(nil)

// NewWindowStore returns the window store on pool applying ps (nil for the
// defaults; ps is copied). [New] gives one with the defaults.
func NewWindowStore(pool *pgxpool.Pool, ps session.Policies) *WindowStore {
	return &WindowStore{pool: pool, policies: maps.Clone(ps)}
}

// The stages of parley_windows.noticed.
const (
	noticedWarned = 1 // "window expiring" dealt with
	noticedClosed = 2 // "window closed" dealt with, which covers both
)

// windowsColumns are the columns a listed window is read from.
const windowsColumns = `kind, contact, business, last_inbound, closes_at`

// touchSQL records a message: a new row, or a later last_inbound that
// makes a new window (noticed back to none). A message no later than the
// stored one changes nothing, decided on the row's latest version under
// its lock, so concurrent touches keep the latest. $1 kind, $2 contact,
// $3 business, $4 last inbound, $5 closes, $6 over.
const touchSQL = `INSERT INTO parley_windows AS w (kind, contact, business, last_inbound, closes_at, over_at, noticed)
VALUES ($1, $2, $3, $4, $5, $6, 0)
ON CONFLICT (kind, contact, business) DO UPDATE
SET last_inbound = EXCLUDED.last_inbound, closes_at = EXCLUDED.closes_at, over_at = EXCLUDED.over_at, noticed = 0
WHERE EXCLUDED.last_inbound > coalesce(w.last_inbound, '-infinity')
RETURNING w.last_inbound`

const windowSQL = `SELECT last_inbound FROM parley_windows WHERE kind = $1 AND contact = $2 AND business = $3`

// Touch records an inbound message on k at inboundAt and returns the
// window after it; see [session.Store]. A key whose addresses are not of
// one valid kind, or whose IDs PostgreSQL's text cannot hold, fails with
// [session.ErrInvalidKey].
func (s *WindowStore) Touch(ctx context.Context, k session.Key, inboundAt time.Time) (session.Window, error) {
	if err := windowKey(k); err != nil {
		return session.Window{}, err
	}
	w := session.Window{Channel: k.Contact.Kind, LastInbound: micro(inboundAt)}
	l := s.policies.Limits(w)
	var over any
	switch {
	case !l.Windowed:
	case l.Over.IsZero(): // never written: over already
		over = pgtype.Timestamptz{InfinityModifier: pgtype.NegativeInfinity, Valid: true}
	default:
		over = l.Over
	}
	kind := k.Contact.Kind.String()
	var last pgtype.Timestamptz
	err := s.pool.QueryRow(ctx, touchSQL, kind, k.Contact.ID, k.Business.ID, tsArg(w.LastInbound), tsArg(l.Closes), over).Scan(&last)
	if errors.Is(err, pgx.ErrNoRows) { // the stored window is later: read it
		err = s.pool.QueryRow(ctx, windowSQL, kind, k.Contact.ID, k.Business.ID).Scan(&last)
	}
	if err != nil {
		return session.Window{}, fmt.Errorf("postgres: touch window: %w", err)
	}
	return session.Window{Channel: k.Contact.Kind, LastInbound: fromTZ(last)}, nil
}

// Window returns k's window, ok false when k was never touched or was
// forgotten; see [session.Store].
func (s *WindowStore) Window(ctx context.Context, k session.Key) (session.Window, bool, error) {
	w := session.Window{Channel: k.Contact.Kind}
	if windowKey(k) != nil {
		return w, false, nil
	}
	var last pgtype.Timestamptz
	err := s.pool.QueryRow(ctx, windowSQL, k.Contact.Kind.String(), k.Contact.ID, k.Business.ID).Scan(&last)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return w, false, nil
	case err != nil:
		return w, false, fmt.Errorf("postgres: window: %w", err)
	}
	w.LastInbound = fromTZ(last)
	return w, true, nil
}

// Expiring lists the windows open at now that close within d, soonest
// first, ties by key; see [session.Store]. It reads the index of closing
// instants from now to now+d.
func (s *WindowStore) Expiring(ctx context.Context, now time.Time, d time.Duration) ([]session.Tracked, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+windowsColumns+` FROM parley_windows
WHERE closes_at IS NOT NULL AND closes_at > $1 AND closes_at <= $2 AND last_inbound <= $1
ORDER BY closes_at`, micro(now), micro(now.Add(d)))
	if err != nil {
		return nil, fmt.Errorf("postgres: expiring windows: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (session.Tracked, error) {
		return scanTracked(r, now)
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: expiring windows: %w", err)
	}
	slices.SortStableFunc(out, soonestFirst)
	return out, nil
}

// Notices lists the notices not yet dealt with at now: "window closed"
// for each closed window, "window expiring" for each open one closing
// within warn; see [session.Store]. It reads the index of windows not yet
// announced as closed, up to now+warn.
func (s *WindowStore) Notices(ctx context.Context, now time.Time, warn time.Duration) ([]session.Notice, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+windowsColumns+`, closes_at <= $1 FROM parley_windows
WHERE closes_at IS NOT NULL AND noticed < 2 AND closes_at <= $2 AND (closes_at <= $1 OR noticed < 1)
ORDER BY closes_at`, micro(now), micro(now.Add(max(warn, 0))))
	if err != nil {
		return nil, fmt.Errorf("postgres: window notices: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (session.Notice, error) {
		var n session.Notice
		var err error
		n.Tracked, err = scanTracked(r, now, &n.Closed)
		return n, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: window notices: %w", err)
	}
	slices.SortStableFunc(out, func(a, b session.Notice) int { return soonestFirst(a.Tracked, b.Tracked) })
	return out, nil
}

// Noticed marks the notice of k's window closing at closes dealt with; it
// does nothing when the window no longer closes then or is gone. See
// [session.Store].
func (s *WindowStore) Noticed(ctx context.Context, k session.Key, closes time.Time, closed bool) (bool, error) {
	if windowKey(k) != nil || closes.IsZero() {
		return false, nil
	}
	stage := noticedWarned
	if closed {
		stage = noticedClosed
	}
	tag, err := s.pool.Exec(ctx, `UPDATE parley_windows SET noticed = $5
WHERE kind = $1 AND contact = $2 AND business = $3 AND closes_at = $4 AND noticed < $5`,
		k.Contact.Kind.String(), k.Contact.ID, k.Business.ID, micro(closes), stage)
	if err != nil {
		return false, fmt.Errorf("postgres: window noticed: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// Prune forgets the windows whose every limit ended at or before cutoff
// and returns how many; see [session.Store].
func (s *WindowStore) Prune(ctx context.Context, cutoff time.Time) (int, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM parley_windows WHERE over_at <= $1`, micro(cutoff))
	if err != nil {
		return 0, fmt.Errorf("postgres: prune windows: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// Forget drops every window of contact, with any business, and returns
// how many; see [session.Store].
func (s *WindowStore) Forget(ctx context.Context, contact channel.Address) (int, error) {
	if !ledgerID(contact.ID) {
		return 0, nil
	}
	tag, err := s.pool.Exec(ctx, `DELETE FROM parley_windows WHERE kind = $1 AND contact = $2`, contact.Kind.String(), contact.ID)
	if err != nil {
		return 0, fmt.Errorf("postgres: forget windows: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// scanTracked reads one row of windowsColumns (and closed, when given)
// with Remaining measured from now.
func scanTracked(r pgx.CollectableRow, now time.Time, closed ...*bool) (session.Tracked, error) {
	var (
		kind, contact, business string
		last, closes            pgtype.Timestamptz
	)
	dest := []any{&kind, &contact, &business, &last, &closes}
	for _, c := range closed {
		dest = append(dest, c)
	}
	if err := r.Scan(dest...); err != nil {
		return session.Tracked{}, err
	}
	k, err := channel.ParseKind(kind)
	if err != nil {
		return session.Tracked{}, err
	}
	t := session.Tracked{Key: session.Key{
		Business: channel.Address{Kind: k, ID: business},
		Contact:  channel.Address{Kind: k, ID: contact},
	}}
	t.Window = session.Window{Channel: k, LastInbound: fromTZ(last)}
	t.ExpiresAt = fromTZ(closes)
	t.Remaining = t.ExpiresAt.Sub(now)
	return t, nil
}

// soonestFirst orders windows as session.Store lists them: by closing
// instant, ties by key.
func soonestFirst(a, b session.Tracked) int {
	if c := a.ExpiresAt.Compare(b.ExpiresAt); c != 0 {
		return c
	}
	return a.Key.Compare(b.Key)
}

// micro truncates t to the microsecond, as stored, so that every
// comparison is made at the precision of what is stored.
func micro(t time.Time) time.Time { return t.Truncate(time.Microsecond) }

// windowKey checks k as session.Store requires, and that PostgreSQL's
// text can hold its IDs.
func windowKey(k session.Key) error {
	if err := k.Validate(); err != nil {
		return err
	}
	if !ledgerID(k.Business.ID) || !ledgerID(k.Contact.ID) {
		return fmt.Errorf("%w: an empty ID, or one that is not valid UTF-8 or holds NUL", session.ErrInvalidKey)
	}
	return nil
}

package postgres

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/optout"
)

// ErrInvalidEntry means a consent entry the ledger cannot keep: an action
// other than opt-out or opt-in, or text PostgreSQL cannot store (a NUL
// byte or invalid UTF-8). Nothing was stored. Check it with errors.Is.
var ErrInvalidEntry = errors.New("postgres: invalid consent entry")

// OptOutStore is the opt-out consent ledger ([optout.Store] and
// [optout.Redactor]) in the table parley_optout_entries. It is safe for
// concurrent use by any number of goroutines and processes.
//
// The ledger is append-only in the database itself: a trigger refuses
// every DELETE and TRUNCATE, and every UPDATE except redaction (blank
// keyword and number, redacted set, nothing else changed), whoever
// connects. Times are kept to the microsecond, PostgreSQL's resolution,
// and read back in UTC.
type OptOutStore struct {
	pool *pgxpool.Pool
}

var (
	_ optout.Store    = (*OptOutStore)(nil)
	_ optout.Redactor = (*OptOutStore)(nil)
)

// Append adds e to its (scope, address) history if e.Seq is the latest
// Seq plus one; otherwise it returns an error matching optout.ErrConflict
// and stores nothing. One statement checks and writes: seq n is inserted
// only when seq n-1 exists, and the primary key refuses a second seq n
// (two writers racing with the same seq: one wins, one conflicts).
func (s *OptOutStore) Append(ctx context.Context, e optout.Entry) error {
	if e.Action != optout.OptOut && e.Action != optout.OptIn {
		return fmt.Errorf("%w: action %v, want opt-out or opt-in", ErrInvalidEntry, e.Action)
	}
	for _, k := range []channel.Kind{e.Address.Kind, e.Number.Kind} {
		if _, err := k.MarshalText(); err != nil {
			return fmt.Errorf("%w: %w", ErrInvalidEntry, err)
		}
	}
	for _, v := range []string{string(e.Scope), e.Address.ID, e.Keyword, e.Number.ID} {
		if !consentText(v) {
			return fmt.Errorf("%w: %q holds a NUL byte or invalid UTF-8", ErrInvalidEntry, v)
		}
	}
	conflict := func() error {
		return fmt.Errorf("%w: %s in scope %q: seq %d is not the latest plus one", optout.ErrConflict, e.Address, e.Scope, e.Seq)
	}
	if e.Seq < 1 || e.Seq > math.MaxInt64 {
		return conflict()
	}
	tag, err := s.pool.Exec(ctx, `
		INSERT INTO parley_optout_entries
			(address_kind, address_id, scope, seq, action, at, keyword, number_kind, number_id)
		SELECT $1::text, $2::text, $3::text, $4::bigint, $5::text, $6::timestamptz, $7::text, $8::text, $9::text
		WHERE $4 = 1 OR EXISTS (
			SELECT 1 FROM parley_optout_entries
			WHERE address_kind = $1 AND address_id = $2 AND scope = $3 AND seq = $4 - 1)`,
		consentKind(e.Address.Kind), e.Address.ID, string(e.Scope), int64(e.Seq), e.Action.String(),
		e.At, e.Keyword, consentKind(e.Number.Kind), e.Number.ID)
	if isDuplicateKey(err) {
		return conflict()
	}
	if err != nil {
		return fmt.Errorf("postgres: append consent entry: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return conflict()
	}
	return nil
}

// Latest returns the newest entry of (scope, addr), and false when the
// history is empty.
func (s *OptOutStore) Latest(ctx context.Context, scope optout.Scope, addr channel.Address) (optout.Entry, bool, error) {
	h, err := s.query(ctx, `ORDER BY seq DESC LIMIT 1`, scope, addr)
	if err != nil || len(h) == 0 {
		return optout.Entry{}, false, err
	}
	return h[0], true, nil
}

// History returns every entry of (scope, addr), oldest first.
func (s *OptOutStore) History(ctx context.Context, scope optout.Scope, addr channel.Address) ([]optout.Entry, error) {
	return s.query(ctx, `ORDER BY seq`, scope, addr)
}

// query reads the entries of (scope, addr) in the order tail gives.
func (s *OptOutStore) query(ctx context.Context, tail string, scope optout.Scope, addr channel.Address) ([]optout.Entry, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT seq, action, at, keyword, number_kind, number_id, redacted
		FROM parley_optout_entries
		WHERE address_kind = $1 AND address_id = $2 AND scope = $3 `+tail,
		consentKind(addr.Kind), addr.ID, string(scope))
	if err != nil {
		return nil, fmt.Errorf("postgres: read consent history: %w", err)
	}
	h, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (optout.Entry, error) {
		e := optout.Entry{Scope: scope, Address: addr}
		var (
			seq                int64
			action, nKind, nID string
			at                 time.Time
		)
		if err := row.Scan(&seq, &action, &at, &e.Keyword, &nKind, &nID, &e.Redacted); err != nil {
			return e, err
		}
		e.Seq, e.At = uint64(seq), at.UTC()
		if err := e.Action.UnmarshalText([]byte(action)); err != nil {
			return e, err
		}
		if err := e.Number.Kind.UnmarshalText([]byte(nKind)); err != nil {
			return e, err
		}
		e.Number.ID = nID
		return e, nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: read consent history: %w", err)
	}
	return h, nil
}

// Redact clears Keyword and Number on every entry of addr in every scope
// and marks them Redacted, keeping what honouring a STOP needs: the
// address, scope, seq, action and date. It returns how many entries addr
// has, all now redacted; repeating it is harmless.
func (s *OptOutStore) Redact(ctx context.Context, addr channel.Address) (int, error) {
	tag, err := s.pool.Exec(ctx, `
		UPDATE parley_optout_entries
		SET keyword = '', number_kind = '', number_id = '', redacted = true
		WHERE address_kind = $1 AND address_id = $2`,
		consentKind(addr.Kind), addr.ID)
	if err != nil {
		return 0, fmt.Errorf("postgres: redact consent entries: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// consentKind is the kind's name as stored: "sms", or "" for no kind (and
// for an invalid kind, which Append refuses).
func consentKind(k channel.Kind) string {
	b, _ := k.MarshalText()
	return string(b)
}

// consentText reports whether PostgreSQL's text can hold v.
func consentText(v string) bool {
	return utf8.ValidString(v) && !strings.ContainsRune(v, 0)
}

// isDuplicateKey reports whether err is PostgreSQL's unique_violation.
func isDuplicateKey(err error) bool {
	if err == nil {
		return false
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/optout"
	"github.com/parleyhq/parley/optout/optouttest"
	"github.com/parleyhq/parley/store/postgres"
	"github.com/parleyhq/parley/store/postgres/internal/pgtest"
)

// The consent ledger keeps the whole optout.Store contract, redaction
// included.
func TestOptOutStore(t *testing.T) {
	optouttest.Run(t, func(t *testing.T) optout.Store {
		_, pool := pgtest.Schema(t)
		return postgres.New(pool).OptOuts
	})
}

// The ledger is append-only in the database, for any client: the trigger
// refuses deletes, truncation and every update but redaction.
func TestOptOutLedgerIsAppendOnlyInTheDatabase(t *testing.T) {
	ctx := context.Background()
	_, pool := pgtest.Schema(t)
	s := postgres.New(pool).OptOuts
	ana := channel.MustParseAddress("sms:+14155550101")
	require.NoError(t, s.Append(ctx, optout.Entry{
		Seq: 1, Scope: optout.DefaultScope, Address: ana, Action: optout.OptOut,
		At: time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC), Keyword: "STOP",
		Number: channel.MustParseAddress("sms:+14155550100"),
	}))

	refused := []struct{ name, sql string }{
		{"delete", `DELETE FROM parley_optout_entries`},
		{"truncate", `TRUNCATE parley_optout_entries`},
		{"change the action", `UPDATE parley_optout_entries SET action = 'opt-in'`},
		{"change the date", `UPDATE parley_optout_entries SET at = at + interval '1 day'`},
		{"change the seq", `UPDATE parley_optout_entries SET seq = 7`},
		{"change the scope", `UPDATE parley_optout_entries SET scope = 'other'`},
		{"change the address", `UPDATE parley_optout_entries SET address_id = '+14155550199'`},
		{"change the keyword", `UPDATE parley_optout_entries SET keyword = 'CANCEL'`},
		{"blank the keyword without redacting", `UPDATE parley_optout_entries SET keyword = ''`},
		{"redact but keep the number", `UPDATE parley_optout_entries SET keyword = '', redacted = true`},
	}
	for _, c := range refused {
		t.Run(c.name, func(t *testing.T) {
			_, err := pool.Exec(ctx, c.sql)
			var pe *pgconn.PgError
			require.ErrorAs(t, err, &pe, "%s was allowed", c.sql)
			assert.Contains(t, []string{"23001", "23514"}, pe.Code, "refused by the trigger or a check: %v", err)
		})
	}
	h, err := s.History(ctx, optout.DefaultScope, ana)
	require.NoError(t, err)
	require.Len(t, h, 1)
	assert.Equal(t, "STOP", h[0].Keyword, "every refused statement changed nothing")

	t.Run("redaction is allowed", func(t *testing.T) {
		n, err := s.Redact(ctx, ana)
		require.NoError(t, err)
		assert.Equal(t, 1, n)
	})
}

// Entries the ledger cannot keep are refused with ErrInvalidEntry, and
// nothing is stored.
func TestOptOutAppendRefusesInvalidEntries(t *testing.T) {
	ctx := context.Background()
	_, pool := pgtest.Schema(t)
	s := postgres.New(pool).OptOuts
	ana := channel.MustParseAddress("sms:+14155550101")
	valid := optout.Entry{Seq: 1, Scope: "s", Address: ana, Action: optout.OptOut, At: time.Unix(0, 0)}
	cases := []struct {
		name   string
		change func(*optout.Entry)
	}{
		{"help is not a consent change", func(e *optout.Entry) { e.Action = optout.Help }},
		{"none is not a consent change", func(e *optout.Entry) { e.Action = optout.None }},
		{"unknown action", func(e *optout.Entry) { e.Action = 9 }},
		{"NUL in the keyword", func(e *optout.Entry) { e.Keyword = "ST\x00OP" }},
		{"invalid UTF-8 in the scope", func(e *optout.Entry) { e.Scope = "\xff" }},
		{"unknown address kind", func(e *optout.Entry) { e.Address.Kind = 200 }},
		{"unknown number kind", func(e *optout.Entry) { e.Number = channel.Address{Kind: 200, ID: "x"} }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := valid
			c.change(&e)
			err := s.Append(ctx, e)
			assert.True(t, errors.Is(err, postgres.ErrInvalidEntry), "Append = %v, want ErrInvalidEntry", err)
		})
	}
	_, ok, err := s.Latest(ctx, "s", ana)
	require.NoError(t, err)
	assert.False(t, ok, "a refused entry was stored")
}

package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Migrations holds the schema as plain SQL files, NNNN_name.sql, applied
// in the order of NNNN. A host that runs its own migration tool (golang-
// migrate, goose, Atlas, Flyway, or psql in order) may apply them itself:
// each file is one forward step, with no down step and no statement that
// drops or rewrites data, and none needs a transaction of its own, so a
// tool may wrap each in one.
//
//go:embed migrations/*.sql
var Migrations embed.FS

// migrationLock is the advisory lock key Migrate holds while it applies
// migrations, so that desks starting together apply each step once.
const migrationLock int64 = 0x7061726c6579 // "parley"

// ErrMigration: a migration file is misnamed or failed to apply. Check it
// with errors.Is; the error says which file.
var ErrMigration = errors.New("postgres: migration failed")

// Migrate brings the schema up to date: it applies, in order, every file
// of [Migrations] not yet recorded in parley_schema_migrations, and
// records it. It runs in one transaction under a transaction-scoped
// advisory lock, so several processes may call it at once (the first
// applies, the others then find nothing to do), the lock is freed by the
// transaction's end even through PgBouncer in transaction mode, and a
// failed step leaves the schema as it was. It never drops or rewrites
// data. Call it at start-up before [New].
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	steps, err := migrations()
	if err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS parley_schema_migrations (
			version    integer PRIMARY KEY,
			name       text NOT NULL,
			applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT version FROM parley_schema_migrations`)
		if err != nil {
			return err
		}
		done, err := pgx.CollectRows(rows, pgx.RowTo[int])
		if err != nil {
			return err
		}
		for _, st := range steps {
			if slices.Contains(done, st.version) {
				continue
			}
			if _, err := tx.Exec(ctx, st.sql); err != nil {
				return fmt.Errorf("%w: %s: %w", ErrMigration, st.name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO parley_schema_migrations (version, name) VALUES ($1, $2)`, st.version, st.name); err != nil {
				return err
			}
		}
		return nil
	})
}

// migration is one file of Migrations.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations reads Migrations in order, refusing a misnamed file or two
// files with one version.
func migrations() ([]migration, error) {
	files, err := fs.Glob(Migrations, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, f := range files {
		name := path.Base(f)
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v < 1 {
			return nil, fmt.Errorf("%w: %s is not named NNNN_name.sql", ErrMigration, name)
		}
		b, err := fs.ReadFile(Migrations, f)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: name, sql: string(b)})
	}
	slices.SortFunc(out, func(a, b migration) int { return a.version - b.version })
	for i := 1; i < len(out); i++ {
		if out[i].version == out[i-1].version {
			return nil, fmt.Errorf("%w: %s and %s share version %d", ErrMigration, out[i-1].name, out[i].name, out[i].version)
		}
	}
	return out, nil
}

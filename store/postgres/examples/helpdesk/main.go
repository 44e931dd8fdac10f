// Command helpdesk is parley's helpdesk example (an agent console, a
// supervisor view and a customer phone in the browser) with every store
// in PostgreSQL: conversations and messages, the opt-out consent ledger
// and agent capacity. The memory version is go run ./examples/helpdesk at
// the repository's root; this one keeps what it is told across restarts.
//
//	cd store/postgres && go run ./examples/helpdesk -postgres "$DSN"
//
// It migrates the database (postgres.Migrate) before it serves, in the
// schema the DSN's search_path names (public by default);
// scripts/pg.sh start gives a throwaway server and its DSN. -addr and
// -speed are the memory version's.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley/internal/helpdesk"
	"github.com/parleyhq/parley/store/postgres"
)

func main() {
	dsn := flag.String("postgres", "", "PostgreSQL connection string (required), e.g. postgres://user@localhost/db")
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	speed := flag.Float64("speed", 1, "run the clock this many times faster than the wall clock")
	flag.Parse()
	if *dsn == "" {
		fmt.Fprintln(os.Stderr, "helpdesk: -postgres DSN is required")
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	pool, err := pgxpool.New(ctx, *dsn)
	if err == nil {
		defer pool.Close()
		err = run(ctx, pool, *addr, *speed, os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "helpdesk:", err)
		os.Exit(1)
	}
}

// run migrates the database of pool and serves the helpdesk on its
// stores at addr until ctx is done, saying where to w.
func run(ctx context.Context, pool *pgxpool.Pool, addr string, speed float64, w io.Writer) error {
	if err := postgres.Migrate(ctx, pool); err != nil {
		return err
	}
	st := postgres.New(pool)
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, err := helpdesk.New(helpdesk.Options{Clock: helpdesk.NewClock(time.Now(), speed), Logger: log,
		Conversations: st.Conversations, OptOuts: st.OptOuts, Routing: st.Routing, Windows: st.Windows})
	if err != nil {
		return err
	}
	return helpdesk.Serve(ctx, srv, addr, w)
}

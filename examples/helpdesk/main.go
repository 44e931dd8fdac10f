// Command helpdesk is parley as a product: an agent console, a supervisor
// view and a customer phone in the browser, on one Desk with the in-memory
// stores.
//
//	go run ./examples/helpdesk              # then open http://127.0.0.1:8080
//	go run ./examples/helpdesk -speed 60    # a 24-hour WhatsApp window in 24 minutes
//
// The phone page (/phone) writes as a contact on WhatsApp, SMS or
// Messenger: it posts webhooks signed as Twilio and Meta sign them to the
// server's own provider handlers (providers/twilio, providers/meta), so
// every message takes the real inbound path. The Desk's replies go through
// the real twilio and meta Transports to a small in-process stand-in for
// the providers' APIs, which hands them to the phone and posts the signed
// delivery callbacks back. The console (/console) and the supervisor view
// (/supervisor) update live from the Desk's events.
//
// The same console on PostgreSQL:
//
//	cd store/postgres && go run ./examples/helpdesk -postgres "$DSN"
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

	"github.com/parleyhq/parley/internal/helpdesk"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	speed := flag.Float64("speed", 1, "run the clock this many times faster than the wall clock")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *addr, *speed, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "helpdesk:", err)
		os.Exit(1)
	}
}

// run serves the helpdesk on addr until ctx is done, saying where to w.
func run(ctx context.Context, addr string, speed float64, w io.Writer) error {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, err := helpdesk.New(helpdesk.Options{Clock: helpdesk.NewClock(time.Now(), speed), Logger: log})
	if err != nil {
		return err
	}
	return helpdesk.Serve(ctx, srv, addr, w)
}

// Command quickstart is parley's main demo: one day of a small helpdesk,
// narrated, with the in-memory stores and a fake clock. It shows a
// WhatsApp conversation routed by capacity, a snippet reply, the 24-hour
// lock and a template, an SMS STOP and START, a transfer, wrap-up and
// close.
//
//	go run ./examples/quickstart
//
// The same story on PostgreSQL: cd store/postgres && go run
// ./examples/quickstart -postgres "$DSN".
package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/parleyhq/parley/internal/quickstart"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(w io.Writer) error {
	return quickstart.Run(context.Background(), w, quickstart.Stores{})
}

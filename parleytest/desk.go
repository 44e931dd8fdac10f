package parleytest

import (
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
)

// Epoch is the time a test desk's clock starts at: a Monday morning.
var Epoch = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// Desk is a ready desk for tests, with the doubles wired into it.
type Desk struct {
	*parley.Desk
	Clock     *Clock
	Transport *Transport
	Publisher *Publisher
}

// NewDesk builds a desk from cfg with a fake clock at Epoch, a recording
// transport and publisher, and sequential IDs, wherever cfg leaves them
// unset. An invalid configuration fails the test at once.
func NewDesk(t testing.TB, cfg parley.Config) *Desk {
	t.Helper()
	d := &Desk{Clock: NewClock(Epoch), Transport: NewTransport(), Publisher: NewPublisher()}
	if cfg.Transport == nil {
		cfg.Transport = d.Transport
	}
	if cfg.Clock == nil {
		cfg.Clock = d.Clock.Now
	}
	if cfg.Publisher == nil {
		cfg.Publisher = d.Publisher
	}
	if cfg.NewID == nil {
		cfg.NewID = conversation.SequentialIDs(Epoch)
	}
	desk, err := parley.New(cfg)
	if err != nil {
		t.Fatalf("parleytest: NewDesk: %v", err)
	}
	d.Desk = desk
	return d
}

package parleytest

import (
	"context"
	"sync"

	"github.com/parleyhq/parley"
)

// Publisher is a recording fake of [parley.Publisher]. It is safe for
// concurrent use.
type Publisher struct {
	mu     sync.Mutex
	events []parley.Event
	err    error
}

var _ parley.Publisher = (*Publisher)(nil)

// NewPublisher returns a publisher that records every event.
func NewPublisher() *Publisher { return &Publisher{} }

// Publish records e, then returns the error set with [Publisher.Fail].
func (p *Publisher) Publish(_ context.Context, e parley.Event) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.events = append(p.events, e)
	return p.err
}

// Events returns a copy of every event published, in order.
func (p *Publisher) Events() []parley.Event {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]parley.Event(nil), p.events...)
}

// Names returns the Name of every event published, in order: handy for
// asserting a sequence.
func (p *Publisher) Names() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	names := make([]string, len(p.events))
	for i, e := range p.events {
		names[i] = e.Name()
	}
	return names
}

// Fail makes every later Publish return err (nil restores success).
func (p *Publisher) Fail(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.err = err
}

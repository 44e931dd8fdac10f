package report

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
)

// Log is an append-only record of the Desk's events, which the host
// keeps beside its stores (rule 19): the stores keep each conversation's
// last state, not the moves that led to it (the first assignment, each
// transfer, offers, opt-outs), so figures are rebuilt from the log.
// Implementations must be safe for concurrent use; Events yields events
// in the order they were appended.
type Log interface {
	// Append records e at the end of the log.
	Append(ctx context.Context, e parley.Event) error
	// Events calls yield with every event q selects, oldest first, and
	// stops at yield's first error, which it returns.
	Events(ctx context.Context, q LogQuery, yield func(parley.Event) error) error
}

// LogQuery selects events of a [Log]. Its zero value selects every event.
type LogQuery struct {
	// ConversationID, when set, selects that conversation's events only.
	ConversationID conversation.ID
	// Since and Until bound the events' time to [Since, Until); zero
	// means unbounded.
	Since, Until time.Time
}

// Matches reports whether q selects e.
func (q *LogQuery) Matches(e parley.Event) bool {
	at := e.Time()
	switch {
	case !q.ConversationID.IsZero() && e.Conversation() != q.ConversationID:
		return false
	case !q.Since.IsZero() && at.Before(q.Since):
		return false
	case !q.Until.IsZero() && !at.Before(q.Until):
		return false
	}
	return true
}

// MemoryLog is a [Log] and a [Feed] in memory, for tests and
// single-process hosts that rebuild nothing across restarts; it grows
// with every event, and an event's position is its number, from 1. It is
// also a parley.Publisher that appends.
type MemoryLog struct {
	mu     sync.RWMutex
	events []parley.Event
	byConv map[conversation.ID][]int
}

// NewMemoryLog returns an empty log.
func NewMemoryLog() *MemoryLog {
	return &MemoryLog{byConv: map[conversation.ID][]int{}}
}

// Append records e; a nil event is refused with ErrNilEvent.
func (l *MemoryLog) Append(_ context.Context, e parley.Event) error {
	if e == nil {
		return ErrNilEvent
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if id := e.Conversation(); !id.IsZero() {
		l.byConv[id] = append(l.byConv[id], len(l.events))
	}
	l.events = append(l.events, e)
	return nil
}

// Publish appends e, making the log a parley.Publisher.
func (l *MemoryLog) Publish(ctx context.Context, e parley.Event) error { return l.Append(ctx, e) }

// Len returns how many events the log holds.
func (l *MemoryLog) Len() int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return len(l.events)
}

// Events yields the events q selects, in the order they were appended.
// Events appended meanwhile may or may not be yielded.
func (l *MemoryLog) Events(ctx context.Context, q LogQuery, yield func(parley.Event) error) error {
	l.mu.RLock()
	events := l.events
	var idx []int
	if !q.ConversationID.IsZero() {
		idx = l.byConv[q.ConversationID]
	}
	l.mu.RUnlock()
	// Appends never change what was appended before: the snapshot reads
	// without the lock.
	if !q.ConversationID.IsZero() {
		for _, i := range idx {
			if err := yieldIf(ctx, &q, events[i], yield); err != nil {
				return err
			}
		}
		return nil
	}
	for _, e := range events {
		if err := yieldIf(ctx, &q, e, yield); err != nil {
			return err
		}
	}
	return nil
}

// After yields the events after position pos, the n-th appended being
// at position n, at most limit of them when limit > 0.
func (l *MemoryLog) After(ctx context.Context, pos uint64, limit int, yield func(uint64, parley.Event) error) error {
	l.mu.RLock()
	events := l.events
	l.mu.RUnlock()
	if pos >= uint64(len(events)) {
		return ctx.Err()
	}
	events = events[pos:]
	if limit > 0 && len(events) > limit {
		events = events[:limit]
	}
	for i, e := range events {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := yield(pos+uint64(i)+1, e); err != nil {
			return err
		}
	}
	return nil
}

func yieldIf(ctx context.Context, q *LogQuery, e parley.Event, yield func(parley.Event) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !q.Matches(e) {
		return nil
	}
	return yield(e)
}

// ErrNilEvent is returned by a Log's Append for a nil event. Check it
// with errors.Is.
var ErrNilEvent = errors.New("report: nil event")

var _ Feed = (*MemoryLog)(nil)

// Rebuild returns an Accumulator for cfg fed with every event of log that
// q selects, in the log's order (rule 19): after a restart, the figures
// the accumulator had before. Config.Closed is called as the events are
// replayed.
func Rebuild(ctx context.Context, log Log, cfg Config, q LogQuery) (*Accumulator, error) {
	a, err := New(cfg)
	if err != nil {
		return nil, err
	}
	err = log.Events(ctx, q, func(e parley.Event) error {
		a.Observe(e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// Tee returns a parley.Publisher that hands every event to each of pubs in
// turn, all of them even when one fails; the error joins their errors.
// Wire it as Config.Publisher to feed the host's own publisher, a Log and
// an Accumulator at once.
func Tee(pubs ...parley.Publisher) parley.Publisher {
	pubs = append([]parley.Publisher(nil), pubs...)
	return parley.PublisherFunc(func(ctx context.Context, e parley.Event) error {
		var errs []error
		for _, p := range pubs {
			if err := p.Publish(ctx, e); err != nil {
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	})
}

// Recorder appends each event to a Log and then observes it, one event at
// a time, so the accumulator sees the events in exactly the log's order
// and a [Rebuild] from the log gives the figures it has (rule 19). Tee
// feeding both separately may interleave two goroutines' events
// differently in each. An event the log refuses is not observed either.
type Recorder struct {
	mu  sync.Mutex
	log Log
	acc *Accumulator
}

// NewRecorder returns a Recorder of log and acc.
func NewRecorder(log Log, acc *Accumulator) *Recorder { return &Recorder{log: log, acc: acc} }

// Publish appends e to the log, then observes it; it makes the Recorder a
// parley.Publisher.
func (r *Recorder) Publish(ctx context.Context, e parley.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.log.Append(ctx, e); err != nil {
		return err
	}
	r.acc.Observe(e)
	return nil
}

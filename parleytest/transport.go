package parleytest

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
)

// Transport is a recording fake of [parley.Transport] with failure
// injection. Every successful send is recorded and gets a provider ID
// "fake-1", "fake-2", …; a failed one is recorded in Attempts only. Like a
// provider with idempotency keys, it treats a second send of a MessageID
// it already sent as the same message: the first provider ID comes back
// and nothing is sent twice. It is safe for concurrent use.
type Transport struct {
	mu       sync.Mutex
	sent     []parley.Outgoing
	byKey    map[conversation.ID]string
	attempts []parley.Outgoing
	seq      int
	failNext []error
	failTo   map[channel.Address]error
	delay    time.Duration
}

var _ parley.Transport = (*Transport)(nil)

// NewTransport returns a transport that sends everything.
func NewTransport() *Transport { return &Transport{} }

// Send records out and returns a fresh provider ID, or the injected failure.
func (t *Transport) Send(ctx context.Context, out parley.Outgoing) (string, error) {
	t.mu.Lock()
	delay := t.delay
	t.mu.Unlock()
	if delay > 0 {
		timer := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			timer.Stop()
			t.recordAttempt(out)
			return "", &parley.SendError{Reason: "timeout", Err: ctx.Err()}
		case <-timer.C:
		}
	}
	if err := ctx.Err(); err != nil {
		t.recordAttempt(out)
		return "", &parley.SendError{Reason: "timeout", Err: err}
	}

	t.mu.Lock()
	defer t.mu.Unlock()
	t.attempts = append(t.attempts, out)
	if len(t.failNext) > 0 {
		err := t.failNext[0]
		t.failNext = t.failNext[1:]
		return "", err
	}
	if err, ok := t.failTo[out.To]; ok {
		return "", err
	}
	if id, ok := t.byKey[out.MessageID]; ok && !out.MessageID.IsZero() {
		return id, nil
	}
	t.seq++
	t.sent = append(t.sent, out)
	id := fmt.Sprintf("fake-%d", t.seq)
	if !out.MessageID.IsZero() {
		if t.byKey == nil {
			t.byKey = make(map[conversation.ID]string)
		}
		t.byKey[out.MessageID] = id
	}
	return id, nil
}

func (t *Transport) recordAttempt(out parley.Outgoing) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.attempts = append(t.attempts, out)
}

// Sent returns a copy of every message sent successfully, in order.
func (t *Transport) Sent() []parley.Outgoing {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]parley.Outgoing(nil), t.sent...)
}

// Attempts returns a copy of every message the Desk tried to send,
// including the failed ones, in order.
func (t *Transport) Attempts() []parley.Outgoing {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]parley.Outgoing(nil), t.attempts...)
}

// FailNext makes the next len(errs) sends fail with errs, in order. Use a
// [*parley.SendError] to choose between a temporary and a permanent failure.
func (t *Transport) FailNext(errs ...error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.failNext = append(t.failNext, errs...)
}

// FailTo makes every send to addr fail with err until [Transport.Heal].
func (t *Transport) FailTo(addr channel.Address, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.failTo == nil {
		t.failTo = make(map[channel.Address]error)
	}
	t.failTo[addr] = err
}

// Heal clears every injected failure.
func (t *Transport) Heal() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.failNext = nil
	t.failTo = nil
}

// Delay makes every send wait d (or until its context ends, which fails it
// as a timeout) before it is recorded.
func (t *Transport) Delay(d time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.delay = d
}

// Temporary returns a temporary send failure with reason, for FailNext and
// FailTo.
func Temporary(reason string) error { return &parley.SendError{Reason: reason} }

// Permanent returns a permanent send failure with reason, for FailNext and
// FailTo.
func Permanent(reason string) error { return &parley.SendError{Reason: reason, Permanent: true} }

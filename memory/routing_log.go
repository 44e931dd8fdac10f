package memory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/parleyhq/parley/routing"
)

// RoutingLog is the in-process routing.Log: desks in one process that
// share it route as one. It keeps the entries after its newest snapshot,
// so its memory is bounded by the snapshot interval.
type RoutingLog struct {
	ledger routing.Ledger
	lock   chan struct{} // held from Begin to Commit or Rollback

	mu      sync.Mutex
	snap    *routing.Snapshot
	snapSeq uint64
	entries []routing.Entry // those after snapSeq, in order
}

// NewRoutingLog returns an empty log whose changes reserve capacity in
// ledger; nil leaves capacity to the routers' own memory, which is exact
// since every replica makes every op.
func NewRoutingLog(ledger routing.Ledger) *RoutingLog {
	return &RoutingLog{ledger: ledger, lock: make(chan struct{}, 1)}
}

// Begin waits for the log's lock, or for ctx to end, and returns what a
// replica at position after lacks.
func (l *RoutingLog) Begin(ctx context.Context, after uint64) (routing.LogTx, routing.Catchup, error) {
	select {
	case l.lock <- struct{}{}:
		c, _ := l.Read(ctx, after)
		return &routingLogTx{l: l}, c, nil
	case <-ctx.Done():
		return nil, routing.Catchup{}, ctx.Err()
	}
}

// Read returns the entries after position after, or the snapshot and the
// entries after it when those are no longer all kept.
func (l *RoutingLog) Read(_ context.Context, after uint64) (routing.Catchup, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if after < l.snapSeq {
		return routing.Catchup{Snapshot: l.snap, SnapshotSeq: l.snapSeq, Entries: slices.Clone(l.entries)}, nil
	}
	i := min(int(after-l.snapSeq), len(l.entries))
	return routing.Catchup{Entries: slices.Clone(l.entries[i:])}, nil
}

var errTxDone = errors.New("memory: routing log change already committed or rolled back")

// routingLogTx is one change; its entries and snapshot reach the log at
// Commit. Reservations made through the ledger are not undone by
// Rollback: an in-process Append cannot fail, so a change is rolled back
// only before it reserves anything.
type routingLogTx struct {
	l       *RoutingLog
	entries []routing.Entry
	snap    *routing.Snapshot
	snapSeq uint64
	done    bool
}

func (tx *routingLogTx) Ledger() routing.Ledger { return tx.l.ledger }

func (tx *routingLogTx) Append(_ context.Context, e routing.Entry) error {
	if tx.done {
		return errTxDone
	}
	tx.l.mu.Lock()
	last := tx.l.snapSeq + uint64(len(tx.l.entries)+len(tx.entries))
	tx.l.mu.Unlock()
	if e.Seq != last+1 {
		return fmt.Errorf("memory: routing log: entry %d does not follow %d: %w", e.Seq, last, routing.ErrInvalid)
	}
	tx.entries = append(tx.entries, e)
	return nil
}

func (tx *routingLogTx) SaveSnapshot(_ context.Context, seq uint64, s routing.Snapshot) error {
	if tx.done {
		return errTxDone
	}
	tx.snap, tx.snapSeq = &s, seq
	return nil
}

func (tx *routingLogTx) Commit(context.Context) error {
	if tx.done {
		return errTxDone
	}
	l := tx.l
	l.mu.Lock()
	l.entries = append(l.entries, tx.entries...)
	if tx.snap != nil {
		l.entries = slices.Delete(l.entries, 0, int(tx.snapSeq-l.snapSeq))
		l.snap, l.snapSeq = tx.snap, tx.snapSeq
	}
	l.mu.Unlock()
	tx.end()
	return nil
}

func (tx *routingLogTx) Rollback(context.Context) error {
	if tx.done {
		return nil
	}
	tx.end()
	return nil
}

func (tx *routingLogTx) end() {
	tx.done = true
	<-tx.l.lock
}

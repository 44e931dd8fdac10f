package memory

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/optout"
)

// OptOutStore is an in-memory [optout.Store]: the append-only consent
// ledger, one history per (scope, address). It also implements
// [optout.Redactor]. It is safe for concurrent use by multiple goroutines.
//
// The zero OptOutStore is not usable; call [NewOptOutStore].
type OptOutStore struct {
	mu      sync.RWMutex
	entries map[optOutKey][]optout.Entry
}

type optOutKey struct {
	scope optout.Scope
	addr  channel.Address
}

var (
	_ optout.Store    = (*OptOutStore)(nil)
	_ optout.Redactor = (*OptOutStore)(nil)
)

// NewOptOutStore returns an empty ledger.
func NewOptOutStore() *OptOutStore {
	return &OptOutStore{entries: make(map[optOutKey][]optout.Entry)}
}

// Append adds e to its history if e.Seq is the latest Seq plus one;
// otherwise it returns optout.ErrConflict and stores nothing.
func (s *OptOutStore) Append(ctx context.Context, e optout.Entry) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	k := optOutKey{e.Scope, e.Address}
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.entries[k]
	if want := uint64(len(h)) + 1; e.Seq != want {
		return fmt.Errorf("%w: %s in scope %q: seq %d, want %d", optout.ErrConflict, e.Address, e.Scope, e.Seq, want)
	}
	s.entries[k] = append(h, e)
	return nil
}

// Latest returns the newest entry of (scope, addr).
func (s *OptOutStore) Latest(ctx context.Context, scope optout.Scope, addr channel.Address) (optout.Entry, bool, error) {
	if err := ctx.Err(); err != nil {
		return optout.Entry{}, false, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	h := s.entries[optOutKey{scope, addr}]
	if len(h) == 0 {
		return optout.Entry{}, false, nil
	}
	return h[len(h)-1], true, nil
}

// History returns a copy of every entry of (scope, addr), oldest first.
func (s *OptOutStore) History(ctx context.Context, scope optout.Scope, addr channel.Address) ([]optout.Entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.entries[optOutKey{scope, addr}]), nil
}

// Redact clears Keyword and Number on every entry of addr in every scope
// and marks them Redacted, keeping what the law needs to honour a STOP:
// the address, the scope and the dates.
func (s *OptOutStore) Redact(ctx context.Context, addr channel.Address) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for k, h := range s.entries {
		if k.addr != addr {
			continue
		}
		for i := range h {
			h[i].Keyword, h[i].Number, h[i].Redacted = "", channel.Address{}, true
			n++
		}
	}
	return n, nil
}

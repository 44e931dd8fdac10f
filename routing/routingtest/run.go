package routingtest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/parleyhq/parley/routing"
)

// ledgerCase is one rule of the routing.Ledger contract, checked on a
// fresh ledger.
type ledgerCase struct {
	name string
	rule string // the contract rule, as routing.Ledger's doc states it
	run  func(ctx context.Context, l routing.Ledger) error
}

// Run checks that the ledgers newLedger makes keep the [routing.Ledger]
// contract: atomic reservations within capacity, re-weighing for the same
// agent, refusal for another agent, idempotent release of exactly the
// charged weight, and no over-commitment under concurrent reservations.
// Each rule runs as a subtest, and a failure names the rule it broke.
//
// Run calls newLedger once per subtest, with that subtest's t, and
// newLedger must return a fresh, empty ledger: a ledger backed by a
// database registers its clean-up with t.Cleanup.
func Run(t *testing.T, newLedger func(t *testing.T) routing.Ledger) {
	t.Helper()
	for _, c := range ledgerCases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.run(context.Background(), newLedger(t)); err != nil {
				t.Errorf("rule %q broken: %v", c.rule, err)
			}
		})
	}
}

var ledgerCases = []ledgerCase{
	{"reserve within capacity", "Reserve charges weight if the agent stays within capacity", func(ctx context.Context, l routing.Ledger) error {
		if err := l.Reserve(ctx, "ana", "c1", 51, 100); err != nil {
			return fmt.Errorf("reserve 51 of 100: %w", err)
		}
		if err := l.Reserve(ctx, "ana", "c2", 49, 100); err != nil {
			return fmt.Errorf("reserve 49 more, exactly full: %w", err)
		}
		return wantLoad(ctx, l, "ana", 100)
	}},
	{"refuse over capacity", "over capacity returns ErrOverCapacity and changes nothing", func(ctx context.Context, l routing.Ledger) error {
		if err := l.Reserve(ctx, "ana", "c1", 81, 100); err != nil {
			return err
		}
		if err := l.Reserve(ctx, "ana", "c2", 30, 100); !errors.Is(err, routing.ErrOverCapacity) {
			return fmt.Errorf("81 + 30 > 100: got %v, want ErrOverCapacity", err)
		}
		if w, err := l.Release(ctx, "c2"); err != nil || w != 0 {
			return fmt.Errorf("refused reservation was kept: release gave %d, %v", w, err)
		}
		return wantLoad(ctx, l, "ana", 81)
	}},
	{"capacity is per agent", "load counts only the agent's own reservations", func(ctx context.Context, l routing.Ledger) error {
		if err := l.Reserve(ctx, "ana", "c1", 100, 100); err != nil {
			return err
		}
		if err := l.Reserve(ctx, "bo", "c2", 100, 100); err != nil {
			return fmt.Errorf("another agent's full load blocked bo: %w", err)
		}
		return wantLoad(ctx, l, "carl", 0)
	}},
	{"re-weigh for the same agent", "Reserve again for the same agent replaces the weight under the capacity check", func(ctx context.Context, l routing.Ledger) error {
		if err := l.Reserve(ctx, "ana", "c1", 20, 100); err != nil {
			return err
		}
		if err := l.Reserve(ctx, "ana", "c1", 20, 100); err != nil {
			return fmt.Errorf("same reservation again must be a no-op: %w", err)
		}
		if err := wantLoad(ctx, l, "ana", 20); err != nil {
			return err
		}
		if err := l.Reserve(ctx, "ana", "c2", 40, 100); err != nil {
			return err
		}
		if err := l.Reserve(ctx, "ana", "c1", 51, 100); err != nil {
			return fmt.Errorf("escalating 20 to 51 beside 40 fits 91: %w", err)
		}
		if err := l.Reserve(ctx, "ana", "c2", 60, 100); !errors.Is(err, routing.ErrOverCapacity) {
			return fmt.Errorf("re-weighing 40 to 60 beside 51: got %v, want ErrOverCapacity", err)
		}
		if err := wantLoad(ctx, l, "ana", 91); err != nil {
			return err
		}
		// Down: a voice call back to chat frees the difference.
		if err := l.Reserve(ctx, "ana", "c1", 20, 100); err != nil {
			return fmt.Errorf("re-weighing 51 down to 20 must free room: %w", err)
		}
		return wantLoad(ctx, l, "ana", 60)
	}},
	{"refuse another agent's conversation", "a conversation reserved for another agent returns ErrAlreadyReserved", func(ctx context.Context, l routing.Ledger) error {
		if err := l.Reserve(ctx, "ana", "c1", 20, 100); err != nil {
			return err
		}
		if err := l.Reserve(ctx, "bo", "c1", 20, 100); !errors.Is(err, routing.ErrAlreadyReserved) {
			return fmt.Errorf("got %v, want ErrAlreadyReserved", err)
		}
		return wantLoad(ctx, l, "bo", 0)
	}},
	{"refuse bad input", "weight < 1 or capacity < 1 returns ErrInvalid", func(ctx context.Context, l routing.Ledger) error {
		for _, c := range []struct{ w, capacity int }{{0, 100}, {-5, 100}, {5, 0}} {
			if err := l.Reserve(ctx, "ana", "c1", c.w, c.capacity); !errors.Is(err, routing.ErrInvalid) {
				return fmt.Errorf("weight %d capacity %d: got %v, want ErrInvalid", c.w, c.capacity, err)
			}
		}
		return wantLoad(ctx, l, "ana", 0)
	}},
	{"release returns the charged weight", "Release frees the reservation and returns exactly the weight charged", func(ctx context.Context, l routing.Ledger) error {
		if err := l.Reserve(ctx, "ana", "c1", 30, 100); err != nil {
			return err
		}
		if err := l.Reserve(ctx, "ana", "c2", 5, 100); err != nil {
			return err
		}
		if w, err := l.Release(ctx, "c1"); err != nil || w != 30 {
			return fmt.Errorf("release c1: got %d, %v; want 30", w, err)
		}
		return wantLoad(ctx, l, "ana", 5)
	}},
	{"release is idempotent", "releasing a conversation with no reservation returns 0 and no error", func(ctx context.Context, l routing.Ledger) error {
		if w, err := l.Release(ctx, "never"); err != nil || w != 0 {
			return fmt.Errorf("release unknown: got %d, %v", w, err)
		}
		if err := l.Reserve(ctx, "ana", "c1", 30, 100); err != nil {
			return err
		}
		for i := range 3 {
			want := 0
			if i == 0 {
				want = 30
			}
			if w, err := l.Release(ctx, "c1"); err != nil || w != want {
				return fmt.Errorf("release %d: got %d, %v; want %d", i+1, w, err, want)
			}
		}
		return wantLoad(ctx, l, "ana", 0)
	}},
	{"a released conversation may be reserved anew", "after Release the conversation is free for any agent", func(ctx context.Context, l routing.Ledger) error {
		if err := l.Reserve(ctx, "ana", "c1", 30, 100); err != nil {
			return err
		}
		if _, err := l.Release(ctx, "c1"); err != nil {
			return err
		}
		if err := l.Reserve(ctx, "bo", "c1", 30, 100); err != nil {
			return fmt.Errorf("reserve for bo after release: %w", err)
		}
		return wantLoad(ctx, l, "bo", 30)
	}},
	{"concurrent reservations never over-commit", "Reserve is atomic: concurrent reservations never put an agent over capacity", func(ctx context.Context, l routing.Ledger) error {
		const goroutines, tries = 8, 50
		var wg sync.WaitGroup
		var mu sync.Mutex
		granted := 0
		errs := make(chan error, goroutines)
		for g := range goroutines {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range tries {
					err := l.Reserve(ctx, "ana", fmt.Sprintf("g%d-%d", g, i), 7, 100)
					switch {
					case err == nil:
						mu.Lock()
						granted++
						mu.Unlock()
					case !errors.Is(err, routing.ErrOverCapacity):
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		if err := <-errs; err != nil {
			return err
		}
		if granted != 100/7 {
			return fmt.Errorf("granted %d reservations of 7 within 100, want %d", granted, 100/7)
		}
		return wantLoad(ctx, l, "ana", granted*7)
	}},
}

func wantLoad(ctx context.Context, l routing.Ledger, agent string, want int) error {
	got, err := l.Load(ctx, agent)
	if err != nil {
		return fmt.Errorf("load %s: %w", agent, err)
	}
	if got != want {
		return fmt.Errorf("load %s = %d, want %d", agent, got, want)
	}
	return nil
}

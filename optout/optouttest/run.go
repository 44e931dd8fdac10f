package optouttest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/optout"
)

// Run checks that the stores newStore makes keep the [optout.Store]
// contract: one append-only history per (scope, address), appends that
// carry the latest Seq plus one and fail with [optout.ErrConflict]
// otherwise (atomically, under concurrency), and entries that read back as
// written; and, when a store also implements [optout.Redactor], erasure
// that keeps exactly what the law needs (the redaction case is skipped
// otherwise). Each rule runs as a subtest, and a failure names the rule it
// broke.
//
// Run calls newStore once per subtest, with that subtest's t, and newStore
// must return a fresh, empty store: a store backed by a database registers
// its clean-up with t.Cleanup.
func Run(t *testing.T, newStore func(t *testing.T) optout.Store) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.run(&ruleT{T: t, rule: c.rule}, newStore(t))
		})
	}
}

// ruleT is a subtest that prefixes every failure with the rule under test.
type ruleT struct {
	*testing.T
	rule string
}

func (t *ruleT) Errorf(format string, args ...any) {
	t.Helper()
	t.T.Errorf("rule %q broken: %s", t.rule, fmt.Sprintf(format, args...))
}

func (t *ruleT) Fatalf(format string, args ...any) {
	t.Helper()
	t.T.Fatalf("rule %q broken: %s", t.rule, fmt.Sprintf(format, args...))
}

// The suite's context, fixed clock and addresses: two contacts and the
// business number their keywords arrive on.
var (
	ctx    = context.Background()
	epoch  = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	ana    = channel.Address{Kind: channel.SMS, ID: "+14155550101"}
	ben    = channel.Address{Kind: channel.SMS, ID: "+14155550102"}
	number = channel.Address{Kind: channel.SMS, ID: "+14155550100"}
)

// entry returns the entry at position seq of (scope, addr), stamped seq
// minutes after epoch.
func entry(seq uint64, scope optout.Scope, addr channel.Address, a optout.Action) optout.Entry {
	return optout.Entry{
		Seq: seq, Scope: scope, Address: addr, Action: a,
		At: epoch.Add(time.Duration(seq) * time.Minute), Keyword: "STOP", Number: number,
	}
}

// sameEntry reports whether a and b hold the same fields.
func sameEntry(a, b optout.Entry) bool {
	return a.Seq == b.Seq && a.Scope == b.Scope && a.Address == b.Address && a.Action == b.Action &&
		a.At.Equal(b.At) && a.Keyword == b.Keyword && a.Number == b.Number && a.Redacted == b.Redacted
}

// mustAppend appends e, stopping the subtest when the store refuses it.
func mustAppend(t *ruleT, s optout.Store, e optout.Entry) {
	t.Helper()
	if err := s.Append(ctx, e); err != nil {
		t.Fatalf("Append(seq %d) = %v, want nil", e.Seq, err)
	}
}

// wantHistory checks that the history of (scope, addr) is exactly want.
func wantHistory(t *ruleT, s optout.Store, scope optout.Scope, addr channel.Address, want ...optout.Entry) {
	t.Helper()
	got, err := s.History(ctx, scope, addr)
	if err != nil {
		t.Fatalf("History(%q, %s) = %v", scope, addr, err)
	}
	if len(got) != len(want) {
		t.Fatalf("History(%q, %s) has %d entries, want %d: %+v", scope, addr, len(got), len(want), got)
	}
	for i := range want {
		if !sameEntry(got[i], want[i]) {
			t.Errorf("History(%q, %s)[%d] = %+v, want %+v", scope, addr, i, got[i], want[i])
		}
	}
}

// cases are the rules of the contract, one per subtest; rule is quoted in
// failures.
var cases = []struct {
	name, rule string
	run        func(t *ruleT, s optout.Store)
}{
	{
		"empty", "a fresh store has no history and no latest entry",
		func(t *ruleT, s optout.Store) {
			if _, ok, err := s.Latest(ctx, optout.DefaultScope, ana); err != nil || ok {
				t.Errorf("Latest on an empty store = ok %v, err %v; want false, nil", ok, err)
			}
			wantHistory(t, s, optout.DefaultScope, ana)
		},
	},
	{
		"round trip", "every field of an appended entry reads back from Latest and History",
		func(t *ruleT, s optout.Store) {
			e := entry(1, optout.DefaultScope, ana, optout.OptOut)
			mustAppend(t, s, e)
			got, ok, err := s.Latest(ctx, optout.DefaultScope, ana)
			if err != nil || !ok || !sameEntry(got, e) {
				t.Errorf("Latest = %+v, %v, %v; want %+v", got, ok, err, e)
			}
			wantHistory(t, s, optout.DefaultScope, ana, e)
		},
	},
	{
		"append only, oldest first", "entries accumulate in order; Latest is the last one",
		func(t *ruleT, s optout.Store) {
			a, b, c := entry(1, "s", ana, optout.OptOut), entry(2, "s", ana, optout.OptIn), entry(3, "s", ana, optout.OptOut)
			mustAppend(t, s, a)
			mustAppend(t, s, b)
			mustAppend(t, s, c)
			wantHistory(t, s, "s", ana, a, b, c)
			if got, _, _ := s.Latest(ctx, "s", ana); !sameEntry(got, c) {
				t.Errorf("Latest = %+v, want %+v", got, c)
			}
		},
	},
	{
		"stale or skipped seq conflicts", "an append whose Seq is not the latest plus one fails with ErrConflict and stores nothing",
		func(t *ruleT, s optout.Store) {
			if err := s.Append(ctx, entry(0, "s", ana, optout.OptOut)); !errors.Is(err, optout.ErrConflict) {
				t.Errorf("Append(seq 0) on empty = %v, want ErrConflict", err)
			}
			if err := s.Append(ctx, entry(2, "s", ana, optout.OptOut)); !errors.Is(err, optout.ErrConflict) {
				t.Errorf("Append(seq 2) on empty = %v, want ErrConflict", err)
			}
			first := entry(1, "s", ana, optout.OptOut)
			mustAppend(t, s, first)
			if err := s.Append(ctx, entry(1, "s", ana, optout.OptIn)); !errors.Is(err, optout.ErrConflict) {
				t.Errorf("Append(seq 1) again = %v, want ErrConflict", err)
			}
			if err := s.Append(ctx, entry(3, "s", ana, optout.OptIn)); !errors.Is(err, optout.ErrConflict) {
				t.Errorf("Append(seq 3) after 1 = %v, want ErrConflict", err)
			}
			wantHistory(t, s, "s", ana, first)
		},
	},
	{
		"separate histories", "each (scope, address) pair has its own history and Seq",
		func(t *ruleT, s optout.Store) {
			a, b, c := entry(1, "us", ana, optout.OptOut), entry(1, "uk", ana, optout.OptOut), entry(1, "us", ben, optout.OptOut)
			mustAppend(t, s, a)
			mustAppend(t, s, b)
			mustAppend(t, s, c)
			wantHistory(t, s, "us", ana, a)
			wantHistory(t, s, "uk", ana, b)
			wantHistory(t, s, "us", ben, c)
			wantHistory(t, s, "uk", ben)
		},
	},
	{
		"history is a copy", "changing the slice History returns does not change the ledger",
		func(t *ruleT, s optout.Store) {
			e := entry(1, "s", ana, optout.OptOut)
			mustAppend(t, s, e)
			h, err := s.History(ctx, "s", ana)
			if err != nil || len(h) != 1 {
				t.Fatalf("History = %v, %v", h, err)
			}
			h[0].Action, h[0].Keyword = optout.OptIn, "tampered"
			wantHistory(t, s, "s", ana, e)
		},
	},
	{
		"concurrent appends", "of many appends racing with the same Seq exactly one wins; the rest get ErrConflict",
		func(t *ruleT, s optout.Store) {
			const racers = 16
			var wg sync.WaitGroup
			errs := make([]error, racers)
			for i := range racers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[i] = s.Append(ctx, entry(1, "s", ana, optout.OptOut))
				}()
			}
			wg.Wait()
			wins := 0
			for _, err := range errs {
				switch {
				case err == nil:
					wins++
				case !errors.Is(err, optout.ErrConflict):
					t.Errorf("a losing Append = %v, want ErrConflict", err)
				}
			}
			if wins != 1 {
				t.Errorf("%d appends with seq 1 succeeded, want 1", wins)
			}
			wantHistory(t, s, "s", ana, entry(1, "s", ana, optout.OptOut))
		},
	},
	{
		"redaction", "a Redactor clears Keyword and Number of every entry of the address in every scope, keeps the rest, and leaves others alone",
		func(t *ruleT, s optout.Store) {
			r, ok := s.(optout.Redactor)
			if !ok {
				t.Skip("the store does not implement optout.Redactor, which is optional")
			}
			a1, a2 := entry(1, "us", ana, optout.OptOut), entry(2, "us", ana, optout.OptIn)
			a3, b1 := entry(1, "uk", ana, optout.OptOut), entry(1, "us", ben, optout.OptOut)
			for _, e := range []optout.Entry{a1, a2, a3, b1} {
				mustAppend(t, s, e)
			}
			n, err := r.Redact(ctx, ana)
			if err != nil || n != 3 {
				t.Fatalf("Redact = %d, %v; want 3, nil", n, err)
			}
			red := func(e optout.Entry) optout.Entry {
				e.Keyword, e.Number, e.Redacted = "", channel.Address{}, true
				return e
			}
			wantHistory(t, s, "us", ana, red(a1), red(a2))
			wantHistory(t, s, "uk", ana, red(a3))
			wantHistory(t, s, "us", ben, b1)
			if _, err := r.Redact(ctx, ana); err != nil {
				t.Errorf("a second Redact = %v, want nil", err)
			}
			mustAppend(t, s, entry(3, "us", ana, optout.OptOut))
		},
	},
}

package parleytest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/optout"
)

// TestOptOutStore checks that the stores newStore returns keep the contract
// of [optout.Store]: one append-only history per (scope, address), appends
// that carry the latest Seq plus one and fail with [optout.ErrConflict]
// otherwise (atomically, under concurrency), entries that read back as
// written, and, when the store implements [optout.Redactor], erasure that
// keeps exactly what the law needs. newStore must return a fresh, empty
// store each call. It uses only the standard testing package.
func TestOptOutStore(t *testing.T, newStore func() optout.Store) {
	t.Helper()
	for _, c := range optOutCases {
		t.Run(c.name, func(t *testing.T) {
			t.Log(c.explanation)
			c.run(t, newStore())
		})
	}
}

var (
	ooCtx    = context.Background()
	ooAt     = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	ooAna    = channel.Address{Kind: channel.SMS, ID: "+14155550101"}
	ooBen    = channel.Address{Kind: channel.SMS, ID: "+14155550102"}
	ooNumber = channel.Address{Kind: channel.SMS, ID: "+14155550100"}
)

func ooEntry(seq uint64, scope optout.Scope, addr channel.Address, a optout.Action) optout.Entry {
	return optout.Entry{
		Seq: seq, Scope: scope, Address: addr, Action: a,
		At: ooAt.Add(time.Duration(seq) * time.Minute), Keyword: "STOP", Number: ooNumber,
	}
}

func sameEntry(a, b optout.Entry) bool {
	return a.Seq == b.Seq && a.Scope == b.Scope && a.Address == b.Address && a.Action == b.Action &&
		a.At.Equal(b.At) && a.Keyword == b.Keyword && a.Number == b.Number && a.Redacted == b.Redacted
}

func mustAppend(t *testing.T, s optout.Store, e optout.Entry) {
	t.Helper()
	if err := s.Append(ooCtx, e); err != nil {
		t.Fatalf("Append(seq %d) = %v, want nil", e.Seq, err)
	}
}

func wantHistory(t *testing.T, s optout.Store, scope optout.Scope, addr channel.Address, want ...optout.Entry) {
	t.Helper()
	got, err := s.History(ooCtx, scope, addr)
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

var optOutCases = []struct {
	name, explanation string
	run               func(t *testing.T, s optout.Store)
}{
	{
		"empty", "a fresh store has no history and no latest entry",
		func(t *testing.T, s optout.Store) {
			if _, ok, err := s.Latest(ooCtx, optout.DefaultScope, ooAna); err != nil || ok {
				t.Errorf("Latest on an empty store = ok %v, err %v; want false, nil", ok, err)
			}
			wantHistory(t, s, optout.DefaultScope, ooAna)
		},
	},
	{
		"round trip", "every field of an appended entry reads back from Latest and History",
		func(t *testing.T, s optout.Store) {
			e := ooEntry(1, optout.DefaultScope, ooAna, optout.OptOut)
			mustAppend(t, s, e)
			got, ok, err := s.Latest(ooCtx, optout.DefaultScope, ooAna)
			if err != nil || !ok || !sameEntry(got, e) {
				t.Errorf("Latest = %+v, %v, %v; want %+v", got, ok, err, e)
			}
			wantHistory(t, s, optout.DefaultScope, ooAna, e)
		},
	},
	{
		"append only, oldest first", "entries accumulate in order; Latest is the last one",
		func(t *testing.T, s optout.Store) {
			a, b, c := ooEntry(1, "s", ooAna, optout.OptOut), ooEntry(2, "s", ooAna, optout.OptIn), ooEntry(3, "s", ooAna, optout.OptOut)
			mustAppend(t, s, a)
			mustAppend(t, s, b)
			mustAppend(t, s, c)
			wantHistory(t, s, "s", ooAna, a, b, c)
			if got, _, _ := s.Latest(ooCtx, "s", ooAna); !sameEntry(got, c) {
				t.Errorf("Latest = %+v, want %+v", got, c)
			}
		},
	},
	{
		"stale or skipped seq conflicts", "an append whose Seq is not the latest plus one fails with ErrConflict and stores nothing",
		func(t *testing.T, s optout.Store) {
			if err := s.Append(ooCtx, ooEntry(0, "s", ooAna, optout.OptOut)); !errors.Is(err, optout.ErrConflict) {
				t.Errorf("Append(seq 0) on empty = %v, want ErrConflict", err)
			}
			if err := s.Append(ooCtx, ooEntry(2, "s", ooAna, optout.OptOut)); !errors.Is(err, optout.ErrConflict) {
				t.Errorf("Append(seq 2) on empty = %v, want ErrConflict", err)
			}
			first := ooEntry(1, "s", ooAna, optout.OptOut)
			mustAppend(t, s, first)
			if err := s.Append(ooCtx, ooEntry(1, "s", ooAna, optout.OptIn)); !errors.Is(err, optout.ErrConflict) {
				t.Errorf("Append(seq 1) again = %v, want ErrConflict", err)
			}
			if err := s.Append(ooCtx, ooEntry(3, "s", ooAna, optout.OptIn)); !errors.Is(err, optout.ErrConflict) {
				t.Errorf("Append(seq 3) after 1 = %v, want ErrConflict", err)
			}
			wantHistory(t, s, "s", ooAna, first)
		},
	},
	{
		"separate histories", "each (scope, address) pair has its own history and Seq",
		func(t *testing.T, s optout.Store) {
			a, b, c := ooEntry(1, "us", ooAna, optout.OptOut), ooEntry(1, "uk", ooAna, optout.OptOut), ooEntry(1, "us", ooBen, optout.OptOut)
			mustAppend(t, s, a)
			mustAppend(t, s, b)
			mustAppend(t, s, c)
			wantHistory(t, s, "us", ooAna, a)
			wantHistory(t, s, "uk", ooAna, b)
			wantHistory(t, s, "us", ooBen, c)
			wantHistory(t, s, "uk", ooBen)
		},
	},
	{
		"history is a copy", "changing the slice History returns does not change the ledger",
		func(t *testing.T, s optout.Store) {
			e := ooEntry(1, "s", ooAna, optout.OptOut)
			mustAppend(t, s, e)
			h, err := s.History(ooCtx, "s", ooAna)
			if err != nil || len(h) != 1 {
				t.Fatalf("History = %v, %v", h, err)
			}
			h[0].Action, h[0].Keyword = optout.OptIn, "tampered"
			wantHistory(t, s, "s", ooAna, e)
		},
	},
	{
		"concurrent appends", "of many appends racing with the same Seq exactly one wins; the rest get ErrConflict",
		func(t *testing.T, s optout.Store) {
			const racers = 16
			var wg sync.WaitGroup
			errs := make([]error, racers)
			for i := range racers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[i] = s.Append(ooCtx, ooEntry(1, "s", ooAna, optout.OptOut))
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
			wantHistory(t, s, "s", ooAna, ooEntry(1, "s", ooAna, optout.OptOut))
		},
	},
	{
		"redaction", "a Redactor clears Keyword and Number of every entry of the address in every scope, keeps the rest, and leaves others alone",
		func(t *testing.T, s optout.Store) {
			r, ok := s.(optout.Redactor)
			if !ok {
				t.Skip("the store does not implement optout.Redactor")
			}
			a1, a2 := ooEntry(1, "us", ooAna, optout.OptOut), ooEntry(2, "us", ooAna, optout.OptIn)
			a3, b1 := ooEntry(1, "uk", ooAna, optout.OptOut), ooEntry(1, "us", ooBen, optout.OptOut)
			for _, e := range []optout.Entry{a1, a2, a3, b1} {
				mustAppend(t, s, e)
			}
			n, err := r.Redact(ooCtx, ooAna)
			if err != nil || n != 3 {
				t.Fatalf("Redact = %d, %v; want 3, nil", n, err)
			}
			red := func(e optout.Entry) optout.Entry {
				e.Keyword, e.Number, e.Redacted = "", channel.Address{}, true
				return e
			}
			wantHistory(t, s, "us", ooAna, red(a1), red(a2))
			wantHistory(t, s, "uk", ooAna, red(a3))
			wantHistory(t, s, "us", ooBen, b1)
			if _, err := r.Redact(ooCtx, ooAna); err != nil {
				t.Errorf("a second Redact = %v, want nil", err)
			}
			mustAppend(t, s, ooEntry(3, "us", ooAna, optout.OptOut))
		},
	},
}

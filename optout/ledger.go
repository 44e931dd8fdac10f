package optout

import (
	"context"
	"errors"
	"time"

	"github.com/parleyhq/parley/channel"
)

// Scope names a group of business numbers that share consent: an opt-out
// received on any of them covers all of them, and so does an opt-in.
type Scope string

// DefaultScope is the scope of every number when the host names none: the
// account's whole list of SMS numbers.
const DefaultScope Scope = "account"

// Entry is one consent change in the ledger. Entries are never changed once
// appended, except by [Redactor.Redact] on an erasure request.
type Entry struct {
	// Seq is the entry's position in the history of (Scope, Address),
	// starting at 1. It is the optimistic-concurrency version: an append
	// must carry the latest Seq plus one.
	Seq uint64
	// Scope is the group of numbers the change covers.
	Scope Scope
	// Address is the contact ("sms:+14155550100").
	Address channel.Address
	// Action is OptOut or OptIn.
	Action Action
	// At is when the change happened: when the keyword arrived.
	At time.Time
	// Keyword is the keyword that made the change, as the set spells it
	// ("STOP"); empty for a change the host recorded by other means.
	Keyword string
	// Number is the business number the keyword arrived on; zero when none.
	Number channel.Address
	// Redacted reports that Keyword and Number were erased on request; the
	// address, scope, action and dates remain, as the law needs them.
	Redacted bool
}

// ErrConflict means an append carried a stale Seq: another change to the
// same (scope, address) was appended first. Nothing was stored; read the
// latest entry and decide again. Check it with errors.Is.
var ErrConflict = errors.New("optout: conflicting ledger append")

// Store is the consent ledger a [Registry] needs: append-only, one history
// per (scope, address). Implementations must be safe for concurrent use;
// memory.OptOutStore is one, and optouttest.Run checks any
// other against this contract.
type Store interface {
	// Append adds e to the end of its (e.Scope, e.Address) history. e.Seq
	// must be the Seq of the latest entry plus one (1 for the first);
	// otherwise Append returns ErrConflict and stores nothing. The check
	// and the write are one atomic step.
	Append(ctx context.Context, e Entry) error
	// Latest returns the newest entry of (scope, addr), and false when the
	// history is empty.
	Latest(ctx context.Context, scope Scope, addr channel.Address) (Entry, bool, error)
	// History returns every entry of (scope, addr), oldest first.
	History(ctx context.Context, scope Scope, addr channel.Address) ([]Entry, error)
}

// Redactor is the optional erasure capability of a [Store], for a
// contact's request to be forgotten: Redact clears Keyword and Number and sets Redacted on every entry of addr
// in every scope, keeping Seq, Scope, Address, Action and At, and returns
// how many entries it redacted. Redacting twice is harmless.
// optouttest.Run checks Redact when the store implements it.
type Redactor interface {
	// Redact redacts every entry of addr, as the type's doc says, and
	// returns how many it redacted.
	Redact(ctx context.Context, addr channel.Address) (int, error)
}

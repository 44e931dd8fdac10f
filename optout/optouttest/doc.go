// Package optouttest is the conformance suite for implementations of
// [optout.Store], the consent ledger behind an [optout.Registry]: a host
// that keeps opt-outs in its own database proves its store keeps the
// contract with one call to [Run] from its tests.
//
//	func TestConsentStore(t *testing.T) {
//		optouttest.Run(t, func(t *testing.T) optout.Store {
//			db := openTestDatabase(t) // registers its own t.Cleanup
//			return mystore.NewConsent(db)
//		})
//	}
//
// # What it proves
//
// Required, on every store: the whole of [optout.Store].
//
//   - A fresh store has no history and no latest entry.
//   - Every field of an appended entry reads back from Latest and History.
//   - Each (scope, address) pair has its own history, append-only and
//     oldest first; Latest is its last entry.
//   - An append must carry the latest Seq plus one (1 for the first);
//     otherwise it fails with [optout.ErrConflict] and stores nothing.
//   - Of many appends racing with the same Seq exactly one wins; the others
//     get ErrConflict.
//   - History returns a copy: changing it never changes the ledger.
//
// Optional, run when the store implements it (found by type assertion) and
// skipped otherwise:
//
//   - [optout.Redactor]: Redact clears Keyword and Number and sets Redacted
//     on every entry of the address in every scope, keeps the address,
//     scope, action, Seq and dates the law needs to honour a STOP, leaves
//     other addresses alone, is harmless when repeated, and appends still
//     continue the history afterwards.
//
// # Failures
//
// Each rule runs as its own subtest, on a fresh store, and every failure
// quotes the rule it broke:
//
//	--- FAIL: TestConsentStore/stale_or_skipped_seq_conflicts
//	    rule "an append whose Seq is not the latest plus one fails with ErrConflict and stores nothing" broken: ...
//
// The package imports only the standard library and the contract packages
// it tests, so running it adds nothing to a host's module.
package optouttest

// Package sessiontest is the conformance suite for implementations of
// [session.Store], the shared record of customer-service windows and of
// the window notices dealt with, which lets desks in several processes (or
// one desk after a restart) announce and check windows as one. A host that
// keeps windows in its own database proves its store keeps the contract
// with one call to [Run] from its tests.
//
//	func TestWindowStore(t *testing.T) {
//		sessiontest.Run(t, func(t *testing.T) session.Store {
//			db := openTestDatabase(t) // registers its own t.Cleanup
//			return mystore.NewWindowStore(db, nil)
//		})
//	}
//
// The stores Run is given must apply the default policies
// ([session.DefaultPolicy]); the suite's instants are whole microseconds,
// so a store keeping microseconds, as PostgreSQL does, passes.
//
// # What it proves
//
//   - Touch opens a window and never moves it back; a key whose addresses
//     are not of one valid kind fails with [session.ErrInvalidKey] and
//     records nothing; each (business, contact) pair has a window of its
//     own.
//   - Window reports an untouched pair as never opened (ok false).
//   - Expiring lists only open windows closing within the span, soonest
//     first, ties by key, with when each closes and how long it has left.
//   - Notices lists "window expiring" within the warning and "window
//     closed" once closed, each until Noticed marks it dealt with; a
//     window first listed after it closed gets only "window closed"; a
//     message makes a new window whose notices are due afresh, and
//     Noticed for the old closing instant changes nothing.
//   - Prune forgets only windows whose every limit ended by the cutoff
//     (the 7-day HUMAN_AGENT tag on Messenger keeps a window), never a
//     windowless channel's; Forget drops every window of one contact.
//   - Concurrent touches keep the latest message, and a notice marked
//     dealt with by one caller is not listed to another.
//
// # Failures
//
// Each rule runs as its own subtest, on a fresh store, and a failure
// quotes the rule it broke:
//
//	--- FAIL: TestWindowStore/touch_never_moves_a_window_back
//	    rule "an earlier message never moves a window back" broken: ...
//
// The package imports only the standard library and the contract packages
// it tests, so running it adds nothing to a host's module.
package sessiontest

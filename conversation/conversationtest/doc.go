// Package conversationtest is the conformance suite for implementations of
// [conversation.Store], as testing/fstest is for io/fs: a host that keeps
// conversations in its own database proves its store keeps the contract
// with one call to [Run] from its tests.
//
//	func TestStore(t *testing.T) {
//		conversationtest.Run(t, func(t *testing.T) conversation.Store {
//			db := openTestDatabase(t) // registers its own t.Cleanup
//			return mystore.New(db)
//		})
//	}
//
// # What it proves
//
// Required, on every store: the whole of [conversation.Store], its
// [conversation.MessageStore] included.
//
//   - Create and Get: a copy stored at Version 1; ErrDuplicateID, ErrInvalid
//     and ErrNotFound where the contract says.
//   - The slot rules: one open conversation per (touchpoint, contact,
//     interaction) (ErrOpenExists) and one open outbound conversation per
//     (touchpoint, contact) (ErrOutboundExists), kept by Create and by
//     Update, atomically under concurrent creates.
//   - Update: optimistic concurrency (a stale Version fails with ErrConflict,
//     a [*conversation.ConflictError] carrying both versions, and changes
//     nothing; concurrent read-modify-write loses no update) and identity
//     fields that never change (ErrInvalid).
//   - Messages: AppendMessage idempotent on the provider key, (touchpoint,
//     sender, provider message ID) inbound and (touchpoint, provider ID)
//     outbound, exactly one stored under concurrent duplicate webhooks,
//     another sender's reused ID stored as its own; delivery status that
//     only moves forward, with failed terminal, callbacks finding the
//     outbound message only; lookup by provider key (MessageByProvider),
//     after the conversation ended too; paging in append order without
//     repeats or gaps; text search.
//   - Record: message and conversation change stored together or not at
//     all, under concurrent writers retrying on ErrConflict.
//   - Search: visibility by viewer, every filter, paging without repeats or
//     gaps while conversations arrive or a filter narrows the results (in
//     both orders), ErrBadCursor.
//   - Returned values are copies: changing them never changes the store.
//
// Optional: each check below runs when the store implements the interface,
// found by type assertion, and is skipped otherwise.
//
//   - [conversation.Receiver]: ReceiveOpen takes an inbound message into
//     its slot's open conversation in one atomic step, checking in the
//     documented order, recognising the same contact's provider retries
//     across the whole touchpoint, and losing nothing under concurrent
//     writers.
//   - [conversation.Eraser]: Erase removes a contact's conversations,
//     messages and (with [conversation.CommentStore]) comments, and nobody
//     else's, another sender's message with the same provider ID included.
//   - [conversation.Purger]: Purge removes the ended conversations last
//     changed before the cutoff, with their messages and provider IDs;
//     never an open conversation, never a comment.
//   - [conversation.CommentStore]: comments belong to the contact, come back
//     oldest first with their mentions, and IDs are unique.
//
// # Failures
//
// Each rule runs as its own subtest, on a fresh store, and a failure quotes
// the rule it broke:
//
//	--- FAIL: TestStore/StaleUpdateConflicts
//	    rule "an Update based on a stale Version fails with ErrConflict and changes nothing" broken: ...
//
// A precondition step that fails (a Create the case needs, say) stops the
// subtest with "precondition for rule …" instead.
//
// The package imports only the standard library and the contract packages
// it tests, so running it adds nothing to a host's module.
package conversationtest

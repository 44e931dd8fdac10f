// Package memory holds in-memory implementations of every store parley's
// domain packages define: the conversation store [ConversationStore]
// ([conversation.Store], with [conversation.Receiver],
// [conversation.Eraser] and [conversation.CommentStore]), the opt-out
// consent ledger [OptOutStore] ([optout.Store], with [optout.Redactor]) and
// the routing capacity ledger [Ledger] ([routing.Ledger]).
//
// They are the embedded default of parley.New and the reference the
// conformance suites are run against. Each keeps the contract of the
// interface it implements to the letter (optimistic concurrency with
// ErrConflict, idempotent appends, append-only history, atomic
// reservations), so a host can develop against memory and switch to its
// own storage later.
//
// # Concurrency
//
// Every type here is safe for concurrent use by multiple goroutines. Each
// guards its state with one lock, so every method is one atomic step: two
// writers never interleave, and a failed call changes nothing.
//
// # Limits
//
// State lives only as long as the process: use these stores for tests,
// demos, bots that need no durability, or as a model when writing a real
// store.
//
// The conversation store aims to keep at most 1 KiB per conversation and
// 256 bytes per message beyond its text, so a process can hold millions of
// messages; TestConversationStoreFootprint checks both. Messages hold no
// pointers, so the garbage collector does not scan them; reading one
// copies its text out. Erasing a contact zeroes its messages' bytes, but
// the room is not reused: the store never compacts.
package memory

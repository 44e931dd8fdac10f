// Package memory holds in-memory implementations of every store parley's
// domain packages define: the conversation [conversation.Store], the opt-out
// consent ledger [optout.Store] and the routing capacity [routing.Ledger].
//
// They are the embedded default of parley.New and the reference the
// conformance suites in package parleytest are run against. Every type here
// is safe for concurrent use by multiple goroutines; each keeps the contract
// of the interface it implements to the letter (optimistic concurrency with
// ErrConflict, idempotent appends, append-only history, atomic reservations),
// so a host can develop against memory and switch to its own storage later.
//
// State lives only as long as the process: use them for tests, demos, bots
// that need no durability, or as a model when writing a real store.
//
// # Cost
//
// [ConversationStore] keeps messages free of pointers (records in slabs,
// texts and provider IDs as bytes in chunks, integer-keyed indexes), so a
// store holding millions of messages adds little to each garbage
// collection; DESIGN.md §6 allows 1 KiB per conversation and 256 bytes per
// message beyond its text, and the footprint test measures both. Reading a
// message copies its text out. Erasing a contact zeroes its messages'
// bytes; the room is not reused, as the store never compacts.
package memory

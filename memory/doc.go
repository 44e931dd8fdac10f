// Package memory holds in-memory implementations of every store parley's
// domain packages define: the conversation store [ConversationStore]
// ([conversation.Store], with [conversation.Receiver],
// [conversation.Eraser], [conversation.Purger],
// [conversation.CommentStore] and [conversation.VisitorSequence]), the
// opt-out consent ledger [OptOutStore] ([optout.Store], with
// [optout.Redactor]), the routing capacity ledger [Ledger]
// ([routing.Ledger]) and the customer-service windows [WindowStore]
// ([session.Store]).
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
// copies its text out.
//
// # Indexes
//
// A desk's lookups read only what they return, whether a thousand or a
// million conversations are stored; what still grows with the store is
// the cost of reaching scattered records in a larger heap (see
// BenchmarkSearchLastOfContact and its neighbours). Search answers from a contact's conversations when the query names the
// contact, from lists of the open conversations per status and queue when
// every status asked for is open (an inbox), and from a suffix index of
// contacts' names and address IDs for a text; other queries scan in sort
// order from the cursor and cost the conversations they skip. The text
// index searches a small array of every 4th suffix's first 8 bytes
// before its large ones, so a lookup reads those at a few places
// (BenchmarkTextCandidates). It folds case as [conversation.MatchText]
// does, so it finds what a scan would; a text that is not valid UTF-8,
// or held by more than 1 024 name and address suffixes, is scanned for
// instead.
//
// # Retention
//
// Purge ([conversation.Purger]) deletes ended conversations last changed
// before a cutoff; Erase forgets a contact, zeroing their messages' bytes
// at once. When what both have freed outweighs what is kept, the store
// compacts: it rebuilds itself from what it keeps, so after purging most
// of its history it holds about what a fresh store holding the rest would
// (TestPurgeCompacts).
package memory

// Package deskmodel is the model-based test of [parley.Desk]: it drives a
// real Desk, through its public API only, beside a deliberately simple
// reference model of what the Desk must be seen to do, and compares the
// two after every operation. It is test code kept out of _test files so
// that other modules run it on their stores: [Run] and [RunConcurrent]
// take a [Stores] factory ([Memory] here, PostgreSQL in store/postgres).
//
// Run drives random operations on one Desk in lock-step with the
// model: inbound webhooks and their retries, replies, snippets,
// templates, assignment, transfer, sending to the inbox, offers,
// escalation, presence, weights, end and close, delivery reports, Tick,
// and conversations the business starts. Its doubles, wrapped around the
// stores, make the store report optimistic-concurrency conflicts and the
// transport fail, at random. RunConcurrent runs the same operations from
// 8 goroutines under -race and checks what must hold whatever the
// interleaving. The package's own tests run both on memory stores, and
// replay, through the same doubles, the scenarios the model found and a
// store failure at every write of Receive and SendDraft.
//
// Run returns a [Summary] of the run, its final state included: the same
// seed gives the same Summary on any stores that keep the contract, so a
// run on other stores is also compared with the same run on memory.
//
// The model's clock moves in whole seconds, so a store that keeps
// microseconds (PostgreSQL) returns the times the model expects.
//
// The rules the model checks:
//
//  1. Windows: a WhatsApp contact's message opens a 24-hour window for
//     its (business number, contact); inside it any message may be sent,
//     outside it only an approved template. Tick announces a window
//     expiring (within the warning, an hour here) and closed, once each.
//  2. Opt-out: after STOP, an SMS address across the number's scope gets
//     nothing but the STOP confirmation; START opts it back in.
//  3. Capacity: an agent takes a conversation only if its load plus the
//     conversation's weight fits its capacity; each conversation has one
//     holder; the weight charged is released exactly once; escalation
//     to voice charges the voice weight in place of the digital one.
//  4. Routing: by the touchpoint's mode (simplified: the inbox;
//     dedicated: its owner; automatic: the least loaded agent, by an
//     offer that expires and never goes back to one who declined); only
//     available agents receive new work; freed room, and room lighter
//     weights make, goes to what waits;
//     a conversation the business starts is the starting agent's.
//  5. Conversations: at most one open conversation per (touchpoint,
//     contact); a message after the end opens a follow-up that keeps the
//     agent; delivery status only moves forward (pending, sent,
//     delivered, read), and failed is terminal and keeps its reason.
//  6. Nothing lost: every webhook is stored exactly once however often
//     it is retried, even after a store failure half-way; every refused
//     message is returned, or recorded as failed with its reason, never
//     silently dropped.
//
// PostgreSQL runs them in store/postgres (TestModelOnPostgres), its budget
// in PARLEY_MODEL_OPS.
//
// The CI budget is 100 000 operations (about a minute under -race):
//
//	go test -race -count=1 -run '^TestModel' -v ./internal/deskmodel -ops=100000
//
// The package path comes before -ops and -seed: go test hands an unknown
// flag, and all that follows it, to the test binary. -seed replays a
// failed run; its seed is in the failure's report.
package deskmodel

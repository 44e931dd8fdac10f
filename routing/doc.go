// Package routing decides which agent gets which conversation: queues,
// weighted capacity, presence, offers and strategies (DESIGN.md §3.5). It
// imports only package channel; conversations are named by their ID
// string, so the Desk passes its UUIDs and routing stays a leaf.
//
// # The rules
//
//   - Queues. Agents belong to queues (ring groups); a conversation
//     carries its touchpoint's queue labels. An unassigned conversation is
//     visible to, and assignable by, only agents in at least one of its
//     queues ([ErrNotVisible]); an assigned one belongs to its assignee.
//   - Capacity. Each agent has [DefaultCapacity] (100) points unless its
//     Capacity says otherwise. Voice weighs [VoiceWeight] (51, fixed:
//     [Weights.With] refuses to change it); every digital kind has a
//     weight of 1–100, by default SMS 5, e-mail 5, web chat 30, and
//     WhatsApp, Messenger, Instagram, Telegram, LINE and custom 20. An
//     agent takes a conversation only if load + weight ≤ capacity
//     ([ErrOverCapacity]): voice + e-mail + Messenger + SMS = 81, so a
//     web chat (30) no longer fits. The weight charged at assignment is
//     the weight released, whatever the weights are by then.
//   - Modes, one per touchpoint ([Mode]; default [Simplified]):
//     simplified (the conversation waits in the inbox until an agent
//     assigns it to self), dedicated (assigned to the touchpoint's owner
//     and marked dedicated, or waiting for the owner's room; while no
//     agent has the owner's ID, as after [Router.RemoveAgent], it goes to
//     the inbox as if simplified) and automatic (pushed by a [Strategy]:
//     [LeastLoaded], [RoundRobin], [LongestIdle], [Sticky] or the host's
//     own), either assigned at once or offered with a deadline
//     ([DefaultOfferTimeout], 120 s, as Twilio TaskRouter's reservations).
//     A rejected or expired offer goes to the next eligible agent, never
//     back to one who declined; capacity is held during the offer.
//   - Presence. Only [Available] agents receive new work, pushed or
//     taken: Assign and Transfer refuse any other ([ErrUnavailable]).
//     [Away] keeps work; [Offline] may return it
//     (Config.OfflineReturnsWork); [Draining] hands it to available
//     teammates after Config.DrainGrace.
//   - Beyond the usual helpdesk: sticky routing with a window that falls
//     back at once and keeps the queue age; auto-transfer of a
//     conversation without a first reply (once); a reopened conversation
//     whose kept agent is gone is re-routed ([Item].KeepAgent); an inbox
//     order that puts the WhatsApp windows closing soonest first
//     ([WindowClosingFirst]); and a [Trace] of every automatic decision
//     (Config.Trace).
//   - Waiting. With no eligible agent with room, a conversation waits, in
//     order of priority then age, and the decision says [Waiting] (the
//     host may tell the contact once that all agents are busy). It is
//     dispatched when capacity frees or an agent becomes available. A
//     weekly [Schedule] in a time zone, with holidays, says when the
//     business is open.
//   - Across processes. Capacity is committed through a [Ledger] whose
//     Reserve is atomic: a router chooses from its own view and, when the
//     Ledger refuses because another process took the room, tries the
//     next candidate. Two routers sharing one Ledger never put an agent
//     over capacity. package memory has the in-process Ledger;
//     parleytest.TestLedger checks any Ledger against the contract.
//
// # Time and concurrency
//
// Nothing here reads the clock: every call that needs the time takes now.
// Deadlines (offers, auto-transfer, drain grace) act when the host calls
// [Router.Expire], earliest first, and those at the same instant in the
// order they were set, so a run is reproducible. A [Candidate]'s instants
// are the nows passed in, on the wall clock (a monotonic reading is
// dropped). A [Router] is safe for concurrent use.
//
// # Cost
//
// Each queue keeps its available agents in one tournament tree per
// strategy, holding at every node the best agent below and the most room
// below. The built-in strategies compare agents by one word kept in the
// node; a host's own [Strategy] is called for each comparison instead,
// which reads both agents. A decision reads the best agent with room in O(1) in the usual
// case and updates the agent's place in O(log n); when nobody has room the
// answer is known at the root. Nothing is allocated per decision unless
// Config.Trace is set. Helpdesks that scan every agent of the queue, or
// intersect a round-robin list with the online set, pay O(n) instead.
package routing

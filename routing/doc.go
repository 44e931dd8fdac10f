// Package routing decides which agent gets which conversation: queues,
// weighted capacity, presence, offers and strategies. It imports only
// package channel; conversations are named by their ID string, so the
// Desk passes its UUIDs and routing stays a leaf.
//
// # Rules
//
//  1. Queues and visibility. Agents belong to queues (ring groups); a
//     conversation carries its touchpoint's queue labels. An unassigned
//     conversation is visible to, and assignable by, only agents in at
//     least one of its queues ([ErrNotVisible]); an assigned one belongs
//     to its assignee.
//  2. Capacity. Each agent has [DefaultCapacity] (100) points unless its
//     Capacity says otherwise. A voice conversation weighs [VoiceWeight]
//     (51), fixed: [Weights.With] refuses to change it, so a call leaves
//     room for light digital work only. Every digital kind has its own
//     weight of 1–100, by default SMS 5, e-mail 5, web chat 30, and
//     WhatsApp, Messenger, Instagram, Telegram, LINE and custom 20. An
//     agent takes a conversation only if load + weight ≤ capacity
//     ([ErrOverCapacity]): voice + e-mail + Messenger + SMS = 81, so a web
//     chat (30) no longer fits.
//  3. Not retroactive. A weight change ([Router.SetWeights]) applies to
//     conversations assigned from then on; a held conversation releases
//     exactly the weight it was charged.
//  4. Modes, one per touchpoint ([Policy].Mode; default [Simplified]).
//     Simplified: the conversation waits in the inbox until an agent
//     assigns it to self. Dedicated: it is assigned to the touchpoint's
//     owner ([Policy].Agent) and marked dedicated, or waits for the
//     owner's room; while no agent has the owner's ID (as after
//     [Router.RemoveAgent]) it goes to the inbox as if simplified.
//     Automatic: a [Strategy] picks the agent — [LeastLoaded] (the
//     default), [RoundRobin], [LongestIdle], [Sticky] or the host's own —
//     and the conversation is assigned at once or offered.
//  5. Offers. An offer stands for [Policy].OfferTimeout, or
//     [DefaultOfferTimeout] (120 s, as Twilio TaskRouter's reservations)
//     when zero; the agent's room is held meanwhile. A rejected or expired
//     offer goes to the next eligible agent, never back to one who
//     declined it.
//  6. Presence. Only [Available] agents receive new work, pushed or taken:
//     Assign and Transfer refuse any other ([ErrUnavailable]). [Away]
//     keeps its work; [Offline] may give it back ([Config].OfflineReturnsWork);
//     [Draining], the end of a shift, hands it to available teammates
//     after [Config].DrainGrace.
//  7. Sticky window. [Sticky] prefers the contact's previous agent when
//     the contact spoke with that agent within its Window and the agent is
//     available with room; otherwise it falls back at once to its Then
//     strategy, and the conversation keeps its original queue age. A
//     reopened conversation whose kept agent cannot take it is routed as
//     usual ([Item].KeepAgent), not left waiting.
//  8. Auto-transfer. With [Policy].AutoTransfer set, an automatically
//     assigned conversation whose agent has not replied ([Router.Replied])
//     in time is offered to the next agent, once.
//  9. Escalation. [Router.Escalate] turns a digital conversation into a
//     voice call: the agent is charged the voice weight (51) in place of
//     the digital one, or the escalation is refused with [ErrOverCapacity].
//  10. Waiting. With no eligible agent with room a conversation waits, by
//     priority then age, and the decision says [Waiting] (the host may tell
//     the contact once that all agents are busy). It is dispatched when
//     room frees (a release, lighter weights from [Router.SetWeights]) or
//     an agent becomes available. Agents list the inbox
//     oldest or newest first, or WhatsApp windows closing soonest first
//     ([Order]); priority always comes first. A weekly [Schedule] in a
//     time zone, with holidays, says when the business is open.
//  11. Across processes. Capacity is committed through a [Ledger] whose
//     Reserve is atomic: a router chooses from its own view and, when the
//     Ledger refuses because another process took the room, tries the next
//     candidate. Routers sharing one Ledger never put an agent over
//     capacity. Package memory has the in-process Ledger;
//     routingtest.Run checks any Ledger against the contract.
//  12. Decisions explain themselves. With [Config].Trace set, every automatic
//     [Decision] carries a [Trace]: the eligible agents, those skipped and
//     why, and why the winner won.
//  13. Names. An agent ID and a queue name are valid UTF-8, non-blank and
//     printable ([unicode.IsPrint]: letters, marks, numbers, punctuation,
//     symbols and the ASCII space; no control, format or other space
//     characters), with no leading or trailing space, so that what an
//     agent UI shows and a log prints is the name itself. New,
//     [Config.Problems], AddAgent, UpdateAgent, Enqueue and
//     TransferToQueues refuse any other with an error matching
//     [ErrInvalid], changing nothing.
//
// A [Decision] says what was done ([Outcome]); its zero value, [NotRouted],
// means nothing was routed. [Outcome], [Presence], [Mode] and [Order]
// encode as their lower-case names ("not_routed", "draining"), so a host's
// JSON reads well; ParseOutcome and its siblings read them back.
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
// A decision costs O(log n) in the queue's agents, not a scan of them; a
// host's own [Strategy] is called for each comparison it needs. Adding an
// agent in q queues costs O(q log n). A queue is kept while an agent
// serves it or a conversation names it, and forgotten after, so queue
// names seen once do not accumulate.
package routing

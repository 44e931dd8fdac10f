// Package conversation holds the conversation aggregate: its lifecycle,
// messages, delivery status, contact reference and comments, the events it
// emits, and the [Store] contract a host implements to persist it.
//
// The rules, from DESIGN.md §3.6:
//
//   - Statuses are Bot, Queued, Assigned, WrapUp and Closed. New contacts
//     start unassigned (Queued, or Bot when a bot answers first).
//   - Allowed moves ([Allowed]): Bot → Queued (hand-off), Queued → Assigned,
//     Assigned → Assigned (transfer), Assigned → Queued (send to inbox),
//     Assigned → WrapUp (end), any open status → Closed (also by API),
//     WrapUp → Closed. Every other move fails with a [*TransitionError]
//     naming from and to, and changes nothing.
//   - Assigning an agent pauses the bot; closing may resume it.
//   - A contact's message after the conversation ended (WrapUp or Closed)
//     starts a new conversation linked to the previous one
//     ([Conversation.FollowUp]); the contact keeps the same agent by default
//     or returns to the inbox ([ReopenPolicy]).
//   - At most one open conversation per (touchpoint, contact); on the host's
//     own channel (channel.Custom) one per interaction ID, and at most one
//     open outbound conversation per (touchpoint, contact)
//     ([ErrOutboundExists]).
//   - Messages go inbound or outbound; authors are the contact, an agent, a
//     bot or the system. Internal notes and comments are never sent.
//     Imported history (a transcript preceding the hand-off) is marked so.
//   - Delivery status only moves forward: pending → sent → delivered → read;
//     failed is terminal and keeps its reason; late or duplicate callbacks
//     are ignored, not errors ([Delivery.Advance]).
//   - Inbound messages are idempotent on (touchpoint, provider message ID),
//     checked before routing ([MessageStore.MessageByProvider]) so a retry
//     after the conversation ended opens no follow-up.
//   - Unread counts the contact's messages until the agent marks them read.
//   - A message in an unsupported format becomes a system notice
//     ([UnsupportedNotice]).
//   - Anonymous web-chat visitors are named "Visitor #N" ([VisitorCounter])
//     until identified.
//   - Visibility (§3.5): unassigned conversations are visible to agents in
//     one of their queues, assigned ones to their assignee, everything to
//     supervisors ([Conversation.VisibleTo]).
//
// Domain code here never reads the clock or generates IDs on its own: every
// method that stamps time takes now, and IDs come from the caller ([NewID]
// by default, [SequentialIDs] in tests). Each transition returns the event
// ([Event]) for the desk to publish once the store accepted the change.
//
// # Implementing a store
//
// A host that keeps conversations in its own database implements [Store]
// (ten methods, [MessageStore] included), optionally [Receiver] (an
// inbound message in one atomic step, one transaction, instead of two
// round trips, which the Desk uses for nearly every webhook), [Eraser]
// and [CommentStore], and proves it keeps the contract with
// parleytest.TestConversationStore. Package memory is the reference.
package conversation

// Package conversation holds the conversation aggregate: its lifecycle,
// messages, delivery status, contact reference and comments, the events it
// emits, and the [Store] contract a host implements to persist it.
//
// # Rules
//
// Lifecycle:
//
//  1. A conversation is in one of five statuses ([Status]): Bot (a bot
//     answers before handing off), Queued (in the inbox of its queues,
//     unassigned), Assigned (an agent owns it), WrapUp (the agent ended it;
//     closing note and disposition pending, the agent's weight freed) and
//     Closed. Bot, Queued and Assigned are open.
//  2. The allowed moves ([Allowed]): Bot → Queued (hand-off), Queued →
//     Assigned (assign), Assigned → Assigned (transfer), Assigned → Queued
//     (send to inbox), Assigned → WrapUp (end), WrapUp → Closed, and any
//     open status → Closed. Every other move, and any move out of Closed,
//     fails with a [*TransitionError] naming from and to and changes
//     nothing.
//  3. A new contact's conversation starts unassigned: Queued, or Bot when a
//     bot answers first ([Params].Bot). An agent who replies to an
//     unassigned conversation is assigned to it automatically
//     ([AssignAuto]) when it is visible to the agent and fits the agent's
//     capacity; the Desk checks both.
//  4. The contact's message after the conversation ended (WrapUp or
//     Closed) starts a new conversation linked to it
//     ([Conversation.FollowUp], Previous). By default the contact keeps the
//     previous agent; [ToInbox] sends the follow-up to the inbox instead
//     ([ReopenPolicy]).
//  5. Closing takes an optional closing note (a summary) and disposition
//     (an outcome code) ([Closing]). The host's own channel may close by
//     API from any open status.
//  6. Bot hand-off: assigning an agent pauses the bot for that
//     conversation; closing may resume it ([Closing].ResumeBot).
//
// Messages:
//
//  7. A message goes Inbound (from the contact) or Outbound (to the
//     contact), and is written by the contact, an agent, a bot or the
//     system ([AuthorKind]). It carries text, attachments (voice notes
//     included) or a template. Internal notes are Outbound messages that
//     are never sent; comments ([Comment]) belong to the contact, not to
//     one conversation, are visible to the whole workspace, may @mention
//     agents, and are never sent either.
//  8. Delivery status only moves forward: pending → sent → delivered →
//     read. Failed is terminal and keeps the provider's reason; it is
//     taken only before the message was delivered. A late or duplicate
//     callback is ignored, not an error ([Delivery.Advance]).
//  9. Inbound messages are idempotent on (touchpoint, sender, provider
//     message ID), the sender being the conversation's contact: a provider
//     retrying a webhook never stores a message twice, and another
//     contact's message reusing the ID is stored as its own, never
//     answered with the first contact's. The key is the same on every
//     channel: on web chat and the host's own channel the client picks
//     IDs, and a provider's unique IDs lose nothing by it. Delivery
//     callbacks name an outbound message by (touchpoint, provider ID),
//     which never matches an inbound message. The Desk checks the key
//     before routing ([MessageStore.MessageByProvider]), so a retry after
//     the conversation ended opens no follow-up.
//  10. Each conversation counts the contact's messages its agent has not
//     read ([Conversation].Unread); marking it read resets the count to 0.
//     Imported history never counts.
//  11. A message in a format the channel does not support is stored as a
//     system notice for the agent, "the contact sent an unsupported
//     message" ([UnsupportedNotice]).
//
// The host's own channel (channel.Custom):
//
//  12. One contact may hold several open conversations on one touchpoint
//     when their interaction IDs differ ([Key]); elsewhere a contact has at
//     most one open conversation per touchpoint ([ErrOpenExists]).
//  13. The business may not open a second outbound conversation with a
//     contact on a touchpoint while one is open ([ErrOutboundExists]).
//  14. A conversation may carry a subject, and the transcript that preceded
//     the hand-off (the contact with the host's bot), stored as its history
//     and marked Imported: never sent, never unread.
//
// Contacts, queries and erasure:
//
//  15. An anonymous web-chat visitor is named "Visitor #1", "Visitor #2", …
//     until identified ([Conversation.Identify]) with a verified e-mail or
//     phone in a valid format. No two visitors get one number: the store
//     numbers them when it can ([VisitorSequence]), so desks sharing it,
//     and desks after a restart, go on from the last number; otherwise a
//     desk counts on its own ([VisitorCounter]).
//  16. Visibility: an unassigned conversation is visible to agents in at
//     least one of its queues, an assigned one to its assignee, everything
//     to supervisors ([Conversation.VisibleTo]).
//  17. Inbox queries ([Query]) search by contact name, number or e-mail,
//     filter by channel, touchpoint, status, queue, assignee and creation
//     time, sort newest or oldest first, and return only what the viewer
//     may see, [DefaultLimit] (50) to a page, at most [MaxLimit] (1 000).
//     One conversation's messages can be searched by text ([MessageQuery]).
//  18. On request, every conversation, message and comment of a contact is
//     erased ([Eraser]); the opt-out ledger, package optout, keeps what the
//     law needs to honour a STOP. A retention job may purge ended
//     conversations last changed before a cutoff, with their messages
//     ([Purger]); open conversations, comments and the opt-out ledger stay.
//  19. Every change is reported as an event ([Event]), one type per event:
//     started, handed off, assigned (with how: [AssignMode]), transferred,
//     sent to inbox, ended, closed; message received, sent, failed, delivery
//     status changed.
//
// Domain code here never reads the clock or generates IDs on its own: every
// method that stamps time takes now, and IDs come from the caller
// ([NewIDGenerator] with the desk's clock, [SequentialIDs] in tests). Each
// transition returns its event for the desk to publish once the store
// accepted the change. Every enum encodes as its lower-case name
// ("delivered", "inbound"), so JSON and databases read words, not numbers.
//
// # Implementing a store
//
// A host that keeps conversations in its own database implements [Store]
// (ten methods, [MessageStore] included), optionally [Receiver] (an
// inbound message in one atomic step instead of two round trips, which the
// Desk uses for nearly every webhook), [Eraser], [Purger], [CommentStore]
// and [VisitorSequence], and
// proves it keeps the contract with conversationtest.Run.
// Package memory is the reference.
package conversation

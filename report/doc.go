// Package report turns a parley Desk's events into the measures a contact
// centre runs on — volumes, waits, response and handle times, service
// level, agent occupancy and a leaderboard — and exports conversations
// with their transcript and events for a warehouse.
//
// Every desk appends its events to one shared, ordered event log (a
// [Feed]: [MemoryLog] in one process, store/postgres's ReportLog across
// processes), and the figures come from that log: one reporting process
// feeds an [Accumulator] from it with [Follow], called periodically, or
// rebuilds one with [Rebuild]. A desk's own publisher sees only the
// changes that desk made, so with several desk processes an accumulator
// wired as one desk's publisher sees part of each conversation. A host
// with a single desk may wire the accumulator and the log together as the
// Desk's publisher with a [Recorder] (beside its own publisher with
// [Tee]). Read [Figures] at any time, whole, by hour or day, channel,
// touchpoint, queue or agent. The live view (who is available, what
// waits) is parley.Desk.Live; the Prometheus collector is the nested
// module report/prometheus. Nothing here reads the clock: every figure
// that needs the time takes it.
//
// # Definitions
//
// Durations run from one event's time to another's. A duration of a
// conversation is recorded once, when its end event comes, in the slices
// of that instant.
//
//  1. Input. Events are observed in the order of the log (or of the
//     Desk's publishing, for an accumulator wired as its publisher). The
//     Desk publishes a change's events after releasing its locks, so two
//     changes of one conversation may come in either order; messages are
//     matched by their own times (rule 9), the other moves in the order
//     they come. An event of a conversation whose start was not observed
//     (it started before the accumulator, or its state was evicted under
//     rule 15) counts in the volumes of the total and its hour, and in
//     no duration.
//  2. Slices. A fact counts in the total, in the local hour (and so the
//     day) of its instant (Config.Location), in its conversation's
//     channel, touchpoint and every queue of the conversation (a
//     conversation in two queues counts in both; queues come from the
//     touchpoint, and from a hand-off or send-to-inbox that names new
//     ones), and in the agent the fact names: the assignee for an
//     assignment and a wait, the agent who transferred or sent to the
//     inbox, the author of a message, the agent offered, the last
//     assignee for a close.
//  3. Started: a StartedEvent, by the contact (inbound) or by the
//     business (outbound). Reopen after close is a new conversation: the
//     contact's message after the end starts a follow-up with its own ID,
//     counted and measured on its own.
//  4. Assigned, transferred, sent to inbox, closed: one each per
//     AssignedEvent, TransferredEvent, SentToInboxEvent, ClosedEvent.
//  5. Messages in: the contact's messages (MessageReceivedEvent), imported
//     history excluded. Messages out: messages the transport accepted
//     (MessageSentEvent), whoever wrote them; internal notes are never
//     sent and never counted.
//  6. Opt-outs and opt-ins: OptOutEvent by its action.
//  7. Wait = first assigned − queued. Queued is the start for a
//     conversation that starts Queued, the hand-off for one that starts
//     with a bot (bot time is not waiting; a bot handing straight to an
//     agent waits 0). Offered time is waiting. A send-to-inbox does not
//     reset it and a transfer is no second wait: one wait per
//     conversation, or none if it was never assigned.
//  8. First response = first agent message − the contact's first message.
//     An agent message is one an agent wrote (conversation.AuthorAgent)
//     and the transport accepted. A bot's reply is not a first response;
//     automatic messages (auto-reply, away, busy, keyword replies, written
//     by the system) are excluded. A transfer does not restart it, nor
//     does a send-to-inbox. A conversation the business started has its
//     first response after the contact first writes; agent messages
//     before that answer nothing.
//  9. Response time: every agent message that answers, from the contact's
//     oldest message not answered yet; the first one is also rule 8's.
//     Reported as mean and percentiles ([Durations]). Rules 8 and 9 go
//     by the messages' own times (conversation.Message.CreatedAt), not
//     the order their events arrive in: the Desk publishes after
//     releasing its locks, so a contact's message can arrive after the
//     reply to it. An agent message answers every contact message
//     created at or before it; a contact message that arrives after an
//     agent message created at or after it is answered by that message
//     at once (once: one answer counts one response). The latest agent
//     message is what a late contact message is matched against, and an
//     answer already counted is not moved by a still earlier contact
//     message arriving after it.
//  10. Handle time = the time agents held the conversation, for
//     conversations ever assigned: each hold runs from an assignment or
//     transfer to the agent until a transfer away, a send-to-inbox or
//     the close, and includes wrap-up (which ends with the close). Time
//     back in the queue between holds is no one's: a conversation sent
//     to the inbox and closed from there credits no agent for its queue
//     time. The conversation's handle time (total, hour, channel,
//     touchpoint, queue) is the sum of its holds; each agent's figures
//     get that agent's own share, its holds summed, once at the close.
//  11. Resolution time = closed − started.
//  12. Time in wrap-up = closed − ended, for conversations closed from
//     wrap-up.
//  13. Handled: conversations closed that an agent held, counted for the
//     last one. The leaderboard ranks agents by handled, most first, then
//     by mean first response, shortest first, then by ID.
//  14. Occupancy = ∫ load dt / (capacity × time since the agent's first
//     event), the load being the weights (Config.Weights; voice 51 once
//     escalated) of the conversations assigned to the agent, freed at
//     end, send-to-inbox, transfer, close or eviction (rule 15);
//     capacity from Config.Agents, routing.DefaultCapacity otherwise.
//     Pending offers are not load.
//     Events carry no weights: after a Desk.SetWeights the figures keep
//     Config.Weights, so occupancy is an estimate, and may pass 1;
//     parley.Desk.Live gives each agent's exact load now.
//     Offers: accepted when the conversation goes to the offered agent
//     (an assignment, or a transfer, to that agent); rejected or expired
//     when the Desk says so with an OfferEndedEvent
//     ("conversation.offer_rejected", "conversation.offer_expired"),
//     counted for the agent it names whatever the time. An offer
//     withdrawn — its agent went away, the conversation ended, closed or
//     moved on otherwise — counts as none of the three.
//  15. Cost and bounds. Each event costs O(1): a few map reads, and
//     constant work per slice it counts in. A business-hours duration
//     (rule 18) adds one step per local day it spans, each step a set
//     lookup for holidays and a walk of that weekday's merged spans; a
//     handle time adds one step per agent who held the conversation.
//     Memory: one state per open conversation, at most Config.MaxOpen
//     (DefaultMaxOpen, about a million, when zero): starting one more
//     evicts the least recently touched (the one whose last event is
//     oldest), frees its agent's load and counts it in Figures.Evicted;
//     its later events count as those of a conversation never observed
//     (rule 1). A close frees the state too. One [Figures] per channel,
//     touchpoint, queue and agent seen, and per hour for the latest
//     Config.KeepHours hours (older hours are dropped; totals keep
//     counting). A [Durations] is a fixed 192-bucket histogram:
//     percentiles within 12.5 % or a second, exact count, sum, minimum
//     and maximum.
//  16. Service level = answered within T / (answered + abandoned), T
//     being Config.AnsweredWithin (one minute by default) and "within"
//     meaning a first response ≤ T. Abandoned: closed after the contact
//     wrote and before any agent message (rule 8: bot and automatic
//     messages do not count), and either closed by the contact — a close
//     through the host's own channel (conversation.Closing.ByAPI, the way
//     a contact leaving reaches the Desk) — or expired: the contact's
//     window closed (a "session.window_closed" WindowEvent) before the
//     close. An agent or supervisor closing a conversation without
//     writing (spam, a duplicate) before the window closed abandons
//     nothing, and the conversation counts in neither; so does a close
//     from the queue by the desk. An agent message after the window
//     closed still answers (late), and the conversation is then not
//     abandoned. A conversation still awaiting its first response counts
//     in neither yet; one the contact never wrote in is never abandoned.
//  17. Per conversation: [Accumulator.Conversation] while open,
//     Config.Closed at close.
//  18. Business hours. With Config.BusinessHours every duration counts
//     only the time the conversation's touchpoint is open (its
//     parley.Touchpoint.Hours: the weekly spans in its time zone, a day's
//     overlapping spans counted once, holidays — dates in that zone —
//     closed); a touchpoint without hours is always open. A
//     contact who writes Friday 16:50 to hours of 09:00–17:00 and is
//     answered Monday 09:10 waited 20 minutes.
//  19. Restart and several desks. The conversation store keeps each
//     conversation's last state and its messages, not the moves that led
//     there (the first assignment, transfers, returns to the inbox,
//     offers, opt-outs), so figures cannot be rebuilt from it alone.
//     Every desk appends its events to one shared [Log] that keeps order
//     (a [Feed]); [Rebuild] replays it into an accumulator and [Follow]
//     feeds one with what was appended since a position, so a reporting
//     process restarted rebuilds, then follows. Replaying gives the
//     figures of an accumulator that observed the same events in the
//     same order: the log's order is the one that counts, which a
//     [Recorder] keeps for an accumulator fed live beside the log (a
//     [Tee] feeding both separately may interleave two goroutines' events
//     differently in each). The export's event records replay too
//     ([Record.Event]). reporttest.RunLog is the suite a Log and a Feed
//     must pass.
//  20. Logging. [LogEvents] is a publisher that logs every event with its
//     name and conversation ID, and its message and agent IDs when it
//     names them, under the keys the Desk's own log lines use
//     ("conversation", then "message" and "agent"), so one search by
//     conversation finds both; the host opts in by wiring it with [Tee].
//  21. Export. [Export] streams, oldest first, every conversation started
//     in a range, then its messages oldest first, then (with a Log) its
//     events, as JSON Lines or CSV with one header row; it holds one page
//     at a time, whatever the range. Each [Record] carries the
//     conversation's ID in its canonical UUID form, safe in a URL as it
//     is, and the host's link when ExportOptions.Link gives one.
//     [ReadJSONL] and [ReadCSV] read an export back, refusing a line that
//     is not a record with a [*RecordError] ([ErrBadRecord]). CSV keeps
//     text as encoding/csv does: a carriage return before a line feed
//     inside a field reads back as the line feed alone.
//
// An Accumulator, a MemoryLog, a Recorder and the Tee are safe for
// concurrent use.
package report

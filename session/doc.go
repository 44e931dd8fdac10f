// Package session decides whether a business may message a contact now, on
// channels whose providers limit when a business may write: the customer
// service windows of WhatsApp, Messenger and Instagram.
//
// # Rules
//
//  1. WhatsApp: each message or call from the contact opens or refreshes a
//     24-hour customer-service window, kept per (business number, contact).
//     Inside it any message may be sent; outside it only an approved
//     template.
//  2. The window is the half-open interval [LastInbound, LastInbound+24h):
//     open at 23:59:59.999 after the contact's message, closed at exactly
//     24:00:00. A LastInbound after now is not open (nor is its HUMAN_AGENT
//     tag) and reads as "not written yet" (Composer's NeverOpened, a
//     refusal with a zero ClosedAt).
//  3. Only the contact opens a window: the business's own messages,
//     templates included, never open or refresh it, so only inbound events
//     reach [Window.Touch]. A late, out-of-order inbound event never moves
//     the window backwards, so a provider timestamp ahead of the clock
//     could not be corrected: callers pass inbound times not after now,
//     clamping a provider's timestamp to their clock (the Desk does).
//  4. Messenger and Instagram: a 24-hour standard window; after it a human
//     agent (never a bot) may still reply with the HUMAN_AGENT message tag
//     for up to 7 days after the contact's last message. HUMAN_AGENT is the
//     one message tag Meta still accepts.
//  5. A conversation started from a free entry point (a click-to-WhatsApp
//     ad, a page call-to-action) is free of charge for 72 hours from the
//     delivery of the business's reply, if that reply comes within 24
//     hours. This is a pricing fact ([Policy.FreeUntil]), not a wider
//     window: free-form messages still need the 24-hour window.
//  6. SMS, e-mail, web chat, Telegram, LINE, voice and custom channels have
//     no window: they are always open.
//
// The numbers live in data, a [Policy] per [channel.Kind]; [DefaultPolicy]
// gives the rules above and [Policies] lets a host override any kind. The
// [Window] methods use the defaults; the [Policies] methods take the host's.
//
// [Policies.Check] says whether a given outbound message ([Outbound]:
// free-form, an approved template or a HUMAN_AGENT-tagged human reply) may
// be sent now; a refusal is a [*WindowClosedError] that matches
// [ErrWindowClosed]. [Policies.Composer] gives an agent UI what it needs to
// lock or unlock its composer (can reply, why, since when, until when), and
// [Policies.Expiring] lists the windows about to close so agents can be
// warned. [Tracker] keeps windows per (business number, contact) for hosts
// that do not store them themselves; [Tracker.Prune] forgets the windows
// closed before a cutoff, after which they read as never opened, so hosts
// pass now minus how long agents should still see when a window closed.
// [Tracker.Notices] lists the windows due a "window expiring" or "window
// closed" notice that [Tracker.Noticed] has not marked dealt with. The
// tracker keeps its windows indexed by when they close, so what a Tick
// asks costs O(k log n) for the k windows it gets back, however many
// other windows are held.
//
// [Store] is the same record where several desks share it: desks in
// several processes, or one desk after a restart, see every window and
// which notices were dealt with, so any desk announces each window and
// none announces one twice. memory.WindowStore is a Tracker behind it;
// store/postgres keeps it in a table. sessiontest.Run proves a store keeps
// the contract. [Policies.Limits] gives the instants such a store indexes.
//
// [Form] and [Reason] read and write themselves as text
// ([encoding.TextMarshaler], [encoding.TextUnmarshaler]), so a host's JSON
// shows "human_agent_only", not 3: the forms are "free_form",
// "approved_template" and "human_agent_tag"; the reasons "no_window",
// "window_open", "human_agent_only", "template_only", "window_closed" and
// "never_opened". [ParseForm] and [ParseReason] ignore ASCII case and refuse
// other text with an error matching [ErrUnknownForm] or [ErrUnknownReason];
// a value outside the constants does not marshal.
//
// Everything here is pure: nothing reads the clock. Callers pass now.
// Window, Policy and Policies are values, safe to share between goroutines
// once built; [Tracker] is safe for concurrent use, and a [Store] must be.
package session

// Package helpdesk is the helpdesk example's server: an agent console, a
// supervisor view and a customer phone in the browser, all on one
// parley Desk. It is shared by the example's two commands, examples/helpdesk
// (in-memory stores) and store/postgres/examples/helpdesk (PostgreSQL), and
// driven by the browser tests of examples/helpdesk/e2e. It uses net/http,
// html/template, embedded assets and a little plain JavaScript: no build
// step, nothing fetched from the internet.
//
// # Rules
//
//  1. One [Server] serves everything: the console (/console?agent=ana),
//     the supervisor view (/supervisor), the phone (/phone), the
//     console's JSON API (/api/…), its event stream (/api/events,
//     server-sent events) and the provider webhooks (/webhooks/twilio,
//     /webhooks/meta).
//  2. The business: a WhatsApp number (Meta's Cloud API) routed
//     automatically to the least loaded agent of queue support, with a
//     welcome and a busy message; an SMS number (Twilio) whose
//     conversations wait in the inbox of queues support and billing; a
//     Messenger page (Meta) whose conversations are offered to an agent
//     of queue sales for two minutes, at priority 1. Agents ana and ben
//     serve support and sales, cleo billing; sam supervises and starts
//     offline.
//  3. The inbound path is the real one. The phone signs its webhooks as
//     Twilio (HMAC-SHA1 of URL and sorted form, X-Twilio-Signature) and
//     Meta (HMAC-SHA256 of the body, X-Hub-Signature-256) sign theirs and
//     posts them to the handlers of providers/twilio and providers/meta,
//     which refuse a forged one with 403. The outbound path is the real
//     Transports, pointed at a small in-process stand-in for the two
//     providers' APIs: it answers as they do, hands each message to the
//     phone and, once the Desk has published the message as sent, posts
//     the signed "delivered" callback; a WhatsApp message the phone shows
//     is reported "read".
//  4. The contact directory is the host's, as parley expects: it names the
//     contacts of channels that send no name and holds their e-mail
//     addresses, which the list search matches with names and numbers.
//  5. The Desk's only clock is a [Clock]: the wall clock run N times
//     faster (-speed N), plus the jumps of the console's "+1 h" and
//     "+25 h" buttons, so a 24-hour WhatsApp window closes in minutes.
//     [Server.Run] calls Desk.Tick every Options.TickEvery, so offers
//     expire and windows close on time.
//  6. The state is the Desk's. The browser reloads what it shows on every
//     event the Desk publishes; the server keeps only what the Desk has
//     no query for: the standing offers (from the OfferedEvent until they
//     are answered) and uploaded files. The supervisor view reads agents'
//     presence and load from Desk.Live, as the router holds them.
//  7. A console request's body is one JSON object of at most 64 KiB with
//     known fields only, each at most 8 KiB of UTF-8, at most 16 template
//     parameters and a clock jump of 0 to 720 hours; anything else is
//     answered 400 with a [*RequestError] ([ErrBadRequest]).
//  8. The Desk's refusals reach the agent: a request it refuses is answered
//     with a status and a code the console branches on (not_visible 403,
//     window_closed and opted_out 409, bad_request 400, …), and with the
//     refused message, which the Desk stored failed with its reason.
//  9. The composer is locked, with the reason and the time, when the
//     WhatsApp window has closed (the approved-template picker shows then)
//     and when the conversation is over. An SMS opt-out leaves it open
//     with a warning: the Desk refuses the reply, and the agent sees the
//     refusal.
package helpdesk

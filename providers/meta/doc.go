// Package meta connects a parley Desk to Meta's messaging platforms: the
// WhatsApp Cloud API, Messenger and Instagram. [Handler] is the webhook
// endpoint, turning Meta's signed notifications into Desk.Receive and
// Desk.UpdateDelivery calls; [Transport] is the parley.Transport that
// sends through the Graph API. Both are configured with the same
// [Endpoint] list, which maps each Meta ID to a parley touchpoint. The
// package uses only the standard library.
//
// # Webhooks in
//
//  1. Every POST is authenticated first: [SignatureHeader] must hold
//     "sha256=" and the hex HMAC-SHA256 of the raw body keyed with the
//     app secret, compared in constant time ([VerifySignature]). A
//     missing, malformed or wrong signature is answered 403 and nothing
//     is parsed or stored. The body is read whole (at most [MaxBody]
//     bytes, else 413) before the check, so the bytes checked are the
//     bytes parsed.
//  2. The verification GET is answered with hub.challenge, as plain text,
//     only when hub.mode is "subscribe" and hub.verify_token equals the
//     configured VerifyToken (constant-time); otherwise 403.
//  3. An event's touchpoint is the [Endpoint] of its business ID: for
//     WhatsApp metadata.phone_number_id (the display number is for
//     people: it is formatted for display and is not what the Graph API
//     sends from), for Messenger the page ID and for Instagram the
//     professional account ID, both recipient.id. An event for an ID not
//     configured is skipped and logged, not refused: one app may serve
//     numbers and pages that another system handles.
//  4. Every entry, change and event of a payload is handled. A WhatsApp
//     text, a button or list reply (its title) and a template quick-reply
//     button (its text) become the message's text; an image, audio,
//     video or document becomes an attachment with its MIME type, file
//     name and voice-note flag, its caption the text; a location becomes
//     text ("Location: name, address (lat, long)"). A sticker, a reaction,
//     contacts, an order, an "unsupported" message and any type parley
//     does not know become Inbound.Unsupported, so the agent sees a
//     notice: nothing a contact sends is dropped silently. A reaction
//     removed (an empty emoji) is skipped. Messenger and Instagram texts,
//     image, audio, video and file attachments (by URL) and postbacks (the
//     button's title) are messages; a reaction is a notice; a message of
//     nothing parley can carry (a shared post, a story mention) is a
//     notice. The contact's address comes from [channel.WhatsAppID] (the
//     wa_id) or from the PSID or IGSID as it is; the WhatsApp profile
//     name becomes Inbound.Name.
//  5. Media are not downloaded with the webhook, which must be answered
//     quickly. A WhatsApp file's URL is [MediaScheme] and its media ID
//     ("whatsapp-media:1003383421387256"): the host fetches it later with
//     GET /{media-id} on the Graph API (a download URL valid for minutes,
//     read with the access token) and stores it where it wants.
//     Messenger and Instagram files come with a CDN URL, kept as it is;
//     it expires too, so a host that keeps files copies them.
//  6. Statuses become delivery reports: WhatsApp's sent, delivered, read
//     and failed (the reason is the error's code, title and details, such
//     as "131026 Message undeliverable: …"); Messenger's delivery receipt
//     for each mid it lists and Instagram's read receipt for its mid.
//     Receipts that carry only a watermark name no message and are
//     skipped, as are echoes of the business's own messages (the Desk
//     stored them when it sent them) and WhatsApp's deleted and played.
//  7. The answer tells Meta whether to deliver the payload again. 200 when
//     everything was stored, and also when the Desk refused an event for
//     what it is (conversation.ErrInvalid, an invalid address, an unknown
//     touchpoint: a retry would be refused alike) or when a status names
//     a message the Desk does not know (conversation.ErrNotFound): these
//     are logged, since retrying them would only repeat for days. 500 when
//     any event failed otherwise (the store unreachable): Meta retries the
//     whole payload, with back-off, and every event the first attempt
//     stored is recognised by the Desk (a message by its provider ID; a
//     status only moves forward), so nothing is stored twice. The other
//     events of the payload are still handed on before the 500.
//
// # Messages out
//
//  8. A WhatsApp message is POSTed to {BaseURL}/{phone-number-id}/messages
//     with messaging_product "whatsapp" and the number without "+": a
//     template by name and language code with its body parameters
//     (positional when every parameter name is a number, else named with
//     parameter_name); a file by link, or by media ID when its URL uses
//     [MediaScheme], as image, audio, video, sticker (WebP) or document
//     (with its file name), the text as the caption of an image, video or
//     document, else sent as a text message first; or a text. Messenger
//     and Instagram messages are POSTed to {BaseURL}/me/messages with the
//     endpoint's page token, recipient.id the PSID or IGSID, messaging_type
//     RESPONSE, or MESSAGE_TAG with tag HUMAN_AGENT when
//     Outgoing.HumanAgentTag is set; the text and each file go as separate
//     messages, as the Send API requires. Every request carries the
//     bearer token and the caller's ctx.
//  9. Send returns the ID of the last message it posted. The Graph API has
//     no idempotency key: a message of several parts that fails half-way
//     leaves the earlier parts sent, and a send repeated after a lost
//     answer may reach the contact twice.
//
// # Send errors
//
// A failure is a *parley.SendError, wrapping a [*GraphError] with the
// code, subcode, message and fbtrace_id when Meta answered with one.
// Temporary failures carry RetryAfter from the Retry-After header or,
// failing that, the longest estimated_time_to_regain_access (minutes) of
// the X-Business-Use-Case-Usage header.
//
//	code             meaning                                        parley
//	131047           re-engagement: over 24 h since the contact     permanent, session.ErrWindowClosed
//	                 last wrote (WA)
//	10 / 2018278     sent outside the allowed window (Messenger)    permanent, session.ErrWindowClosed
//	131026           message undeliverable (WA)                     permanent
//	131051           unsupported message type (WA)                  permanent
//	131008, 131009   parameter missing or not valid (WA)            permanent
//	131021           recipient is the sender (WA)                   permanent
//	131031           business account locked (WA)                   permanent
//	132000, 132001   template parameter count, template missing     permanent
//	132015, 132016   template paused, disabled (WA)                 permanent
//	133010           phone number not registered (WA)               permanent
//	368              blocked for policy violations                  permanent
//	551              person not available (Messenger)               permanent
//	0, 10, 100, 190  authentication, permission, invalid            permanent
//	                 parameter, access token expired or invalid
//	130429           throughput rate limit (WA)                     temporary, with the hint
//	131048           spam rate limit (WA)                           temporary, with the hint
//	131056           pair rate limit: same recipient (WA)           temporary, with the hint
//	4, 17, 32, 613   application, user, page, call rate limits     temporary, with the hint
//	80007            WhatsApp Business Account rate limit           temporary, with the hint
//	1, 2             unknown error, service unavailable             temporary
//	131000, 131016,  something went wrong, service unavailable      temporary
//	133004           (WA)
//	1200             temporary send failure (Messenger)             temporary
//	other            is_transient, or HTTP 5xx or 429               temporary
//	other            otherwise                                      permanent
//	no Graph body    HTTP 5xx, 429, 408; other HTTP errors          temporary; permanent
//	no answer        network failure, ctx cancelled                 temporary
//
// Sources: WhatsApp Cloud API error codes
// (https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes),
// Graph API error handling
// (https://developers.facebook.com/docs/graph-api/guides/error-handling),
// Messenger Platform error codes
// (https://developers.facebook.com/docs/messenger-platform/error-codes),
// Graph API rate limiting for the usage header
// (https://developers.facebook.com/docs/graph-api/overview/rate-limiting).
package meta

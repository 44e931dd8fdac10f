// Package twilio connects a parley desk to Twilio's Programmable
// Messaging: SMS, MMS and WhatsApp. [Handler] takes Twilio's webhooks
// (incoming messages and status callbacks) after checking their
// signature, and [Transport] sends the desk's messages through the
// Messages API. [Sign] computes Twilio's signature for a host's own tests.
//
// The package takes no dependency beyond parley and the standard library.
// twilio-go's RequestValidator was weighed and refused: it would bring the
// whole generated Twilio SDK module for some thirty lines of HMAC, and it
// takes the parameters as a map[string]string (a repeated name loses
// values) and sorts the name-and-value strings rather than the names, an
// order that differs from Twilio's whenever a value sorts below the rest
// of a longer name ("To" = "whatsapp:…" against "ToCity"). The Messages
// API needs one form POST, which net/http does.
//
// # Webhooks
//
//  1. Signature first. Every request needs an X-Twilio-Signature header
//     equal to [Sign] of the URL Twilio called and the POST parameters,
//     compared in constant time. A missing or wrong signature gets 403 and
//     reaches nothing: no Desk call, no log of the payload. The body is
//     read up to HandlerConfig.MaxBodyBytes first (413 beyond), and a body
//     that is not a form gets 400, also before any call. A GET webhook is
//     signed over its URL, query included, with no parameters.
//  2. Ports. The URL is tried as resolved and with the scheme's default
//     port added or removed ("https://h/p" and "https://h:443/p"), since
//     Twilio has signed both forms.
//  3. The signed URL is the one Twilio called, byte for byte, which is not
//     what a server behind a proxy sees. The handler builds it from
//     HandlerConfig.BaseURL (or the request's scheme and Host, or the
//     X-Forwarded-Proto, -Host and -Port headers when trusted, or the URL
//     function) followed by the request target as it reached this server
//     (r.RequestURI, which http.StripPrefix leaves alone). The pitfalls:
//     the scheme (TLS ends at the proxy, so the request looks like http);
//     the host (the proxy may rewrite Host to its upstream's); the port (a
//     non-default port in the console's URL is part of the signed URL, and
//     must be in BaseURL); the query (kept exactly as sent, never
//     re-encoded or re-ordered: a proxy that normalises it breaks every
//     signature); the trailing slash ("/twilio" and "/twilio/" are
//     different URLs, and a ServeMux pattern ending in "/" redirects the
//     other one); a path prefix a proxy strips (put it in BaseURL).
//  4. An incoming message goes to Desk.Receive on the touchpoint whose
//     number is To ("+1…" an SMS touchpoint, "whatsapp:+1…" a WhatsApp
//     one), from the sender From read as an address of the touchpoint's
//     kind, with MessageSid (or the older SmsMessageSid, SmsSid) as
//     ProviderID, Body as Text and ProfileName as Name. Twilio sends no
//     time: the desk's clock stamps the message.
//  5. Media: MediaUrlN and MediaContentTypeN for N below NumMedia (at most
//     channel.MaxInboundAttachments) become attachments with their URL and
//     type, named after the media SID ending the URL; Twilio sends no size.
//     With media authentication on, fetching the URL needs the account's
//     credentials.
//  6. A WhatsApp location (Latitude, Longitude, and Label and Address when
//     given) becomes the text "Location: lat, long (label, address)". A
//     message of MessageType "unsupported" or "reaction", or with neither
//     text nor media, is received with Unsupported set: the agent sees the
//     unsupported-format notice, never a silent drop.
//  7. A status callback (MessageStatus or SmsStatus other than "received"
//     or "receiving") goes to Desk.UpdateDelivery on the touchpoint whose
//     number is From: accepted, scheduled, queued, sending and sent are
//     sent; delivered is delivered; read is read; undelivered and failed
//     are failed with the reason "twilio <status>: error <ErrorCode>:
//     <ErrorMessage or ChannelStatusMessage, or the title the table below
//     gives>"; canceled is failed. The desk moves a status only forward.
//  8. A status parley has no step for, one without a message SID, one from
//     a number that is no touchpoint, and one for a message the desk does
//     not know (conversation.ErrNotFound) is answered 200 and changes
//     nothing: Twilio must not be asked to send it again.
//  9. Answers: 200 with empty TwiML for a message (the reply, if any, goes
//     later through the Transport); 200 for a status; 400 for a payload
//     that will never be accepted (a number that is no touchpoint, a
//     sender that is not a phone number of the touchpoint's kind, a Desk
//     refusal matching conversation.ErrInvalid, channel.ErrInvalidAddress,
//     parley.ErrUnknownTouchpoint, parley.ErrWrongChannel or
//     conversation.ErrDuplicateID); 503 for any other Desk failure (the
//     store down, a deadline). Twilio retries neither by default: it
//     logs error 11200 and calls the number's fallback URL; a URL with
//     connection overrides may ask it to retry, which the Desk's
//     idempotency on MessageSid makes safe.
//
// # Sending
//
//  10. Send posts To, From, Body and one MediaUrl per attachment to
//     /2010-04-01/Accounts/{AccountSid}/Messages.json, with "whatsapp:"
//     before both numbers on WhatsApp and StatusCallback when set. Every
//     attachment needs an absolute http(s) URL Twilio can fetch
//     ([ErrMediaURL]). A WhatsApp template goes as ContentSid, found in
//     Transport.ContentSIDs by name and language, then by name alone (or
//     the template's name when it is itself an "HX…" SID; else
//     [ErrNoContentSID]), and ContentVariables, the JSON object of the
//     template's parameters by name ({"1": "42", "2": "shipped"} for a
//     positional template): no Body, no media, since the Content template
//     holds them.
//  11. Outgoing.MessageID goes in the I-Twilio-Idempotency-Token header,
//     so that a resend after an outcome the desk could not record is the
//     same request. Twilio documents that header on its own webhooks, not
//     on the Messages resource; where Twilio ignores it, such a resend may
//     deliver twice.
//  12. A failure is a *parley.SendError wrapping the [*APIError] read from
//     Twilio's JSON answer ({code, message, more_info, status}), classified
//     by the table below; a code not in it by HTTP status: 408, 429 and
//     5xx temporary, any other 4xx permanent. A temporary failure carries
//     Retry-After as RetryAfter (seconds, or an HTTP date measured from
//     the answer's Date header). A transport error, a timeout or a
//     cancelled context is temporary, and so is a 2xx answer without a
//     message SID. A message the transport cannot express (rule 10, a
//     sender that is not a number, a channel other than SMS and WhatsApp:
//     [ErrChannel]) fails permanently without a request.
//
// # Error codes
//
// Each code's source is its page in Twilio's error dictionary,
// https://www.twilio.com/docs/api/errors/<code>.
//
//	Code   Meaning                                         parley failure
//	20003  authentication failed                           permanent
//	20429  too many requests                               temporary, RetryAfter
//	21211  invalid 'To' phone number                       permanent
//	21408  permission to send to the region not enabled    permanent
//	21606  'From' number cannot send to the destination    permanent
//	21610  recipient unsubscribed (replied STOP)           permanent, optout.ErrOptedOut
//	21612  'To' cannot be reached from 'From'              permanent
//	21614  'To' is not a valid mobile number               permanent
//	21617  body exceeds 1 600 characters                   permanent
//	63016  WhatsApp free-form message outside the window   permanent, session.ErrWindowClosed
//	other  by HTTP status (rule 12)
//
// Status callbacks name delivery errors of their own, which become the
// failed message's reason: 30001 queue overflow, 30002 account suspended,
// 30003 unreachable destination handset, 30004 message blocked, 30005
// unknown destination handset, 30006 landline or unreachable carrier,
// 30007 message filtered by the carrier, 30008 unknown error.
//
// Twilio answers STOP on long codes itself and then refuses sends with
// 21610. The desk answers opt-out keywords too: keep one of the two
// replies, Twilio's (Advanced Opt-Out) or the desk's.
package twilio

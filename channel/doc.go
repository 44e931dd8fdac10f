// Package channel holds the facts of the messaging channels parley speaks:
// kinds, their capabilities, addresses, phone-number facts, SMS encoding,
// attachment rules. It imports nothing else of parley; every other
// package builds on it. Everything here is a value or a pure function,
// safe for concurrent use.
//
// # Kinds
//
// [Kind] names a channel: [WhatsApp], [SMS], [Messenger], [Instagram],
// [Telegram], [LINE], [WebChat], [Email], [Voice] and [Custom] (a host's own
// messaging solution). Names are lower case ("whatsapp"); [ParseKind]
// ignores ASCII case.
//
// # Capabilities
//
// [Kind.Capabilities] returns what a kind carries. The numbers are the
// providers' published limits:
//
//	kind       text   attachments (per file)                          voice notes  template outside window  business starts
//	whatsapp   4 096  1 per message: image jpeg/png 5 MB; audio aac,    yes          yes                      yes (template)
//	                  amr, mp3, m4a, ogg/opus 16 MB; video mp4, 3gp
//	                  16 MB; document 100 MB; sticker webp 100 KB
//	                  static / 500 KB animated
//	sms        1 600  MMS, US/CA only: jpeg, png, gif, audio, video,   as a file    no                       yes
//	                  pdf, vcard; ≤ 10 files, ≤ 5 MB in total
//	messenger  2 000  1 per message, any type, 25 MB                   yes          no (HUMAN_AGENT tag)     no
//	instagram  1 000  1 per message: image png/jpeg/gif 8 MB; audio,    yes          no (HUMAN_AGENT tag)     no
//	                  video, pdf 25 MB
//	telegram   4 096  photo 10 MB; other files 50 MB; sticker 512 KB   yes          no                       no
//	line       5 000  image jpeg/png 10 MB; video mp4, audio m4a       yes          no                       yes (friends)
//	                  200 MB; no files
//	webchat    –      e-mail's extensions plus browser audio, 25 MB    as a file    no                       no
//	email      –      .doc .docx .xls .xlsx .ppt .pptx .pdf .jpg .jpeg as a file    no                       yes
//	                  .png .gif .txt .bmp .html .htm .mp4 .mp3 .avi
//	                  .mov .ods .csv .msg .eml, or their MIME types;
//	                  ≤ 25 MB in total
//	voice      none   none                                             no           no                       yes (calls)
//	custom     –      any (the host's transport decides)               yes          no                       yes
//
// The rules that go with the table:
//
//  1. Text limits count characters as Unicode code points ([TextLength]:
//     an emoji is 1, a letter with a combining accent 2); "–" is no limit.
//     [Capabilities.CheckText] applies them on its own, without the rest
//     of parley: a longer text is a [*TextTooLongError] (kind, limit,
//     length) matching [ErrTextTooLong], a voice kind [ErrNoText]; nothing
//     is truncated.
//  2. A voice note is at most 5 minutes ([MaxVoiceNote]) and is sent as a
//     voice note where the kind supports it, otherwise as a file
//     attachment ([Kind.VoiceNoteForm]).
//  3. A file is accepted by its MIME type or by its name's extension:
//     e-mail and web chat know the registered type of each extension in
//     their list (application/pdf, image/jpeg, the Office types,
//     message/rfc822 for .eml, application/vnd.ms-outlook for .msg, …), so
//     a file known only by its type is judged as one known by its name.
//
// [ValidateAttachments] (or [Capabilities.CheckAttachments]) checks a
// message's files and refuses each problem with its own sentinel —
// [ErrAttachmentsNotAllowed], [ErrMMSNotAllowed], [ErrTooManyAttachments],
// [ErrInvalidAttachment], [ErrAttachmentType], [ErrAttachmentTooLarge],
// [ErrAttachmentsTooLarge], [ErrVoiceNoteTooLong] — wrapped in an
// [*AttachmentError] naming the file and the limit.
//
// # Addresses
//
// An [Address] is "kind:id" ("whatsapp:+14155550100",
// "email:ana@example.com", "messenger:<psid>", "webchat:<visitor id>").
// [ParseAddress] normalises the id:
//
//  4. WhatsApp, SMS and Voice numbers become E.164 through
//     github.com/nyaruka/phonenumbers and must be valid ("sms:+1 (415)
//     555-0100" is "sms:+14155550100"); [NewPhoneAddress] reads national
//     numbers with a default region.
//  5. An e-mail address must be one bare address accepted by net/mail; its
//     domain is lower-cased.
//  6. Other ids are non-empty, at most [MaxIDLength] bytes, without spaces
//     or control characters.
//
// Refusals match [ErrInvalidAddress] and, where it applies,
// [ErrInvalidPhoneNumber], [ErrInvalidEmail] or [ErrUnknownKind].
//
// # Phone facts
//
// [Region] gives a number's ISO region.
//
//  7. [MMSAllowed] is true only when both numbers are in the US or Canada.
//  8. [WhatsAppBlocked] refuses the regions Meta excludes: Cuba (+53), Iran
//     (+98), North Korea (+850), Syria (+963) and Crimea (+7 978 mobile,
//     +7 365 and +7 869 landlines, +380 65 and +380 692 under Ukrainian
//     numbering). libphonenumber does not flag these, so parley keeps the
//     prefixes in a [BlockList] that hosts may extend
//     ([DefaultWhatsAppBlockList], [BlockList.With]).
//  9. Meta also names Donetsk and Luhansk; their ranges are offered by
//     [DonetskLuhanskPrefixes] but not blocked by default, since the area
//     codes +380 62 and +380 64 also serve places outside the restricted
//     areas.
//
// [WhatsAppLink] makes "https://wa.me/<digits>" and [MessengerLink]
// "https://m.me/<page>", both validating their input.
//
// # SMS encoding
//
// [CountSMS] returns an [SMSCount]: the [Encoding], the number of segments
// and the length in units. It does not allocate.
//
//  10. A body is [GSM7] when every character is in the GSM 03.38 basic set
//     or extension table (3GPP TS 23.038); the extension characters
//     ^ { } \ [ ~ ] | € and form feed cost 2 septets (escape and code).
//     Otherwise the whole body is [UCS2], counted in UTF-16 code units: a
//     character outside the Basic Multilingual Plane (most emoji) costs 2.
//     Of the accented letters only those of the basic set are GSM-7
//     (é è ù ì ò à Ç É Ä Ö Ñ Ü ä ö ñ ü Å å Ø ø Æ æ ß): "á" or "ç" make a
//     body UCS-2.
//  11. One segment holds 160 septets or 70 units. A longer body is sent as
//     parts of 153 septets or 67 units, because each part carries a
//     6-octet user data header (3GPP TS 23.040).
//  12. [SplitSMS] fills each part with as many whole grapheme clusters as
//     fit, as Twilio's segment calculator does: an escape sequence, a
//     surrogate pair, a flag, an emoji sequence, CR LF or a letter with its
//     combining accents never straddles two parts; the cluster moves to the
//     next part whole, which may cost a segment. Only a cluster longer than
//     a whole part is cut, at code-point boundaries; the remainder counts
//     from the cut as a fresh cluster. Boundaries follow Unicode's UAX #29
//     as github.com/rivo/uniseg implements it.
//  13. CountSMS always agrees with SplitSMS: Segments ==
//     len(SplitSMS(text)). The empty text is 0 segments. Invalid UTF-8
//     counts as U+FFFD per bad byte (so UCS-2).
//  14. An SMS body may be at most 1600 characters ([MaxSMSText]);
//     [Capabilities.CheckText] refuses a longer body (the send check uses
//     it), which is never truncated.
//
// # Business addresses
//
//  15. A business endpoint (a touchpoint: a number, a page, an e-mail
//     address, a chat widget) is configured with a bare id or the full
//     "kind:id" form of its own kind; [ParseAddressAs] reads either.
//  16. One WhatsApp business account links at most
//     [DefaultWhatsAppNumbersPerAccount] (25) sender numbers unless Meta
//     raised its limit.
//
// # What a contact may send
//
// A webhook carries whatever a provider, or someone posing as one, puts in
// it. These limits bound what a host stores; each is well above what the
// channels deliver, so no real message is refused. A refusal is a
// [*FieldError] naming the field, its limit and the size it had.
//
//  17. A contact's text is at most [MaxInboundText] (65 536) characters on
//     every kind: providers limit what a business sends, not what a
//     contact's app sends (WhatsApp's takes 65 536), and e-mail, web chat
//     and the host's own channel have no limit. Longer is refused
//     ([ErrOverLimit]), never truncated.
//  18. [InboundText] repairs invalid UTF-8 in a text, each run of invalid
//     bytes becoming one U+FFFD, and drops a NUL, which SQL text columns
//     refuse (a carrier's "STOP\x00" is still STOP). Line breaks, tabs and
//     every other character are kept.
//  19. A name a person reads is at most [MaxNameLength] (256) characters
//     (a display name, a file name), a subject at most [MaxSubjectLength]
//     (998, an e-mail header line); [CheckName] refuses invalid UTF-8 and
//     any control character (Unicode's Cc: NUL, escape, line breaks, DEL,
//     C1) in them.
//  20. An identifier a machine reads (a provider's message ID, an
//     interaction ID, a MIME type, a language tag) is at most
//     [MaxIDLength] (256) bytes, an attachment URL at most [MaxURLLength]
//     (8 192) bytes; [CheckToken] refuses invalid UTF-8 and control
//     characters in them. An ID is never repaired: a changed ID would not
//     match the provider's.
//  21. A contact's message carries at most [MaxInboundAttachments] (100)
//     files ([Capabilities.CheckInboundAttachments]), each of 0 to
//     [Capabilities.MaxFileBytes] bytes (the kind's largest per-file
//     limit, or [MaxAttachmentBytes], 2 GiB, where the kind sets none) and
//     of a duration of at least 0. The media rules of rule 3 judge what the
//     business sends, not what it receives.
//  22. Limits on what a person reads count characters (code points, as
//     [TextLength] counts them); limits on what a machine reads count
//     bytes, the unit its storage counts.
//
// # Provider forms
//
//  23. [WhatsAppID] reads the WhatsApp ID ("wa_id") of Meta's webhooks:
//     the international number's digits without "+", and nothing else.
//     The legacy IDs WhatsApp keeps for Mexican mobiles ("521…") and for
//     Brazilian mobiles without their ninth digit become today's numbers.
//     Phone parsing elsewhere stays as strict as rule 4 says. Messenger
//     PSIDs and Instagram IGSIDs are opaque ids under rule 6: [NewAddress]
//     takes them as they are.
//
// # Text forms
//
// Every enumeration here reads and writes itself as text
// ([encoding.TextMarshaler], [encoding.TextUnmarshaler]), so a host's JSON
// shows "whatsapp", not 1. [Kind] uses its names above; [MediaType] is
// "image", "audio", "video", "document" or "sticker"; [Encoding] is "GSM-7"
// or "UCS-2"; [VoiceNoteForm] is "refused", "voice_note" or "file". Each
// has a Parse function ([ParseKind], [ParseMediaType], [ParseEncoding],
// [ParseVoiceNoteForm]) that ignores ASCII case and refuses any other text
// with an error matching [ErrUnknownKind], [ErrUnknownMediaType],
// [ErrUnknownEncoding] or [ErrUnknownVoiceNoteForm]. The zero Kind (no
// kind, as a channel-neutral snippet variant has) and the zero Encoding
// (not an SMS) are the empty text, which UnmarshalText reads back as zero
// and the Parse functions refuse; any other value outside the constants
// does not marshal: it is an error, never a made-up name.
package channel

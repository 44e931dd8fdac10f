// Package template holds the messages agents and hosts send many times:
// snippets with variables, their per-channel and per-language variants, and
// WhatsApp business templates.
//
// # Syntax
//
// A template body is literal text with placeholders:
//
//	Hi {{contact.first_name | default: "there"}}, this is {{agent.name}}.
//
// The rules:
//
//  1. A variable path is one or more segments of ASCII letters, digits and
//     underscores, joined by dots: company, contact.first_name, order.2.id.
//  2. White space (spaces, tabs, new lines) is allowed after "{{", before
//     "}}" and around "|" and ":": {{ contact.first_name }}.
//  3. The one filter is default, with a string in double or single quotes.
//     Escapes inside quotes are \\ \" \' \n and \t; any other backslash
//     sequence is a syntax error, so that nothing is guessed.
//  4. "{{" always opens a placeholder. A literal "{{" is written as a quoted
//     string placeholder: {{ "{{" }}. A lone "}}" or single brace outside a
//     placeholder is literal text.
//  5. A malformed placeholder is a [*SyntaxError] with the line, the column
//     (in characters) and the offending text. With a [Schema], a
//     placeholder naming a variable the host does not offer is refused at
//     creation, as an [*UnknownVariableError] listing every one.
//
// Templates are parsed once ([Parse], [ParseWith]) and rendered many times.
//
// # Rendering
//
//  6. A variable whose value is missing or empty takes its default; with
//     no default, rendering fails with a [*MissingVariableError] naming
//     every missing variable ([ErrMissingVariable]) and returns nothing, so
//     no message is sent half-filled.
//  7. Values are data: they are copied as they are and never parsed, so a
//     value "{{x}}" appears as "{{x}}".
//
// A parsed [Template] is immutable and safe for concurrent use.
// [Template.RenderFunc] takes values from a lookup function instead of a
// map; [Template.AppendRender] writes into the caller's buffer.
//
// # Snippets
//
// A [Snippet] has a shortcut (agents type "/greet"), a title, a collection
// and variants per channel kind and language. A [Library] keeps snippets,
// finds them by shortcut prefix while an agent types, and:
//
//  8. refuses a duplicate shortcut;
//  9. resolves the variant for a conversation in this order: the
//     conversation's channel in exactly the contact's language, then the
//     channel-neutral variant in exactly that language, then the closest
//     language that golang.org/x/text/language rates High (a contact
//     speaking es-MX gets the "es" variant), channel before neutral, and
//     failing those the snippet's default language (channel, then
//     neutral).
//
// # Channel check
//
//  10. [Check] measures a rendered text against the channel's limits before
//     it is sent: length in characters against the channel's maximum
//     (WhatsApp 4 096, Messenger 2 000, Instagram 1 000, SMS 1 600) and,
//     for SMS, the encoding and segment count, so an agent sees "2 SMS,
//     GSM-7".
//
// The length rule is channel's own ([channel.Capabilities.CheckText]): [Fit.Err]
// returns its [*TooLongError], an alias of [channel.TextTooLongError],
// matching [ErrTooLong] (which is [channel.ErrTextTooLong]).
//
// # WhatsApp templates
//
// Outside the 24-hour customer-service window (see package session) a
// business may only send an approved template. [WhatsApp] describes one,
// with its [Category] and [Status]:
//
//  11. a name matching ^[a-z][a-z0-9_]*$ and a language in Meta's codes
//     (en_US, pt_BR; see [ParseLanguageCode]);
//  12. a body of at most 1 024 characters with positional {{1}}…{{n}} or
//     named {{order_id}} parameters: one style per template, positional
//     numbers from 1 without gaps, no parameter at the very start or end of
//     the body and no two parameters with only white space between them;
//  13. pricing ([WhatsApp.Charge]): since 1 July 2025 marketing,
//     authentication, and utility templates sent outside the
//     customer-service window are charged per delivered message; utility
//     templates inside the window and service (free-form) replies are free.
//
// [WhatsApp.Validate] refuses a template that breaks rule 11 or 12 with a
// [*ValidationError]; [WhatsApp.Render] also checks the parameters given
// and that the template is approved ([ErrTemplateNotApproved]).
//
// # Text forms
//
// [Category], [Status], [Pricing] and [Rule] read and write themselves as
// text ([encoding.TextMarshaler], [encoding.TextUnmarshaler]): a host's
// JSON shows "utility" and "in_appeal", not 2 and 6. They are written in
// lower case as String gives them; [ParseCategory], [ParseStatus],
// [ParsePricing] and [ParseRule] also read Meta's upper case ("APPROVED")
// and refuse other text with an error matching [ErrUnknownCategory],
// [ErrUnknownStatus], [ErrUnknownPricing] or [ErrUnknownRule]. A value
// outside the constants does not marshal.
package template

// Package optout recognises SMS opt-out, opt-in and help keywords and keeps
// the consent ledger that decides whether a business may text a contact.
// It stands alone: a bot can use [Classify] or a [Registry] without the
// rest of parley.
//
// # Rules
//
// Keywords:
//
//  1. The default (English) set holds the keywords US carriers and the
//     major SMS providers honour. Opt-out: STOP, STOPALL, UNSUBSCRIBE,
//     CANCEL, END, QUIT, REVOKE and OPTOUT, and the phrases "OPT OUT" and
//     "STOP ALL" (the FCC's 2025 TCPA rule counts "opt out" among the
//     replies that revoke consent). Opt-in: START, YES and UNSTOP. Help:
//     HELP and INFO.
//  2. A message triggers only when it is a keyword or keyword phrase alone:
//     "STOP" does; "STOP PLEASE", "PLEASE CANCEL", "S T O P" and "OPT OUT
//     NOW" do not.
//  3. Matching ignores case, white space around the message, runs of white
//     space inside a phrase, trailing punctuation ("stop.", "STOP!"),
//     full-width forms ("ＳＴＯＰ") and accents ("STÖP"), and control or
//     format characters around the message ("STOP\x00", a byte-order mark,
//     a zero-width space), which gateways and keyboards add unseen; inside
//     a keyword they are characters like any other ("ST\x00OP" is none).
//     Providers promise only case-insensitivity; the rest is parley's,
//     because CTIA asks that a contact's natural way of saying stop be
//     honoured.
//  4. A message longer, once trimmed, than four times the longest keyword
//     plus 64 bytes is never a keyword, so a long message is turned away
//     without being read.
//  5. A [Keywords] set is immutable and belongs to a language
//     ([language.Tag]). [KeywordsFor] adds French (ARRET, ARRETE; AIDE) or
//     Spanish (BAJA, ALTO; INICIO; AYUDA, AUXILIO) to the English keywords,
//     which keep working for everyone. Hosts extend a set with
//     [Keywords.With] or replace it with [NewKeywords].
//  6. STOP, START and HELP stay in every set with their own actions until
//     removed explicitly with [Keywords.Without]; a keyword that would give
//     one of them another action is refused with [ErrCoreKeyword].
//
// Consent: a [Registry] sees every inbound SMS ([Registry.Inbound]) and
// checks every outbound one ([Registry.Outbound]).
//
//  7. Scope. Consent belongs to a [Scope], a group of business numbers: by
//     default [DefaultScope], every SMS number of the account. An opt-out
//     received on one number stops messages from all of them; an opt-in
//     clears it for all of them.
//  8. Replies. Each keyword is answered automatically ([Replies], in the
//     contact's language, configurable per scope): the opt-out reply
//     confirms no more messages will be sent from the scope, the help reply
//     gives basic information and how to opt out, the opt-in reply
//     confirms.
//  9. Fail closed. Sending to an opted-out address is refused with
//     [ErrOptedOut], and so is any message whose consent cannot be read.
//     The one exception is the confirmation reply to the STOP itself: sent
//     from the number that received the STOP, with the exact reply text,
//     it passes once within [DefaultConfirmWithin] (10 minutes).
//  10. Ledger. Every change is appended to a [Store] (who, when, which
//     keyword, which number, which scope); consent history is never
//     overwritten, and the current state is the latest entry. On an
//     erasure request ([Registry.Erase]) a store that implements
//     [Redactor] keeps only what honouring a STOP needs: the address, the
//     scope, the action and the dates.
//
// [Action] values encode as text ("opt-out"); see [ParseAction].
package optout

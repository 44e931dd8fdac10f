// Package optout recognises SMS opt-out, opt-in and help keywords and keeps
// the consent ledger that decides whether a business may text a contact
// (DESIGN.md §3.3). It stands alone: a bot can use [Classify] or a
// [Registry] without the rest of parley.
//
// # Keywords
//
// The default (English) keywords are those US carriers and the major SMS
// providers honour:
//
//   - opt-out: STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT
//     and the phrases "OPT OUT" and "STOP ALL" (the FCC's 2025 TCPA rule
//     names "opt out" among the replies that revoke consent);
//   - opt-in: START, YES, UNSTOP;
//   - help: HELP, INFO.
//
// Only a message that is a keyword alone triggers: "STOP" does, "STOP
// PLEASE", "PLEASE CANCEL", "S T O P" and "OPT OUT NOW" do not. Matching
// ignores case, surrounding white space, runs of inner white space, trailing
// punctuation ("stop.", "STOP!"), full-width forms ("ＳＴＯＰ") and accents
// ("STÖP"), using golang.org/x/text (NFKD, removal of nonspacing marks, case
// folding, NFKC). Providers document case-insensitivity; the punctuation and
// width tolerance is parley's, because CTIA asks that natural opt-out
// requests be honoured. A message longer, once trimmed, than four times the
// longest keyword plus 64 bytes is never a keyword, which lets a long
// message be rejected without reading it.
//
// [Keywords] sets are immutable and may be localised by [language.Tag]:
// [KeywordsFor] adds the French (ARRET, ARRETE, AIDE) or Spanish (BAJA,
// ALTO, INICIO, AYUDA, AUXILIO) keywords to the English ones, each with its
// source. Hosts extend a set with [Keywords.With] or replace it with
// [NewKeywords]; STOP, START and HELP stay in every set, with their own
// actions, unless removed explicitly with [Keywords.Without]: a keyword
// that would give one of them another action is refused with
// [ErrCoreKeyword] (a [*KeywordError], also matching [ErrInvalidKeyword]).
//
// # Consent
//
// A [Registry] is called on every inbound SMS and before every outbound
// one. An opt-out applies to the whole scope — by default every SMS number
// of the account, not just the number that received it — and an opt-in
// clears it for the whole scope. Each keyword gets an automatic reply
// ([Replies]: parley's own short wording by default, configurable per scope
// and language): the opt-out reply confirms that no more messages will be
// sent, the help reply says how to opt out, the opt-in reply confirms.
// Sending to an opted-out address fails closed with [ErrOptedOut]; the one
// exception is the confirmation reply to the STOP itself, which the
// Registry lets through exactly once.
//
// Every change is appended to a ledger, a [Store] the host implements (or
// memory.OptOutStore): who, when, which keyword, which number, which scope.
// Consent history is never overwritten; the current state is the latest
// entry. On an erasure request ([Registry.Erase], DESIGN.md §3.6) a store
// that implements [Redactor] keeps only what the law needs to honour a STOP:
// the address, the scope, the action and the dates.
package optout

package parley

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
)

// Limits of an imported transcript (see [Inbound.Transcript]).
const (
	// MaxTranscriptTurns is the most turns a transcript may hold: a bot's
	// conversation before a hand-off is tens of turns; a thousand is a
	// day's chat.
	MaxTranscriptTurns = 1000
	// MaxTranscriptBytes bounds the text of all the turns together (4 MiB),
	// so that a transcript is never a thousand turns of the longest text.
	MaxTranscriptBytes = 4 << 20
)

// ErrTranscriptTooLong: a transcript of more than [MaxTranscriptTurns]
// turns. Returned as a [*TranscriptError]; nothing was stored.
var ErrTranscriptTooLong = errors.New("parley: transcript too long")

// TranscriptError is the refusal of a transcript longer than the limit:
// the turns it had and the limit. It matches [ErrTranscriptTooLong] and
// conversation.ErrInvalid.
type TranscriptError struct {
	Turns, Limit int
}

// Error returns "parley: transcript of N turns, over the limit of M".
func (e *TranscriptError) Error() string {
	return fmt.Sprintf("parley: transcript of %d turns, over the limit of %d", e.Turns, e.Limit)
}

// Is matches ErrTranscriptTooLong and conversation.ErrInvalid.
func (e *TranscriptError) Is(target error) bool {
	return target == ErrTranscriptTooLong || target == conversation.ErrInvalid
}

// invalidInbound is the refusal of an inbound message for one of its
// fields: it matches conversation.ErrInvalid, and err (a
// *channel.FieldError, ErrEmpty) through Unwrap.
type invalidInbound struct{ err error }

func (e invalidInbound) Error() string        { return "parley: inbound message refused: " + e.err.Error() }
func (e invalidInbound) Unwrap() error        { return e.err }
func (e invalidInbound) Is(target error) bool { return target == conversation.ErrInvalid }

// checkInbound applies the limits of channel's rules 17 to 21 and the
// transcript's to every field of in but the addresses and the locale,
// which contactOf checks, for a touchpoint of kind k, before
// anything is written: a refused message changes nothing, and its retries
// are refused alike. It repairs in's texts as channel.InboundText does,
// copying a transcript it repairs rather than changing the caller's.
func checkInbound(k channel.Kind, in *Inbound) error {
	text, err := channel.InboundText("Text", in.Text)
	if err != nil {
		return invalidInbound{err}
	}
	in.Text = text
	if !in.Unsupported && len(in.Attachments) == 0 && isBlank(in.Text) {
		return invalidInbound{fmt.Errorf("%w: neither text nor attachment", ErrEmpty)}
	}
	for _, f := range [...]struct {
		name, value string
		limit       int
		check       func(field, s string, limit int) error
	}{
		{"ProviderID", in.ProviderID, channel.MaxIDLength, channel.CheckToken},
		{"InteractionID", in.InteractionID, channel.MaxIDLength, channel.CheckToken},
		{"Name", in.Name, channel.MaxNameLength, channel.CheckName},
		{"Subject", in.Subject, channel.MaxSubjectLength, channel.CheckName},
	} {
		if err := f.check(f.name, f.value, f.limit); err != nil {
			return invalidInbound{err}
		}
	}
	if len(in.Attachments) > 0 {
		if err := k.Capabilities().CheckInboundAttachments(described(in.Attachments)); err != nil {
			return invalidInbound{err}
		}
		for i, a := range in.Attachments {
			if err := channel.CheckToken("Attachments["+strconv.Itoa(i)+"].URL", a.URL, channel.MaxURLLength); err != nil {
				return invalidInbound{err}
			}
		}
	}
	return checkTranscript(in)
}

// checkTranscript checks every turn of in's transcript: its count and
// size, each author, and each text as the message's own.
func checkTranscript(in *Inbound) error {
	if n := len(in.Transcript); n > MaxTranscriptTurns {
		return &TranscriptError{Turns: n, Limit: MaxTranscriptTurns}
	}
	size := 0
	for _, t := range in.Transcript {
		size += len(t.Text)
	}
	if size > MaxTranscriptBytes {
		return invalidInbound{&channel.FieldError{Field: "Transcript", Unit: "bytes", Limit: MaxTranscriptBytes, Size: int64(size), Err: channel.ErrOverLimit,
			Reason: fmt.Sprintf("%d bytes of text, over the limit of %d", size, MaxTranscriptBytes)}}
	}
	copied := false
	for i, t := range in.Transcript {
		field := func(name string) string { return "Transcript[" + strconv.Itoa(i) + "]." + name }
		switch t.Author {
		case conversation.AuthorContact, conversation.AuthorBot, conversation.AuthorSystem:
		default:
			return invalidInbound{&conversation.FieldError{Field: field("Author"), Problem: "must be the contact, the bot or the system"}}
		}
		text, err := channel.InboundText(field("Text"), t.Text)
		if err != nil {
			return invalidInbound{err}
		}
		if isBlank(text) {
			return invalidInbound{fmt.Errorf("%w: %s has no text", ErrEmpty, field("Text"))}
		}
		if text != t.Text {
			if !copied {
				in.Transcript, copied = append([]Turn(nil), in.Transcript...), true
			}
			in.Transcript[i].Text = text
		}
	}
	return nil
}

// isBlank reports whether s is empty or white space only.
func isBlank(s string) bool { return strings.TrimSpace(s) == "" }

package channel

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// Text errors, matched with errors.Is; [*TextTooLongError] carries the
// facts (errors.As).
var (
	// ErrTextTooLong means a text longer than the kind's MaxText. Nothing
	// is truncated: the caller shortens or splits it.
	ErrTextTooLong = errors.New("channel: text too long")
	// ErrNoText means a kind that carries no text messages (voice).
	ErrNoText = errors.New("channel: kind carries no text")
)

// TextTooLongError is the refusal of [Capabilities.CheckText]: the text's
// length and the kind's limit, both in characters (Unicode code points, as
// [TextLength] counts them). It matches [ErrTextTooLong].
type TextTooLongError struct {
	// Kind is the channel kind the text was checked for.
	Kind Kind
	// Limit is the kind's MaxText.
	Limit int
	// Length is the text's length, over Limit.
	Length int
}

// Error returns "channel: <kind> text of N characters, over the limit of M".
func (e *TextTooLongError) Error() string {
	return fmt.Sprintf("channel: %s text of %d characters, over the limit of %d", e.Kind, e.Length, e.Limit)
}

// Is reports whether target is ErrTextTooLong.
func (e *TextTooLongError) Is(target error) bool { return target == ErrTextTooLong }

// TextLength returns the length of text in the unit of every text limit
// here: characters, counted as Unicode code points (an emoji is 1, a letter
// with a combining accent 2; an invalid UTF-8 byte counts 1). It is not the
// SMS segment length: see [CountSMS] for that.
func TextLength(text string) int { return utf8.RuneCountInString(text) }

// CheckText checks a message body against c: nil when the kind carries text
// and [TextLength](text) is at most MaxText (0: no limit); a
// [*TextTooLongError] (ErrTextTooLong) when it is longer; an error matching
// ErrNoText when the kind carries no text. It never truncates, and does not
// allocate when the text fits.
func (c Capabilities) CheckText(text string) error {
	if !c.Text {
		return fmt.Errorf("%w: %s", ErrNoText, c.Kind)
	}
	if c.MaxText <= 0 || len(text) <= c.MaxText {
		return nil // a code point is at least one byte
	}
	if n := TextLength(text); n > c.MaxText {
		return &TextTooLongError{Kind: c.Kind, Limit: c.MaxText, Length: n}
	}
	return nil
}

package channel

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on what one message from a contact may carry (rules 17 to 22 in
// the package documentation). They bound what a webhook can make a host
// store, and are set well above what any channel delivers, so that no real
// message is refused.
const (
	// MaxInboundText is the longest text of a contact's message, in
	// characters (Unicode code points), on every kind. Providers limit what
	// a business sends (SMS 1 600, Messenger 2 000, WhatsApp and Telegram
	// 4 096, LINE 5 000), not what a contact's app sends: WhatsApp's app
	// takes 65 536 characters, and e-mail, web chat and the host's own
	// channel have no limit of their own. A host puts a longer e-mail body
	// in an attachment.
	MaxInboundText = 65536
	// MaxNameLength is the longest display name or file name, in
	// characters. Providers' profile names are far shorter (WhatsApp 25,
	// Telegram 64 + 64); file systems stop at 255 bytes.
	MaxNameLength = 256
	// MaxSubjectLength is the longest subject, in characters: an e-mail
	// header line's limit (RFC 5322 §2.1.1).
	MaxSubjectLength = 998
	// MaxURLLength is the longest attachment URL, in bytes: room for a
	// provider's signed media URL, several times the 2 000 bytes browsers
	// have always accepted.
	MaxURLLength = 8192
	// MaxInboundAttachments is the most attachments one message from a
	// contact may carry. WhatsApp, Messenger and Telegram deliver one file
	// a message and MMS ten; 100 leaves e-mail room.
	MaxInboundAttachments = 100
	// MaxAttachmentBytes is the largest file of a kind that sets no per-file
	// limit (the host's own channel): 2 GiB, the largest file a contact can
	// send on WhatsApp or Telegram.
	MaxAttachmentBytes = 2 << 30
)

// Input errors, matched with errors.Is; [*FieldError] carries the facts
// (errors.As).
var (
	// ErrOverLimit means a field longer or larger than its limit. Nothing
	// is truncated.
	ErrOverLimit = errors.New("channel: over the limit")
	// ErrBadCharacter means a name or an ID holding a character it may
	// not: a control character (a NUL among them) or invalid UTF-8.
	ErrBadCharacter = errors.New("channel: character not allowed")
)

// FieldError is the refusal of one field of a message: which field, and
// either the limit it broke with the size it had (ErrOverLimit), or the
// character it may not hold (ErrBadCharacter, ErrInvalidAttachment). It
// matches Err.
type FieldError struct {
	// Field names the field as the Go code spells it: "Text", "Name",
	// "Attachments", "Attachments[2].Size".
	Field string
	// Unit is what Limit and Size count: "characters", "bytes",
	// "attachments".
	Unit string
	// Limit is the limit broken; 0 for a refused character.
	Limit int64
	// Size is the field's size in Unit, or the byte offset of a refused
	// character.
	Size int64
	// Reason says what is wrong, in words.
	Reason string
	// Err is the sentinel: ErrOverLimit, ErrBadCharacter or
	// ErrInvalidAttachment.
	Err error
}

// Error returns "channel: <field>: <reason>".
func (e *FieldError) Error() string {
	return fmt.Sprintf("channel: %s: %s", e.Field, e.Reason)
}

// Unwrap returns the sentinel.
func (e *FieldError) Unwrap() error { return e.Err }

// overLimit returns the ErrOverLimit refusal of field.
func overLimit(field, unit string, limit, size int64) *FieldError {
	return &FieldError{Field: field, Unit: unit, Limit: limit, Size: size, Err: ErrOverLimit,
		Reason: fmt.Sprintf("%d %s, over the limit of %d", size, unit, limit)}
}

// InboundText returns text as a contact's message is stored (rules 17
// and 18): invalid UTF-8 is repaired, each run of invalid bytes becoming
// one U+FFFD, so that nothing a contact wrote is lost; a NUL, which SQL
// text columns refuse, is dropped, so that a carrier's padded "STOP\x00"
// still reads as STOP; a text longer than [MaxInboundText] characters is
// refused. Line breaks, tabs and every other character are kept. field
// names the field in the error. It does not allocate when text is valid.
func InboundText(field, text string) (string, error) {
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, string(utf8.RuneError))
	}
	if strings.IndexByte(text, 0) >= 0 {
		text = strings.ReplaceAll(text, "\x00", "")
	}
	if len(text) > MaxInboundText { // a character is at least one byte
		if n := utf8.RuneCountInString(text); n > MaxInboundText {
			return "", overLimit(field, "characters", MaxInboundText, int64(n))
		}
	}
	return text, nil
}

// CheckName checks a one-line field a person reads — a display name, a
// file name, a subject (rule 19): at most limit characters of valid UTF-8
// with no control character (a NUL, an escape, a line break). Empty is
// valid.
func CheckName(field, name string, limit int) error {
	if len(name) > limit {
		if n := utf8.RuneCountInString(name); n > limit {
			return overLimit(field, "characters", int64(limit), int64(n))
		}
	}
	return checkRunes(field, name)
}

// CheckToken checks an opaque identifier a machine reads — a provider's
// message ID, an interaction ID, a MIME type, a URL (rule 20): at most
// limit bytes of valid UTF-8 with no control character. Empty is valid.
func CheckToken(field, token string, limit int) error {
	if len(token) > limit {
		return overLimit(field, "bytes", int64(limit), int64(len(token)))
	}
	return checkRunes(field, token)
}

// checkRunes refuses invalid UTF-8 and control characters (Unicode's Cc:
// C0, DEL and C1).
func checkRunes(field, s string) error {
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b < 0x20 || b == 0x7f {
				return badCharacter(field, i, rune(b))
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return &FieldError{Field: field, Size: int64(i), Err: ErrBadCharacter,
				Reason: fmt.Sprintf("invalid UTF-8 at byte %d", i)}
		}
		if unicode.IsControl(r) {
			return badCharacter(field, i, r)
		}
		i += size
	}
	return nil
}

// badCharacter returns the refusal of control character r at byte i.
func badCharacter(field string, i int, r rune) *FieldError {
	return &FieldError{Field: field, Size: int64(i), Err: ErrBadCharacter,
		Reason: fmt.Sprintf("control character %U at byte %d", r, i)}
}

// MaxFileBytes returns the largest file the kind carries: the largest
// per-file limit of its media rules, or [MaxAttachmentBytes] when a rule
// sets none or the kind carries no files.
func (c Capabilities) MaxFileBytes() int64 {
	var largest int64
	for _, r := range c.Media {
		if r.MaxBytes == 0 {
			return MaxAttachmentBytes
		}
		largest = max(largest, r.MaxBytes, r.MaxAnimatedBytes)
	}
	if largest == 0 {
		return MaxAttachmentBytes
	}
	return largest
}

// CheckInboundAttachments checks the attachments of a contact's message
// (rule 21): at most [MaxInboundAttachments]; each with a size from 0 to
// [Capabilities.MaxFileBytes], a duration of at least 0, a name as
// [CheckName] accepts up to [MaxNameLength], and a MIME type as
// [CheckToken] accepts up to [MaxIDLength] bytes. It checks no media
// rule: what a contact sent is kept, whatever the business may send. The
// refusal is a [*FieldError].
func (c Capabilities) CheckInboundAttachments(atts []Attachment) error {
	if len(atts) > MaxInboundAttachments {
		return overLimit("Attachments", "attachments", MaxInboundAttachments, int64(len(atts)))
	}
	maxBytes := c.MaxFileBytes()
	for i, a := range atts {
		field := func(name string) string { return "Attachments[" + strconv.Itoa(i) + "]." + name }
		switch {
		case a.Size < 0:
			return &FieldError{Field: field("Size"), Unit: "bytes", Size: a.Size, Err: ErrInvalidAttachment, Reason: fmt.Sprintf("negative size %d", a.Size)}
		case a.Size > maxBytes:
			return overLimit(field("Size"), "bytes", maxBytes, a.Size)
		case a.Duration < 0:
			return &FieldError{Field: field("Duration"), Size: int64(a.Duration), Err: ErrInvalidAttachment, Reason: fmt.Sprintf("negative duration %s", a.Duration)}
		}
		if err := CheckName(field("Name"), a.Name, MaxNameLength); err != nil {
			return err
		}
		if err := CheckToken(field("MIMEType"), a.MIMEType, MaxIDLength); err != nil {
			return err
		}
	}
	return nil
}

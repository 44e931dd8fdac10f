package channel

import (
	"errors"
	"fmt"
)

// Kind is a messaging channel: WhatsApp, SMS, e-mail and so on. The zero
// value is not a valid kind but means "no kind" where a field allows it
// (a channel-neutral template variant); its text form is empty. Use
// [ParseKind] to read a kind from its name.
type Kind uint8

// The channel kinds parley knows. Custom is a host's own messaging solution,
// such as a "digital connect" API channel that the host's own software feeds.
const (
	WhatsApp Kind = iota + 1
	SMS
	Messenger
	Instagram
	Telegram
	LINE
	WebChat
	Email
	Voice
	Custom
)

// kindNames holds each kind's canonical lower-case name, which is also the
// scheme of its addresses ("whatsapp:+14155550100").
var kindNames = [...]string{
	WhatsApp:  "whatsapp",
	SMS:       "sms",
	Messenger: "messenger",
	Instagram: "instagram",
	Telegram:  "telegram",
	LINE:      "line",
	WebChat:   "webchat",
	Email:     "email",
	Voice:     "voice",
	Custom:    "custom",
}

// Kinds lists every valid kind in declaration order.
func Kinds() []Kind {
	return []Kind{WhatsApp, SMS, Messenger, Instagram, Telegram, LINE, WebChat, Email, Voice, Custom}
}

// ErrUnknownKind is returned when a kind name is not one parley knows.
// Check it with errors.Is.
var ErrUnknownKind = errors.New("channel: unknown kind")

// Valid reports whether k is one of the declared kinds.
func (k Kind) Valid() bool { return k >= WhatsApp && k <= Custom }

// String returns the kind's canonical lower-case name, such as "whatsapp",
// or "kind(N)" for an invalid value.
func (k Kind) String() string {
	if !k.Valid() {
		return fmt.Sprintf("kind(%d)", uint8(k))
	}
	return kindNames[k]
}

// ParseKind returns the kind named s. Names are the canonical lower-case
// ones that [Kind.String] returns; matching ignores ASCII case. Any other
// text, the empty text included, is an error matching [ErrUnknownKind]: a
// caller asking for a kind gets one. [Kind.UnmarshalText] is the reader
// that takes "" back to the zero value.
func ParseKind(s string) (Kind, error) {
	for k := WhatsApp; k <= Custom; k++ {
		if equalFoldASCII(kindNames[k], s) {
			return k, nil
		}
	}
	return 0, fmt.Errorf("%w: %q", ErrUnknownKind, s)
}

// MarshalText encodes the kind as its canonical name, so kinds read well in
// JSON and in databases. The zero value, "no kind", encodes as the empty
// text so a field that allows it survives a round trip; any other invalid
// kind is an error matching [ErrUnknownKind].
func (k Kind) MarshalText() ([]byte, error) {
	if k == 0 {
		return []byte{}, nil
	}
	if !k.Valid() {
		return nil, fmt.Errorf("%w: %d", ErrUnknownKind, uint8(k))
	}
	return []byte(kindNames[k]), nil
}

// UnmarshalText decodes a kind name as [ParseKind] reads it, and the empty
// text as the zero value, as [Kind.MarshalText] writes it. On error k is
// unchanged.
func (k *Kind) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*k = 0
		return nil
	}
	v, err := ParseKind(string(b))
	if err != nil {
		return err
	}
	*k = v
	return nil
}

// PhoneBased reports whether addresses of this kind are E.164 phone numbers.
func (k Kind) PhoneBased() bool {
	return k == WhatsApp || k == SMS || k == Voice
}

// lookupName returns the index of the non-empty entry of names that equals s
// in ASCII case, as the Parse functions of every enumeration match.
func lookupName(names []string, s string) (int, bool) {
	for i, n := range names {
		if n != "" && equalFoldASCII(n, s) {
			return i, true
		}
	}
	return 0, false
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

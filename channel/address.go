package channel

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
)

// Address errors. Every address refusal matches ErrInvalidAddress; the
// specific ones also match ErrInvalidPhoneNumber, ErrInvalidEmail or
// ErrUnknownKind. Check them with errors.Is; read the facts from
// [*AddressError] with errors.As.
var (
	ErrInvalidAddress     = errors.New("channel: invalid address")
	ErrInvalidPhoneNumber = errors.New("channel: invalid phone number")
	ErrInvalidEmail       = errors.New("channel: invalid e-mail address")
)

// MaxIDLength is the longest address ID in bytes accepted for kinds that are
// neither phone nor e-mail (page-scoped IDs, visitor IDs, chat IDs are far
// shorter); it keeps a hostile webhook from storing megabytes as an ID.
const MaxIDLength = 256

// maxEmailLength is RFC 5321 §4.5.3.1.3's path limit less the brackets.
const maxEmailLength = 254

// AddressError is the typed error for an address that cannot be parsed or
// does not fit its kind. It matches ErrInvalidAddress and, when set, Err.
type AddressError struct {
	Input  string // the text that was refused
	Kind   Kind   // the kind it was meant for; 0 when the kind itself is unknown
	Reason string // what is wrong, in words
	Err    error  // the specific sentinel, or nil
}

// Error returns "channel: invalid address "...": reason".
func (e *AddressError) Error() string {
	return fmt.Sprintf("channel: invalid address %q: %s", e.Input, e.Reason)
}

// Unwrap returns ErrInvalidAddress and the specific sentinel, so errors.Is
// matches both.
func (e *AddressError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrInvalidAddress}
	}
	return []error{ErrInvalidAddress, e.Err}
}

// Address is a contact's or touchpoint's identity on a channel, written as
// the URN-like "kind:id": "whatsapp:+14155550100",
// "email:ana@example.com", "messenger:<psid>". Phone-based kinds hold E.164
// numbers. The zero Address is "no address". Addresses are comparable values:
// two addresses of one contact compare equal once normalised.
type Address struct {
	// Kind is the channel the address belongs to; the zero Kind is "no
	// address".
	Kind Kind
	// ID is the identity on that channel, normalised by [ParseAddress]: an
	// E.164 number for WhatsApp, SMS and voice, a bare e-mail address with
	// its domain lower-cased, or the provider's opaque id (a PSID, a visitor
	// id) kept as it is.
	ID string
}

// ParseAddress reads "kind:id" and normalises the id for its kind:
//   - whatsapp, sms, voice: a phone number in international form ("+" and
//     the country code; spaces, dashes, dots, slashes and brackets are
//     allowed) that libphonenumber finds valid, stored as E.164
//     ("sms:+1 (415) 555-0100" is "sms:+14155550100"); no extensions or
//     letters;
//   - email: one bare address (no display name) that net/mail accepts, with
//     its domain lower-cased;
//   - other kinds: a non-empty id of at most [MaxIDLength] bytes of valid
//     UTF-8 with no spaces or control characters, kept as it is.
//
// The kind name ignores ASCII case. Errors match ErrInvalidAddress.
func ParseAddress(s string) (Address, error) {
	name, id, ok := strings.Cut(s, ":")
	if !ok {
		return Address{}, &AddressError{Input: s, Reason: `missing "kind:" prefix`}
	}
	k, err := ParseKind(name)
	if err != nil {
		return Address{}, &AddressError{Input: s, Reason: fmt.Sprintf("unknown kind %q", name), Err: ErrUnknownKind}
	}
	return NewAddress(k, id)
}

// MustParseAddress is ParseAddress for addresses known to be valid, such as
// constants in tests and examples; it panics on an error.
func MustParseAddress(s string) Address {
	a, err := ParseAddress(s)
	if err != nil {
		panic(err)
	}
	return a
}

// NewAddress returns the address of kind k with the given id, normalised and
// checked as [ParseAddress] describes. Phone ids must be international; use
// [NewPhoneAddress] for numbers written in national form.
func NewAddress(k Kind, id string) (Address, error) {
	switch {
	case !k.Valid():
		return Address{}, &AddressError{Input: id, Kind: k, Reason: "unknown kind", Err: ErrUnknownKind}
	case k.PhoneBased():
		return NewPhoneAddress(k, id, "")
	case k == Email:
		norm, reason := normalizeEmail(id)
		if reason != "" {
			return Address{}, &AddressError{Input: id, Kind: k, Reason: reason, Err: ErrInvalidEmail}
		}
		return Address{Kind: k, ID: norm}, nil
	}
	if reason := checkID(id); reason != "" {
		return Address{}, &AddressError{Input: id, Kind: k, Reason: reason}
	}
	return Address{Kind: k, ID: id}, nil
}

// NewPhoneAddress returns the address of phone-based kind k (WhatsApp, SMS,
// Voice) for a raw number. A number without a leading "+" is read in
// defaultRegion's national form (an ISO 3166-1 alpha-2 code such as "US";
// empty means the number must be international). The number must be valid
// for libphonenumber; it is stored as E.164.
func NewPhoneAddress(k Kind, raw, defaultRegion string) (Address, error) {
	if !k.PhoneBased() {
		return Address{}, &AddressError{Input: raw, Kind: k, Reason: fmt.Sprintf("kind %s is not phone-based", k), Err: ErrInvalidPhoneNumber}
	}
	e164, reason := normalizePhone(raw, defaultRegion)
	if reason != "" {
		return Address{}, &AddressError{Input: raw, Kind: k, Reason: reason, Err: ErrInvalidPhoneNumber}
	}
	return Address{Kind: k, ID: e164}, nil
}

// String returns "kind:id", the form ParseAddress reads; the zero Address
// is "".
func (a Address) String() string {
	if a.IsZero() {
		return ""
	}
	return a.Kind.String() + ":" + a.ID
}

// IsZero reports whether a is the zero Address.
func (a Address) IsZero() bool { return a == Address{} }

// MarshalText encodes the address as "kind:id".
func (a Address) MarshalText() ([]byte, error) {
	if a.IsZero() {
		return []byte{}, nil
	}
	if !a.Kind.Valid() {
		return nil, &AddressError{Input: a.ID, Kind: a.Kind, Reason: "unknown kind", Err: ErrUnknownKind}
	}
	return []byte(a.String()), nil
}

// UnmarshalText decodes "kind:id" with ParseAddress; empty text is the zero
// Address. On error a is unchanged.
func (a *Address) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*a = Address{}
		return nil
	}
	v, err := ParseAddress(string(b))
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// phoneChars are the characters accepted in a raw phone number besides
// digits: the separators people write. Letters (vanity numbers) and
// extension markers are refused, since a messaging address cannot dial them.
const phoneChars = " -.()/\u00a0"

// normalizePhone returns raw as E.164, or a reason why it is refused.
func normalizePhone(raw, defaultRegion string) (string, string) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", "empty phone number"
	}
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
		case r == '+' && i == 0:
		case strings.ContainsRune(phoneChars, r):
		default:
			return "", fmt.Sprintf("unexpected character %q in phone number", r)
		}
	}
	if s[0] != '+' && defaultRegion == "" {
		return "", `phone number must be international ("+" and country code)`
	}
	region := strings.ToUpper(defaultRegion)
	if s[0] == '+' {
		region = ""
	}
	num, err := phonenumbers.Parse(s, region)
	if err != nil {
		return "", "not a phone number: " + err.Error()
	}
	if !phonenumbers.IsValidNumber(num) {
		return "", "not a valid phone number"
	}
	return phonenumbers.Format(num, phonenumbers.E164), ""
}

// normalizeEmail returns id with its domain lower-cased when it is exactly
// one bare address that net/mail accepts, or a reason why it is refused.
func normalizeEmail(id string) (string, string) {
	if id == "" {
		return "", "empty e-mail address"
	}
	if len(id) > maxEmailLength {
		return "", fmt.Sprintf("e-mail address longer than %d bytes", maxEmailLength)
	}
	if r := badRune(id); r != "" {
		return "", r
	}
	m, err := mail.ParseAddress(id)
	if err != nil {
		return "", "not an e-mail address: " + strings.TrimPrefix(err.Error(), "mail: ")
	}
	// Only a bare address is an address: a display name, angle brackets,
	// comments or quoting would not survive the round trip through String.
	at := strings.LastIndexByte(id, '@')
	mat := strings.LastIndexByte(m.Address, '@')
	if m.Name != "" || at < 0 || mat < 0 || m.Address[:mat] != id[:at] || !strings.EqualFold(m.Address[mat+1:], id[at+1:]) {
		return "", "not a bare e-mail address"
	}
	return id[:at] + "@" + strings.ToLower(id[at+1:]), ""
}

// checkID returns why id is not acceptable for a kind without its own
// syntax, or "".
func checkID(id string) string {
	switch {
	case id == "":
		return "empty id"
	case len(id) > MaxIDLength:
		return fmt.Sprintf("id longer than %d bytes", MaxIDLength)
	}
	return badRune(id)
}

// badRune returns why s holds a character no address may hold, or "".
func badRune(s string) string {
	if !utf8.ValidString(s) {
		return "invalid UTF-8"
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return fmt.Sprintf("space or control character %q", r)
		}
	}
	return ""
}

// ParseAddressAs parses s as an address of kind k: either the bare id
// ("+1 415 555 0100", "support@example.com", a page id) or the full
// "kind:id" form of k itself. A prefix naming another kind is refused with
// an [*AddressError]; the id is normalised as [NewAddress] does.
func ParseAddressAs(k Kind, s string) (Address, error) {
	raw := s
	if name, id, ok := strings.Cut(raw, ":"); ok {
		if pk, err := ParseKind(name); err == nil {
			if pk != k {
				return Address{}, &AddressError{Input: s, Kind: k, Reason: fmt.Sprintf("address of kind %s where %s was expected", pk, k)}
			}
			raw = id
		}
	}
	return NewAddress(k, raw)
}

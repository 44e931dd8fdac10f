package channel

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// ErrInvalidPageName is returned by [MessengerLink] for a page name that is
// neither a Facebook username nor a numeric page ID. Check it with errors.Is.
var ErrInvalidPageName = errors.New("channel: invalid page name")

// parseE164 parses a number in international form ("+" and country code,
// separators allowed) that libphonenumber finds valid.
func parseE164(number string) (*phonenumbers.PhoneNumber, error) {
	e164, reason := normalizePhone(number, "")
	if reason != "" {
		return nil, &AddressError{Input: number, Reason: reason, Err: ErrInvalidPhoneNumber}
	}
	return phonenumbers.Parse(e164, "")
}

// Region returns the ISO 3166-1 alpha-2 region of an international phone
// number ("+14155550100" is "US", "+14165550100" is "CA"), as libphonenumber
// assigns it. Numbers of the +7 978 Crimean range are "RU" there: use
// [WhatsAppBlocked] for Meta's restrictions. Errors match
// ErrInvalidPhoneNumber.
func Region(e164 string) (string, error) {
	num, err := parseE164(e164)
	if err != nil {
		return "", err
	}
	return phonenumbers.GetRegionCodeForNumber(num), nil
}

// MMSAllowed reports whether an MMS (an SMS with attachments) may travel
// between the two numbers: only when both are in the US or Canada, the
// countries where carriers deliver MMS between each other. Other NANP
// regions (+1 876 Jamaica, …) are not.
func MMSAllowed(from, to string) bool {
	return usOrCA(from) && usOrCA(to)
}

func usOrCA(number string) bool {
	r, err := Region(number)
	return err == nil && (r == "US" || r == "CA")
}

// WhatsAppLink returns the click-to-chat link for a phone number:
// "https://wa.me/" and the international number in digits, with no "+",
// leading zeros, brackets or dashes, as wa.me requires. The number must be
// valid and international; separators are accepted ("+1 (415) 555-0100").
// Errors match ErrInvalidPhoneNumber.
func WhatsAppLink(number string) (string, error) {
	num, err := parseE164(number)
	if err != nil {
		return "", err
	}
	return "https://wa.me/" + strings.TrimPrefix(phonenumbers.Format(num, phonenumbers.E164), "+"), nil
}

// MessengerLink returns the Messenger link "https://m.me/<page>" for a
// Facebook page. page is the page's username (5 to 50 letters, digits and
// dots, not starting or ending with a dot) or its numeric ID (1 to 20
// digits); an "@" in front is dropped. Errors match ErrInvalidPageName.
func MessengerLink(page string) (string, error) {
	p := strings.TrimPrefix(page, "@")
	if reason := checkPageName(p); reason != "" {
		return "", fmt.Errorf("%w %q: %s", ErrInvalidPageName, page, reason)
	}
	return "https://m.me/" + p, nil
}

func checkPageName(p string) string {
	digits := true
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c >= '0' && c <= '9':
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '.':
			digits = false
		default:
			return fmt.Sprintf("character %q not allowed", rune(c))
		}
	}
	switch {
	case p == "":
		return "empty"
	case digits && len(p) > 20:
		return "page ID longer than 20 digits"
	case digits:
		return ""
	case len(p) < 5 || len(p) > 50:
		return "username must have 5 to 50 characters"
	case p[0] == '.' || p[len(p)-1] == '.':
		return "username may not start or end with a dot"
	}
	return ""
}

// BlockList is a list of international dialling prefixes (country code and
// leading digits, without "+") whose numbers may not be messaged. It is an
// immutable value, safe for concurrent use; [BlockList.With] derives a
// longer list.
type BlockList struct {
	prefixes []string
}

// NewBlockList returns a list of the given prefixes, written with or without
// "+" and with optional spaces ("+7 978"). Each must hold 1 to 15 digits.
// Errors match ErrInvalidPhoneNumber.
func NewBlockList(prefixes ...string) (BlockList, error) {
	return BlockList{}.With(prefixes...)
}

// With returns a list holding l's prefixes and the given ones, checked as
// [NewBlockList] checks them; l is unchanged.
func (l BlockList) With(prefixes ...string) (BlockList, error) {
	out := slices.Clone(l.prefixes)
	for _, p := range prefixes {
		d := strings.ReplaceAll(strings.TrimPrefix(strings.TrimSpace(p), "+"), " ", "")
		if d == "" || len(d) > 15 || strings.Trim(d, "0123456789") != "" {
			return BlockList{}, &AddressError{Input: p, Reason: "a prefix is 1 to 15 digits", Err: ErrInvalidPhoneNumber}
		}
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return BlockList{prefixes: out}, nil
}

// Prefixes returns a copy of the list's prefixes, digits only.
func (l BlockList) Prefixes() []string { return slices.Clone(l.prefixes) }

// Blocked reports whether the E.164 number starts with one of the list's
// prefixes. Text that is not "+" and digits is not blocked (it is not a
// number; addresses are checked by [ParseAddress]).
func (l BlockList) Blocked(e164 string) bool {
	if len(e164) < 2 || e164[0] != '+' {
		return false
	}
	d := e164[1:]
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return false
		}
	}
	for _, p := range l.prefixes {
		if strings.HasPrefix(d, p) {
			return true
		}
	}
	return false
}

// whatsAppBlocked are the prefixes of DefaultWhatsAppBlockList: regions
// where Meta's WhatsApp Business terms forbid service.
// libphonenumber places Crimean numbers in RU or UA, so regions alone cannot
// find them.
var whatsAppBlocked = []string{
	"53",     // Cuba
	"98",     // Iran
	"850",    // North Korea
	"963",    // Syria
	"7978",   // Crimea, mobile numbers under Russian numbering
	"7365",   // Crimea, landlines under Russian numbering (Republic of Crimea)
	"7869",   // Sevastopol, landlines under Russian numbering
	"38065",  // Crimea, landlines under Ukrainian numbering
	"380692", // Sevastopol, landlines under Ukrainian numbering
}

// donetskLuhansk are numbering ranges issued in the parts of the Donetsk
// and Luhansk regions that Meta also restricts.
var donetskLuhansk = []string{
	"7949",  // Donetsk, mobile numbers under Russian numbering
	"7959",  // Luhansk, mobile numbers under Russian numbering
	"38071", // Donetsk, mobile operator range of the occupied area
	"38072", // Luhansk, mobile operator range of the occupied area
}

// DefaultWhatsAppBlockList returns the prefixes WhatsApp refuses: Cuba
// (+53), Iran (+98), North Korea (+850), Syria (+963) and Crimea (+7 978
// mobile; +7 365 and +7 869 landlines; +380 65 and +380 692 under Ukrainian
// numbering).
//
// Meta also names the Donetsk and Luhansk regions. Their ranges are not in
// the default list, because the Ukrainian area codes +380 62 and +380 64
// also serve towns outside the restricted areas and would block customers
// who may lawfully be served; the ranges issued only there are in
// [DonetskLuhanskPrefixes], for hosts to add with [BlockList.With].
func DefaultWhatsAppBlockList() BlockList {
	return BlockList{prefixes: slices.Clone(whatsAppBlocked)}
}

// DonetskLuhanskPrefixes returns the numbering ranges issued only in the
// restricted parts of the Donetsk and Luhansk regions (+7 949, +7 959,
// +380 71, +380 72), for adding to a [BlockList].
func DonetskLuhanskPrefixes() []string { return slices.Clone(donetskLuhansk) }

// WhatsAppBlocked reports whether WhatsApp refuses the E.164 number, by
// [DefaultWhatsAppBlockList].
func WhatsAppBlocked(e164 string) bool {
	// Blocked only reads the list, so sharing the package's copy is safe.
	return BlockList{prefixes: whatsAppBlocked}.Blocked(e164)
}

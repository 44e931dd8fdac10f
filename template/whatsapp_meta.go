package template

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/text/language"
)

// Category is a WhatsApp template's category, which Meta's review assigns
// and which sets its price ([Category.Pricing]).
type Category uint8

// The template categories. The zero value is no category, which
// [WhatsApp.Validate] refuses.
const (
	Marketing Category = iota + 1
	Utility
	Authentication
)

var categoryNames = [...]string{Marketing: "marketing", Utility: "utility", Authentication: "authentication"}

// String returns the category's lower-case name, or "category(N)".
func (c Category) String() string {
	if c < Marketing || c > Authentication {
		return fmt.Sprintf("category(%d)", uint8(c))
	}
	return categoryNames[c]
}

// ErrUnknownCategory and ErrUnknownStatus are returned by ParseCategory and
// ParseStatus for names Meta does not use. Check them with errors.Is.
var (
	ErrUnknownCategory = errors.New("template: unknown category")
	ErrUnknownStatus   = errors.New("template: unknown status")
)

// ParseCategory reads a category as Meta writes it ("MARKETING") or as
// String does; ASCII case does not matter.
func ParseCategory(s string) (Category, error) {
	for c := Marketing; c <= Authentication; c++ {
		if sameASCIIFold(categoryNames[c], s) {
			return c, nil
		}
	}
	return 0, fmt.Errorf("%w: %q", ErrUnknownCategory, s)
}

// MarshalText encodes the category as String's lower-case name; a value
// outside the constants is an error matching [ErrUnknownCategory].
func (c Category) MarshalText() ([]byte, error) {
	if c < Marketing || c > Authentication {
		return nil, fmt.Errorf("%w: %d", ErrUnknownCategory, uint8(c))
	}
	return []byte(categoryNames[c]), nil
}

// UnmarshalText decodes a category as [ParseCategory] reads it. On error c
// is unchanged.
func (c *Category) UnmarshalText(b []byte) error {
	v, err := ParseCategory(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// Status is where a WhatsApp template stands in Meta's review and quality
// process. Only Approved templates may be sent.
type Status uint8

// The template statuses Meta reports.
const (
	Approved Status = iota + 1
	Pending
	Rejected
	Paused
	Disabled
	InAppeal
	PendingDeletion
	Deleted
	LimitExceeded
)

var statusNames = [...]string{
	Approved:        "approved",
	Pending:         "pending",
	Rejected:        "rejected",
	Paused:          "paused",
	Disabled:        "disabled",
	InAppeal:        "in_appeal",
	PendingDeletion: "pending_deletion",
	Deleted:         "deleted",
	LimitExceeded:   "limit_exceeded",
}

// String returns the status in lower case as Meta spells it ("in_appeal"),
// or "status(N)".
func (s Status) String() string {
	if s < Approved || s > LimitExceeded {
		return fmt.Sprintf("status(%d)", uint8(s))
	}
	return statusNames[s]
}

// ParseStatus reads a status as Meta writes it ("IN_APPEAL") or as String
// does; ASCII case does not matter.
func ParseStatus(s string) (Status, error) {
	for st := Approved; st <= LimitExceeded; st++ {
		if sameASCIIFold(statusNames[st], s) {
			return st, nil
		}
	}
	return 0, fmt.Errorf("%w: %q", ErrUnknownStatus, s)
}

// MarshalText encodes the status as String's lower-case name ("in_appeal");
// a value outside the constants is an error matching [ErrUnknownStatus].
func (s Status) MarshalText() ([]byte, error) {
	if s < Approved || s > LimitExceeded {
		return nil, fmt.Errorf("%w: %d", ErrUnknownStatus, uint8(s))
	}
	return []byte(statusNames[s]), nil
}

// UnmarshalText decodes a status as [ParseStatus] reads it, so Meta's
// "APPROVED" is accepted too. On error s is unchanged.
func (s *Status) UnmarshalText(b []byte) error {
	v, err := ParseStatus(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// sameASCIIFold reports whether s is the ASCII name in some ASCII case.
// Equal lengths rule out the multi-byte runes that Unicode folding maps
// onto ASCII letters (the Kelvin sign onto "k", the long s onto "s").
func sameASCIIFold(name, s string) bool {
	return len(name) == len(s) && strings.EqualFold(name, s)
}

// ErrInvalidLanguage is returned for a language Meta's codes cannot
// express. Check it with errors.Is.
var ErrInvalidLanguage = errors.New("template: invalid language code")

// ParseLanguageCode converts Meta's template language code ("en_US",
// "pt_BR", "fil", "es") to a language tag. Meta's codes are a language of
// 2 or 3 lower-case letters, optionally "_" and a 2-letter upper-case
// region; they are case-sensitive, so "en-US" and "en_us" are refused.
// So are codes LanguageCode could not give back: the unknown region
// ("en_ZZ") and a deprecated code that stands for a script ("sh", Serbian
// in Latin script). Refusals match ErrInvalidLanguage.
func ParseLanguageCode(code string) (language.Tag, error) {
	base, region, hasRegion := strings.Cut(code, "_")
	if !isLower(base, 2, 3) || (hasRegion && !isUpper(region, 2)) {
		return language.Und, fmt.Errorf("%w: %q", ErrInvalidLanguage, code)
	}
	if region == unknownRegion {
		// BCP 47's "unknown region" is no region of Meta's, and LanguageCode
		// could only write it back as the bare language.
		return language.Und, fmt.Errorf("%w: %q names the unknown region", ErrInvalidLanguage, code)
	}
	tag, err := language.Parse(strings.Replace(code, "_", "-", 1))
	if err != nil {
		return language.Und, fmt.Errorf("%w: %q: %v", ErrInvalidLanguage, code, err)
	}
	lang, script, _ := tag.Raw()
	if lang.String() == "und" {
		return language.Und, fmt.Errorf("%w: %q names no language", ErrInvalidLanguage, code)
	}
	if script.String() != noScript {
		// A deprecated code that stands for a language in one script
		// ("sh" is Serbian in Latin script): Meta's codes name no script,
		// so LanguageCode could not give this code back.
		return language.Und, fmt.Errorf("%w: %q is %s, and Meta's codes name no script", ErrInvalidLanguage, code, tag)
	}
	return tag, nil
}

// LanguageCode converts a tag to Meta's code: the base language, plus
// "_REGION" when the tag names a region (en-US → en_US, es → es). A script
// is dropped (zh-Hant-TW → zh_TW). language.Und fails with
// ErrInvalidLanguage.
func LanguageCode(tag language.Tag) (string, error) {
	base, _, region := tag.Raw()
	if tag == language.Und || base.String() == "und" {
		return "", fmt.Errorf("%w: %s", ErrInvalidLanguage, tag)
	}
	code := base.String()
	if r := region.String(); r != unknownRegion && isUpper(r, 2) {
		code += "_" + r
	}
	return code, nil
}

// unknownRegion is BCP 47's code for an unknown region, which x/text also
// reports for a tag that names none.
const unknownRegion = "ZZ"

// noScript is what x/text reports for a tag without a script.
const noScript = "Zzzz"

func isLower(s string, lo, hi int) bool {
	if len(s) < lo || len(s) > hi {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}

func isUpper(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

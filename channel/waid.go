package channel

import "fmt"

// maxE164Digits is the most digits an international number has (ITU-T E.164).
const maxE164Digits = 15

// WhatsAppID returns the WhatsApp address of a contact from the WhatsApp
// ID ("wa_id") Meta's Cloud API gives in webhooks: the international
// number as digits only, without "+" ("14155550100" is
// "whatsapp:+14155550100"). Only 1 to 15 ASCII digits are accepted, so
// this is not a lenient phone parser: a "+", a space or a national number
// is refused. The number must then be valid as [NewAddress] requires.
//
// Two legacy forms that WhatsApp still uses as IDs but libphonenumber no
// longer finds valid are read as the current number (rule 23): a Mexican
// mobile ID "521" + 10 digits is +52 and the 10 digits (Mexico dropped the
// mobile "1" in 2020), and a Brazilian ID of 8 subscriber digits starting
// with 6 to 9 is the mobile number with its ninth digit (a "9" in front,
// mandatory on every Brazilian mobile since 2016). Either is tried only
// when the ID as given is not a valid number.
//
// Errors match ErrInvalidAddress and ErrInvalidPhoneNumber.
func WhatsAppID(waID string) (Address, error) {
	if reason := checkWAID(waID); reason != "" {
		return Address{}, &AddressError{Input: waID, Kind: WhatsApp, Reason: reason, Err: ErrInvalidPhoneNumber}
	}
	a, err := NewPhoneAddress(WhatsApp, "+"+waID, "")
	if err == nil {
		return a, nil
	}
	if current, ok := currentForm(waID); ok {
		if a, cerr := NewPhoneAddress(WhatsApp, "+"+current, ""); cerr == nil {
			return a, nil
		}
	}
	return Address{}, &AddressError{Input: waID, Kind: WhatsApp, Reason: "not a valid phone number", Err: ErrInvalidPhoneNumber}
}

// checkWAID returns why s is not the digits of an international number, or "".
func checkWAID(s string) string {
	switch {
	case s == "":
		return "empty WhatsApp ID"
	case len(s) > maxE164Digits:
		return fmt.Sprintf("WhatsApp ID longer than %d digits", maxE164Digits)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return fmt.Sprintf("unexpected character %q in WhatsApp ID (digits only, no \"+\")", s[i])
		}
	}
	if s[0] == '0' {
		return "WhatsApp ID starts with 0 (no country code)"
	}
	return ""
}

// currentForm rewrites a legacy Mexican or Brazilian mobile WhatsApp ID
// into today's number, reporting whether it is one.
func currentForm(id string) (string, bool) {
	switch {
	case len(id) == 13 && id[:3] == "521": // 52 1 + area and number (10)
		return "52" + id[3:], true
	case len(id) == 12 && id[:2] == "55" && id[4] >= '6': // 55 + area (2) + 8 digits
		return id[:4] + "9" + id[4:], true
	}
	return "", false
}

package meta

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
)

// SignatureHeader is the header in which Meta signs every webhook POST.
const SignatureHeader = "X-Hub-Signature-256"

// Signature errors. Each matches ErrSignature; check with errors.Is.
var (
	ErrSignature          = errors.New("meta: bad webhook signature")
	ErrSignatureMissing   = errors.New("meta: webhook signature missing")
	ErrSignatureMalformed = errors.New("meta: webhook signature malformed")
	ErrSignatureMismatch  = errors.New("meta: webhook signature does not match")
)

// VerifySignature checks header, the value of [SignatureHeader], against
// body as Meta signs it: "sha256=" and the lower-case hex HMAC-SHA256 of
// the raw body, keyed with the app secret (rule 1). The comparison takes
// constant time. It returns nil for a match, otherwise an error matching
// ErrSignature and one of ErrSignatureMissing, ErrSignatureMalformed or
// ErrSignatureMismatch. An empty secret never matches.
func VerifySignature(secret, body []byte, header string) error {
	if header == "" {
		return errors.Join(ErrSignature, ErrSignatureMissing)
	}
	hexSum, ok := strings.CutPrefix(header, "sha256=")
	if !ok || len(hexSum) != 2*sha256.Size {
		return errors.Join(ErrSignature, ErrSignatureMalformed)
	}
	got, err := hex.DecodeString(hexSum)
	if err != nil {
		return errors.Join(ErrSignature, ErrSignatureMalformed)
	}
	if len(secret) == 0 || !hmac.Equal(got, sign(secret, body)) {
		return errors.Join(ErrSignature, ErrSignatureMismatch)
	}
	return nil
}

// sign returns the HMAC-SHA256 of body keyed with secret.
func sign(secret, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return m.Sum(nil)
}

// SignatureValue returns the [SignatureHeader] value Meta sends for body,
// for a host's tests that post signed payloads.
func SignatureValue(secret, body []byte) string {
	return "sha256=" + hex.EncodeToString(sign(secret, body))
}

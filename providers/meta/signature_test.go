package meta_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"

	"github.com/parleyhq/parley/providers/meta"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The signature is checked independently of SignatureValue: HMAC-SHA256
// of the raw body with the app secret, hex, after "sha256=".
func TestVerifySignature(t *testing.T) {
	body := fixture(t, "wa_text.json")
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(body)
	good := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	require.Equal(t, good, signed(body))

	tests := []struct {
		name   string
		secret string
		body   []byte
		header string
		want   error // nil: accepted
	}{
		{"valid", appSecret, body, good, nil},
		{"valid with upper-case hex", appSecret, body, "sha256=" + strings.ToUpper(good[7:]), nil},
		{"wrong secret", "another-secret", body, good, meta.ErrSignatureMismatch},
		{"body changed after signing", appSecret, bytes.Replace(body, []byte("another color"), []byte("a refund now!"), 1), good, meta.ErrSignatureMismatch},
		{"body with a trailing newline", appSecret, append(append([]byte{}, body...), '\n'), good, meta.ErrSignatureMismatch},
		{"header missing", appSecret, body, "", meta.ErrSignatureMissing},
		{"no sha256= prefix", appSecret, body, good[7:], meta.ErrSignatureMalformed},
		{"sha1 signature", appSecret, body, "sha1=" + good[7:47], meta.ErrSignatureMalformed},
		{"not hex", appSecret, body, "sha256=" + strings.Repeat("zz", 32), meta.ErrSignatureMalformed},
		{"truncated", appSecret, body, good[:len(good)-2], meta.ErrSignatureMalformed},
		{"empty app secret never matches", "", body, meta.SignatureValue(nil, body), meta.ErrSignatureMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := meta.VerifySignature([]byte(tt.secret), tt.body, tt.header)
			if tt.want == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, meta.ErrSignature)
			assert.ErrorIs(t, err, tt.want)
		})
	}
}

// A forged, tampered or unsigned POST gets 403 and never reaches the Desk.
func TestHandlerRefusesBadSignatures(t *testing.T) {
	body := fixture(t, "wa_batch.json")
	tampered := bytes.Replace(body, []byte("Hello?"), []byte("Refund!"), 1)
	require.NotEqual(t, body, tampered)
	tests := []struct {
		name string
		body []byte
		sig  string
	}{
		{"wrong secret", body, meta.SignatureValue([]byte("not-the-app-secret"), body)},
		{"replayed with a changed body", tampered, signed(body)},
		{"header missing", body, ""},
		{"malformed header", body, "sha256=xyz"},
		{"signature of another payload", body, signed(fixture(t, "wa_text.json"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			desk := &fakeDesk{}
			rec := post(newHandler(t, desk), tt.body, tt.sig)
			assert.Equal(t, http.StatusForbidden, rec.Code)
			assert.Zero(t, desk.calls(), "the Desk was called")
		})
	}
	t.Run("valid", func(t *testing.T) {
		desk := &fakeDesk{}
		rec := post(newHandler(t, desk), body, signed(body))
		assert.Equal(t, http.StatusOK, rec.Code)
		assert.Equal(t, 3, desk.calls())
	})
}

func FuzzVerifySignature(f *testing.F) {
	body := []byte(`{"object":"page","entry":[]}`)
	f.Add(body, signed(body))
	f.Add(body, "sha256=")
	f.Add([]byte{}, "")
	f.Add(body, "sha256="+strings.Repeat("0", 64))
	f.Fuzz(func(t *testing.T, body []byte, header string) {
		err := meta.VerifySignature([]byte(appSecret), body, header)
		rest, ok := strings.CutPrefix(header, "sha256=")
		want := ok && strings.EqualFold(rest, signed(body)[len("sha256="):])
		if (err == nil) != want {
			t.Fatalf("VerifySignature(%q, %q) = %v", body, header, err)
		}
	})
}

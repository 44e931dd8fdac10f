package twilio_test

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/parleyhq/parley/providers/twilio"
)

// hmacSHA1 is the reference the table is checked against: the signed
// string is written out by hand in each case.
func hmacSHA1(key, s string) string {
	m := hmac.New(sha1.New, []byte(key))
	m.Write([]byte(s))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func TestSign(t *testing.T) {
	tests := []struct {
		name   string
		token  string
		url    string
		params url.Values
		want   string
	}{
		{
			// The example in Twilio's webhook security documentation.
			name: "Twilio's published example", token: "12345", url: "https://mycompany.com/myapp.php?foo=1&bar=2",
			params: url.Values{"CallSid": {"CA1234567890ABCDE"}, "Caller": {"+14158675310"}, "Digits": {"1234"}, "From": {"+14158675310"}, "To": {"+18005551212"}},
			want:   "GvWf1cFY/Q7PnoempGyD5oXAezc=",
		},
		{
			// Sorting "name+value" strings instead would put ToCity first.
			name: "sorted by name, not by name and value", token: "k", url: "https://h/p",
			params: url.Values{"To": {"whatsapp:+14155550001"}, "ToCity": {"SF"}},
			want:   hmacSHA1("k", "https://h/pTowhatsapp:+14155550001ToCitySF"),
		},
		{
			name: "a repeated name: values sorted", token: "k", url: "https://h/p",
			params: url.Values{"MediaUrl": {"https://b", "https://a"}},
			want:   hmacSHA1("k", "https://h/pMediaUrlhttps://aMediaUrlhttps://b"),
		},
		{
			name: "GET: no parameters, the URL alone", token: "k", url: "https://h/p?Body=hi&From=%2B1",
			want: hmacSHA1("k", "https://h/p?Body=hi&From=%2B1"),
		},
		{
			name: "values are signed decoded", token: "k", url: "https://h/p",
			params: url.Values{"Body": {"Olá & até"}},
			want:   hmacSHA1("k", "https://h/pBodyOlá & até"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, twilio.Sign(tt.token, tt.url, tt.params))
		})
	}
}

package helpdesk

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDecodeAction: one JSON object of known fields within the limits
// (rule 7); every refusal is a *RequestError matching ErrBadRequest.
func TestDecodeAction(t *testing.T) {
	for _, c := range []struct {
		name, body string
		field      string // of the refusal; "-" for accepted
	}{
		{"reply", `{"agent":"ana","text":"hi"}`, "-"},
		{"template", `{"agent":"ana","template":"follow_up","language":"en_US","params":{"1":"Maria"}}`, "-"},
		{"clock", `{"hours":25}`, "-"},
		{"empty object", `{}`, "-"},
		{"unknown field", `{"agent":"ana","txt":"hi"}`, ""},
		{"not an object", `["ana"]`, ""},
		{"two objects", `{"agent":"ana"}{"agent":"ben"}`, ""},
		{"trailing data", `{"agent":"ana"} x`, ""},
		{"empty body", ``, ""},
		{"wrong type", `{"hours":"25"}`, ""},
		{"text too long", `{"text":"` + strings.Repeat("a", maxFieldBytes+1) + `"}`, "text"},
		{"body too long", `{"text":"` + strings.Repeat("a", maxRequestBytes) + `"}`, ""},
		{"too many params", `{"params":{` + params(maxParams+1) + `}}`, "params"},
		{"param too long", `{"params":{"1":"` + strings.Repeat("a", maxFieldBytes+1) + `"}}`, "params.1"},
		{"clock back", `{"hours":-1}`, "hours"},
		{"clock too far", `{"hours":100000}`, "hours"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := decodeAction(strings.NewReader(c.body))
			if c.field == "-" {
				assert.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrBadRequest)
			var re *RequestError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, c.field, re.Field)
			assert.True(t, strings.HasPrefix(err.Error(), "helpdesk: bad request"), err.Error())
		})
	}
}

func params(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"p` + string(rune('a'+i%26)) + strings.Repeat("x", i) + `":"v"`)
	}
	return b.String()
}

// FuzzDecodeAction: any body either is refused with ErrBadRequest or
// gives an action within the limits that encodes and decodes to itself.
func FuzzDecodeAction(f *testing.F) {
	for _, s := range []string{`{"agent":"ana","text":"hi"}`, `{"params":{"1":"x"},"hours":1.5}`, `{}`, `[]`, `{"text":"\ud800"}`, ``} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		a, err := decodeAction(bytes.NewReader(body))
		if err != nil {
			if !errors.Is(err, ErrBadRequest) {
				t.Fatalf("error %v does not match ErrBadRequest", err)
			}
			return
		}
		for _, v := range []string{a.Agent, a.Text, a.Note, a.Template, a.ID} {
			if len(v) > maxFieldBytes || !utf8.ValidString(v) {
				t.Fatalf("field over the limits: %q", v)
			}
		}
		if len(a.Params) > maxParams || a.Hours < 0 || a.Hours > maxAdvanceHours {
			t.Fatalf("action over the limits: %+v", a)
		}
		again, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		b, err := decodeAction(bytes.NewReader(again))
		if err != nil {
			t.Fatalf("re-encoded action refused: %v", err)
		}
		if !assert.ObjectsAreEqual(a, b) {
			t.Fatalf("round trip changed %+v into %+v", a, b)
		}
	})
}

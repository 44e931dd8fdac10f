package channel_test

import (
	"encoding"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
)

// textEnum is what every enumeration of the package offers.
type textEnum interface {
	comparable
	fmt.Stringer
	encoding.TextMarshaler
}

// checkRoundTrip checks that v marshals to name, that String agrees, and
// that both parse and UnmarshalText give v back.
func checkRoundTrip[T textEnum, P interface {
	*T
	encoding.TextUnmarshaler
}](t *testing.T, v T, name string, parse func(string) (T, error)) {
	t.Helper()
	b, err := v.MarshalText()
	require.NoError(t, err)
	assert.Equal(t, name, string(b), "MarshalText")
	assert.Equal(t, name, v.String(), "String")
	got, err := parse(name)
	require.NoError(t, err)
	assert.Equal(t, v, got, "parse")
	var back T
	require.NoError(t, P(&back).UnmarshalText(b))
	assert.Equal(t, v, back, "UnmarshalText")
}

func TestTextForms(t *testing.T) {
	kinds := map[channel.Kind]string{
		channel.WhatsApp: "whatsapp", channel.SMS: "sms", channel.Messenger: "messenger",
		channel.Instagram: "instagram", channel.Telegram: "telegram", channel.LINE: "line",
		channel.WebChat: "webchat", channel.Email: "email", channel.Voice: "voice", channel.Custom: "custom",
	}
	require.Len(t, kinds, len(channel.Kinds()))
	for k, name := range kinds {
		t.Run("kind "+name, func(t *testing.T) { checkRoundTrip(t, k, name, channel.ParseKind) })
	}
	for m, name := range map[channel.MediaType]string{
		channel.Image: "image", channel.Audio: "audio", channel.Video: "video",
		channel.Document: "document", channel.Sticker: "sticker",
	} {
		t.Run("media "+name, func(t *testing.T) { checkRoundTrip(t, m, name, channel.ParseMediaType) })
	}
	for e, name := range map[channel.Encoding]string{channel.GSM7: "GSM-7", channel.UCS2: "UCS-2"} {
		t.Run("encoding "+name, func(t *testing.T) { checkRoundTrip(t, e, name, channel.ParseEncoding) })
	}
	for f, name := range map[channel.VoiceNoteForm]string{
		channel.VoiceNoteRefused: "refused", channel.AsVoiceNote: "voice_note", channel.AsFile: "file",
	} {
		t.Run("voice note form "+name, func(t *testing.T) { checkRoundTrip(t, f, name, channel.ParseVoiceNoteForm) })
	}
}

// TestTextFormsZero checks that the zero Kind and Encoding, which mean "no
// kind" and "not an SMS", travel as the empty text and come back as zero,
// while the Parse functions, asked for a value, still refuse "".
func TestTextFormsZero(t *testing.T) {
	tests := []struct {
		name      string
		marshal   func() ([]byte, error)
		unmarshal func([]byte) (bool, error) // reports whether the result is zero
		stringer  func() string
		str       string
		parse     func() error
		want      error
	}{
		{
			name:    "kind",
			marshal: channel.Kind(0).MarshalText,
			unmarshal: func(b []byte) (bool, error) {
				k := channel.Email
				err := k.UnmarshalText(b)
				return k == 0, err
			},
			stringer: channel.Kind(0).String,
			str:      "kind(0)",
			parse:    func() error { _, err := channel.ParseKind(""); return err },
			want:     channel.ErrUnknownKind,
		},
		{
			name:    "encoding",
			marshal: channel.Encoding(0).MarshalText,
			unmarshal: func(b []byte) (bool, error) {
				e := channel.UCS2
				err := e.UnmarshalText(b)
				return e == 0, err
			},
			stringer: channel.Encoding(0).String,
			str:      "encoding(0)",
			parse:    func() error { _, err := channel.ParseEncoding(""); return err },
			want:     channel.ErrUnknownEncoding,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.marshal()
			require.NoError(t, err)
			assert.Equal(t, "", string(b), "MarshalText")
			zero, err := tt.unmarshal(b)
			require.NoError(t, err)
			assert.True(t, zero, "UnmarshalText of %q gives the zero value", b)
			assert.ErrorIs(t, tt.parse(), tt.want, "parse of the empty text")
			assert.Equal(t, tt.str, tt.stringer(), "String keeps naming the invalid value")
		})
	}
}

func TestTextFormsIgnoreASCIICase(t *testing.T) {
	m, err := channel.ParseMediaType("Sticker")
	require.NoError(t, err)
	assert.Equal(t, channel.Sticker, m)
	e, err := channel.ParseEncoding("gsm-7")
	require.NoError(t, err)
	assert.Equal(t, channel.GSM7, e)
	f, err := channel.ParseVoiceNoteForm("VOICE_NOTE")
	require.NoError(t, err)
	assert.Equal(t, channel.AsVoiceNote, f)
}

func TestTextFormsRefuseUnknown(t *testing.T) {
	tests := []struct {
		name    string
		marshal func() ([]byte, error)
		parse   func() error
		want    error
	}{
		{"kind", channel.Kind(11).MarshalText, func() error { _, err := channel.ParseKind("fax"); return err }, channel.ErrUnknownKind},
		{"media type", channel.MediaType(0).MarshalText, func() error { _, err := channel.ParseMediaType("gif"); return err }, channel.ErrUnknownMediaType},
		{"encoding", channel.Encoding(3).MarshalText, func() error { _, err := channel.ParseEncoding("GSM7"); return err }, channel.ErrUnknownEncoding},
		{"voice note form", channel.VoiceNoteForm(3).MarshalText, func() error { _, err := channel.ParseVoiceNoteForm("voice note"); return err }, channel.ErrUnknownVoiceNoteForm},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.marshal()
			assert.ErrorIs(t, err, tt.want, "marshal")
			assert.Nil(t, b)
			assert.ErrorIs(t, tt.parse(), tt.want, "parse")
		})
	}
}

func TestUnmarshalTextKeepsValueOnError(t *testing.T) {
	m := channel.Video
	require.Error(t, m.UnmarshalText([]byte("film")))
	assert.Equal(t, channel.Video, m)
}

func TestTextFormsInJSON(t *testing.T) {
	type payload struct {
		Kind     channel.Kind          `json:"kind"`
		Media    channel.MediaType     `json:"media"`
		Encoding channel.Encoding      `json:"encoding"`
		Voice    channel.VoiceNoteForm `json:"voice"`
	}
	in := payload{channel.WhatsApp, channel.Audio, channel.UCS2, channel.AsVoiceNote}
	b, err := json.Marshal(in)
	require.NoError(t, err)
	assert.JSONEq(t, `{"kind":"whatsapp","media":"audio","encoding":"UCS-2","voice":"voice_note"}`, string(b))
	var out payload
	require.NoError(t, json.Unmarshal(b, &out))
	assert.Equal(t, in, out)

	zero := payload{Media: channel.Image, Voice: channel.AsFile}
	b, err = json.Marshal(zero)
	require.NoError(t, err, "the zero kind and encoding marshal")
	assert.JSONEq(t, `{"kind":"","media":"image","encoding":"","voice":"file"}`, string(b))
	out = payload{Kind: channel.SMS, Encoding: channel.GSM7}
	require.NoError(t, json.Unmarshal(b, &out))
	assert.Equal(t, zero, out, "the empty text reads back as zero")

	_, err = json.Marshal(payload{Kind: channel.Kind(11), Media: channel.Audio, Encoding: channel.GSM7, Voice: channel.AsFile})
	assert.ErrorIs(t, err, channel.ErrUnknownKind, "a non-zero unknown kind is still an error")
	_, err = json.Marshal(payload{Kind: channel.WhatsApp, Media: channel.Audio, Encoding: channel.GSM7, Voice: 9})
	assert.ErrorIs(t, err, channel.ErrUnknownVoiceNoteForm, "an invalid value is an error, not a number")
	assert.Error(t, json.Unmarshal([]byte(`{"kind":1}`), &out), "a number is not a kind")
}

// FuzzParseText checks every Parse function of the package: what one
// accepts marshals to a name that parses back to the same value. It checks
// UnmarshalText the same way, which also reads "" as the zero Kind and
// Encoding, so the zero values are covered too.
func FuzzParseText(f *testing.F) {
	for _, s := range []string{"whatsapp", "SMS", "image", "Sticker", "GSM-7", "ucs-2", "voice_note", "refused", "file", "", "ſmſ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fuzzRoundTrip(t, s, channel.ParseKind)
		fuzzRoundTrip(t, s, channel.ParseMediaType)
		fuzzRoundTrip(t, s, channel.ParseEncoding)
		fuzzRoundTrip(t, s, channel.ParseVoiceNoteForm)
		fuzzUnmarshalRoundTrip[channel.Kind](t, s)
		fuzzUnmarshalRoundTrip[channel.MediaType](t, s)
		fuzzUnmarshalRoundTrip[channel.Encoding](t, s)
		fuzzUnmarshalRoundTrip[channel.VoiceNoteForm](t, s)
	})
}

// fuzzUnmarshalRoundTrip checks that what UnmarshalText accepts marshals
// back, and that the text it writes reads back to the same value.
func fuzzUnmarshalRoundTrip[T textEnum, P interface {
	*T
	encoding.TextUnmarshaler
}](t *testing.T, s string) {
	var v T
	if err := P(&v).UnmarshalText([]byte(s)); err != nil {
		return
	}
	b, err := v.MarshalText()
	if err != nil {
		t.Fatalf("UnmarshalText(%q) = %v, which does not marshal: %v", s, v, err)
	}
	var back T
	if err := P(&back).UnmarshalText(b); err != nil || back != v {
		t.Fatalf("UnmarshalText(%q) = %v marshals to %q, which reads back as %v, %v", s, v, b, back, err)
	}
}

func fuzzRoundTrip[T textEnum](t *testing.T, s string, parse func(string) (T, error)) {
	v, err := parse(s)
	if err != nil {
		return
	}
	b, err := v.MarshalText()
	if err != nil {
		t.Fatalf("parse(%q) = %v, which does not marshal: %v", s, v, err)
	}
	back, err := parse(string(b))
	if err != nil || back != v {
		t.Fatalf("parse(%q) = %v marshals to %q, which parses to %v, %v", s, v, b, back, err)
	}
	if string(b) != v.String() {
		t.Fatalf("%v: MarshalText %q and String %q disagree", v, b, v.String())
	}
}

package channel_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
)

func TestParseKind(t *testing.T) {
	tests := []struct {
		in   string
		want channel.Kind
		err  bool
	}{
		{in: "whatsapp", want: channel.WhatsApp},
		{in: "WhatsApp", want: channel.WhatsApp},
		{in: "SMS", want: channel.SMS},
		{in: "line", want: channel.LINE},
		{in: "custom", want: channel.Custom},
		{in: "", err: true},
		{in: " sms", err: true},
		{in: "ſmſ", err: true}, // long s folds to s only under Unicode folding
		{in: "kind(3)", err: true},
		{in: "e-mail", err: true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := channel.ParseKind(tc.in)
			if tc.err {
				assert.ErrorIs(t, err, channel.ErrUnknownKind)
				assert.Zero(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestKindNamesRoundTrip(t *testing.T) {
	for _, k := range channel.Kinds() {
		require.True(t, k.Valid())
		b, err := k.MarshalText()
		require.NoError(t, err)
		var back channel.Kind
		require.NoError(t, back.UnmarshalText(b))
		assert.Equal(t, k, back)
	}
	var zero channel.Kind
	assert.False(t, zero.Valid())
	assert.Equal(t, "kind(0)", zero.String())
	b, err := zero.MarshalText()
	require.NoError(t, err, "the zero kind, no kind, is the empty text")
	assert.Empty(t, b)
	_, err = channel.Kind(11).MarshalText()
	assert.ErrorIs(t, err, channel.ErrUnknownKind)
}

// FuzzParseKind checks that ParseKind accepts exactly the canonical names in
// any ASCII case, and that what it accepts round-trips through String.
func FuzzParseKind(f *testing.F) {
	for _, k := range channel.Kinds() {
		f.Add(k.String())
	}
	f.Add("WHATSAPP")
	f.Add("ſmſ")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := channel.ParseKind(s)
		if err != nil {
			if k != 0 {
				t.Fatalf("ParseKind(%q) failed but returned %v", s, k)
			}
			return
		}
		if !k.Valid() || k.String() != strings.ToLower(s) || len(s) != len(k.String()) {
			t.Fatalf("ParseKind(%q) = %v, not a canonical name in some ASCII case", s, k)
		}
	})
}

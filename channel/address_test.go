package channel_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/parleyhq/parley/channel"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseAddress(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want channel.Address
	}{
		{"sms with formatting is normalised to E.164", "sms:+1 (415) 555-0100", channel.Address{Kind: channel.SMS, ID: "+14155550100"}},
		{"whatsapp E.164 stays", "whatsapp:+14155550100", channel.Address{Kind: channel.WhatsApp, ID: "+14155550100"}},
		{"voice with dots", "voice:+44.20.7946.0958", channel.Address{Kind: channel.Voice, ID: "+442079460958"}},
		{"kind name ignores case", "WhatsApp:+5511987654321", channel.Address{Kind: channel.WhatsApp, ID: "+5511987654321"}},
		{"email domain is lower-cased", "email:Ana.Silva@Example.COM", channel.Address{Kind: channel.Email, ID: "Ana.Silva@example.com"}},
		{"messenger psid", "messenger:24681357902468", channel.Address{Kind: channel.Messenger, ID: "24681357902468"}},
		{"webchat visitor id", "webchat:visitor-7f3a", channel.Address{Kind: channel.WebChat, ID: "visitor-7f3a"}},
		{"custom id may hold colons", "custom:crm:42", channel.Address{Kind: channel.Custom, ID: "crm:42"}},
		{"telegram unicode id", "telegram:ñandú", channel.Address{Kind: channel.Telegram, ID: "ñandú"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := channel.ParseAddress(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			again, err := channel.ParseAddress(got.String())
			require.NoError(t, err, "String must parse back")
			assert.Equal(t, got, again)
		})
	}
}

func TestParseAddressRefusals(t *testing.T) {
	tests := []struct {
		name string
		in   string
		is   error
	}{
		{"no kind", "+14155550100", channel.ErrInvalidAddress},
		{"unknown kind", "fax:+14155550100", channel.ErrUnknownKind},
		{"empty phone", "sms:", channel.ErrInvalidPhoneNumber},
		{"national number without region", "sms:415 555 0100", channel.ErrInvalidPhoneNumber},
		{"too short to be valid", "whatsapp:+1415", channel.ErrInvalidPhoneNumber},
		{"unassigned area code", "sms:+1 000 555 0100", channel.ErrInvalidPhoneNumber},
		{"letters", "sms:+1 800 FLOWERS", channel.ErrInvalidPhoneNumber},
		{"extension", "voice:+14155550100 ext 12", channel.ErrInvalidPhoneNumber},
		{"two plus signs", "sms:++14155550100", channel.ErrInvalidPhoneNumber},
		{"email with display name", "email:Ana <ana@example.com>", channel.ErrInvalidEmail},
		{"email without at", "email:ana.example.com", channel.ErrInvalidEmail},
		{"email with two addresses", "email:a@example.com,b@example.com", channel.ErrInvalidEmail},
		{"email quoted local part", `email:"a b"@example.com`, channel.ErrInvalidEmail},
		{"empty email", "email:", channel.ErrInvalidEmail},
		{"empty id", "messenger:", channel.ErrInvalidAddress},
		{"id with space", "webchat:visitor 1", channel.ErrInvalidAddress},
		{"id with control character", "custom:a\x00b", channel.ErrInvalidAddress},
		{"id with newline", "line:U123\n", channel.ErrInvalidAddress},
		{"invalid UTF-8", "custom:\xff", channel.ErrInvalidAddress},
		{"id too long", "custom:" + strings.Repeat("x", channel.MaxIDLength+1), channel.ErrInvalidAddress},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := channel.ParseAddress(tt.in)
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.is)
			assert.ErrorIs(t, err, channel.ErrInvalidAddress, "every refusal is an invalid address")
			assert.True(t, got.IsZero(), "a refusal returns the zero Address")
			var ae *channel.AddressError
			require.ErrorAs(t, err, &ae)
			assert.True(t, strings.HasPrefix(err.Error(), "channel: "), "message %q", err)
		})
	}
}

func TestIDAtLengthLimitAccepted(t *testing.T) {
	id := strings.Repeat("x", channel.MaxIDLength)
	a, err := channel.ParseAddress("custom:" + id)
	require.NoError(t, err)
	assert.Equal(t, id, a.ID)
}

func TestNewPhoneAddress(t *testing.T) {
	tests := []struct {
		name   string
		kind   channel.Kind
		raw    string
		region string
		want   string
		err    error
	}{
		{"national US number with region", channel.SMS, "(415) 555-0100", "US", "sms:+14155550100", nil},
		{"region ignores case", channel.WhatsApp, "020 7946 0958", "gb", "whatsapp:+442079460958", nil},
		{"international number ignores region", channel.Voice, "+55 11 98765-4321", "US", "voice:+5511987654321", nil},
		{"Brazilian mobile national form", channel.WhatsApp, "(11) 98765-4321", "BR", "whatsapp:+5511987654321", nil},
		{"not valid in region", channel.SMS, "555-0100", "US", "", channel.ErrInvalidPhoneNumber},
		{"non-phone kind", channel.Email, "+14155550100", "US", "", channel.ErrInvalidPhoneNumber},
		{"unknown region", channel.SMS, "4155550100", "XX", "", channel.ErrInvalidPhoneNumber},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := channel.NewPhoneAddress(tt.kind, tt.raw, tt.region)
			if tt.err != nil {
				assert.ErrorIs(t, err, tt.err)
				assert.True(t, got.IsZero())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.String())
		})
	}
}

func TestAddressZeroAndText(t *testing.T) {
	var zero channel.Address
	assert.True(t, zero.IsZero())
	assert.Equal(t, "", zero.String())

	a := channel.MustParseAddress("sms:+14155550100")
	assert.False(t, a.IsZero())
	b, err := a.MarshalText()
	require.NoError(t, err)
	assert.Equal(t, "sms:+14155550100", string(b))

	var back channel.Address
	require.NoError(t, back.UnmarshalText(b))
	assert.Equal(t, a, back)

	t.Run("bad text leaves the address unchanged", func(t *testing.T) {
		keep := a
		err := keep.UnmarshalText([]byte("sms:nope"))
		require.Error(t, err)
		assert.Equal(t, a, keep)
	})
	t.Run("invalid kind does not marshal", func(t *testing.T) {
		_, err := channel.Address{Kind: 99, ID: "x"}.MarshalText()
		assert.True(t, errors.Is(err, channel.ErrUnknownKind))
	})
	t.Run("MustParseAddress panics on a bad address", func(t *testing.T) {
		assert.Panics(t, func() { channel.MustParseAddress("sms:x") })
	})
}

func FuzzParseAddress(f *testing.F) {
	for _, s := range []string{"sms:+1 (415) 555-0100", "whatsapp:+14155550100", "email:Ana@Example.com",
		"messenger:123", "webchat:v 1", "email:a <b@c.d>", "custom:\xff", "x", "voice:+7 978 123 45 67"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := channel.ParseAddress(s)
		if err != nil {
			if !errors.Is(err, channel.ErrInvalidAddress) {
				t.Fatalf("ParseAddress(%q) error %v does not match ErrInvalidAddress", s, err)
			}
			if !a.IsZero() {
				t.Fatalf("ParseAddress(%q) failed but returned %#v", s, a)
			}
			return
		}
		if !a.Kind.Valid() || a.ID == "" {
			t.Fatalf("ParseAddress(%q) = %#v: invalid result", s, a)
		}
		b, err := channel.ParseAddress(a.String())
		if err != nil {
			t.Fatalf("ParseAddress(%q).String() = %q does not parse: %v", s, a.String(), err)
		}
		if b != a {
			t.Fatalf("not idempotent: %q -> %#v -> %#v", s, a, b)
		}
	})
}

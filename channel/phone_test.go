package channel_test

import (
	"testing"

	"github.com/parleyhq/parley/channel"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRegion(t *testing.T) {
	tests := []struct{ number, want string }{
		{"+14155550100", "US"},
		{"+14165550100", "CA"},
		{"+442079460958", "GB"},
		{"+5511987654321", "BR"},
		{"+18765550100", "JM"},
	}
	for _, tt := range tests {
		t.Run(tt.number, func(t *testing.T) {
			got, err := channel.Region(tt.number)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	t.Run("invalid number", func(t *testing.T) {
		_, err := channel.Region("+1415")
		assert.ErrorIs(t, err, channel.ErrInvalidPhoneNumber)
	})
}

func TestWhatsAppBlocked(t *testing.T) {
	tests := []struct {
		name   string
		number string
		want   bool
	}{
		{"Cuba", "+5352123456", true},
		{"Iran", "+989121234567", true},
		{"North Korea", "+85021234567", true},
		{"Syria", "+963944123456", true},
		{"Crimea mobile", "+79781234567", true},
		{"Crimea landline, Russian numbering", "+73652123456", true},
		{"Sevastopol landline, Russian numbering", "+78692123456", true},
		{"Crimea landline, Ukrainian numbering", "+380652123456", true},
		{"Sevastopol landline, Ukrainian numbering", "+380692123456", true},
		{"Moscow", "+74951234567", false},
		{"Kyiv", "+380441234567", false},
		{"Donetsk is not in the default list", "+79491234567", false},
		{"US", "+14155550100", false},
		{"not E.164", "5352123456", false},
		{"not digits", "+53abc", false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, channel.WhatsAppBlocked(tt.number))
			assert.Equal(t, tt.want, channel.DefaultWhatsAppBlockList().Blocked(tt.number))
		})
	}
}

func TestBlockList(t *testing.T) {
	l, err := channel.DefaultWhatsAppBlockList().With(channel.DonetskLuhanskPrefixes()...)
	require.NoError(t, err)
	assert.True(t, l.Blocked("+79491234567"), "Donetsk when added")
	assert.True(t, l.Blocked("+380721234567"), "Luhansk when added")
	assert.False(t, channel.DefaultWhatsAppBlockList().Blocked("+79491234567"), "With leaves the original unchanged")

	custom, err := channel.NewBlockList("+1 900", "44")
	require.NoError(t, err)
	assert.Equal(t, []string{"1900", "44"}, custom.Prefixes())
	assert.True(t, custom.Blocked("+19005550100"))
	assert.False(t, custom.Blocked("+5352123456"))

	p := custom.Prefixes()
	p[0] = "53"
	assert.False(t, custom.Blocked("+5352123456"), "Prefixes returns a copy")

	for _, bad := range []string{"", "+", "12a", "1234567890123456"} {
		_, err := channel.NewBlockList(bad)
		assert.ErrorIs(t, err, channel.ErrInvalidPhoneNumber, "prefix %q", bad)
	}
}

func TestMMSAllowed(t *testing.T) {
	tests := []struct {
		name     string
		from, to string
		want     bool
	}{
		{"US to US", "+14155550100", "+12125550100", true},
		{"US to CA", "+14155550100", "+14165550100", true},
		{"CA to US", "+14165550100", "+14155550100", true},
		{"US to GB", "+14155550100", "+442079460958", false},
		{"US to Jamaica (NANP, not US/CA)", "+14155550100", "+18765550100", false},
		{"invalid number", "+14155550100", "nope", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, channel.MMSAllowed(tt.from, tt.to))
		})
	}
}

func TestWhatsAppLink(t *testing.T) {
	tests := []struct{ in, want string }{
		{"+14155550100", "https://wa.me/14155550100"},
		{"+1 (415) 555-0100", "https://wa.me/14155550100"},
		{"+44 (0)20 7946 0958", "https://wa.me/442079460958"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := channel.WhatsAppLink(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	for _, bad := range []string{"", "4155550100", "+1415", "+1 800 FLOWERS", "wa.me/14155550100"} {
		t.Run("refuses "+bad, func(t *testing.T) {
			_, err := channel.WhatsAppLink(bad)
			assert.ErrorIs(t, err, channel.ErrInvalidPhoneNumber)
		})
	}
}

func TestMessengerLink(t *testing.T) {
	tests := []struct{ in, want string }{
		{"parleyhq", "https://m.me/parleyhq"},
		{"@parley.support", "https://m.me/parley.support"},
		{"104857600123", "https://m.me/104857600123"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := channel.MessengerLink(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	for _, bad := range []string{"", "abc", ".parley", "parley.", "par ley", "parley/x", "https://m.me/x", "123456789012345678901"} {
		t.Run("refuses "+bad, func(t *testing.T) {
			_, err := channel.MessengerLink(bad)
			assert.ErrorIs(t, err, channel.ErrInvalidPageName)
		})
	}
}

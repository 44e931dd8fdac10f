package channel_test

import (
	"testing"

	"github.com/parleyhq/parley/channel"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWhatsAppID(t *testing.T) {
	tests := []struct {
		name, in, want string // want "" means refused
	}{
		{"US number", "14155550100", "+14155550100"},
		{"German mobile", "4915112345678", "+4915112345678"},
		{"Indian mobile", "919876543210", "+919876543210"},
		{"Mexican legacy mobile ID drops the 1", "5215512345678", "+525512345678"},
		{"Mexican current number as is", "525512345678", "+525512345678"},
		{"Brazilian legacy 8-digit mobile gains the ninth digit", "551187654321", "+5511987654321"},
		{"Brazilian 9-digit mobile as is", "5511987654321", "+5511987654321"},
		{"Brazilian landline kept", "551133334444", "+551133334444"},
		{"plus sign refused", "+14155550100", ""},
		{"spaces refused", "1 415 555 0100", ""},
		{"dashes refused", "1-415-555-0100", ""},
		{"whatsapp prefix refused", "whatsapp:14155550100", ""},
		{"empty", "", ""},
		{"leading zero (national form)", "04155550100", ""},
		{"too long", "1415555010012345", ""},
		{"invalid number", "1555", ""},
		{"Arabic-Indic digits refused", "١٤١٥٥٥٥٠١٠٠", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := channel.WhatsAppID(tt.in)
			if tt.want == "" {
				require.Error(t, err)
				assert.ErrorIs(t, err, channel.ErrInvalidAddress)
				assert.ErrorIs(t, err, channel.ErrInvalidPhoneNumber)
				assert.True(t, a.IsZero(), "got %v with the error", a)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, channel.Address{Kind: channel.WhatsApp, ID: tt.want}, a)
		})
	}
}

// A WhatsApp ID that is accepted is a valid WhatsApp address, and the
// parser never panics.
func FuzzWhatsAppID(f *testing.F) {
	for _, s := range []string{"14155550100", "5215512345678", "551187654321", "+1", "", "0", "999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := channel.WhatsAppID(s)
		if err != nil {
			return
		}
		back, perr := channel.ParseAddress(a.String())
		if perr != nil || back != a {
			t.Fatalf("WhatsAppID(%q) = %v, which does not parse back (%v, %v)", s, a, back, perr)
		}
		if a.Kind != channel.WhatsApp {
			t.Fatalf("WhatsAppID(%q) kind %v", s, a.Kind)
		}
	})
}

// Messenger PSIDs and Instagram IGSIDs are opaque IDs: NewAddress takes
// them as they are, with no constructor of their own.
func TestNewAddressScopedIDs(t *testing.T) {
	for _, k := range []channel.Kind{channel.Messenger, channel.Instagram} {
		a, err := channel.NewAddress(k, "6543210987654321")
		require.NoError(t, err)
		assert.Equal(t, "6543210987654321", a.ID)
	}
}

package channel_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
)

// TestCheckText covers the text limits, counted in code points as the
// package documentation states: WhatsApp 4 096, Messenger 2 000,
// Instagram 1 000, SMS 1 600; none on e-mail, web chat and custom; voice
// carries no text.
func TestCheckText(t *testing.T) {
	tests := []struct {
		name   string
		kind   channel.Kind
		text   string
		length int // want a *TextTooLongError of this length; 0 for nil
	}{
		{"sms at 1 600", channel.SMS, strings.Repeat("a", 1600), 0},
		{"sms at 1 601", channel.SMS, strings.Repeat("a", 1601), 1601},
		{"sms 1 600 two-byte letters are 1 600 characters", channel.SMS, strings.Repeat("é", 1600), 0},
		{"sms 1 600 emoji are 1 600 characters, not UTF-16 units", channel.SMS, strings.Repeat("👋", 1600), 0},
		{"sms 1 601 emoji", channel.SMS, strings.Repeat("👋", 1601), 1601},
		{"whatsapp at 4 096", channel.WhatsApp, strings.Repeat("x", 4096), 0},
		{"whatsapp at 4 097", channel.WhatsApp, strings.Repeat("x", 4097), 4097},
		{"messenger at 2 001", channel.Messenger, strings.Repeat("x", 2001), 2001},
		{"instagram at 1 000", channel.Instagram, strings.Repeat("ж", 1000), 0},
		{"instagram at 1 001", channel.Instagram, strings.Repeat("ж", 1001), 1001},
		{"e-mail has no limit", channel.Email, strings.Repeat("x", 100_000), 0},
		{"web chat has no limit", channel.WebChat, strings.Repeat("x", 100_000), 0},
		{"empty text fits", channel.SMS, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			caps := tt.kind.Capabilities()
			err := caps.CheckText(tt.text)
			if tt.length == 0 {
				assert.NoError(t, err)
				return
			}
			var te *channel.TextTooLongError
			require.ErrorAs(t, err, &te)
			assert.ErrorIs(t, err, channel.ErrTextTooLong)
			assert.Equal(t, channel.TextTooLongError{Kind: tt.kind, Limit: caps.MaxText, Length: tt.length}, *te)
			assert.True(t, strings.HasPrefix(err.Error(), "channel: "+tt.kind.String()+" text of "), "got %q", err)
		})
	}
	t.Run("voice carries no text", func(t *testing.T) {
		err := channel.Voice.Capabilities().CheckText("hello")
		assert.ErrorIs(t, err, channel.ErrNoText)
		assert.False(t, errors.Is(err, channel.ErrTextTooLong))
	})
	t.Run("a host's own limit", func(t *testing.T) {
		caps := channel.Email.Capabilities()
		caps.MaxText = 5
		assert.NoError(t, caps.CheckText("héllo"))
		assert.ErrorIs(t, caps.CheckText("héllo!"), channel.ErrTextTooLong)
	})
}

func TestTextLength(t *testing.T) {
	tests := []struct {
		text string
		want int
	}{
		{"", 0},
		{"hello", 5},
		{"héllo", 5},
		{"e\u0301", 2}, // a letter and its combining accent
		{"👋", 1},
		{"🇪🇸", 2}, // a flag is two regional indicators
		{"\xff", 1},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			assert.Equal(t, tt.want, channel.TextLength(tt.text))
		})
	}
}

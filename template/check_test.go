package template_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/template"
)

// TestCheck: a rendered text is measured against the channel's text limit,
// with the SMS encoding and segments reported.
func TestCheck(t *testing.T) {
	tests := []struct {
		name     string
		kind     channel.Kind
		text     string
		fits     bool
		max      int
		segments int
		encoding channel.Encoding
		summary  string
	}{
		{"short SMS in GSM-7", channel.SMS, "Hi Ana, see you soon.", true, 1600, 1, channel.GSM7, "1 SMS, GSM-7"},
		{"161 GSM-7 characters take 2 segments", channel.SMS, strings.Repeat("a", 161), true, 1600, 2, channel.GSM7, "2 SMS, GSM-7"},
		{"an emoji makes it UCS-2", channel.SMS, "Hola 👋", true, 1600, 1, channel.UCS2, "1 SMS, UCS-2"},
		{"71 UCS-2 units take 2 segments", channel.SMS, strings.Repeat("д", 71), true, 1600, 2, channel.UCS2, "2 SMS, UCS-2"},
		{"SMS over 1 600 characters", channel.SMS, strings.Repeat("a", 1601), false, 1600, 11, channel.GSM7, "11 SMS, GSM-7 (too long)"},
		{"WhatsApp at its limit", channel.WhatsApp, strings.Repeat("é", 4096), true, 4096, 0, 0, "4096/4096 characters"},
		{"WhatsApp over its limit", channel.WhatsApp, strings.Repeat("x", 4097), false, 4096, 0, 0, "4097/4096 characters (too long)"},
		{"Messenger over 2 000", channel.Messenger, strings.Repeat("x", 2001), false, 2000, 0, 0, "2001/2000 characters (too long)"},
		{"Instagram at 1 000", channel.Instagram, strings.Repeat("x", 1000), true, 1000, 0, 0, "1000/1000 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := template.Check(tt.kind, tt.text)
			assert.Equal(t, tt.fits, f.Fits, "fits")
			assert.Equal(t, tt.max, f.Max, "max")
			assert.Equal(t, tt.segments, f.SMS.Segments, "segments")
			assert.Equal(t, tt.encoding, f.SMS.Encoding, "encoding")
			assert.Equal(t, tt.summary, f.String())
			if tt.fits {
				assert.NoError(t, f.Err())
			} else {
				var te *template.TooLongError
				require.ErrorAs(t, f.Err(), &te)
				assert.ErrorIs(t, f.Err(), template.ErrTooLong)
				assert.Equal(t, tt.max, te.Limit)
				assert.Equal(t, tt.kind, te.Kind)
				assert.Equal(t, f.Length, te.Length)
				var ce *channel.TextTooLongError
				assert.ErrorAs(t, f.Err(), &ce, "the channel's error, the rule living once")
				assert.ErrorIs(t, f.Err(), channel.ErrTextTooLong)
			}
		})
	}
	t.Run("voice carries no text", func(t *testing.T) {
		f := template.Check(channel.Voice, "hello")
		assert.False(t, f.Fits)
		assert.ErrorIs(t, f.Err(), template.ErrNoText)
		assert.Equal(t, "voice carries no text", f.String())
	})
	t.Run("segments agree with SplitSMS", func(t *testing.T) {
		text := strings.Repeat("Olá {x} ", 40)
		assert.Equal(t, len(channel.SplitSMS(text)), template.Check(channel.SMS, text).SMS.Segments)
	})
}

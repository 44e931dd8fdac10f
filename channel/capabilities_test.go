package channel_test

import (
	"testing"
	"time"

	"github.com/parleyhq/parley/channel"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCapabilitiesFacts(t *testing.T) {
	tests := []struct {
		kind              channel.Kind
		text              bool
		maxText           int
		attachments       bool
		voiceNotes        bool
		templateOutside   bool
		businessInitiated bool
	}{
		{channel.WhatsApp, true, 4096, true, true, true, true},
		{channel.SMS, true, 1600, true, false, false, true},
		{channel.Messenger, true, 2000, true, true, false, false},
		{channel.Instagram, true, 1000, true, true, false, false},
		{channel.Telegram, true, 4096, true, true, false, false},
		{channel.LINE, true, 5000, true, true, false, true},
		{channel.WebChat, true, 0, true, false, false, false},
		{channel.Email, true, 0, true, false, false, true},
		{channel.Voice, false, 0, false, false, false, true},
		{channel.Custom, true, 0, true, true, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.kind.String(), func(t *testing.T) {
			c := tt.kind.Capabilities()
			assert.Equal(t, tt.kind, c.Kind)
			assert.Equal(t, tt.text, c.Text, "Text")
			assert.Equal(t, tt.maxText, c.MaxText, "MaxText")
			assert.Equal(t, tt.attachments, c.Attachments(), "Attachments")
			assert.Equal(t, tt.voiceNotes, c.VoiceNotes, "VoiceNotes")
			assert.Equal(t, tt.templateOutside, c.TemplateOutsideWindow, "TemplateOutsideWindow")
			assert.Equal(t, tt.businessInitiated, c.BusinessInitiated, "BusinessInitiated")
			if c.Attachments() {
				assert.Equal(t, 5*time.Minute, c.MaxVoiceNote, "voice notes are at most 5 minutes")
			}
		})
	}
}

func TestCapabilitiesMediaLimits(t *testing.T) {
	tests := []struct {
		name  string
		kind  channel.Kind
		media channel.MediaType
		max   int64
	}{
		{"whatsapp image 5 MB", channel.WhatsApp, channel.Image, 5 * channel.MB},
		{"whatsapp audio 16 MB", channel.WhatsApp, channel.Audio, 16 * channel.MB},
		{"whatsapp video 16 MB", channel.WhatsApp, channel.Video, 16 * channel.MB},
		{"whatsapp document 100 MB", channel.WhatsApp, channel.Document, 100 * channel.MB},
		{"whatsapp sticker 100 KB", channel.WhatsApp, channel.Sticker, 100 * channel.KB},
		{"messenger file 25 MB", channel.Messenger, channel.Document, 25 * channel.MB},
		{"messenger image 25 MB", channel.Messenger, channel.Image, 25 * channel.MB},
		{"instagram image 8 MB", channel.Instagram, channel.Image, 8 * channel.MB},
		{"instagram audio 25 MB", channel.Instagram, channel.Audio, 25 * channel.MB},
		{"instagram video 25 MB", channel.Instagram, channel.Video, 25 * channel.MB},
		{"instagram pdf 25 MB", channel.Instagram, channel.Document, 25 * channel.MB},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, ok := tt.kind.Capabilities().Rule(tt.media)
			require.True(t, ok)
			assert.Equal(t, tt.max, r.MaxBytes)
		})
	}
	t.Run("whatsapp animated sticker 500 KB", func(t *testing.T) {
		r, ok := channel.WhatsApp.Capabilities().Rule(channel.Sticker)
		require.True(t, ok)
		assert.Equal(t, 500*channel.KB, r.MaxAnimatedBytes)
	})
	t.Run("email 25 MB in total", func(t *testing.T) {
		assert.Equal(t, 25*channel.MB, channel.Email.Capabilities().MaxTotalAttachmentBytes)
	})
	t.Run("MMS only between US and CA", func(t *testing.T) {
		assert.True(t, channel.SMS.Capabilities().AttachmentsUSCAOnly)
	})
	t.Run("line carries no documents", func(t *testing.T) {
		_, ok := channel.LINE.Capabilities().Rule(channel.Document)
		assert.False(t, ok)
	})
}

func TestCapabilitiesAreCopies(t *testing.T) {
	c := channel.WhatsApp.Capabilities()
	c.Media[0].MaxBytes = 1
	c.Media[0].MIMETypes[0] = "changed"
	fresh := channel.WhatsApp.Capabilities()
	assert.Equal(t, 5*channel.MB, fresh.Media[0].MaxBytes)
	assert.Equal(t, "image/jpeg", fresh.Media[0].MIMETypes[0])
}

func TestCapabilitiesInvalidKind(t *testing.T) {
	c := channel.Kind(0).Capabilities()
	assert.False(t, c.Text)
	assert.False(t, c.Attachments())
	assert.Equal(t, "media(0)", channel.MediaType(0).String())
	assert.Equal(t, "sticker", channel.Sticker.String())
}

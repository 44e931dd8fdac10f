package channel_test

import (
	"testing"
	"time"

	"github.com/parleyhq/parley/channel"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	usA = "+14155550100"
	usB = "+12125550100"
	gb  = "+442079460958"
)

func TestValidateAttachments(t *testing.T) {
	mb := channel.MB
	tests := []struct {
		name string
		kind channel.Kind
		to   string
		atts []channel.Attachment
		err  error
	}{
		{"no attachments on voice is fine", channel.Voice, "", nil, nil},
		{"whatsapp jpeg at 5 MB", channel.WhatsApp, "", []channel.Attachment{{Name: "a.jpg", MIMEType: "image/jpeg", Size: 5 * mb}}, nil},
		{"whatsapp jpeg over 5 MB", channel.WhatsApp, "", []channel.Attachment{{Name: "a.jpg", MIMEType: "image/jpeg", Size: 5*mb + 1}}, channel.ErrAttachmentTooLarge},
		{"whatsapp gif not allowed", channel.WhatsApp, "", []channel.Attachment{{Name: "a.gif", MIMEType: "image/gif", Size: 10}}, channel.ErrAttachmentType},
		{"whatsapp pdf at 100 MB", channel.WhatsApp, "", []channel.Attachment{{Name: "a.pdf", MIMEType: "application/pdf", Size: 100 * mb}}, nil},
		{"whatsapp mime parameters ignored", channel.WhatsApp, "", []channel.Attachment{{Name: "v.ogg", MIMEType: "Audio/OGG; codecs=opus", Size: mb}}, nil},
		{"whatsapp extension when MIME empty", channel.WhatsApp, "", []channel.Attachment{{Name: "clip.MP4", Size: mb}}, nil},
		{"whatsapp video over 16 MB", channel.WhatsApp, "", []channel.Attachment{{Name: "v.mp4", MIMEType: "video/mp4", Size: 16*mb + 1}}, channel.ErrAttachmentTooLarge},
		{"whatsapp static sticker over 100 KB", channel.WhatsApp, "", []channel.Attachment{{Name: "s.webp", MIMEType: "image/webp", Size: 101 * channel.KB}}, channel.ErrAttachmentTooLarge},
		{"whatsapp animated sticker at 500 KB", channel.WhatsApp, "", []channel.Attachment{{Name: "s.webp", MIMEType: "image/webp", Size: 500 * channel.KB, Animated: true}}, nil},
		{"whatsapp one media per message", channel.WhatsApp, "", []channel.Attachment{{Name: "a.jpg", Size: 1}, {Name: "b.jpg", Size: 1}}, channel.ErrTooManyAttachments},
		{"whatsapp voice note at 5 minutes", channel.WhatsApp, "", []channel.Attachment{{Name: "v.ogg", MIMEType: "audio/ogg", Size: mb, VoiceNote: true, Duration: 5 * time.Minute}}, nil},
		{"whatsapp voice note over 5 minutes", channel.WhatsApp, "", []channel.Attachment{{Name: "v.ogg", MIMEType: "audio/ogg", Size: mb, VoiceNote: true, Duration: 5*time.Minute + time.Second}}, channel.ErrVoiceNoteTooLong},
		{"messenger any file at 25 MB", channel.Messenger, "", []channel.Attachment{{Name: "a.zip", MIMEType: "application/zip", Size: 25 * mb}}, nil},
		{"messenger over 25 MB", channel.Messenger, "", []channel.Attachment{{Name: "a.zip", MIMEType: "application/zip", Size: 25*mb + 1}}, channel.ErrAttachmentTooLarge},
		{"instagram image over 8 MB", channel.Instagram, "", []channel.Attachment{{Name: "a.png", MIMEType: "image/png", Size: 8*mb + 1}}, channel.ErrAttachmentTooLarge},
		{"instagram pdf at 25 MB", channel.Instagram, "", []channel.Attachment{{Name: "a.pdf", Size: 25 * mb}}, nil},
		{"instagram docx not allowed", channel.Instagram, "", []channel.Attachment{{Name: "a.docx", Size: 1}}, channel.ErrAttachmentType},
		{"email allowed extensions within 25 MB", channel.Email, "", []channel.Attachment{{Name: "a.pdf", Size: 10 * mb}, {Name: "b.xlsx", Size: 10 * mb}, {Name: "c.eml", Size: 5 * mb}}, nil},
		{"email over 25 MB in total", channel.Email, "", []channel.Attachment{{Name: "a.pdf", Size: 20 * mb}, {Name: "b.csv", Size: 5*mb + 1}}, channel.ErrAttachmentsTooLarge},
		{"email exe not allowed", channel.Email, "", []channel.Attachment{{Name: "setup.exe", Size: 1}}, channel.ErrAttachmentType},
		{"email voice note goes as file by extension", channel.Email, "", []channel.Attachment{{Name: "note.mp3", Size: mb, VoiceNote: true, Duration: time.Minute}}, nil},
		{"MMS between US numbers", channel.SMS, usB, []channel.Attachment{{Name: "a.jpg", MIMEType: "image/jpeg", Size: mb}}, nil},
		{"MMS to GB refused", channel.SMS, gb, []channel.Attachment{{Name: "a.jpg", MIMEType: "image/jpeg", Size: mb}}, channel.ErrMMSNotAllowed},
		{"MMS over 5 MB in total", channel.SMS, usB, []channel.Attachment{{Name: "a.jpg", Size: 3 * mb}, {Name: "b.jpg", Size: 3 * mb}}, channel.ErrAttachmentsTooLarge},
		{"voice carries no attachments", channel.Voice, "", []channel.Attachment{{Name: "a.jpg", Size: 1}}, channel.ErrAttachmentsNotAllowed},
		{"negative size", channel.Custom, "", []channel.Attachment{{Name: "a.jpg", Size: -1}}, channel.ErrInvalidAttachment},
		{"neither name nor type", channel.Custom, "", []channel.Attachment{{Size: 1}}, channel.ErrInvalidAttachment},
		{"line has no files", channel.LINE, "", []channel.Attachment{{Name: "a.pdf", MIMEType: "application/pdf", Size: 1}}, channel.ErrAttachmentType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := channel.ValidateAttachments(tt.kind, usA, tt.to, tt.atts)
			if tt.err == nil {
				assert.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.err)
			var ae *channel.AttachmentError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tt.kind, ae.Kind)
			assert.Contains(t, err.Error(), "channel: "+tt.kind.String())
		})
	}
}

func TestAttachmentErrorFacts(t *testing.T) {
	err := channel.ValidateAttachments(channel.WhatsApp, "", "", []channel.Attachment{{Name: "photo.jpg", MIMEType: "image/jpeg", Size: 6 * channel.MB}})
	var ae *channel.AttachmentError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "photo.jpg", ae.Name)
	assert.Equal(t, 5*channel.MB, ae.Limit)
	assert.Equal(t, 6*channel.MB, ae.Actual)
	assert.Equal(t, `channel: whatsapp: attachment "photo.jpg": 6 MB, over the 5 MB limit for image`, err.Error())

	err = channel.ValidateAttachments(channel.WhatsApp, "", "", []channel.Attachment{{Name: "v.ogg", MIMEType: "audio/ogg", VoiceNote: true, Duration: 6 * time.Minute}})
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 5*time.Minute, ae.MaxDuration)
	assert.Equal(t, 6*time.Minute, ae.Duration)
}

func TestVoiceNoteForm(t *testing.T) {
	tests := []struct {
		kind channel.Kind
		want channel.VoiceNoteForm
	}{
		{channel.WhatsApp, channel.AsVoiceNote},
		{channel.Messenger, channel.AsVoiceNote},
		{channel.Telegram, channel.AsVoiceNote},
		{channel.SMS, channel.AsFile},
		{channel.Email, channel.AsFile},
		{channel.WebChat, channel.AsFile},
		{channel.Voice, channel.VoiceNoteRefused},
	}
	for _, tt := range tests {
		t.Run(tt.kind.String(), func(t *testing.T) {
			assert.Equal(t, tt.want, tt.kind.VoiceNoteForm())
		})
	}
	assert.Equal(t, "voice_note", channel.AsVoiceNote.String())
	assert.Equal(t, "file", channel.AsFile.String())
	assert.Equal(t, "refused", channel.VoiceNoteRefused.String())
}

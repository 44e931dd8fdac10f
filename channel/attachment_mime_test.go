package channel_test

import (
	"mime"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/parleyhq/parley/channel"
)

// emailTypes maps the 23 e-mail attachment extensions channel allows to
// their registered MIME types.
var emailTypes = []struct{ ext, mime string }{
	{".doc", "application/msword"},
	{".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
	{".xls", "application/vnd.ms-excel"},
	{".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	{".ppt", "application/vnd.ms-powerpoint"},
	{".pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
	{".pdf", "application/pdf"},
	{".jpg", "image/jpeg"},
	{".jpeg", "image/jpeg"},
	{".png", "image/png"},
	{".gif", "image/gif"},
	{".txt", "text/plain"},
	{".bmp", "image/bmp"},
	{".html", "text/html"},
	{".htm", "text/html"},
	{".mp4", "video/mp4"},
	{".mp3", "audio/mpeg"},
	{".avi", "video/x-msvideo"},
	{".mov", "video/quicktime"},
	{".ods", "application/vnd.oasis.opendocument.spreadsheet"},
	{".csv", "text/csv"},
	{".msg", "application/vnd.ms-outlook"},
	{".eml", "message/rfc822"},
}

// TestAttachmentByMIMEType: e-mail and web chat accept a file known only by
// the MIME type of one of the allowed e-mail extensions, as they accept it by
// its name; other types without a name stay refused.
func TestAttachmentByMIMEType(t *testing.T) {
	for _, k := range []channel.Kind{channel.Email, channel.WebChat} {
		for _, tt := range emailTypes {
			t.Run(k.String()+" "+tt.ext+" as "+tt.mime, func(t *testing.T) {
				caps := k.Capabilities()
				assert.NoError(t, caps.CheckAttachments("", "", []channel.Attachment{{MIMEType: tt.mime, Size: 1}}), "by type")
				assert.NoError(t, caps.CheckAttachments("", "", []channel.Attachment{{MIMEType: tt.mime + "; charset=utf-8", Size: 1}}), "with a parameter")
				assert.NoError(t, caps.CheckAttachments("", "", []channel.Attachment{{Name: "file" + tt.ext, Size: 1}}), "by name")
			})
		}
		t.Run(k.String()+" refuses other types", func(t *testing.T) {
			for _, m := range []string{"application/x-msdownload", "application/octet-stream", "application/zip", "image/svg+xml"} {
				err := k.Capabilities().CheckAttachments("", "", []channel.Attachment{{MIMEType: m, Size: 1}})
				assert.ErrorIs(t, err, channel.ErrAttachmentType, m)
			}
		})
	}
	t.Run("web chat also takes browser audio by type", func(t *testing.T) {
		for _, m := range []string{"audio/ogg", "audio/webm", "audio/mp4", "audio/wav", "image/webp"} {
			assert.NoError(t, channel.WebChat.Capabilities().CheckAttachments("", "", []channel.Attachment{{MIMEType: m, Size: 1}}), m)
			assert.ErrorIs(t, channel.Email.Capabilities().CheckAttachments("", "", []channel.Attachment{{MIMEType: m, Size: 1}}), channel.ErrAttachmentType, m)
		}
	})
}

// TestEmailTypesAgreeWithMime: wherever Go's mime package (with this
// system's tables) knows one of the extensions, e-mail accepts the type it
// gives.
func TestEmailTypesAgreeWithMime(t *testing.T) {
	for _, tt := range emailTypes {
		m := mime.TypeByExtension(tt.ext)
		if m == "" {
			continue
		}
		mt, _, err := mime.ParseMediaType(m)
		if assert.NoError(t, err, tt.ext) {
			err = channel.Email.Capabilities().CheckAttachments("", "", []channel.Attachment{{MIMEType: mt, Size: 1}})
			assert.NoError(t, err, "%s is %s to package mime", tt.ext, mt)
		}
	}
}

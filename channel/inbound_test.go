package channel_test

import (
	"math"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
)

func TestInboundText(t *testing.T) {
	tests := []struct {
		name string
		text string
		want string
		err  error
	}{
		{"plain", "Hello", "Hello", nil},
		{"empty", "", "", nil},
		{"line breaks and tabs kept", "a\r\nb\tc\n", "a\r\nb\tc\n", nil},
		{"other control characters kept", "a\x1bb\x7f", "a\x1bb\x7f", nil},
		{"invalid byte repaired", "caf\xe9", "caf\ufffd", nil},
		{"a run of invalid bytes is one U+FFFD", "a\xff\xfe\xfdb", "a\ufffdb", nil},
		{"truncated sequence repaired", "ok\xe2\x82", "ok\ufffd", nil},
		{"exactly the limit", strings.Repeat("ß", channel.MaxInboundText), strings.Repeat("ß", channel.MaxInboundText), nil},
		{"one character over", strings.Repeat("a", channel.MaxInboundText+1), "", channel.ErrOverLimit},
		{"NUL dropped", "STOP\x00", "STOP", nil},
		{"NUL dropped after repair", "\xff\x00a\x00", "\ufffda", nil},
		{"NULs do not count to the limit", strings.Repeat("a", channel.MaxInboundText) + "\x00", strings.Repeat("a", channel.MaxInboundText), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := channel.InboundText("Text", tt.text)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				var fe *channel.FieldError
				require.ErrorAs(t, err, &fe)
				assert.Equal(t, "Text", fe.Field)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestCheckNameAndToken(t *testing.T) {
	tests := []struct {
		name  string
		check func(field, s string, limit int) error
		s     string
		limit int
		err   error
		size  int64
	}{
		{"name", channel.CheckName, "Ana María", 256, nil, 0},
		{"empty name", channel.CheckName, "", 256, nil, 0},
		{"name of the limit in characters", channel.CheckName, strings.Repeat("é", 256), 256, nil, 0},
		{"name over the limit", channel.CheckName, strings.Repeat("é", 257), 256, channel.ErrOverLimit, 257},
		{"name with NUL", channel.CheckName, "Ana\x00", 256, channel.ErrBadCharacter, 3},
		{"name with a line break", channel.CheckName, "Ana\nBo", 256, channel.ErrBadCharacter, 3},
		{"name with an escape", channel.CheckName, "\x1b[31mAna", 256, channel.ErrBadCharacter, 0},
		{"name with DEL", channel.CheckName, "A\x7f", 256, channel.ErrBadCharacter, 1},
		{"name with a C1 control", channel.CheckName, "A\u0085", 256, channel.ErrBadCharacter, 1},
		{"name with invalid UTF-8", channel.CheckName, "Ana\xc3", 256, channel.ErrBadCharacter, 3},
		{"token", channel.CheckToken, "wamid.HBgLMTQxNTU1NTAxMDA=", 256, nil, 0},
		{"token of the limit in bytes", channel.CheckToken, strings.Repeat("é", 128), 256, nil, 0},
		{"token over the limit in bytes", channel.CheckToken, strings.Repeat("é", 129), 256, channel.ErrOverLimit, 258},
		{"token with NUL", channel.CheckToken, "id\x00", 256, channel.ErrBadCharacter, 2},
		{"token with invalid UTF-8", channel.CheckToken, "\xffid", 256, channel.ErrBadCharacter, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.check("F", tt.s, tt.limit)
			if tt.err == nil {
				assert.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.err)
			var fe *channel.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, "F", fe.Field)
			assert.Equal(t, tt.size, fe.Size)
			if tt.err == channel.ErrOverLimit {
				assert.Equal(t, int64(tt.limit), fe.Limit)
			}
		})
	}
}

func TestMaxFileBytes(t *testing.T) {
	tests := []struct {
		kind channel.Kind
		want int64
	}{
		{channel.WhatsApp, 100 * channel.MB},
		{channel.SMS, 5 * channel.MB},
		{channel.Telegram, 50 * channel.MB},
		{channel.LINE, 200 * channel.MB},
		{channel.Email, 25 * channel.MB},
		{channel.Custom, channel.MaxAttachmentBytes},
		{channel.Voice, channel.MaxAttachmentBytes},
	}
	for _, tt := range tests {
		t.Run(tt.kind.String(), func(t *testing.T) {
			assert.Equal(t, tt.want, tt.kind.Capabilities().MaxFileBytes())
		})
	}
}

func TestCheckInboundAttachments(t *testing.T) {
	pdf := channel.Attachment{Name: "a.pdf", MIMEType: "application/pdf", Size: 1000}
	with := func(f func(*channel.Attachment)) []channel.Attachment {
		a := pdf
		f(&a)
		return []channel.Attachment{a}
	}
	tests := []struct {
		name  string
		atts  []channel.Attachment
		err   error
		field string
	}{
		{"none", nil, nil, ""},
		{"one", []channel.Attachment{pdf}, nil, ""},
		{"a type the business may not send is kept", with(func(a *channel.Attachment) { a.Name, a.MIMEType = "a.exe", "application/x-msdownload" }), nil, ""},
		{"no name nor type", []channel.Attachment{{Size: 1}}, nil, ""},
		{"size 0", with(func(a *channel.Attachment) { a.Size = 0 }), nil, ""},
		{"the largest file", with(func(a *channel.Attachment) { a.Size = 100 * channel.MB }), nil, ""},
		{"the limit of attachments", make([]channel.Attachment, channel.MaxInboundAttachments), nil, ""},
		{"one attachment too many", make([]channel.Attachment, channel.MaxInboundAttachments+1), channel.ErrOverLimit, "Attachments"},
		{"size -1", with(func(a *channel.Attachment) { a.Size = -1 }), channel.ErrInvalidAttachment, "Attachments[0].Size"},
		{"size MaxInt64", with(func(a *channel.Attachment) { a.Size = math.MaxInt64 }), channel.ErrOverLimit, "Attachments[0].Size"},
		{"one byte over the largest file", with(func(a *channel.Attachment) { a.Size = 100*channel.MB + 1 }), channel.ErrOverLimit, "Attachments[0].Size"},
		{"negative duration", with(func(a *channel.Attachment) { a.Duration = -1 }), channel.ErrInvalidAttachment, "Attachments[0].Duration"},
		{"name over the limit", with(func(a *channel.Attachment) { a.Name = strings.Repeat("a", channel.MaxNameLength+1) }), channel.ErrOverLimit, "Attachments[0].Name"},
		{"name with NUL", with(func(a *channel.Attachment) { a.Name = "a\x00.pdf" }), channel.ErrBadCharacter, "Attachments[0].Name"},
		{"MIME type with CR LF", with(func(a *channel.Attachment) { a.MIMEType = "application/pdf\r\n" }), channel.ErrBadCharacter, "Attachments[0].MIMEType"},
		{"MIME type over the limit", with(func(a *channel.Attachment) { a.MIMEType = strings.Repeat("x", channel.MaxIDLength+1) }), channel.ErrOverLimit, "Attachments[0].MIMEType"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := channel.WhatsApp.Capabilities().CheckInboundAttachments(tt.atts)
			if tt.err == nil {
				assert.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.err)
			var fe *channel.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tt.field, fe.Field)
		})
	}
}

func TestInboundTextAllocs(t *testing.T) {
	text := strings.Repeat("Grüße aus München! ", 50)
	allocs := testing.AllocsPerRun(100, func() { _, _ = channel.InboundText("Text", text) })
	assert.Zero(t, allocs, "allocations per InboundText on valid text")
}

// FuzzInboundText checks that InboundText never panics and that what it
// accepts is stored safely: valid UTF-8, no NUL, within the limit, and
// unchanged by a second pass; valid text without NUL is kept as it is.
func FuzzInboundText(f *testing.F) {
	for _, s := range []string{"", "hi", "STOP\x00", "caf\xe9", "\xff\xfe", "a\r\n\tb", "\xe2\x82", strings.Repeat("é", 10)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		got, err := channel.InboundText("Text", text)
		if err != nil {
			return
		}
		if !utf8.ValidString(got) || strings.IndexByte(got, 0) >= 0 || utf8.RuneCountInString(got) > channel.MaxInboundText {
			t.Fatalf("InboundText(%q) = %q: not safe to store", text, got)
		}
		if again, err := channel.InboundText("Text", got); err != nil || again != got {
			t.Fatalf("InboundText(%q) = %q, %v: not a fixed point", got, again, err)
		}
		if utf8.ValidString(text) && strings.IndexByte(text, 0) < 0 && got != text {
			t.Fatalf("InboundText(%q) = %q: valid text changed", text, got)
		}
	})
}

// FuzzCheckName checks that CheckName and CheckToken never panic and
// accept only valid UTF-8 without control characters, within the limit.
func FuzzCheckName(f *testing.F) {
	for _, s := range []string{"", "Ana", "Ana\x00", "\x1b", "\u0085", "\xc3", "wamid.1", strings.Repeat("é", 20)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		safe := func() bool {
			if !utf8.ValidString(s) {
				return false
			}
			for _, r := range s {
				if unicode.IsControl(r) {
					return false
				}
			}
			return true
		}()
		if err := channel.CheckName("Name", s, 16); (err == nil) != (safe && utf8.RuneCountInString(s) <= 16) {
			t.Fatalf("CheckName(%q) = %v", s, err)
		}
		if err := channel.CheckToken("ID", s, 16); (err == nil) != (safe && len(s) <= 16) {
			t.Fatalf("CheckToken(%q) = %v", s, err)
		}
	})
}

package channel

import (
	"errors"
	"fmt"
	"time"
)

// Byte sizes used by the capability tables.
const (
	KB int64 = 1 << 10 // a kibibyte: providers' "KB" limits are binary
	MB int64 = 1 << 20 // a mebibyte: providers' "MB" limits are binary
)

// MaxVoiceNote is the longest voice note parley sends, on every kind that
// carries one: 5 minutes.
const MaxVoiceNote = 5 * time.Minute

// MaxSMSText is the longest SMS body in characters (Unicode code points)
// that providers accept: 1 600, Twilio's limit. A longer body is refused,
// never truncated.
const MaxSMSText = 1600

// MediaType is the class of an attachment, as providers sort them.
type MediaType uint8

// The media types. A voice note is Audio with [Attachment.VoiceNote] set.
const (
	Image MediaType = iota + 1
	Audio
	Video
	Document
	Sticker
)

var mediaTypeNames = [...]string{
	Image:    "image",
	Audio:    "audio",
	Video:    "video",
	Document: "document",
	Sticker:  "sticker",
}

// ErrUnknownMediaType is returned for a media type name or value that is not
// one of the constants. Check it with errors.Is.
var ErrUnknownMediaType = errors.New("channel: unknown media type")

// Valid reports whether m is one of the declared media types.
func (m MediaType) Valid() bool { return m >= Image && m <= Sticker }

// String returns the media type's lower-case name, such as "image", or
// "media(N)" for an invalid value.
func (m MediaType) String() string {
	if !m.Valid() {
		return fmt.Sprintf("media(%d)", uint8(m))
	}
	return mediaTypeNames[m]
}

// ParseMediaType returns the media type named s ("image", "audio", "video",
// "document", "sticker"), ignoring ASCII case. Other text fails with an
// error matching [ErrUnknownMediaType].
func ParseMediaType(s string) (MediaType, error) {
	if i, ok := lookupName(mediaTypeNames[:], s); ok {
		return MediaType(i), nil
	}
	return 0, fmt.Errorf("%w: %q", ErrUnknownMediaType, s)
}

// MarshalText encodes the media type as its name; an invalid value is an
// error matching [ErrUnknownMediaType].
func (m MediaType) MarshalText() ([]byte, error) {
	if !m.Valid() {
		return nil, fmt.Errorf("%w: %d", ErrUnknownMediaType, uint8(m))
	}
	return []byte(mediaTypeNames[m]), nil
}

// UnmarshalText decodes a name as [ParseMediaType] reads it. On error m is
// unchanged.
func (m *MediaType) UnmarshalText(b []byte) error {
	v, err := ParseMediaType(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// MediaRule says which files of one media type a kind accepts and how large
// each may be.
type MediaRule struct {
	// Type is the media class the rule covers.
	Type MediaType
	// MIMETypes lists accepted MIME types in lower case, without parameters.
	// A type ending in "/*" accepts its whole family ("image/*"). When both
	// MIMETypes and Extensions are empty, any file is accepted.
	MIMETypes []string
	// Extensions lists accepted file-name extensions in lower case with the
	// dot (".pdf"), used when an attachment's MIME type is empty or unknown.
	Extensions []string
	// MaxBytes is the largest file accepted; 0 means no per-file limit.
	MaxBytes int64
	// MaxAnimatedBytes is the limit for animated files when it differs from
	// MaxBytes (WhatsApp stickers: 100 KB static, 500 KB animated); 0 means
	// MaxBytes applies.
	MaxAnimatedBytes int64
}

// Capabilities are what one channel kind can carry. Obtain them with
// [Kind.Capabilities]; each call returns a fresh copy that the caller may
// change (for a host's own limits) without affecting anyone else.
type Capabilities struct {
	// Kind is the kind these capabilities describe.
	Kind Kind
	// Text reports whether the kind carries text messages at all (a voice
	// call does not).
	Text bool
	// MaxText is the longest text in characters (Unicode code points); 0
	// means no limit.
	MaxText int
	// Media lists the accepted attachments per media type. Empty means the
	// kind carries no attachments.
	Media []MediaRule
	// MaxAttachments is the most attachments one message may carry; 0 means
	// no limit. Hosts send more as several messages.
	MaxAttachments int
	// MaxTotalAttachmentBytes caps the sum of one message's attachments; 0
	// means no limit beyond the per-file ones.
	MaxTotalAttachmentBytes int64
	// AttachmentsUSCAOnly reports that attachments are only allowed when both
	// numbers are in the US or Canada (MMS; see [MMSAllowed]).
	AttachmentsUSCAOnly bool
	// VoiceNotes reports whether a voice note is delivered as a voice note
	// (a playable voice message); when false it goes as a file attachment.
	VoiceNotes bool
	// MaxVoiceNote is the longest voice note accepted; 0 means voice notes
	// are not limited by duration.
	MaxVoiceNote time.Duration
	// TemplateOutsideWindow reports that, outside the customer-service
	// window, only an approved template may be sent (WhatsApp).
	TemplateOutsideWindow bool
	// BusinessInitiated reports whether the business may start a
	// conversation. On WhatsApp it may, with an approved template.
	BusinessInitiated bool
}

// Attachments reports whether the kind carries attachments at all.
func (c Capabilities) Attachments() bool { return len(c.Media) > 0 }

// Rule returns the rule for media type m and whether the kind accepts it.
func (c Capabilities) Rule(m MediaType) (MediaRule, bool) {
	for _, r := range c.Media {
		if r.Type == m {
			return r, true
		}
	}
	return MediaRule{}, false
}

// The media lists below are the providers' published ones (each provider's
// API reference); they are built per call so that no caller can change
// another's copy.

// emailExtensions are the 23 extensions an e-mail attachment may have.
func emailExtensions() []string {
	return []string{".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".pdf",
		".jpg", ".jpeg", ".png", ".gif", ".txt", ".bmp", ".html", ".htm",
		".mp4", ".mp3", ".avi", ".mov", ".ods", ".csv", ".msg", ".eml"}
}

// emailMIMETypes are the MIME types of emailExtensions, so that a file
// known only by its type ({MIMEType: "application/pdf"}, no name) is judged
// the same as one known by its name. They are the registered types, as Go's
// mime package (and the system's mime.types) give them for those
// extensions; the ones mime does not know everywhere are IANA's
// registrations: the Office formats (application/msword,
// application/vnd.ms-excel, application/vnd.ms-powerpoint and the
// application/vnd.openxmlformats-officedocument.* of Office Open XML),
// OpenDocument spreadsheets (application/vnd.oasis.opendocument.spreadsheet),
// text/csv (RFC 7111), message/rfc822 for .eml (RFC 5322), and for .msg
// Outlook's application/vnd.ms-outlook. image/x-ms-bmp and video/avi are
// the older names some systems still give .bmp and .avi.
func emailMIMETypes() []string {
	return append(officeDocumentTypes(),
		"image/jpeg", "image/png", "image/gif", "image/bmp", "image/x-ms-bmp",
		"text/html", "video/mp4", "audio/mpeg", "video/x-msvideo", "video/avi",
		"video/quicktime", "application/vnd.oasis.opendocument.spreadsheet",
		"text/csv", "application/vnd.ms-outlook", "message/rfc822")
}

// officeDocumentTypes are the MIME types of .txt, .pdf and the Office
// formats (.doc .docx .xls .xlsx .ppt .pptx).
func officeDocumentTypes() []string {
	return []string{"text/plain", "application/pdf",
		"application/msword",
		"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		"application/vnd.ms-excel",
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		"application/vnd.ms-powerpoint",
		"application/vnd.openxmlformats-officedocument.presentationml.presentation"}
}

// Capabilities returns what kind k can carry, with each provider's published
// limits (documented per kind in the package documentation). An invalid kind
// has the zero Capabilities: no text, no attachments.
func (k Kind) Capabilities() Capabilities {
	c := Capabilities{Kind: k, Text: true}
	switch k {
	case WhatsApp:
		// WhatsApp Cloud API: text 4 096 characters; one media per message;
		// image 5 MB, audio and video 16 MB, document 100 MB, sticker 100 KB
		// static / 500 KB animated. Outside the 24-hour window only a
		// template may be sent, which is also how the business starts.
		c.MaxText = 4096
		c.MaxAttachments = 1
		c.Media = []MediaRule{
			{Type: Image, MIMETypes: []string{"image/jpeg", "image/png"}, Extensions: []string{".jpg", ".jpeg", ".png"}, MaxBytes: 5 * MB},
			{Type: Audio, MIMETypes: []string{"audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg"}, Extensions: []string{".aac", ".amr", ".mp3", ".m4a", ".ogg", ".opus"}, MaxBytes: 16 * MB},
			{Type: Video, MIMETypes: []string{"video/mp4", "video/3gpp"}, Extensions: []string{".mp4", ".3gp"}, MaxBytes: 16 * MB},
			{Type: Document, MIMETypes: officeDocumentTypes(), Extensions: []string{".txt", ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx"}, MaxBytes: 100 * MB},
			{Type: Sticker, MIMETypes: []string{"image/webp"}, Extensions: []string{".webp"}, MaxBytes: 100 * KB, MaxAnimatedBytes: 500 * KB},
		}
		c.VoiceNotes = true
		c.MaxVoiceNote = MaxVoiceNote
		c.TemplateOutsideWindow = true
		c.BusinessInitiated = true
	case SMS:
		// SMS: 1 600 characters. MMS carries media only
		// between US and Canadian numbers; Twilio caps a message at 10 media
		// and 5 MB in total. There is no voice-note type: audio goes as a
		// file.
		c.MaxText = MaxSMSText
		c.MaxAttachments = 10
		c.MaxTotalAttachmentBytes = 5 * MB
		c.AttachmentsUSCAOnly = true
		c.Media = []MediaRule{
			{Type: Image, MIMETypes: []string{"image/jpeg", "image/png", "image/gif"}, Extensions: []string{".jpg", ".jpeg", ".png", ".gif"}, MaxBytes: 5 * MB},
			{Type: Audio, MIMETypes: []string{"audio/mpeg", "audio/mp4", "audio/amr", "audio/ogg", "audio/aac"}, Extensions: []string{".mp3", ".m4a", ".amr", ".ogg", ".opus", ".aac"}, MaxBytes: 5 * MB},
			{Type: Video, MIMETypes: []string{"video/mp4", "video/3gpp"}, Extensions: []string{".mp4", ".3gp"}, MaxBytes: 5 * MB},
			{Type: Document, MIMETypes: []string{"application/pdf", "text/vcard", "text/x-vcard"}, Extensions: []string{".pdf", ".vcf"}, MaxBytes: 5 * MB},
		}
		c.MaxVoiceNote = MaxVoiceNote
		c.BusinessInitiated = true
	case Messenger:
		// Messenger Send API: text 2 000 characters; one attachment of up to
		// 25 MB (image, audio, video or any file). Audio plays as a voice
		// clip. The business may not start: the contact writes first.
		c.MaxText = 2000
		c.MaxAttachments = 1
		c.Media = []MediaRule{
			{Type: Image, MIMETypes: []string{"image/*"}, MaxBytes: 25 * MB},
			{Type: Audio, MIMETypes: []string{"audio/*"}, MaxBytes: 25 * MB},
			{Type: Video, MIMETypes: []string{"video/*"}, MaxBytes: 25 * MB},
			{Type: Document, MaxBytes: 25 * MB},
		}
		c.VoiceNotes = true
		c.MaxVoiceNote = MaxVoiceNote
	case Instagram:
		// Instagram Messaging API: text 1 000 characters; images (png, jpeg,
		// gif) 8 MB; audio (aac, m4a, wav, mp4), video (mp4, ogg, avi, mov,
		// webm) and pdf 25 MB. The contact writes first.
		c.MaxText = 1000
		c.MaxAttachments = 1
		c.Media = []MediaRule{
			{Type: Image, MIMETypes: []string{"image/png", "image/jpeg", "image/gif"}, Extensions: []string{".png", ".jpg", ".jpeg", ".gif"}, MaxBytes: 8 * MB},
			{Type: Audio, MIMETypes: []string{"audio/aac", "audio/mp4", "audio/wav", "audio/x-wav", "audio/x-m4a"}, Extensions: []string{".aac", ".m4a", ".wav"}, MaxBytes: 25 * MB},
			{Type: Video, MIMETypes: []string{"video/mp4", "video/ogg", "video/x-msvideo", "video/quicktime", "video/webm"}, Extensions: []string{".mp4", ".ogg", ".avi", ".mov", ".webm"}, MaxBytes: 25 * MB},
			{Type: Document, MIMETypes: []string{"application/pdf"}, Extensions: []string{".pdf"}, MaxBytes: 25 * MB},
		}
		c.VoiceNotes = true
		c.MaxVoiceNote = MaxVoiceNote
	case Telegram:
		// Telegram Bot API: text 4 096 characters; photos 10 MB, other files
		// 50 MB; sendVoice plays voice notes. A bot may not write to a user
		// who has not started it.
		c.MaxText = 4096
		c.Media = []MediaRule{
			{Type: Image, MIMETypes: []string{"image/*"}, MaxBytes: 10 * MB},
			{Type: Audio, MIMETypes: []string{"audio/*"}, MaxBytes: 50 * MB},
			{Type: Video, MIMETypes: []string{"video/*"}, MaxBytes: 50 * MB},
			{Type: Document, MaxBytes: 50 * MB},
			{Type: Sticker, MIMETypes: []string{"image/webp", "application/x-tgsticker", "video/webm"}, Extensions: []string{".webp", ".tgs", ".webm"}, MaxBytes: 512 * KB},
		}
		c.VoiceNotes = true
		c.MaxVoiceNote = MaxVoiceNote
	case LINE:
		// LINE Messaging API: text 5 000 characters; image (jpeg, png) 10 MB;
		// video (mp4) and audio (m4a) 200 MB; no files. Push messages reach
		// users who added the account as a friend.
		c.MaxText = 5000
		c.Media = []MediaRule{
			{Type: Image, MIMETypes: []string{"image/jpeg", "image/png"}, Extensions: []string{".jpg", ".jpeg", ".png"}, MaxBytes: 10 * MB},
			{Type: Audio, MIMETypes: []string{"audio/mp4", "audio/x-m4a", "audio/m4a"}, Extensions: []string{".m4a"}, MaxBytes: 200 * MB},
			{Type: Video, MIMETypes: []string{"video/mp4"}, Extensions: []string{".mp4"}, MaxBytes: 200 * MB},
		}
		c.VoiceNotes = true
		c.MaxVoiceNote = MaxVoiceNote
		c.BusinessInitiated = true
	case WebChat:
		// Web chat is parley's widget: no provider limit on text; files with
		// e-mail's extensions plus the audio formats browsers record, 25 MB
		// each. The visitor opens the chat, so the business cannot start one.
		c.Media = []MediaRule{{Type: Document,
			MIMETypes:  append(emailMIMETypes(), "audio/ogg", "audio/mp4", "audio/x-m4a", "audio/wav", "audio/x-wav", "audio/webm", "image/webp"),
			Extensions: append(emailExtensions(), ".ogg", ".m4a", ".wav", ".webm", ".webp"),
			MaxBytes:   25 * MB}}
		c.MaxVoiceNote = MaxVoiceNote
	case Email:
		// E-mail: no text limit; attachments with the allowed extensions
		// or their MIME types, at most 25 MB in total.
		c.Media = []MediaRule{{Type: Document, MIMETypes: emailMIMETypes(), Extensions: emailExtensions(), MaxBytes: 25 * MB}}
		c.MaxTotalAttachmentBytes = 25 * MB
		c.MaxVoiceNote = MaxVoiceNote
		c.BusinessInitiated = true
	case Voice:
		// A voice call carries no text and no attachments; the business may
		// place outbound calls.
		c.Text = false
		c.BusinessInitiated = true
	case Custom:
		// A host's own channel: the host's transport sets its own limits;
		// parley imposes none beyond the voice-note length.
		c.Media = []MediaRule{{Type: Image}, {Type: Audio}, {Type: Video}, {Type: Document}, {Type: Sticker}}
		c.VoiceNotes = true
		c.MaxVoiceNote = MaxVoiceNote
		c.BusinessInitiated = true
	default:
		return Capabilities{Kind: k}
	}
	return c
}

// DefaultWhatsAppNumbersPerAccount is how many WhatsApp sender numbers one
// business account may link unless Meta raised the account's limit.
const DefaultWhatsAppNumbersPerAccount = 25

package channel

import (
	"errors"
	"fmt"
	"path"
	"strings"
	"time"
)

// Attachment errors: each refusal has its own sentinel, matched with
// errors.Is; [*AttachmentError] carries the file and the limit (errors.As).
var (
	ErrAttachmentsNotAllowed = errors.New("channel: attachments not allowed")
	ErrMMSNotAllowed         = errors.New("channel: MMS only between US and Canadian numbers")
	ErrTooManyAttachments    = errors.New("channel: too many attachments")
	ErrInvalidAttachment     = errors.New("channel: invalid attachment")
	ErrAttachmentType        = errors.New("channel: attachment type not allowed")
	ErrAttachmentTooLarge    = errors.New("channel: attachment too large")
	ErrAttachmentsTooLarge   = errors.New("channel: attachments too large in total")
	ErrVoiceNoteTooLong      = errors.New("channel: voice note too long")
)

// Attachment describes a file sent with a message: what the checks need to
// know, not its content.
type Attachment struct {
	// Name is the file name; its extension is used when MIMEType is empty
	// or not one the kind lists.
	Name string
	// MIMEType is the media type, such as "image/jpeg"; parameters after
	// ";" and case are ignored.
	MIMEType string
	// Size is the file's length in bytes.
	Size int64
	// Duration is the playing time of audio or video, when known.
	Duration time.Duration
	// VoiceNote marks a recorded voice message (audio).
	VoiceNote bool
	// Animated marks an animated image or sticker.
	Animated bool
}

// AttachmentError is the typed error for a refused attachment. It matches
// its sentinel (Err). Limit and Actual are in bytes, except for
// ErrTooManyAttachments (files) and ErrVoiceNoteTooLong (nanoseconds, see
// MaxDuration and Duration).
type AttachmentError struct {
	Kind        Kind          // the kind the attachments were checked for
	Name        string        // the file refused; "" when the refusal is about the set
	Index       int           // its position in the set; -1 for the set
	Limit       int64         // the limit that was exceeded, when one applies
	Actual      int64         // the value that exceeded it
	MaxDuration time.Duration // for ErrVoiceNoteTooLong
	Duration    time.Duration // for ErrVoiceNoteTooLong
	Reason      string        // the refusal in words
	Err         error         // the sentinel
}

// Error returns "channel: <kind>: <file>: <reason>".
func (e *AttachmentError) Error() string {
	if e.Name == "" && e.Index < 0 {
		return fmt.Sprintf("channel: %s: %s", e.Kind, e.Reason)
	}
	return fmt.Sprintf("channel: %s: attachment %q: %s", e.Kind, e.Name, e.Reason)
}

// Unwrap returns the sentinel.
func (e *AttachmentError) Unwrap() error { return e.Err }

// VoiceNoteForm is how a voice note travels on a kind.
type VoiceNoteForm uint8

// The voice-note forms. A voice note goes as a voice note where the kind
// supports it, otherwise as a file attachment.
const (
	VoiceNoteRefused VoiceNoteForm = iota // the kind carries no attachments
	AsVoiceNote                           // a playable voice message
	AsFile                                // an audio file attachment
)

var voiceNoteFormNames = [...]string{VoiceNoteRefused: "refused", AsVoiceNote: "voice_note", AsFile: "file"}

// ErrUnknownVoiceNoteForm is returned for a voice-note form name or value
// that is not one of the constants. Check it with errors.Is.
var ErrUnknownVoiceNoteForm = errors.New("channel: unknown voice-note form")

// Valid reports whether f is one of the declared forms.
func (f VoiceNoteForm) Valid() bool { return f <= AsFile }

// String returns "refused", "voice_note" or "file", or "voicenoteform(N)"
// for an invalid value.
func (f VoiceNoteForm) String() string {
	if !f.Valid() {
		return fmt.Sprintf("voicenoteform(%d)", uint8(f))
	}
	return voiceNoteFormNames[f]
}

// ParseVoiceNoteForm returns the form named s ("refused", "voice_note",
// "file"), ignoring ASCII case. Other text fails with an error matching
// [ErrUnknownVoiceNoteForm].
func ParseVoiceNoteForm(s string) (VoiceNoteForm, error) {
	if i, ok := lookupName(voiceNoteFormNames[:], s); ok {
		return VoiceNoteForm(i), nil
	}
	return 0, fmt.Errorf("%w: %q", ErrUnknownVoiceNoteForm, s)
}

// MarshalText encodes the form as its name; an invalid value is an error
// matching [ErrUnknownVoiceNoteForm].
func (f VoiceNoteForm) MarshalText() ([]byte, error) {
	if !f.Valid() {
		return nil, fmt.Errorf("%w: %d", ErrUnknownVoiceNoteForm, uint8(f))
	}
	return []byte(voiceNoteFormNames[f]), nil
}

// UnmarshalText decodes a name as [ParseVoiceNoteForm] reads it. On error f
// is unchanged.
func (f *VoiceNoteForm) UnmarshalText(b []byte) error {
	v, err := ParseVoiceNoteForm(string(b))
	if err != nil {
		return err
	}
	*f = v
	return nil
}

// VoiceNoteForm returns how a voice note goes out on kind k.
func (k Kind) VoiceNoteForm() VoiceNoteForm { return k.Capabilities().VoiceNoteForm() }

// VoiceNoteForm returns how a voice note goes out with these capabilities.
func (c Capabilities) VoiceNoteForm() VoiceNoteForm {
	switch {
	case !c.Attachments():
		return VoiceNoteRefused
	case c.VoiceNotes:
		return AsVoiceNote
	}
	return AsFile
}

// ValidateAttachments checks a message's attachments for kind k with
// [Capabilities.CheckAttachments]. from and to are the E.164 numbers of
// an SMS (for the MMS rule); other kinds ignore them.
func ValidateAttachments(k Kind, from, to string, atts []Attachment) error {
	return k.Capabilities().CheckAttachments(from, to, atts)
}

// CheckAttachments checks a message's attachments against c, in this
// order, returning the first refusal as an [*AttachmentError]:
//   - ErrAttachmentsNotAllowed: the kind carries none;
//   - ErrMMSNotAllowed: attachments over SMS when from and to are not both
//     US or Canadian numbers;
//   - ErrTooManyAttachments: more than MaxAttachments;
//   - ErrInvalidAttachment: a negative size, or neither name nor MIME type;
//   - ErrAttachmentType: no media rule accepts the MIME type or extension;
//   - ErrAttachmentTooLarge: larger than every accepting rule allows;
//   - ErrVoiceNoteTooLong: a voice note longer than MaxVoiceNote (5 min);
//   - ErrAttachmentsTooLarge: the sum over MaxTotalAttachmentBytes.
//
// A voice note is checked as audio; where the kind has no voice notes it is
// checked as the file it will be sent as. No attachments is always valid.
func (c Capabilities) CheckAttachments(from, to string, atts []Attachment) error {
	if len(atts) == 0 {
		return nil
	}
	set := func(err error, limit, actual int64, reason string) error {
		return &AttachmentError{Kind: c.Kind, Index: -1, Limit: limit, Actual: actual, Reason: reason, Err: err}
	}
	switch {
	case !c.Attachments():
		return set(ErrAttachmentsNotAllowed, 0, int64(len(atts)), "the channel carries no attachments")
	case c.AttachmentsUSCAOnly && !MMSAllowed(from, to):
		return set(ErrMMSNotAllowed, 0, 0, fmt.Sprintf("MMS from %q to %q: both numbers must be US or Canadian", from, to))
	case c.MaxAttachments > 0 && len(atts) > c.MaxAttachments:
		return set(ErrTooManyAttachments, int64(c.MaxAttachments), int64(len(atts)),
			fmt.Sprintf("%d attachments, over the limit of %d per message", len(atts), c.MaxAttachments))
	}
	var total int64
	for i, a := range atts {
		if err := c.checkOne(i, a); err != nil {
			return err
		}
		total += a.Size
	}
	if c.MaxTotalAttachmentBytes > 0 && total > c.MaxTotalAttachmentBytes {
		return set(ErrAttachmentsTooLarge, c.MaxTotalAttachmentBytes, total,
			fmt.Sprintf("attachments total %s, over the limit of %s", bytesText(total), bytesText(c.MaxTotalAttachmentBytes)))
	}
	return nil
}

func (c Capabilities) checkOne(i int, a Attachment) error {
	fail := func(err error, limit, actual int64, reason string) *AttachmentError {
		return &AttachmentError{Kind: c.Kind, Name: a.Name, Index: i, Limit: limit, Actual: actual, Reason: reason, Err: err}
	}
	if a.Size < 0 || (a.Name == "" && a.MIMEType == "") {
		return fail(ErrInvalidAttachment, 0, a.Size, "needs a name or MIME type and a size of at least 0")
	}
	mime := mediaType(a.MIMEType)
	ext := strings.ToLower(path.Ext(a.Name))
	var tooLarge *AttachmentError
	accepted := false
	for _, r := range c.Media {
		if !r.accepts(mime, ext, a.VoiceNote && c.VoiceNotes) {
			continue
		}
		limit := r.MaxBytes
		if a.Animated && r.MaxAnimatedBytes > 0 {
			limit = r.MaxAnimatedBytes
		}
		if limit > 0 && a.Size > limit {
			if tooLarge == nil {
				tooLarge = fail(ErrAttachmentTooLarge, limit, a.Size,
					fmt.Sprintf("%s, over the %s limit for %s", bytesText(a.Size), bytesText(limit), r.Type))
			}
			continue
		}
		accepted = true
		break
	}
	switch {
	case tooLarge != nil && !accepted:
		return tooLarge
	case !accepted:
		return fail(ErrAttachmentType, 0, 0, fmt.Sprintf("type %q (extension %q) not allowed", mime, ext))
	}
	if a.VoiceNote && c.MaxVoiceNote > 0 && a.Duration > c.MaxVoiceNote {
		e := fail(ErrVoiceNoteTooLong, int64(c.MaxVoiceNote), int64(a.Duration),
			fmt.Sprintf("voice note of %s, over the limit of %s", a.Duration, c.MaxVoiceNote))
		e.MaxDuration, e.Duration = c.MaxVoiceNote, a.Duration
		return e
	}
	return nil
}

// accepts reports whether the rule takes a file of this MIME type or
// extension. A voice note that travels as a voice note must be audio.
func (r MediaRule) accepts(mime, ext string, voiceNote bool) bool {
	if voiceNote && r.Type != Audio {
		return false
	}
	if len(r.MIMETypes) == 0 && len(r.Extensions) == 0 {
		// Any file, but a typed rule only takes its own family.
		switch r.Type {
		case Image, Audio, Video:
			return strings.HasPrefix(mime, r.Type.String()+"/")
		}
		return true
	}
	for _, m := range r.MIMETypes {
		if m == mime || (strings.HasSuffix(m, "/*") && mime != "" && strings.HasPrefix(mime, m[:len(m)-1])) {
			return true
		}
	}
	for _, e := range r.Extensions {
		if e == ext {
			return true
		}
	}
	return false
}

// mediaType returns the MIME type in lower case without parameters.
func mediaType(m string) string {
	if i := strings.IndexByte(m, ';'); i >= 0 {
		m = m[:i]
	}
	return strings.ToLower(strings.TrimSpace(m))
}

// bytesText writes a size the way providers state limits: "25 MB", "100 KB".
func bytesText(n int64) string {
	switch {
	case n >= MB && n%MB == 0:
		return fmt.Sprintf("%d MB", n/MB)
	case n >= MB:
		return fmt.Sprintf("%.1f MB", float64(n)/float64(MB))
	case n >= KB && n%KB == 0:
		return fmt.Sprintf("%d KB", n/KB)
	}
	return fmt.Sprintf("%d bytes", n)
}

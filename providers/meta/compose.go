package meta

import (
	"fmt"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
)

// waMessageBody is one Cloud API message request.
type waMessageBody struct {
	MessagingProduct string      `json:"messaging_product"`
	RecipientType    string      `json:"recipient_type"`
	To               string      `json:"to"`
	Type             string      `json:"type"`
	Text             *waText     `json:"text,omitempty"`
	Template         *waTemplate `json:"template,omitempty"`
	Image            *waLink     `json:"image,omitempty"`
	Audio            *waLink     `json:"audio,omitempty"`
	Video            *waLink     `json:"video,omitempty"`
	Document         *waLink     `json:"document,omitempty"`
	Sticker          *waLink     `json:"sticker,omitempty"`
}

type waText struct {
	Body       string `json:"body"`
	PreviewURL bool   `json:"preview_url"`
}

type waTemplate struct {
	Name     string `json:"name"`
	Language struct {
		Code string `json:"code"`
	} `json:"language"`
	Components []waComponent `json:"components,omitempty"`
}

type waComponent struct {
	Type       string        `json:"type"`
	Parameters []waParameter `json:"parameters"`
}

type waParameter struct {
	Type          string `json:"type"`
	ParameterName string `json:"parameter_name,omitempty"`
	Text          string `json:"text"`
}

// waLink is a media object: by ID (a file WhatsApp already holds) or by
// link (a URL Meta downloads).
type waLink struct {
	ID       string `json:"id,omitempty"`
	Link     string `json:"link,omitempty"`
	Caption  string `json:"caption,omitempty"`
	Filename string `json:"filename,omitempty"`
}

// whatsAppMessages composes the Cloud API requests for out: a template;
// or its files, the text as the first file's caption where its type takes
// one, else as a text message before them; or a text (rule 8).
func whatsAppMessages(out parley.Outgoing) ([]any, error) {
	base := func(typ string) waMessageBody {
		// The Cloud API takes the number without "+".
		return waMessageBody{MessagingProduct: "whatsapp", RecipientType: "individual", To: strings.TrimPrefix(out.To.ID, "+"), Type: typ}
	}
	if out.Template != nil {
		m := base("template")
		m.Template = templateOf(out.Template)
		return []any{m}, nil
	}
	var msgs []any
	text := out.Text
	for i, a := range out.Attachments {
		typ := waMediaType(a.Attachment.MIMEType, a.Name)
		m := base(typ)
		link := &waLink{Link: a.URL}
		if id, ok := MediaID(a.URL); ok {
			link = &waLink{ID: id}
		}
		if link.ID == "" && link.Link == "" {
			return nil, &parley.SendError{Reason: fmt.Sprintf("meta: attachment %q has no URL", a.Name), Permanent: true}
		}
		if typ == "document" {
			link.Filename = a.Name
		}
		if i == 0 && text != "" && typ != "audio" && typ != "sticker" {
			link.Caption, text = text, ""
		}
		switch typ {
		case "image":
			m.Image = link
		case "audio":
			m.Audio = link
		case "video":
			m.Video = link
		case "sticker":
			m.Sticker = link
		default:
			m.Document = link
		}
		msgs = append(msgs, m)
	}
	if text != "" {
		m := base("text")
		m.Text = &waText{Body: text}
		msgs = append([]any{m}, msgs...)
	}
	if len(msgs) == 0 {
		return nil, &parley.SendError{Reason: "meta: nothing to send", Permanent: true}
	}
	return msgs, nil
}

// templateOf writes a template reference with its body parameters:
// positional when every name is a number ("1", "2", …), in order; named
// otherwise, each with its parameter_name.
func templateOf(ref *conversation.TemplateRef) *waTemplate {
	t := &waTemplate{Name: ref.Name}
	t.Language.Code = ref.Language
	if len(ref.Params) == 0 {
		return t
	}
	named := false
	for _, p := range ref.Params {
		if p.Name != "" && strings.Trim(p.Name, "0123456789") != "" {
			named = true
		}
	}
	params := make([]waParameter, len(ref.Params))
	for i, p := range ref.Params {
		params[i] = waParameter{Type: "text", Text: p.Value}
		if named {
			params[i].ParameterName = p.Name
		}
	}
	t.Components = []waComponent{{Type: "body", Parameters: params}}
	return t
}

// waMediaType picks the Cloud API message type of a file by its MIME type
// (or, without one, its name's extension): WebP images go as stickers,
// other images, audio and video as such, anything else as a document.
func waMediaType(mimeType, name string) string {
	mt := strings.ToLower(strings.TrimSpace(mimeType))
	if i := strings.IndexByte(mt, ';'); i >= 0 {
		mt = strings.TrimSpace(mt[:i])
	}
	if mt == "" {
		mt = typeByName(name)
	}
	switch {
	case mt == "image/webp":
		return "sticker"
	case strings.HasPrefix(mt, "image/"):
		return "image"
	case strings.HasPrefix(mt, "audio/"):
		return "audio"
	case strings.HasPrefix(mt, "video/"):
		return "video"
	}
	return "document"
}

// pageMessageBody is one Send API request (Messenger and Instagram).
type pageMessageBody struct {
	Recipient struct {
		ID string `json:"id"`
	} `json:"recipient"`
	MessagingType string      `json:"messaging_type"`
	Tag           string      `json:"tag,omitempty"`
	Message       pageMessage `json:"message"`
}

type pageMessage struct {
	Text       string          `json:"text,omitempty"`
	Attachment *pageAttachment `json:"attachment,omitempty"`
}

type pageAttachment struct {
	Type    string `json:"type"`
	Payload struct {
		URL        string `json:"url"`
		IsReusable bool   `json:"is_reusable"`
	} `json:"payload"`
}

// pageMessages composes the Send API requests for out: the text, then each
// file, since a Messenger or Instagram message carries one or the other.
// A reply goes as RESPONSE, or with the HUMAN_AGENT tag when out asks for
// it (rule 8).
func pageMessages(out parley.Outgoing) ([]any, error) {
	if out.Template != nil {
		return nil, &parley.SendError{Reason: "meta: templates are a WhatsApp feature", Permanent: true}
	}
	base := func() pageMessageBody {
		b := pageMessageBody{MessagingType: "RESPONSE"}
		b.Recipient.ID = out.To.ID
		if out.HumanAgentTag {
			b.MessagingType, b.Tag = "MESSAGE_TAG", "HUMAN_AGENT"
		}
		return b
	}
	var msgs []any
	if out.Text != "" {
		m := base()
		m.Message.Text = out.Text
		msgs = append(msgs, m)
	}
	for _, a := range out.Attachments {
		if _, isID := MediaID(a.URL); isID || a.URL == "" {
			return nil, &parley.SendError{Reason: fmt.Sprintf("meta: attachment %q needs a URL Meta can download", a.Name), Permanent: true}
		}
		m := base()
		att := &pageAttachment{Type: pageMediaType(a.Attachment.MIMEType, a.Name)}
		att.Payload.URL = a.URL
		m.Message.Attachment = att
		msgs = append(msgs, m)
	}
	if len(msgs) == 0 {
		return nil, &parley.SendError{Reason: "meta: nothing to send", Permanent: true}
	}
	return msgs, nil
}

// pageMediaType is the Send API attachment type of a file.
func pageMediaType(mimeType, name string) string {
	switch t := waMediaType(mimeType, name); t {
	case "image", "audio", "video":
		return t
	case "sticker":
		return "image"
	}
	return "file"
}

package meta

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
)

// ErrPayload is returned by [Parse] for a body that is not a Meta webhook
// payload (not JSON, or JSON of another shape). Check it with errors.Is.
var ErrPayload = errors.New("meta: malformed webhook payload")

// MediaScheme prefixes the URL of an attachment that WhatsApp delivered as
// a media ID: "whatsapp-media:<id>". The file is not fetched with the
// webhook (rule 5); see [MediaID].
const MediaScheme = "whatsapp-media:"

// MediaID returns the WhatsApp media ID of an attachment URL written with
// [MediaScheme], and whether it is one. The host fetches the file with
// GET /{media-id} on the Graph API, which answers with a short-lived
// download URL to read with the same access token.
func MediaID(attachmentURL string) (string, bool) {
	id, ok := strings.CutPrefix(attachmentURL, MediaScheme)
	return id, ok && id != ""
}

// Batch is what one webhook payload asks of the Desk, in payload order.
type Batch struct {
	// Messages are the contacts' messages, for Desk.Receive.
	Messages []parley.Inbound
	// Reports are the delivery statuses, for Desk.UpdateDelivery.
	Reports []parley.DeliveryReport
	// Skipped are the events parley does not act on, each with its reason:
	// an endpoint that is not configured, an echo of the business's own
	// message, a receipt that names no message, a reaction removed.
	Skipped []Skip
}

// Skip is one event of a payload that was not passed on, and why.
type Skip struct {
	Kind     channel.Kind
	Endpoint string // the business ID the event was addressed to
	ID       string // the event's message ID, when it has one
	Reason   string
}

// envelope is the shape every Meta webhook shares: an object, then
// entries holding either changes (WhatsApp) or messaging events (Messenger,
// Instagram).
type envelope struct {
	Object string `json:"object"`
	Entry  []struct {
		ID        string    `json:"id"`
		Changes   []change  `json:"changes"`
		Messaging []fbEvent `json:"messaging"`
	} `json:"entry"`
}

type change struct {
	Field string  `json:"field"`
	Value waValue `json:"value"`
}

type waValue struct {
	Metadata struct {
		DisplayPhoneNumber string `json:"display_phone_number"`
		PhoneNumberID      string `json:"phone_number_id"`
	} `json:"metadata"`
	Contacts []struct {
		WaID    string `json:"wa_id"`
		Profile struct {
			Name string `json:"name"`
		} `json:"profile"`
	} `json:"contacts"`
	Messages []waMessage `json:"messages"`
	Statuses []waStatus  `json:"statuses"`
	Errors   []waError   `json:"errors"`
}

type waMessage struct {
	From      string `json:"from"`
	ID        string `json:"id"`
	Timestamp string `json:"timestamp"`
	Type      string `json:"type"`
	Text      *struct {
		Body string `json:"body"`
	} `json:"text"`
	Image    *waMedia `json:"image"`
	Audio    *waMedia `json:"audio"`
	Video    *waMedia `json:"video"`
	Document *waMedia `json:"document"`
	Location *struct {
		Latitude  float64 `json:"latitude"`
		Longitude float64 `json:"longitude"`
		Name      string  `json:"name"`
		Address   string  `json:"address"`
	} `json:"location"`
	Interactive *struct {
		Type        string `json:"type"`
		ButtonReply *struct {
			Title string `json:"title"`
		} `json:"button_reply"`
		ListReply *struct {
			Title string `json:"title"`
		} `json:"list_reply"`
	} `json:"interactive"`
	Button *struct {
		Text string `json:"text"`
	} `json:"button"`
	Reaction *struct {
		Emoji string `json:"emoji"`
	} `json:"reaction"`
}

type waMedia struct {
	ID       string `json:"id"`
	MIMEType string `json:"mime_type"`
	Caption  string `json:"caption"`
	Filename string `json:"filename"`
	Voice    bool   `json:"voice"`
}

type waStatus struct {
	ID        string    `json:"id"`
	Status    string    `json:"status"`
	Timestamp string    `json:"timestamp"`
	Errors    []waError `json:"errors"`
}

type waError struct {
	Code      int    `json:"code"`
	Title     string `json:"title"`
	Message   string `json:"message"`
	ErrorData struct {
		Details string `json:"details"`
	} `json:"error_data"`
}

type fbEvent struct {
	Sender struct {
		ID string `json:"id"`
	} `json:"sender"`
	Recipient struct {
		ID string `json:"id"`
	} `json:"recipient"`
	Timestamp int64 `json:"timestamp"`
	Message   *struct {
		Mid           string `json:"mid"`
		Text          string `json:"text"`
		IsEcho        bool   `json:"is_echo"`
		IsDeleted     bool   `json:"is_deleted"`
		IsUnsupported bool   `json:"is_unsupported"`
		Attachments   []struct {
			Type    string `json:"type"`
			Payload struct {
				URL string `json:"url"`
			} `json:"payload"`
		} `json:"attachments"`
	} `json:"message"`
	Delivery *struct {
		Mids []string `json:"mids"`
	} `json:"delivery"`
	Read *struct {
		Mid string `json:"mid"`
	} `json:"read"`
	Postback *struct {
		Mid   string `json:"mid"`
		Title string `json:"title"`
	} `json:"postback"`
	Reaction *struct {
		Mid    string `json:"mid"`
		Action string `json:"action"`
	} `json:"reaction"`
}

// Parse reads a webhook body (already verified: see [VerifySignature])
// into what it asks of the Desk, finding each event's touchpoint among
// endpoints. It handles every entry, change and event of the payload. A
// body that is not a Meta payload is an error matching [ErrPayload]; an
// event it cannot use (an endpoint not configured, an invalid sender) is
// listed in Batch.Skipped, so the others still go through.
func Parse(body []byte, endpoints []Endpoint) (Batch, error) {
	dir, err := newDirectory(endpoints)
	if err != nil {
		return Batch{}, err
	}
	return dir.parse(body)
}

func (d directory) parse(body []byte) (Batch, error) {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return Batch{}, fmt.Errorf("%w: %v", ErrPayload, err)
	}
	var b Batch
	switch env.Object {
	case "whatsapp_business_account":
		for _, e := range env.Entry {
			for _, c := range e.Changes {
				d.whatsApp(&b, c)
			}
		}
	case "page", "instagram":
		kind := channel.Messenger
		if env.Object == "instagram" {
			kind = channel.Instagram
		}
		for _, e := range env.Entry {
			for _, ev := range e.Messaging {
				d.messaging(&b, kind, ev)
			}
		}
	default:
		b.Skipped = append(b.Skipped, Skip{Reason: fmt.Sprintf("object %q is not a messaging webhook", env.Object)})
	}
	return b, nil
}

// whatsApp reads one change of a WhatsApp Business Account webhook. Its
// touchpoint is the endpoint of metadata.phone_number_id (rule 3).
func (d directory) whatsApp(b *Batch, c change) {
	v := c.Value
	phoneID := v.Metadata.PhoneNumberID
	skip := func(id, reason string) {
		b.Skipped = append(b.Skipped, Skip{Kind: channel.WhatsApp, Endpoint: phoneID, ID: id, Reason: reason})
	}
	if c.Field != "messages" {
		skip("", fmt.Sprintf("field %q not handled", c.Field))
		return
	}
	tp, ok := d.touchpoint(channel.WhatsApp, phoneID)
	if !ok {
		skip("", "phone number ID not configured")
		return
	}
	for _, e := range v.Errors {
		skip("", "error reported: "+errorReason(e))
	}
	names := make(map[string]string, len(v.Contacts))
	for _, c := range v.Contacts {
		names[c.WaID] = c.Profile.Name
	}
	for _, m := range v.Messages {
		from, err := channel.WhatsAppID(m.From)
		if err != nil {
			skip(m.ID, err.Error())
			continue
		}
		if m.Type == "reaction" && m.Reaction != nil && m.Reaction.Emoji == "" {
			skip(m.ID, "reaction removed")
			continue
		}
		in := parley.Inbound{Touchpoint: tp, From: from, ProviderID: m.ID, Name: names[m.From], At: unixSeconds(m.Timestamp)}
		waContent(&in, m)
		b.Messages = append(b.Messages, in)
	}
	for _, s := range v.Statuses {
		st, ok := deliveryStatuses[s.Status]
		if !ok {
			skip(s.ID, fmt.Sprintf("status %q not tracked", s.Status))
			continue
		}
		r := parley.DeliveryReport{Touchpoint: tp, ProviderID: s.ID, Status: st, At: unixSeconds(s.Timestamp)}
		if st == conversation.DeliveryFailed {
			r.Reason = "failed"
			if len(s.Errors) > 0 {
				r.Reason = errorReason(s.Errors[0])
			}
		}
		b.Reports = append(b.Reports, r)
	}
}

// deliveryStatuses maps the Cloud API's statuses to parley's; "deleted"
// and "played" have no counterpart and are skipped.
var deliveryStatuses = map[string]conversation.DeliveryStatus{
	"sent":      conversation.DeliverySent,
	"delivered": conversation.DeliveryDelivered,
	"read":      conversation.DeliveryRead,
	"failed":    conversation.DeliveryFailed,
}

// waContent fills in's text, attachments or Unsupported from the message
// by its type (rule 4).
func waContent(in *parley.Inbound, m waMessage) {
	media := func(f *waMedia) {
		if f == nil || f.ID == "" {
			in.Unsupported = true
			return
		}
		in.Text = f.Caption
		in.Attachments = []conversation.Attachment{{
			Attachment: channel.Attachment{Name: f.Filename, MIMEType: f.MIMEType, VoiceNote: f.Voice},
			URL:        MediaScheme + f.ID,
		}}
	}
	switch {
	case m.Type == "text" && m.Text != nil:
		in.Text = m.Text.Body
	case m.Type == "image":
		media(m.Image)
	case m.Type == "audio":
		media(m.Audio)
	case m.Type == "video":
		media(m.Video)
	case m.Type == "document":
		media(m.Document)
	case m.Type == "location" && m.Location != nil:
		in.Text = locationText(m.Location.Name, m.Location.Address, m.Location.Latitude, m.Location.Longitude)
	case m.Type == "interactive" && m.Interactive != nil && m.Interactive.ButtonReply != nil:
		in.Text = m.Interactive.ButtonReply.Title
	case m.Type == "interactive" && m.Interactive != nil && m.Interactive.ListReply != nil:
		in.Text = m.Interactive.ListReply.Title
	case m.Type == "button" && m.Button != nil:
		in.Text = m.Button.Text
	default: // sticker, reaction, contacts, order, unsupported, …
		in.Unsupported = true
	}
}

// locationText writes a shared location as text an agent can read and
// paste into a map: the place's name and address, then the coordinates.
func locationText(name, address string, lat, long float64) string {
	coords := strconv.FormatFloat(lat, 'f', -1, 64) + ", " + strconv.FormatFloat(long, 'f', -1, 64)
	place := strings.Join(nonEmpty(name, address), ", ")
	if place == "" {
		return "Location: " + coords
	}
	return "Location: " + place + " (" + coords + ")"
}

func nonEmpty(ss ...string) []string {
	out := ss[:0:0]
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// errorReason writes a Cloud API error as a delivery reason: its code and
// title, and the details when given.
func errorReason(e waError) string {
	title := e.Title
	if title == "" {
		title = e.Message
	}
	r := strconv.Itoa(e.Code) + " " + title
	if e.ErrorData.Details != "" {
		r += ": " + e.ErrorData.Details
	}
	return r
}

// messaging reads one Messenger or Instagram messaging event. Its
// touchpoint is the endpoint of recipient.id, the page or the Instagram
// account (rule 3).
func (d directory) messaging(b *Batch, kind channel.Kind, ev fbEvent) {
	skip := func(id, reason string) {
		b.Skipped = append(b.Skipped, Skip{Kind: kind, Endpoint: ev.Recipient.ID, ID: id, Reason: reason})
	}
	if ev.Message != nil && ev.Message.IsEcho {
		skip(ev.Message.Mid, "echo of the business's own message")
		return
	}
	tp, ok := d.touchpoint(kind, ev.Recipient.ID)
	if !ok {
		skip("", "endpoint not configured")
		return
	}
	at := time.Time{}
	if ev.Timestamp > 0 {
		at = time.UnixMilli(ev.Timestamp).UTC()
	}
	switch {
	case ev.Delivery != nil:
		if len(ev.Delivery.Mids) == 0 {
			skip("", "delivery receipt without message IDs (watermark only)")
		}
		for _, mid := range ev.Delivery.Mids {
			b.Reports = append(b.Reports, parley.DeliveryReport{Touchpoint: tp, ProviderID: mid, Status: conversation.DeliveryDelivered, At: at})
		}
		return
	case ev.Read != nil:
		if ev.Read.Mid == "" {
			skip("", "read receipt without a message ID (watermark only)")
			return
		}
		b.Reports = append(b.Reports, parley.DeliveryReport{Touchpoint: tp, ProviderID: ev.Read.Mid, Status: conversation.DeliveryRead, At: at})
		return
	}
	from, err := channel.NewAddress(kind, ev.Sender.ID)
	if err != nil {
		skip("", err.Error())
		return
	}
	in := parley.Inbound{Touchpoint: tp, From: from, At: at}
	switch {
	case ev.Message != nil && ev.Message.IsDeleted:
		skip(ev.Message.Mid, "message deleted by the contact")
		return
	case ev.Message != nil:
		m := ev.Message
		in.ProviderID, in.Text = m.Mid, m.Text
		for _, a := range m.Attachments {
			if att, ok := fbAttachment(a.Type, a.Payload.URL); ok {
				in.Attachments = append(in.Attachments, att)
			}
		}
		// Something the contact sent that parley cannot carry (a share,
		// a story mention without media, a template) is a notice, not a
		// silent drop.
		in.Unsupported = m.IsUnsupported || (in.Text == "" && len(in.Attachments) == 0)
	case ev.Postback != nil:
		in.ProviderID, in.Text = ev.Postback.Mid, ev.Postback.Title
	case ev.Reaction != nil && ev.Reaction.Action == "unreact":
		skip(ev.Reaction.Mid, "reaction removed")
		return
	case ev.Reaction != nil:
		// A reaction has no ID of its own: the reacted message's ID and
		// the time make a retry's ID the same.
		in.ProviderID = "reaction:" + ev.Reaction.Mid + ":" + strconv.FormatInt(ev.Timestamp, 10)
		in.Unsupported = true
	default:
		skip("", "event not handled")
		return
	}
	b.Messages = append(b.Messages, in)
}

// fbAttachment turns a Messenger or Instagram attachment with a URL into a
// parley attachment, its name and type taken from the URL's file name.
func fbAttachment(typ, rawURL string) (conversation.Attachment, bool) {
	switch typ {
	case "image", "audio", "video", "file":
	default:
		return conversation.Attachment{}, false
	}
	if rawURL == "" {
		return conversation.Attachment{}, false
	}
	att := conversation.Attachment{URL: rawURL}
	if u, err := url.Parse(rawURL); err == nil {
		if base := path.Base(u.Path); path.Ext(base) != "" {
			att.Name = base
			att.MIMEType = mime.TypeByExtension(path.Ext(base))
		}
	}
	return att, true
}

// unixSeconds reads the Cloud API's timestamp (seconds, as a string); a
// missing or bad one is zero, which the Desk takes as now.
func unixSeconds(s string) time.Time {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}
	}
	return time.Unix(n, 0).UTC()
}

package twilio

import (
	"fmt"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
)

// payload is one webhook's fields: an incoming message or a status
// callback, as Twilio names them.
type payload struct {
	sid      string // MessageSid, or the older SmsMessageSid / SmsSid
	from, to string
	status   string // MessageStatus, or SmsStatus
	body     string
	profile  string // ProfileName: the WhatsApp contact's name
	kind     string // MessageType (WhatsApp): text, image, location, …
	media    []conversation.Attachment
	lat, lon string // Latitude, Longitude of a WhatsApp location
	label    string // Label, Address of a WhatsApp location
	address  string
	errCode  string // ErrorCode of a failed message
	errText  string // ErrorMessage or ChannelStatusMessage, when sent
}

// parsePayload reads the fields parley uses; any other is ignored, as
// Twilio adds parameters without notice. Media are read for indices below
// NumMedia, capped at channel.MaxInboundAttachments; an index without a
// URL is skipped.
func parsePayload(f url.Values) payload {
	p := payload{
		sid:     first(f, "MessageSid", "SmsMessageSid", "SmsSid"),
		from:    f.Get("From"),
		to:      f.Get("To"),
		status:  strings.ToLower(first(f, "MessageStatus", "SmsStatus")),
		body:    f.Get("Body"),
		profile: f.Get("ProfileName"),
		kind:    strings.ToLower(f.Get("MessageType")),
		lat:     f.Get("Latitude"),
		lon:     f.Get("Longitude"),
		label:   f.Get("Label"),
		address: f.Get("Address"),
		errCode: f.Get("ErrorCode"),
		errText: first(f, "ErrorMessage", "ChannelStatusMessage"),
	}
	n, _ := strconv.Atoi(f.Get("NumMedia"))
	n = min(max(n, 0), channel.MaxInboundAttachments)
	for i := range n {
		u := f.Get("MediaUrl" + strconv.Itoa(i))
		if u == "" {
			continue
		}
		a := conversation.Attachment{URL: u}
		a.MIMEType = f.Get("MediaContentType" + strconv.Itoa(i))
		a.Name = mediaName(u)
		p.media = append(p.media, a)
	}
	return p
}

// first returns the first non-empty field among names.
func first(f url.Values, names ...string) string {
	for _, n := range names {
		if v := f.Get(n); v != "" {
			return v
		}
	}
	return ""
}

// mediaName names a media file after the last segment of its URL (Twilio's
// media SID, "ME…"), since Twilio sends no file name.
func mediaName(u string) string {
	pu, err := url.Parse(u)
	if err != nil {
		return "media"
	}
	name := path.Base(pu.Path)
	if name == "." || name == "/" || name == "" {
		return "media"
	}
	return name
}

// isStatus reports whether the payload is a status callback: it carries a
// status other than an incoming message's "received" or "receiving".
func (p payload) isStatus() bool {
	switch p.status {
	case "", "received", "receiving":
		return false
	}
	return true
}

// unsupportedKinds are the WhatsApp message types parley cannot show. A
// type not listed with nothing parley can show is unsupported too.
var unsupportedKinds = map[string]bool{"unsupported": true, "reaction": true}

// inbound is the Desk's Inbound for an incoming message (rules 4 to 6).
func (p payload) inbound(touchpoint string, from channel.Address) parley.Inbound {
	in := parley.Inbound{
		Touchpoint:  touchpoint,
		From:        from,
		ProviderID:  p.sid,
		Text:        p.body,
		Name:        p.profile,
		Attachments: p.media,
	}
	if in.Text == "" && p.lat != "" && p.lon != "" {
		in.Text = p.locationText()
	}
	if unsupportedKinds[p.kind] || (strings.TrimSpace(in.Text) == "" && len(in.Attachments) == 0) {
		in.Unsupported = true
	}
	return in
}

// locationText writes a shared location as text an agent can read and
// paste into a map: "Location: 37.7749, -122.4194 (Office, 1 Main St)".
func (p payload) locationText() string {
	s := "Location: " + p.lat + ", " + p.lon
	var extra []string
	for _, v := range []string{p.label, p.address} {
		if v != "" {
			extra = append(extra, v)
		}
	}
	if len(extra) > 0 {
		s += " (" + strings.Join(extra, ", ") + ")"
	}
	return s
}

// report is the delivery report of a status callback, without its
// touchpoint; ok is false for a status parley has no step for.
func (p payload) report() (r parley.DeliveryReport, ok bool) {
	r.ProviderID = p.sid
	switch p.status {
	case "accepted", "scheduled", "queued", "sending", "sent":
		r.Status = conversation.DeliverySent
	case "delivered":
		r.Status = conversation.DeliveryDelivered
	case "read":
		r.Status = conversation.DeliveryRead
	case "undelivered", "failed":
		r.Status = conversation.DeliveryFailed
		r.Reason = deliveryReason(p.status, p.errCode, p.errText)
	case "canceled":
		r.Status = conversation.DeliveryFailed
		r.Reason = "twilio: canceled before it was sent"
	default:
		return r, false
	}
	return r, p.sid != ""
}

// deliveryReason words a failed status: Twilio's error code with its
// dictionary title where the package knows it.
func deliveryReason(status, code, text string) string {
	if code == "" {
		return "twilio: " + status
	}
	if text == "" {
		if c, err := strconv.Atoi(code); err == nil {
			text = errorTitle(c)
		}
	}
	if text == "" {
		return fmt.Sprintf("twilio %s: error %s", status, code)
	}
	return fmt.Sprintf("twilio %s: error %s: %s", status, code, text)
}

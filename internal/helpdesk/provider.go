package helpdesk

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/providers/meta"
	"github.com/parleyhq/parley/providers/twilio"
)

// fakeProvider stands in for Twilio's Messages API and Meta's Graph API
// (rule 3). The real twilio and meta Transports send to it; it answers as
// the providers do, keeps each message for the phone page, and posts the
// signed delivery callbacks a provider would to the console's own webhook
// handlers once the Desk has recorded the message.
type fakeProvider struct {
	now      func() time.Time
	webhooks http.Handler // the console's mux: callbacks go through the real handlers
	log      *slog.Logger
	delay    time.Duration // before the "delivered" callback

	mu     sync.Mutex
	seq    int
	phones map[string][]*phoneMessage // by thread: channel and contact
	sent   map[string]*phoneMessage   // by provider message ID
}

// phoneMessage is one message on the phone page, either way.
type phoneMessage struct {
	ID      string    `json:"id"`
	Inbound bool      `json:"inbound"` // written on the phone
	Text    string    `json:"text"`
	Media   []string  `json:"media,omitempty"`
	Status  string    `json:"status"` // sent, delivered, read; or the webhook's answer for the phone's own
	At      time.Time `json:"at"`

	thread  string
	kind    channel.Kind
	contact Contact
}

func newFakeProvider(now func() time.Time, log *slog.Logger) *fakeProvider {
	return &fakeProvider{now: now, log: log, delay: 150 * time.Millisecond,
		phones: map[string][]*phoneMessage{}, sent: map[string]*phoneMessage{}}
}

func threadKey(kind channel.Kind, contactID string) string { return kind.String() + "/" + contactID }

// client is an http.Client whose requests the handler h serves in-process:
// the transports' way to the fake APIs, and the fake's way to the webhooks.
func client(h http.Handler) *http.Client {
	return &http.Client{Transport: inProcess{h}, Timeout: 10 * time.Second}
}

type inProcess struct{ h http.Handler }

// RoundTrip serves r as a server would receive it; a RoundTripper must
// not change the caller's request, so it serves a copy.
func (p inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	in := r.Clone(r.Context())
	in.RequestURI = r.URL.RequestURI()
	rec := httptest.NewRecorder()
	p.h.ServeHTTP(rec, in)
	return rec.Result(), nil
}

// ServeHTTP answers the two APIs' send calls.
func (f *fakeProvider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	switch {
	case strings.HasPrefix(r.URL.Path, "/twilio/"):
		f.twilioSend(w, r)
	case strings.HasPrefix(r.URL.Path, "/graph/"):
		f.graphSend(w, r)
	default:
		http.NotFound(w, r)
	}
}

// twilioSend is POST /2010-04-01/Accounts/{sid}/Messages.json.
func (f *fakeProvider) twilioSend(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	if !ok || user != twilioAccountSID || pass != twilioAuthToken {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"code": 20003, "message": "Authenticate", "status": 401})
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	to, text := r.PostForm.Get("To"), r.PostForm.Get("Body")
	kind := channel.SMS
	if n, ok := strings.CutPrefix(to, "whatsapp:"); ok {
		kind, to = channel.WhatsApp, n
	}
	c, ok := contactByAddress(channel.Address{Kind: kind, ID: to})
	if !ok {
		writeJSON(w, http.StatusBadRequest, map[string]any{"code": 21211, "message": "Invalid 'To' Phone Number", "status": 400})
		return
	}
	m := f.record(kind, c, "SM", text, r.PostForm["MediaUrl"])
	writeJSON(w, http.StatusCreated, map[string]any{"sid": m.ID, "status": "queued", "to": to})
}

// graphSend is POST /{phone-number-id}/messages (WhatsApp) and
// POST /me/messages (Messenger).
func (f *fakeProvider) graphSend(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+metaAccessToken {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": map[string]any{"message": "Invalid OAuth access token", "code": 190}})
		return
	}
	var body struct {
		To        string `json:"to"`
		Recipient struct {
			ID string `json:"id"`
		} `json:"recipient"`
		Text *struct {
			Body string `json:"body"`
		} `json:"text"`
		Template *struct {
			Name       string `json:"name"`
			Components []struct {
				Parameters []struct {
					Text string `json:"text"`
				} `json:"parameters"`
			} `json:"components"`
		} `json:"template"`
		Image, Document, Audio, Video *struct {
			Link    string `json:"link"`
			Caption string `json:"caption"`
		}
		Message struct {
			Text       string `json:"text"`
			Attachment *struct {
				Payload struct {
					URL string `json:"url"`
				} `json:"payload"`
			} `json:"attachment"`
		} `json:"message"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if strings.HasSuffix(r.URL.Path, "/me/messages") {
		c, ok := contactByAddress(channel.Address{Kind: channel.Messenger, ID: body.Recipient.ID})
		if !ok {
			writeJSON(w, http.StatusBadRequest, map[string]any{"error": map[string]any{"message": "No matching user found", "code": 100}})
			return
		}
		var media []string
		if a := body.Message.Attachment; a != nil {
			media = append(media, a.Payload.URL)
		}
		m := f.record(channel.Messenger, c, "m_", body.Message.Text, media)
		writeJSON(w, http.StatusOK, map[string]any{"recipient_id": c.PSID, "message_id": m.ID})
		return
	}
	c, ok := contactByAddress(channel.Address{Kind: channel.WhatsApp, ID: "+" + body.To})
	if !ok {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": map[string]any{"message": "Message undeliverable", "code": 131026}})
		return
	}
	var text string
	var media []string
	switch {
	case body.Text != nil:
		text = body.Text.Body
	case body.Template != nil:
		text = f.renderTemplate(body.Template.Name, body.Template.Components)
	}
	for _, l := range []*struct {
		Link    string `json:"link"`
		Caption string `json:"caption"`
	}{body.Image, body.Document, body.Audio, body.Video} {
		if l != nil {
			media = append(media, l.Link)
			text = l.Caption
		}
	}
	m := f.record(channel.WhatsApp, c, "wamid.", text, media)
	writeJSON(w, http.StatusOK, map[string]any{"messaging_product": "whatsapp",
		"contacts": []any{map[string]string{"input": body.To, "wa_id": body.To}}, "messages": []any{map[string]string{"id": m.ID}}})
}

// renderTemplate fills a template's body as the contact's phone shows it.
func (f *fakeProvider) renderTemplate(name string, comps []struct {
	Parameters []struct {
		Text string `json:"text"`
	} `json:"parameters"`
}) string {
	params := map[string]string{}
	for _, c := range comps {
		for i, p := range c.Parameters {
			params[strconv.Itoa(i+1)] = p.Text
		}
	}
	for _, t := range whatsAppTemplates() {
		if t.Name == name {
			if s, err := t.Render(params); err == nil {
				return s
			}
		}
	}
	return "[template " + name + "]"
}

// record keeps a message the business sent for the phone page.
func (f *fakeProvider) record(kind channel.Kind, c Contact, prefix, text string, media []string) *phoneMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	m := &phoneMessage{ID: fmt.Sprintf("%s%06d", prefix, f.seq), Text: text, Media: media, Status: "sent", At: f.now(),
		thread: threadKey(kind, c.ID), kind: kind, contact: c}
	f.phones[m.thread] = append(f.phones[m.thread], m)
	f.sent[m.ID] = m
	return m
}

// logInbound keeps a message the phone wrote, with the webhook's answer.
func (f *fakeProvider) logInbound(kind channel.Kind, c Contact, id, text, status string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := threadKey(kind, c.ID)
	f.phones[k] = append(f.phones[k], &phoneMessage{ID: id, Inbound: true, Text: text, Status: status, At: f.now(), thread: k, kind: kind, contact: c})
}

// thread returns a copy of one phone thread.
func (f *fakeProvider) thread(kind channel.Kind, contactID string) []phoneMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	ms := f.phones[threadKey(kind, contactID)]
	out := make([]phoneMessage, len(ms))
	for i, m := range ms {
		out[i] = *m
	}
	return out
}

// delivered is called once the Desk recorded providerID as sent: the
// phone has it, so the provider reports it delivered (after a short pause,
// outside the Desk's call).
func (f *fakeProvider) delivered(providerID string) {
	go func() {
		time.Sleep(f.delay)
		f.callback(providerID, conversation.DeliveryDelivered)
	}()
}

// read is called when the phone page shows a message: WhatsApp reports
// reads; Twilio's SMS and Messenger's receipts here do not.
func (f *fakeProvider) read(providerID string) {
	f.mu.Lock()
	m, ok := f.sent[providerID]
	f.mu.Unlock()
	if ok && m.kind == channel.WhatsApp {
		f.callback(providerID, conversation.DeliveryRead)
	}
}

// callback posts the provider's signed status callback for a message.
func (f *fakeProvider) callback(providerID string, st conversation.DeliveryStatus) {
	f.mu.Lock()
	m, ok := f.sent[providerID]
	if !ok || statusRank(m.Status) >= statusRank(st.String()) {
		f.mu.Unlock()
		return
	}
	m.Status = st.String()
	kind, c := m.kind, m.contact
	f.mu.Unlock()

	var req *http.Request
	switch kind {
	case channel.SMS:
		form := url.Values{"MessageSid": {providerID}, "MessageStatus": {st.String()}, "From": {smsNumber}, "To": {c.Phone},
			"AccountSid": {twilioAccountSID}}
		req = signedTwilio(internalBase+twilioWebhookPath, form)
	case channel.WhatsApp:
		req = signedMeta(internalBase+metaWebhookPath, whatsAppStatusPayload(providerID, st.String(), c, f.now()))
	case channel.Messenger:
		req = signedMeta(internalBase+metaWebhookPath, messengerDeliveryPayload(providerID, c, f.now()))
	}
	resp, err := client(f.webhooks).Do(req)
	if err != nil {
		f.log.Warn("helpdesk: status callback failed", "id", providerID, "err", err)
		return
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		f.log.Warn("helpdesk: status callback refused", "id", providerID, "status", resp.StatusCode)
	}
}

func statusRank(s string) int {
	switch s {
	case "sent":
		return 1
	case "delivered":
		return 2
	case "read":
		return 3
	}
	return 0
}

// internalBase is the host of the fake provider's own callbacks, which
// never leave the process.
const internalBase = "http://helpdesk.internal"

// signedTwilio builds a Twilio webhook signed as Twilio signs it.
func signedTwilio(rawURL string, form url.Values) *http.Request {
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, rawURL, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(twilio.SignatureHeader, twilio.Sign(twilioAuthToken, rawURL, form))
	return req
}

// signedMeta builds a Meta webhook signed as Meta signs it.
func signedMeta(rawURL string, payload any) *http.Request {
	body, _ := json.Marshal(payload)
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, rawURL, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(meta.SignatureHeader, meta.SignatureValue([]byte(metaAppSecret), body))
	return req
}

func whatsAppStatusPayload(id, status string, c Contact, at time.Time) map[string]any {
	return map[string]any{"object": "whatsapp_business_account", "entry": []any{map[string]any{
		"id": "102290129340398", "changes": []any{map[string]any{"field": "messages", "value": map[string]any{
			"messaging_product": "whatsapp",
			"metadata":          map[string]string{"display_phone_number": strings.TrimPrefix(whatsAppNumber, "+"), "phone_number_id": whatsAppPhoneID},
			"statuses": []any{map[string]string{"id": id, "status": status, "timestamp": strconv.FormatInt(at.Unix(), 10),
				"recipient_id": strings.TrimPrefix(c.Phone, "+")}},
		}}}}}}
}

func messengerDeliveryPayload(mid string, c Contact, at time.Time) map[string]any {
	return map[string]any{"object": "page", "entry": []any{map[string]any{
		"id": pageID, "time": at.UnixMilli(), "messaging": []any{map[string]any{
			"sender": map[string]string{"id": c.PSID}, "recipient": map[string]string{"id": pageID},
			"delivery": map[string]any{"mids": []string{mid}, "watermark": at.UnixMilli()},
		}}}}}
}

// SignedInbound returns the webhook the phone page posts when contactID
// writes text on kind (WhatsApp, SMS or Messenger), signed as the
// provider signs it, for the console at baseURL: the phone's Go twin, for
// tests of the commands.
func SignedInbound(baseURL string, kind channel.Kind, contactID, id, text string) (*http.Request, error) {
	var c Contact
	for _, d := range contacts {
		if d.ID == contactID {
			c = d
		}
	}
	if c.ID == "" {
		return nil, fmt.Errorf("%w: contact %q not in the directory", ErrBadRequest, contactID)
	}
	switch kind {
	case channel.SMS:
		form := url.Values{"MessageSid": {id}, "AccountSid": {twilioAccountSID}, "From": {c.Phone}, "To": {smsNumber},
			"Body": {text}, "NumMedia": {"0"}, "SmsStatus": {"received"}}
		return signedTwilio(baseURL+twilioWebhookPath, form), nil
	case channel.WhatsApp:
		wa := strings.TrimPrefix(c.Phone, "+")
		return signedMeta(baseURL+metaWebhookPath, map[string]any{"object": "whatsapp_business_account", "entry": []any{map[string]any{
			"id": "102290129340398", "changes": []any{map[string]any{"field": "messages", "value": map[string]any{
				"messaging_product": "whatsapp",
				"metadata":          map[string]string{"display_phone_number": strings.TrimPrefix(whatsAppNumber, "+"), "phone_number_id": whatsAppPhoneID},
				"contacts":          []any{map[string]any{"profile": map[string]string{"name": c.Name}, "wa_id": wa}},
				"messages":          []any{map[string]any{"from": wa, "id": id, "type": "text", "text": map[string]string{"body": text}}},
			}}}}}}), nil
	case channel.Messenger:
		return signedMeta(baseURL+metaWebhookPath, map[string]any{"object": "page", "entry": []any{map[string]any{
			"id": pageID, "messaging": []any{map[string]any{"sender": map[string]string{"id": c.PSID},
				"recipient": map[string]string{"id": pageID}, "message": map[string]string{"mid": id, "text": text}}}}}}), nil
	}
	return nil, fmt.Errorf("%w: the phone writes on WhatsApp, SMS or Messenger, not %s", ErrBadRequest, kind)
}

package meta_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/providers/meta"
	"github.com/parleyhq/parley/session"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// graphRequest is one request the fake Graph API received.
type graphRequest struct {
	Path, Auth string
	Body       map[string]any
}

// graphAPI stands in for graph.facebook.com: it records each request and
// answers with reply (status, headers, body).
type graphAPI struct {
	*httptest.Server
	mu       sync.Mutex
	requests []graphRequest
	reply    func(n int) (int, http.Header, []byte)
}

func newGraphAPI(t testing.TB) *graphAPI {
	g := &graphAPI{}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var body map[string]any
		_ = json.Unmarshal(raw, &body)
		g.mu.Lock()
		n := len(g.requests)
		g.requests = append(g.requests, graphRequest{Path: r.URL.Path, Auth: r.Header.Get("Authorization"), Body: body})
		reply := g.reply
		g.mu.Unlock()
		status, h, b := http.StatusOK, http.Header{}, []byte(`{}`)
		if reply != nil {
			status, h, b = reply(n)
		}
		for k, v := range h {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(b)
	}))
	t.Cleanup(g.Close)
	return g
}

func (g *graphAPI) received() []graphRequest {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]graphRequest(nil), g.requests...)
}

func newTransport(t testing.TB, g *graphAPI) *meta.Transport {
	t.Helper()
	tr, err := meta.NewTransport(meta.TransportConfig{BaseURL: g.URL + "/v25.0", Client: g.Client(), AccessToken: "system-user-token", Endpoints: endpoints})
	require.NoError(t, err)
	return tr
}

func jsonOf(t testing.TB, s string) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(s), &m))
	return m
}

func TestTransportSendsWhatsApp(t *testing.T) {
	to := wa("+16505551234")
	tests := []struct {
		name string
		out  parley.Outgoing
		want []string // request bodies, in order
	}{
		{"text", parley.Outgoing{Touchpoint: "wa", To: to, Text: "Yes, in blue and green."},
			[]string{`{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234","type":"text","text":{"body":"Yes, in blue and green.","preview_url":false}}`}},
		{"positional template", parley.Outgoing{Touchpoint: "wa", To: to, Text: "Your order 4521 ships Monday",
			Template: &conversation.TemplateRef{Name: "order_update", Language: "en_US", Params: []conversation.Param{{Name: "1", Value: "4521"}, {Name: "2", Value: "Monday"}}}},
			[]string{`{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234","type":"template","template":{"name":"order_update","language":{"code":"en_US"},"components":[{"type":"body","parameters":[{"type":"text","text":"4521"},{"type":"text","text":"Monday"}]}]}}`}},
		{"named template", parley.Outgoing{Touchpoint: "wa", To: to,
			Template: &conversation.TemplateRef{Name: "order_update_named", Language: "es_MX", Params: []conversation.Param{{Name: "order_id", Value: "4521"}, {Name: "day", Value: "lunes"}}}},
			[]string{`{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234","type":"template","template":{"name":"order_update_named","language":{"code":"es_MX"},"components":[{"type":"body","parameters":[{"type":"text","parameter_name":"order_id","text":"4521"},{"type":"text","parameter_name":"day","text":"lunes"}]}]}}`}},
		{"template without parameters", parley.Outgoing{Touchpoint: "wa", To: to, Template: &conversation.TemplateRef{Name: "hello_world", Language: "en_US"}},
			[]string{`{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234","type":"template","template":{"name":"hello_world","language":{"code":"en_US"}}}`}},
		{"image by link with the text as caption", parley.Outgoing{Touchpoint: "wa", To: to, Text: "Here it is in blue",
			Attachments: []conversation.Attachment{{Attachment: channel.Attachment{Name: "blue.jpg", MIMEType: "image/jpeg", Size: 120000}, URL: "https://cdn.example.com/blue.jpg"}}},
			[]string{`{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234","type":"image","image":{"link":"https://cdn.example.com/blue.jpg","caption":"Here it is in blue"}}`}},
		{"document with its file name", parley.Outgoing{Touchpoint: "wa", To: to,
			Attachments: []conversation.Attachment{{Attachment: channel.Attachment{Name: "invoice-4521.pdf", MIMEType: "application/pdf"}, URL: "https://cdn.example.com/i.pdf"}}},
			[]string{`{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234","type":"document","document":{"link":"https://cdn.example.com/i.pdf","filename":"invoice-4521.pdf"}}`}},
		{"audio takes no caption: text first", parley.Outgoing{Touchpoint: "wa", To: to, Text: "Listen:",
			Attachments: []conversation.Attachment{{Attachment: channel.Attachment{Name: "note.ogg", MIMEType: "audio/ogg; codecs=opus", VoiceNote: true}, URL: "whatsapp-media:1013859600285441"}}},
			[]string{
				`{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234","type":"text","text":{"body":"Listen:","preview_url":false}}`,
				`{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234","type":"audio","audio":{"id":"1013859600285441"}}`,
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGraphAPI(t)
			g.reply = func(int) (int, http.Header, []byte) { return http.StatusOK, nil, fixture(t, "send_wa_ok.json") }
			id, err := newTransport(t, g).Send(context.Background(), tt.out)
			require.NoError(t, err)
			assert.Equal(t, "wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI3QjMwRTg5MTcxMEUyNUNCNTQA", id)
			got := g.received()
			require.Len(t, got, len(tt.want))
			for i, w := range tt.want {
				assert.Equal(t, "/v25.0/"+waPhoneID+"/messages", got[i].Path)
				assert.Equal(t, "Bearer system-user-token", got[i].Auth)
				assert.Equal(t, jsonOf(t, w), got[i].Body)
			}
		})
	}
}

func TestTransportSendsMessengerAndInstagram(t *testing.T) {
	psid := channel.Address{Kind: channel.Messenger, ID: "6543210987654321"}
	igsid := channel.Address{Kind: channel.Instagram, ID: "1234567890123456"}
	tests := []struct {
		name, token string
		out         parley.Outgoing
		want        []string
	}{
		{"messenger reply", "page-token", parley.Outgoing{Touchpoint: "fb", To: psid, Text: "Yes, 10 to 4."},
			[]string{`{"recipient":{"id":"6543210987654321"},"messaging_type":"RESPONSE","message":{"text":"Yes, 10 to 4."}}`}},
		{"messenger with the human agent tag", "page-token", parley.Outgoing{Touchpoint: "fb", To: psid, Text: "Following up on your order", HumanAgentTag: true},
			[]string{`{"recipient":{"id":"6543210987654321"},"messaging_type":"MESSAGE_TAG","tag":"HUMAN_AGENT","message":{"text":"Following up on your order"}}`}},
		{"messenger text and file", "page-token", parley.Outgoing{Touchpoint: "fb", To: psid, Text: "The manual:",
			Attachments: []conversation.Attachment{{Attachment: channel.Attachment{Name: "manual.pdf", MIMEType: "application/pdf"}, URL: "https://cdn.example.com/manual.pdf"}}},
			[]string{
				`{"recipient":{"id":"6543210987654321"},"messaging_type":"RESPONSE","message":{"text":"The manual:"}}`,
				`{"recipient":{"id":"6543210987654321"},"messaging_type":"RESPONSE","message":{"attachment":{"type":"file","payload":{"url":"https://cdn.example.com/manual.pdf","is_reusable":false}}}}`,
			}},
		{"instagram reply", "ig-token", parley.Outgoing{Touchpoint: "ig", To: igsid, Text: "We do!", HumanAgentTag: true},
			[]string{`{"recipient":{"id":"1234567890123456"},"messaging_type":"MESSAGE_TAG","tag":"HUMAN_AGENT","message":{"text":"We do!"}}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGraphAPI(t)
			g.reply = func(int) (int, http.Header, []byte) { return http.StatusOK, nil, fixture(t, "send_page_ok.json") }
			id, err := newTransport(t, g).Send(context.Background(), tt.out)
			require.NoError(t, err)
			assert.Equal(t, "m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0Q", id)
			got := g.received()
			require.Len(t, got, len(tt.want))
			for i, w := range tt.want {
				assert.Equal(t, "/v25.0/me/messages", got[i].Path)
				assert.Equal(t, "Bearer "+tt.token, got[i].Auth)
				assert.Equal(t, jsonOf(t, w), got[i].Body)
			}
		})
	}
}

// Meta's error answers become *parley.SendError by the package's table.
func TestTransportClassifiesErrors(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		header     http.Header
		body       []byte
		touchpoint string
		permanent  bool
		is         error
		retryAfter time.Duration
		code       int
	}{
		{"131047 outside the 24-hour window", 400, nil, fixture(t, "error_131047.json"), "wa", true, session.ErrWindowClosed, 0, 131047},
		{"131026 undeliverable", 400, nil, fixture(t, "error_131026.json"), "wa", true, nil, 0, 131026},
		{"130429 rate limit with Retry-After", 429, http.Header{"Retry-After": {"30"}}, fixture(t, "error_130429.json"), "wa", false, nil, 30 * time.Second, 130429},
		{"131056 pair rate limit with the usage header", 400, http.Header{"X-Business-Use-Case-Usage": {`{"102290129340398":[{"type":"whatsapp","call_count":100,"total_cputime":4,"total_time":9,"estimated_time_to_regain_access":2}]}`}}, fixture(t, "error_131056.json"), "wa", false, nil, 2 * time.Minute, 131056},
		{"4 application limit", 400, nil, fixture(t, "error_4.json"), "wa", false, nil, 0, 4},
		{"190 token expired", 401, nil, fixture(t, "error_190.json"), "wa", true, nil, 0, 190},
		{"Messenger outside the window", 400, nil, fixture(t, "error_messenger_window.json"), "fb", true, session.ErrWindowClosed, 0, 10},
		{"unknown transient code", 400, nil, fixture(t, "error_unknown_transient.json"), "wa", false, nil, 0, 987654},
		{"5xx without a Graph body", 502, nil, []byte("<html>Bad Gateway</html>"), "wa", false, nil, 0, 0},
		{"503 with Retry-After", 503, http.Header{"Retry-After": {"5"}}, []byte(""), "wa", false, nil, 5 * time.Second, 0},
		{"4xx without a Graph body", 404, nil, []byte("not found"), "wa", true, nil, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGraphAPI(t)
			g.reply = func(int) (int, http.Header, []byte) { return tt.status, tt.header, tt.body }
			to := wa("+16505551234")
			if tt.touchpoint == "fb" {
				to = channel.Address{Kind: channel.Messenger, ID: "6543210987654321"}
			}
			_, err := newTransport(t, g).Send(context.Background(), parley.Outgoing{Touchpoint: tt.touchpoint, To: to, Text: "hi"})
			var se *parley.SendError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tt.permanent, se.Permanent, "permanent")
			assert.Equal(t, tt.retryAfter, se.RetryAfter)
			if tt.permanent {
				assert.ErrorIs(t, err, parley.ErrPermanent)
			} else {
				assert.ErrorIs(t, err, parley.ErrTemporary)
			}
			if tt.is != nil {
				assert.ErrorIs(t, err, tt.is)
			}
			if tt.code != 0 {
				var ge *meta.GraphError
				require.ErrorAs(t, err, &ge)
				assert.Equal(t, tt.code, ge.Code)
				assert.NotEmpty(t, ge.TraceID)
			}
		})
	}
}

func TestTransportRespectsContext(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	tr, err := meta.NewTransport(meta.TransportConfig{BaseURL: srv.URL, Client: srv.Client(), AccessToken: "t", Endpoints: endpoints})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = tr.Send(ctx, parley.Outgoing{Touchpoint: "wa", To: wa("+16505551234"), Text: "hi"})
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, err, parley.ErrTemporary)
}

func TestTransportRefusesWhatItCannotSend(t *testing.T) {
	psid := channel.Address{Kind: channel.Messenger, ID: "6543210987654321"}
	tests := []struct {
		name string
		out  parley.Outgoing
	}{
		{"touchpoint without endpoint", parley.Outgoing{Touchpoint: "sms", To: wa("+16505551234"), Text: "hi"}},
		{"address of another kind", parley.Outgoing{Touchpoint: "wa", To: psid, Text: "hi"}},
		{"template on Messenger", parley.Outgoing{Touchpoint: "fb", To: psid, Template: &conversation.TemplateRef{Name: "x", Language: "en"}}},
		{"WhatsApp media ID on Messenger", parley.Outgoing{Touchpoint: "fb", To: psid, Attachments: []conversation.Attachment{{Attachment: channel.Attachment{MIMEType: "image/jpeg"}, URL: "whatsapp-media:1"}}}},
		{"nothing to send", parley.Outgoing{Touchpoint: "wa", To: wa("+16505551234")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGraphAPI(t)
			_, err := newTransport(t, g).Send(context.Background(), tt.out)
			assert.ErrorIs(t, err, parley.ErrPermanent)
			assert.Empty(t, g.received(), "nothing may be sent")
		})
	}
}

func TestNewTransportConfig(t *testing.T) {
	_, err := meta.NewTransport(meta.TransportConfig{Endpoints: []meta.Endpoint{{Touchpoint: "wa", Kind: channel.WhatsApp, ID: "1"}}})
	assert.ErrorIs(t, err, meta.ErrInvalidConfig, "no token at all")
	_, err = meta.NewTransport(meta.TransportConfig{AccessToken: "t"})
	assert.ErrorIs(t, err, meta.ErrInvalidConfig, "no endpoints")
	_, err = meta.NewTransport(meta.TransportConfig{Endpoints: []meta.Endpoint{{Touchpoint: "fb", Kind: channel.Messenger, ID: "1", Token: "page"}}})
	assert.NoError(t, err, "an endpoint's own token is enough")
}

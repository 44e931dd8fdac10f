package twilio_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/optout"
	"github.com/parleyhq/parley/providers/twilio"
	"github.com/parleyhq/parley/session"
)

const accountSID = "AC0f4e3c2b1a09f8e7d6c5b4a3f2e1d0c9"

// apiRequest is one request the fake Messages API received.
type apiRequest struct {
	path, user, pass, idempotency string
	form                          url.Values
}

// fakeAPI stands in for Twilio's Messages API: it records each request
// and answers with status, headers and a body from testdata.
type fakeAPI struct {
	*httptest.Server
	mu       sync.Mutex
	requests []apiRequest
	status   int
	header   http.Header
	body     string
}

func newFakeAPI(t *testing.T) *fakeAPI {
	api := &fakeAPI{status: http.StatusCreated, body: fixture(t, "api_message_created.json")}
	api.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(raw))
		user, pass, _ := r.BasicAuth()
		api.mu.Lock()
		api.requests = append(api.requests, apiRequest{r.Method + " " + r.URL.Path, user, pass, r.Header.Get(twilio.IdempotencyHeader), form})
		status, header, body := api.status, api.header, api.body
		api.mu.Unlock()
		for k, v := range header {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(api.Close)
	return api
}

func (api *fakeAPI) answer(status int, body string, header http.Header) {
	api.mu.Lock()
	defer api.mu.Unlock()
	api.status, api.body, api.header = status, body, header
}

func (api *fakeAPI) sent() []apiRequest {
	api.mu.Lock()
	defer api.mu.Unlock()
	return append([]apiRequest(nil), api.requests...)
}

func (api *fakeAPI) transport() *twilio.Transport {
	return &twilio.Transport{AccountSID: accountSID, AuthToken: testToken, BaseURL: api.URL, Client: api.Client(),
		StatusCallback: hookURL,
		ContentSIDs:    map[twilio.Template]string{{Name: "order_update", Language: "en_US"}: "HX0123456789abcdef0123456789abcdef", {Name: "welcome"}: "HXfedcba9876543210fedcba9876543210"}}
}

var messageID = mustID("0192f5c8-7d1e-7a3b-9c4d-5e6f7a8b9c0d")

func mustID(s string) conversation.ID {
	id, err := conversation.ParseID(s)
	if err != nil {
		panic(err)
	}
	return id
}

func TestTransportSend(t *testing.T) {
	sms := channel.MustParseAddress("sms:+14155550100")
	wa := channel.MustParseAddress("whatsapp:+5511987654321")
	photo := conversation.Attachment{Attachment: channel.Attachment{Name: "photo.jpg", MIMEType: "image/jpeg"}, URL: "https://cdn.example.com/photo.jpg"}
	label := conversation.Attachment{Attachment: channel.Attachment{Name: "label.pdf", MIMEType: "application/pdf"}, URL: "https://cdn.example.com/label.pdf"}
	tests := []struct {
		name string
		out  parley.Outgoing
		want url.Values
	}{
		{"SMS text", parley.Outgoing{To: sms, From: "+1 415 555 0000", Text: "Hello, how can I help?"},
			url.Values{"To": {"+14155550100"}, "From": {"+14155550000"}, "Body": {"Hello, how can I help?"}, "StatusCallback": {hookURL}}},
		{"MMS with two files and a caption", parley.Outgoing{To: sms, From: "sms:+14155550000", Text: "Your label", Attachments: []conversation.Attachment{photo, label}},
			url.Values{"To": {"+14155550100"}, "From": {"+14155550000"}, "Body": {"Your label"}, "MediaUrl": {photo.URL, label.URL}, "StatusCallback": {hookURL}}},
		{"WhatsApp text", parley.Outgoing{To: wa, From: "+14155550001", Text: "Olá!"},
			url.Values{"To": {"whatsapp:+5511987654321"}, "From": {"whatsapp:+14155550001"}, "Body": {"Olá!"}, "StatusCallback": {hookURL}}},
		{"WhatsApp media without text", parley.Outgoing{To: wa, From: "whatsapp:+14155550001", Attachments: []conversation.Attachment{photo}},
			url.Values{"To": {"whatsapp:+5511987654321"}, "From": {"whatsapp:+14155550001"}, "MediaUrl": {photo.URL}, "StatusCallback": {hookURL}}},
		{"WhatsApp template by name and language", parley.Outgoing{To: wa, From: "+14155550001", Text: "Order 42 shipped",
			Template: &conversation.TemplateRef{Name: "order_update", Language: "en_US", Params: []conversation.Param{{Name: "1", Value: "42"}, {Name: "2", Value: "shipped"}}}},
			url.Values{"To": {"whatsapp:+5511987654321"}, "From": {"whatsapp:+14155550001"}, "ContentSid": {"HX0123456789abcdef0123456789abcdef"},
				"ContentVariables": {`{"1":"42","2":"shipped"}`}, "StatusCallback": {hookURL}}},
		{"WhatsApp template by name for any language, named parameters", parley.Outgoing{To: wa, From: "+14155550001",
			Template: &conversation.TemplateRef{Name: "welcome", Language: "pt_BR", Params: []conversation.Param{{Name: "first_name", Value: "Ana"}}}},
			url.Values{"To": {"whatsapp:+5511987654321"}, "From": {"whatsapp:+14155550001"}, "ContentSid": {"HXfedcba9876543210fedcba9876543210"},
				"ContentVariables": {`{"first_name":"Ana"}`}, "StatusCallback": {hookURL}}},
		{"WhatsApp template named by its content SID, no parameters", parley.Outgoing{To: wa, From: "+14155550001",
			Template: &conversation.TemplateRef{Name: "HX11112222333344445555666677778888", Language: "en"}},
			url.Values{"To": {"whatsapp:+5511987654321"}, "From": {"whatsapp:+14155550001"}, "ContentSid": {"HX11112222333344445555666677778888"}, "StatusCallback": {hookURL}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newFakeAPI(t)
			tt.out.MessageID = messageID
			sid, err := api.transport().Send(context.Background(), tt.out)
			require.NoError(t, err)
			assert.Equal(t, "SM0c2e4a6b8d0f2a4c6e8b0d2f4a6c8e0b", sid)
			reqs := api.sent()
			require.Len(t, reqs, 1)
			assert.Equal(t, "POST /2010-04-01/Accounts/"+accountSID+"/Messages.json", reqs[0].path)
			assert.Equal(t, accountSID, reqs[0].user)
			assert.Equal(t, testToken, reqs[0].pass)
			assert.Equal(t, messageID.String(), reqs[0].idempotency, "the message ID is the idempotency token")
			assert.Equal(t, tt.want, reqs[0].form)
		})
	}
	t.Run("an API key authenticates in place of the account", func(t *testing.T) {
		api := newFakeAPI(t)
		tr := api.transport()
		tr.KeySID, tr.AuthToken = "SK0123456789abcdef0123456789abcdef", "key-secret"
		_, err := tr.Send(context.Background(), parley.Outgoing{To: sms, From: "+14155550000", Text: "hi"})
		require.NoError(t, err)
		assert.Equal(t, "SK0123456789abcdef0123456789abcdef", api.sent()[0].user)
		assert.Equal(t, "key-secret", api.sent()[0].pass)
		assert.Equal(t, "/2010-04-01/Accounts/"+accountSID+"/Messages.json", api.sent()[0].path[len("POST "):])
	})
}

// TestTransportErrors: each Twilio error answer becomes the parley
// failure the package documentation's table gives it.
func TestTransportErrors(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		body       string
		header     http.Header
		permanent  bool
		is         error
		code       int
		retryAfter time.Duration
	}{
		{"21610 unsubscribed: opted out", 400, "api_error_21610.json", nil, true, optout.ErrOptedOut, 21610, 0},
		{"21211 invalid number", 400, "api_error_21211.json", nil, true, nil, 21211, 0},
		{"21614 not a mobile number", 400, "api_error_21614.json", nil, true, nil, 21614, 0},
		{"63016 outside the WhatsApp window", 400, "api_error_63016.json", nil, true, session.ErrWindowClosed, 63016, 0},
		{"20429 rate limit with Retry-After seconds", 429, "api_error_20429.json", http.Header{"Retry-After": {"30"}}, false, nil, 20429, 30 * time.Second},
		{"20500 server error with Retry-After date", 500, "api_error_20500.json",
			http.Header{"Retry-After": {"Mon, 02 Nov 2026 09:02:00 GMT"}, "Date": {"Mon, 02 Nov 2026 09:00:00 GMT"}}, false, nil, 20500, 2 * time.Minute},
		{"503 without a JSON body", 503, "<html>Service Unavailable</html>", nil, false, nil, 0, 0},
		{"an unknown code with a 4xx: permanent by status", 400, "api_error_unknown.json", nil, true, nil, 21999, 0},
		{"404: permanent by status", 404, `{"code": 20404, "message": "The requested resource was not found", "more_info": "https://www.twilio.com/docs/errors/20404", "status": 404}`, nil, true, nil, 20404, 0},
		{"Retry-After ignored on a permanent failure", 400, "api_error_21211.json", http.Header{"Retry-After": {"30"}}, true, nil, 21211, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newFakeAPI(t)
			body := tt.body
			if len(body) > 5 && body[len(body)-5:] == ".json" {
				body = fixture(t, body)
			}
			api.answer(tt.status, body, tt.header)
			sid, err := api.transport().Send(context.Background(), parley.Outgoing{To: channel.MustParseAddress("sms:+14155550100"), From: "+14155550000", Text: "hi", MessageID: messageID})
			require.Error(t, err)
			assert.Empty(t, sid)
			var se *parley.SendError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tt.permanent, se.Permanent)
			assert.Equal(t, tt.permanent, errors.Is(err, parley.ErrPermanent))
			assert.Equal(t, tt.retryAfter, se.RetryAfter)
			if tt.is != nil {
				assert.ErrorIs(t, err, tt.is)
			}
			var apiErr *twilio.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.code, apiErr.Code)
			assert.Equal(t, tt.status, apiErr.Status)
			assert.NotEmpty(t, se.Reason)
		})
	}
}

// TestTransportRefusals: messages the transport cannot put into a request
// fail permanently without one.
func TestTransportRefusals(t *testing.T) {
	wa := channel.MustParseAddress("whatsapp:+5511987654321")
	tests := []struct {
		name string
		out  parley.Outgoing
		is   error
	}{
		{"template without a content SID", parley.Outgoing{To: wa, From: "+14155550001", Template: &conversation.TemplateRef{Name: "unknown", Language: "en"}}, twilio.ErrNoContentSID},
		{"attachment without a URL", parley.Outgoing{To: wa, From: "+14155550001", Attachments: []conversation.Attachment{{Attachment: channel.Attachment{Name: "a.jpg"}}}}, twilio.ErrMediaURL},
		{"attachment with a relative URL", parley.Outgoing{To: wa, From: "+14155550001", Attachments: []conversation.Attachment{{Attachment: channel.Attachment{Name: "a.jpg"}, URL: "/files/a.jpg"}}}, twilio.ErrMediaURL},
		{"a channel Twilio does not carry here", parley.Outgoing{To: channel.MustParseAddress("messenger:123"), From: "456", Text: "hi"}, twilio.ErrChannel},
		{"a sender that is no number", parley.Outgoing{To: wa, From: "support", Text: "hi"}, channel.ErrInvalidAddress},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newFakeAPI(t)
			_, err := api.transport().Send(context.Background(), tt.out)
			assert.ErrorIs(t, err, tt.is)
			assert.ErrorIs(t, err, parley.ErrPermanent)
			assert.Empty(t, api.sent(), "nothing sent")
		})
	}
}

// TestTransportContext: Send gives up when its context ends, with a
// temporary failure, even while the API has not answered.
func TestTransportContext(t *testing.T) {
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(release)
	tr := &twilio.Transport{AccountSID: accountSID, AuthToken: testToken, BaseURL: slow.URL, Client: slow.Client()}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := tr.Send(ctx, parley.Outgoing{To: channel.MustParseAddress("sms:+14155550100"), From: "+14155550000", Text: "hi"})
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorIs(t, err, parley.ErrTemporary)
}

// TestTransportAnswerWithoutSID: a 2xx that names no message is a
// temporary failure: a resend carries the same idempotency token.
func TestTransportAnswerWithoutSID(t *testing.T) {
	api := newFakeAPI(t)
	api.answer(http.StatusCreated, `{"status": "queued"}`, nil)
	_, err := api.transport().Send(context.Background(), parley.Outgoing{To: channel.MustParseAddress("sms:+14155550100"), From: "+14155550000", Text: "hi"})
	assert.ErrorIs(t, err, parley.ErrTemporary)
}

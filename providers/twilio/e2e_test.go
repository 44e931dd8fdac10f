package twilio_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/providers/twilio"
	"github.com/parleyhq/parley/routing"
)

// deskServer is a real desk behind the handler on an HTTP server, sending
// through the transport to the stand-in Messages API.
type deskServer struct {
	desk *parley.Desk
	api  *fakeAPI
	srv  *httptest.Server
}

func newDeskServer(t *testing.T) *deskServer {
	api := newFakeAPI(t)
	desk, err := parley.New(parley.Config{
		Transport:   api.transport(),
		Touchpoints: touchpoints,
		Agents:      []routing.Agent{{ID: "ana", Queues: []string{"support"}}},
	})
	require.NoError(t, err)
	h, err := twilio.NewHandler(twilio.HandlerConfig{AuthToken: testToken, Desk: desk, Touchpoints: touchpoints})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("POST /twilio", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &deskServer{desk: desk, api: api, srv: srv}
}

// post sends body to the server as Twilio would, signed with token over
// the server's URL (scheme, host and port as the handler sees them).
func (s *deskServer) post(t *testing.T, token, body string) int {
	t.Helper()
	form, err := url.ParseQuery(body)
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, s.srv.URL+"/twilio", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(twilio.SignatureHeader, twilio.Sign(token, s.srv.URL+"/twilio", form))
	resp, err := s.srv.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

func (s *deskServer) messages(t *testing.T, id conversation.ID) []*conversation.Message {
	t.Helper()
	page, err := s.desk.Messages(context.Background(), "ana", conversation.MessageQuery{ConversationID: id})
	require.NoError(t, err)
	return page.Messages
}

func TestEndToEnd(t *testing.T) {
	ctx := context.Background()
	s := newDeskServer(t)

	// An SMS arrives, and Twilio retries it: one conversation, one message.
	require.Equal(t, http.StatusOK, s.post(t, testToken, fixture(t, "inbound_sms.form")))
	require.Equal(t, http.StatusOK, s.post(t, testToken, fixture(t, "inbound_sms.form")))
	inbox, err := s.desk.Inbox(ctx, "ana", routing.OldestFirst)
	require.NoError(t, err)
	require.Len(t, inbox, 1)
	c := inbox[0]
	assert.Equal(t, "sms", c.Touchpoint)
	assert.Equal(t, "sms:+14155550100", c.Contact.ID)
	msgs := s.messages(t, c.ID)
	require.Len(t, msgs, 1)
	assert.Equal(t, "Hi, my order #42 hasn't arrived", msgs[0].Text)

	// The agent replies: the transport posts it to the Messages API.
	reply, err := s.desk.Reply(ctx, "ana", c.ID, "It ships today.")
	require.NoError(t, err)
	assert.Equal(t, conversation.DeliverySent, reply.Delivery.Status)
	assert.Equal(t, "SM0c2e4a6b8d0f2a4c6e8b0d2f4a6c8e0b", reply.ProviderID)
	sent := s.api.sent()
	require.Len(t, sent, 1)
	assert.Equal(t, url.Values{"To": {"+14155550100"}, "From": {"+14155550000"}, "Body": {"It ships today."}, "StatusCallback": {hookURL}}, sent[0].form)
	assert.Equal(t, reply.ID.String(), sent[0].idempotency)

	// A forged "failed" callback is refused and changes nothing.
	forged := strings.Replace(fixture(t, "status_delivered.form"), "MessageStatus=delivered", "MessageStatus=failed", 1)
	assert.Equal(t, http.StatusForbidden, s.post(t, "forger", forged))
	// Twilio's "delivered" callback moves the reply forward.
	assert.Equal(t, http.StatusOK, s.post(t, testToken, fixture(t, "status_delivered.form")))
	// A callback for a message this desk never sent is acknowledged.
	assert.Equal(t, http.StatusOK, s.post(t, testToken, fixture(t, "status_undelivered.form")))

	msgs = s.messages(t, c.ID)
	require.Len(t, msgs, 2)
	i := slices.IndexFunc(msgs, func(m *conversation.Message) bool { return m.ID == reply.ID })
	require.GreaterOrEqual(t, i, 0, "the reply is stored")
	assert.Equal(t, conversation.DeliveryDelivered, msgs[i].Delivery.Status)

	// An unsupported WhatsApp message reaches the agent as a notice.
	require.Equal(t, http.StatusOK, s.post(t, testToken, fixture(t, "inbound_whatsapp_unsupported.form")))
	inbox, err = s.desk.Inbox(ctx, "ana", routing.OldestFirst)
	require.NoError(t, err)
	require.Len(t, inbox, 1, "the SMS conversation is the agent's now; the WhatsApp one waits")
	assert.Equal(t, "wa", inbox[0].Touchpoint)
	msgs = s.messages(t, inbox[0].ID)
	require.Len(t, msgs, 1)
	assert.Equal(t, conversation.NoticeUnsupported, msgs[0].Notice)
}

// TestEndToEndConcurrentWebhooks: Twilio's webhooks and their retries
// arrive at once; each message is stored once.
func TestEndToEndConcurrentWebhooks(t *testing.T) {
	s := newDeskServer(t)
	const contacts, retries = 8, 3
	var wg sync.WaitGroup
	for i := range contacts {
		body := strings.NewReplacer(
			"From=%2B14155550100", fmt.Sprintf("From=%%2B1415555%04d", 200+i),
			"SM3f2b8c1e9a7d4e6f0b5c2a8d9e1f4a7b", fmt.Sprintf("SM%032d", i),
		).Replace(fixture(t, "inbound_sms.form"))
		for range retries {
			wg.Go(func() { assert.Equal(t, http.StatusOK, s.post(t, testToken, body)) })
		}
	}
	wg.Wait()
	inbox, err := s.desk.Inbox(context.Background(), "ana", routing.OldestFirst)
	require.NoError(t, err)
	require.Len(t, inbox, contacts)
	for _, c := range inbox {
		assert.Len(t, s.messages(t, c.ID), 1, "conversation of %s", c.Contact.ID)
	}
}

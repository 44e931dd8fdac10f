package meta_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/parleytest"
	"github.com/parleyhq/parley/providers/meta"
	"github.com/parleyhq/parley/routing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A real Desk (memory stores, test clock) receives a WhatsApp message
// through the handler, an agent replies through the transport to the fake
// Graph API, and the statuses Meta sends back update the reply; a retried
// webhook stores nothing twice.
func TestEndToEnd(t *testing.T) {
	ctx := context.Background()
	g := newGraphAPI(t)
	g.reply = func(int) (int, http.Header, []byte) { return http.StatusOK, nil, fixture(t, "send_wa_ok.json") }
	desk := parleytest.NewDesk(t, parley.Config{
		Transport: newTransport(t, g),
		Touchpoints: []parley.Touchpoint{
			{ID: "wa", Kind: channel.WhatsApp, Address: "+14155550000", Queues: []string{"support"}},
			{ID: "wa-mx", Kind: channel.WhatsApp, Address: "+14155550001", Queues: []string{"support"}},
			{ID: "fb", Kind: channel.Messenger, Address: pageID, Queues: []string{"support"}},
			{ID: "ig", Kind: channel.Instagram, Address: igID, Queues: []string{"support"}},
		},
		Agents: []routing.Agent{{ID: "ana", Queues: []string{"support"}}},
	})
	h := newHandler(t, desk.Desk)

	body := fixture(t, "wa_text.json")
	require.Equal(t, http.StatusOK, post(h, body, signed(body)).Code)
	require.Equal(t, http.StatusOK, post(h, body, signed(body)).Code, "Meta's retry")
	page, err := desk.Search(ctx, parley.SystemActor, conversation.Query{})
	require.NoError(t, err)
	require.Len(t, page.Conversations, 1)
	c := page.Conversations[0]
	assert.Equal(t, "whatsapp:+16505551234", c.Contact.ID)
	msgs, err := desk.Messages(ctx, "ana", conversation.MessageQuery{ConversationID: c.ID})
	require.NoError(t, err)
	require.Len(t, msgs.Messages, 1, "the retry stored nothing")
	assert.Equal(t, "Does it come in another color?", msgs.Messages[0].Text)

	reply, err := desk.Reply(ctx, "ana", c.ID, "Yes, in blue and green.")
	require.NoError(t, err)
	sent := g.received()
	require.Len(t, sent, 1)
	assert.Equal(t, "16505551234", sent[0].Body["to"])
	assert.Equal(t, "wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI3QjMwRTg5MTcxMEUyNUNCNTQA", reply.ProviderID)

	// Meta reports the reply delivered, then read; a status for a message
	// the Desk never sent is acknowledged.
	status := func(id, st string) []byte {
		return []byte(`{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"14155550000","phone_number_id":"` + waPhoneID + `"},"statuses":[{"id":"` + id + `","status":"` + st + `","timestamp":"1796202401","recipient_id":"16505551234"}]}}]}]}`)
	}
	for _, b := range [][]byte{status(reply.ProviderID, "delivered"), status(reply.ProviderID, "read"), status("wamid.unknown", "delivered")} {
		require.Equal(t, http.StatusOK, post(h, b, signed(b)).Code)
	}
	msgs, err = desk.Messages(ctx, "ana", conversation.MessageQuery{ConversationID: c.ID})
	require.NoError(t, err)
	require.Len(t, msgs.Messages, 2)
	i := slices.IndexFunc(msgs.Messages, func(m *conversation.Message) bool { return m.ID == reply.ID })
	require.GreaterOrEqual(t, i, 0, "the reply is stored")
	assert.Equal(t, conversation.DeliveryRead, msgs.Messages[i].Delivery.Status)

	// A forged status never reaches the Desk.
	forged := status(reply.ProviderID, "failed")
	assert.Equal(t, http.StatusForbidden, post(h, forged, meta.SignatureValue([]byte("guess"), forged)).Code)

	// Every fixture goes through the real Desk: nothing refused, nothing
	// asked to be retried.
	for _, name := range []string{"wa_image.json", "wa_location.json", "wa_unsupported.json", "wa_reaction.json", "wa_batch.json", "wa_statuses.json", "messenger.json", "instagram.json"} {
		b := fixture(t, name)
		rec := post(h, b, signed(b))
		assert.Equal(t, http.StatusOK, rec.Code, "%s: %s", name, strings.TrimSpace(rec.Body.String()))
	}
	page, err = desk.Search(ctx, parley.SystemActor, conversation.Query{})
	require.NoError(t, err)
	assert.Len(t, page.Conversations, 5, "WhatsApp US, Brazil and Mexico contacts, one on Messenger, one on Instagram")
}

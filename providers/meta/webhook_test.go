package meta_test

import (
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/providers/meta"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func wa(e164 string) channel.Address { return channel.Address{Kind: channel.WhatsApp, ID: e164} }

func TestParseWhatsAppMessages(t *testing.T) {
	tests := []struct {
		fixture string
		want    []parley.Inbound
		skipped []string // reasons
	}{
		{"wa_text.json", []parley.Inbound{{
			Touchpoint: "wa", From: wa("+16505551234"), Name: "Sheena Nelson", Text: "Does it come in another color?",
			ProviderID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=", At: time.Unix(1796202000, 0).UTC(),
		}}, nil},
		{"wa_image.json", []parley.Inbound{{
			Touchpoint: "wa", From: wa("+16505551234"), Name: "Sheena Nelson", Text: "This one, but in blue",
			ProviderID: "wamid.HBgLMTY1MDUwNzY1MjAVAgASGBQzQUNCNjc0NzA4MjdENjYxODY3RQA=", At: time.Unix(1796202060, 0).UTC(),
			Attachments: []conversation.Attachment{{Attachment: channel.Attachment{MIMEType: "image/jpeg"}, URL: "whatsapp-media:1003383421387256"}},
		}}, nil},
		{"wa_location.json", []parley.Inbound{{
			Touchpoint: "wa", From: wa("+16505551234"), Name: "Sheena Nelson",
			Text:       "Location: Philz Coffee, 101 Forest Ave, Palo Alto, CA 94301 (37.44216251868683, -122.16153582049394)",
			ProviderID: "wamid.HBgLMTY1MDUwNzY1MjAVAgASGBQzQTY1MjFCMDZDRjcyNzM0QkU5RQA=", At: time.Unix(1796202120, 0).UTC(),
		}}, nil},
		{"wa_unsupported.json", []parley.Inbound{{
			Touchpoint: "wa", From: wa("+16505551234"), Name: "Sheena Nelson", Unsupported: true,
			ProviderID: "wamid.HBgLMTY1MDUwNzY1MjAVAgASGBQzQUZCQTE4ODJFNUEyNzY1OUVBMQA=", At: time.Unix(1796202180, 0).UTC(),
		}}, nil},
		{"wa_reaction.json", []parley.Inbound{
			{Touchpoint: "wa", From: wa("+16505551234"), Name: "Sheena Nelson", Unsupported: true,
				ProviderID: "wamid.HBgLMTY1MDUwNzY1MjAVAgASGBQzQkI3RjJCNjUwNjk5NjE0NTk2QQA=", At: time.Unix(1796202240, 0).UTC()},
			{Touchpoint: "wa", From: wa("+16505551234"), Name: "Sheena Nelson", Unsupported: true,
				ProviderID: "wamid.HBgLMTY1MDUwNzY1MjAVAgASGBQzQkE1NTk0NDMzOUFGN0VGMjJEQwA=", At: time.Unix(1796202260, 0).UTC()},
		}, []string{"reaction removed"}},
		{"wa_batch.json", []parley.Inbound{
			{Touchpoint: "wa", From: wa("+16505551234"), Name: "Sheena Nelson", Text: "Hello?",
				ProviderID: "wamid.HBgLMTY1MDUwNzY1MjAVAgASGBQzRTAxQUE5MjM1NDdBMzQ2QzQ2MwA=", At: time.Unix(1796202300, 0).UTC()},
			{Touchpoint: "wa", From: wa("+5511987654321"), Name: "Ana Souza", Text: "Track my order",
				ProviderID: "wamid.HBgMNTUxMTg3NjU0MzIxFQIAEhgUM0VCMEIzNzlDRTQxRTNGRkRBMEYA", At: time.Unix(1796202301, 0).UTC()},
			{Touchpoint: "wa-mx", From: wa("+525512345678"), Name: "Juan Pérez", Text: "Stop promotions",
				ProviderID: "wamid.HBgNNTIxNTUxMjM0NTY3OBUCABIYFDNFQjAyQjQ0RTk0QzRFNTI0RjhFAA==", At: time.Unix(1796202302, 0).UTC()},
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			b, err := meta.Parse(fixture(t, tt.fixture), endpoints)
			require.NoError(t, err)
			assert.Equal(t, tt.want, b.Messages)
			assert.Empty(t, b.Reports)
			assert.Equal(t, tt.skipped, reasons(b.Skipped))
		})
	}
}

func reasons(ss []meta.Skip) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Reason)
	}
	return out
}

func TestParseWhatsAppStatuses(t *testing.T) {
	b, err := meta.Parse(fixture(t, "wa_statuses.json"), endpoints)
	require.NoError(t, err)
	const sent = "wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI0NkE3QTAxQ0QzRjU0RDRFRjMA"
	assert.Empty(t, b.Messages)
	assert.Equal(t, []parley.DeliveryReport{
		{Touchpoint: "wa", ProviderID: sent, Status: conversation.DeliverySent, At: time.Unix(1796202400, 0).UTC()},
		{Touchpoint: "wa", ProviderID: sent, Status: conversation.DeliveryDelivered, At: time.Unix(1796202401, 0).UTC()},
		{Touchpoint: "wa", ProviderID: sent, Status: conversation.DeliveryRead, At: time.Unix(1796202460, 0).UTC()},
		{Touchpoint: "wa", ProviderID: "wamid.HBgLMTY1MDUwNzY1MjAVAgARGBJCNkQ1RjY5RjE3RkI2NzE2NDIA", Status: conversation.DeliveryFailed,
			Reason: "131026 Message undeliverable: Message Undeliverable.", At: time.Unix(1796202470, 0).UTC()},
		{Touchpoint: "wa", ProviderID: "wamid.HBgLMTY1MDUwNzY1MjAVAgARGBJGRkZGRkZGRkZGRkZGRkZGRkYA", Status: conversation.DeliveryDelivered, At: time.Unix(1796202480, 0).UTC()},
	}, b.Reports)
}

func TestParseMessenger(t *testing.T) {
	b, err := meta.Parse(fixture(t, "messenger.json"), endpoints)
	require.NoError(t, err)
	psid := channel.Address{Kind: channel.Messenger, ID: "6543210987654321"}
	const delivered = "m_7k2LzZ0rsGJwP3i1QGsm3XjTsU4bdO6f9fSbiGWOqnrM2qZrLq5U6eC5hP4j7l8NdF1eM0u"
	assert.Equal(t, []parley.Inbound{
		{Touchpoint: "fb", From: psid, Text: "Is the store open on Sunday?", At: time.UnixMilli(1796202500000).UTC(),
			ProviderID: "m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P"},
		{Touchpoint: "fb", From: psid, At: time.UnixMilli(1796202501000).UTC(),
			ProviderID: "m_bVn2Ao8wHr1rD3sy7aGmVTZQxMi6sBwXUkHtMdrcRcIkqBmuC3IMqE2R5kkv4tJmZhv5f0Tk2DEU2XM2pLbpnA",
			Attachments: []conversation.Attachment{{
				Attachment: channel.Attachment{Name: "469867_5213567_n.jpg", MIMEType: "image/jpeg"},
				URL:        "https://scontent.xx.fbcdn.net/v/t1.15752-9/469867_5213567_n.jpg?_nc_cat=1&oh=00_AfB&oe=6512A1B2",
			}}},
		{Touchpoint: "fb", From: psid, At: time.UnixMilli(1796202505000).UTC(), Unsupported: true,
			ProviderID: "reaction:" + delivered + ":1796202505000"},
	}, b.Messages)
	assert.Equal(t, []parley.DeliveryReport{{Touchpoint: "fb", ProviderID: delivered, Status: conversation.DeliveryDelivered}}, b.Reports)
	assert.Equal(t, []string{"echo of the business's own message", "read receipt without a message ID (watermark only)"}, reasons(b.Skipped))
}

func TestParseInstagram(t *testing.T) {
	b, err := meta.Parse(fixture(t, "instagram.json"), endpoints)
	require.NoError(t, err)
	igsid := channel.Address{Kind: channel.Instagram, ID: "1234567890123456"}
	require.Len(t, b.Messages, 2)
	assert.Equal(t, parley.Inbound{Touchpoint: "ig", From: igsid, Text: "Do you ship to Canada?", At: time.UnixMilli(1796202600000).UTC(),
		ProviderID: "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDA1ODIyMzA0OTE0OjM0MDI4MjM2Njg0MTcxMDMwMTI0NDI1OTYzMDMwNjI4MzQ0MzE2NzozMTQ1NjI4NzY1NDMyMTA5ODc2NTQzMjEwAZDZD"}, b.Messages[0])
	assert.True(t, b.Messages[1].Unsupported, "a shared post is a notice, never dropped")
	assert.Equal(t, []parley.DeliveryReport{{Touchpoint: "ig", Status: conversation.DeliveryRead, At: time.UnixMilli(1796202602000).UTC(),
		ProviderID: "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDA1ODIyMzA0OTE0OjM0MDI4MjM2Njg0MTcxMDMwMTI0NDI1OTYzMDMwNjI4MzQ0MzE2NzozMTQ1NjI4NzY1NDMyMTA5ODc2NTQzMjEyAZDZD"}}, b.Reports)
}

func TestParseSkipsWhatItCannotUse(t *testing.T) {
	tests := []struct {
		name, body, reason string
	}{
		{"phone number ID not configured", `{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"999"},"messages":[{"from":"16505551234","id":"wamid.x","type":"text","text":{"body":"hi"}}]}}]}]}`, "phone number ID not configured"},
		{"page not configured", `{"object":"page","entry":[{"messaging":[{"sender":{"id":"1"},"recipient":{"id":"999"},"message":{"mid":"m_1","text":"hi"}}]}]}`, "endpoint not configured"},
		{"invalid wa_id", `{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"106540352242922"},"messages":[{"from":"+1 650","id":"wamid.x","type":"text","text":{"body":"hi"}}]}}]}]}`, `channel: invalid address "+1 650": unexpected character '+' in WhatsApp ID (digits only, no "+")`},
		{"other field", `{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"message_template_status_update","value":{}}]}]}`, `field "message_template_status_update" not handled`},
		{"other object", `{"object":"user","entry":[]}`, `object "user" is not a messaging webhook`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := meta.Parse([]byte(tt.body), endpoints)
			require.NoError(t, err)
			assert.Empty(t, b.Messages)
			assert.Equal(t, []string{tt.reason}, reasons(b.Skipped))
		})
	}
}

func TestParseRefusesWhatIsNotAPayload(t *testing.T) {
	for _, body := range []string{"", "not json", `{"object":1}`, `[1,2]`, `{"entry":"x"}`} {
		_, err := meta.Parse([]byte(body), endpoints)
		assert.ErrorIs(t, err, meta.ErrPayload, "body %q", body)
	}
}

// Whatever the body, Parse does not panic, and everything it passes on
// names a configured touchpoint and a sender of the touchpoint's kind.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"wa_text.json", "wa_image.json", "wa_location.json", "wa_unsupported.json", "wa_reaction.json", "wa_batch.json", "wa_statuses.json", "messenger.json", "instagram.json"} {
		f.Add(fixture(f, name))
	}
	kinds := map[string]channel.Kind{}
	for _, e := range endpoints {
		kinds[e.Touchpoint] = e.Kind
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		b, err := meta.Parse(body, endpoints)
		if err != nil {
			return
		}
		for _, in := range b.Messages {
			k, ok := kinds[in.Touchpoint]
			if !ok || in.From.Kind != k {
				t.Fatalf("message for touchpoint %q from %v", in.Touchpoint, in.From)
			}
			if _, err := channel.NewAddress(in.From.Kind, in.From.ID); err != nil {
				t.Fatalf("invalid sender %v: %v", in.From, err)
			}
		}
		for _, r := range b.Reports {
			if _, ok := kinds[r.Touchpoint]; !ok {
				t.Fatalf("report for touchpoint %q", r.Touchpoint)
			}
		}
	})
}

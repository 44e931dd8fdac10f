package helpdesk

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
)

// TestWebhooksTakeTheRealPath: signed provider webhooks reach the Desk
// through the providers' handlers and route by each touchpoint's mode; a
// retry stores nothing; a forged signature is refused and reaches nothing
// (rules 2 and 3).
func TestWebhooksTakeTheRealPath(t *testing.T) {
	f := newFixture(t)

	require.Equal(t, http.StatusOK, f.whatsApp(maria, "wamid.first", "Hi, my order").StatusCode)
	agent, it := f.owner("Maria Lopez")
	assert.Contains(t, []string{"ana", "ben"}, agent, "automatic routing in support")
	assert.Equal(t, "whatsapp", it.Channel)
	require.Equal(t, http.StatusOK, f.whatsApp(maria, "wamid.first", "Hi, my order").StatusCode)
	v := f.view(agent, it.ID, "")
	assert.Len(t, slices.DeleteFunc(v.Messages, func(m messageJSON) bool { return m.Direction != "inbound" }), 1, "the retry stored nothing")

	require.Equal(t, http.StatusOK, f.sms(john, "A billing question", "").StatusCode)
	inbox := f.list("inbox", "cleo")
	require.Len(t, inbox, 1)
	assert.Equal(t, "John Smith", inbox[0].Contact, "the directory names an SMS contact")
	assert.Equal(t, "john.smith@example.org", inbox[0].Email)

	require.Equal(t, http.StatusOK, f.messenger(aiko, "Do you ship to Japan?").StatusCode)
	var offers []struct {
		Contact     string `json:"contact"`
		RemainingMS int64  `json:"remaining_ms"`
	}
	found := false
	for _, a := range []string{"ana", "ben"} {
		f.get("/api/offers?agent="+a, &offers)
		for _, o := range offers {
			found = true
			assert.Equal(t, "Aiko Tanaka", o.Contact)
			assert.Equal(t, offerTimeout.Milliseconds(), o.RemainingMS, "the clock has not moved")
		}
	}
	assert.True(t, found, "Messenger offers its conversations")

	before := len(f.list("inbox", "cleo"))
	assert.Equal(t, http.StatusForbidden, f.sms(aiko, "forged", "bm90IHRoZSBzaWduYXR1cmU=").StatusCode)
	assert.Equal(t, http.StatusForbidden, f.meta(map[string]any{"object": "page"}, "sha256="+strings.Repeat("0", 64)).StatusCode)
	assert.Len(t, f.list("inbox", "cleo"), before, "a forged webhook reaches nothing")
}

// TestReplyIsDeliveredThenRead: a reply goes through the real Transport to
// the fake provider, which gives it to the phone and posts the signed
// callbacks: delivered, then read once the phone shows it (rule 3).
func TestReplyIsDeliveredThenRead(t *testing.T) {
	f := newFixture(t)
	require.Equal(t, http.StatusOK, f.whatsApp(maria, "", "Hello").StatusCode)
	agent, it := f.owner("Maria Lopez")
	status, out := f.post("/api/conversations/"+it.ID+"/reply", `{"agent":"`+agent+`","text":"Hi Maria!"}`)
	require.Equal(t, http.StatusOK, status, out)

	phone := func() phoneMessage {
		for _, m := range f.srv.fake.thread(channel.WhatsApp, maria.ID) {
			if m.Text == "Hi Maria!" {
				return m
			}
		}
		return phoneMessage{}
	}
	deskStatus := func() string {
		for _, m := range f.view(agent, it.ID, "").Messages {
			if m.Text == "Hi Maria!" {
				return m.Status
			}
		}
		return ""
	}
	eventually(t, "delivered", func() bool { return deskStatus() == "delivered" })
	assert.Equal(t, "delivered", phone().Status)
	status, _ = f.post("/phone/api/read", `{"id":"`+phone().ID+`"}`)
	require.Equal(t, http.StatusOK, status)
	eventually(t, "read", func() bool { return deskStatus() == "read" })
}

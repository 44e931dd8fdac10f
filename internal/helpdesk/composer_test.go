package helpdesk

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
)

// TestComposerLocksWhenTheWindowCloses: 25 hours later the composer is
// locked with the reason and the time, a free-form reply is refused with
// its code and the failed message, and an approved template goes (rules
// 5, 8 and 9).
func TestComposerLocksWhenTheWindowCloses(t *testing.T) {
	f := newFixture(t)
	require.Equal(t, http.StatusOK, f.whatsApp(maria, "", "Hello").StatusCode)
	agent, it := f.owner("Maria Lopez")
	assert.True(t, f.view(agent, it.ID, "").Composer.CanReply)

	status, _ := f.post("/api/clock/advance", `{"hours":25}`)
	require.Equal(t, http.StatusOK, status)
	comp := f.view(agent, it.ID, "").Composer
	assert.False(t, comp.CanReply)
	assert.True(t, comp.Templates)
	assert.Equal(t, "template_only", comp.Reason)
	assert.Contains(t, comp.Lock, "closed at Tue 09:00")

	status, out := f.post("/api/conversations/"+it.ID+"/reply", `{"agent":"`+agent+`","text":"Any news?"}`)
	assert.Equal(t, http.StatusConflict, status)
	assert.Equal(t, "window_closed", out["code"])
	require.NotNil(t, out["message"], "the refused message comes back")
	assert.Equal(t, "failed", out["message"].(map[string]any)["status"])

	status, out = f.post("/api/conversations/"+it.ID+"/template",
		`{"agent":"`+agent+`","template":"follow_up","language":"en_US","params":{"1":"Maria","2":"#4521"}}`)
	require.Equal(t, http.StatusOK, status, out)
	eventually(t, "the phone shows the template", func() bool {
		for _, m := range f.srv.fake.thread(channel.WhatsApp, maria.ID) {
			if m.Text == "Hi Maria, your ticket #4521 has an update. Reply to continue." {
				return true
			}
		}
		return false
	})
}

// TestOptOutShowsTheRefusal: after STOP the composer stays open with a
// warning and the Desk's refusal comes back; START lifts it (rule 9).
func TestOptOutShowsTheRefusal(t *testing.T) {
	f := newFixture(t)
	require.Equal(t, http.StatusOK, f.sms(john, "Hello", "").StatusCode)
	id := f.list("inbox", "ana")[0].ID
	status, out := f.post("/api/conversations/"+id+"/take", `{"agent":"ana"}`)
	require.Equal(t, http.StatusOK, status, out)
	require.Equal(t, http.StatusOK, f.sms(john, "STOP", "").StatusCode)

	comp := f.view("ana", id, "").Composer
	assert.True(t, comp.OptedOut)
	assert.True(t, comp.CanReply, "left open so that the refusal shows")
	assert.Contains(t, comp.Warning, "opted out")
	status, out = f.post("/api/conversations/"+id+"/reply", `{"agent":"ana","text":"Bye"}`)
	assert.Equal(t, http.StatusConflict, status)
	assert.Equal(t, "opted_out", out["code"])

	require.Equal(t, http.StatusOK, f.sms(john, "START", "").StatusCode)
	status, out = f.post("/api/conversations/"+id+"/reply", `{"agent":"ana","text":"Welcome back"}`)
	assert.Equal(t, http.StatusOK, status, out)
}

// TestSMSCount is the live segment counter's endpoint: the channel
// package's count, labelled.
func TestSMSCount(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct{ text, want string }{
		{"", "0 SMS, GSM-7"},
		{strings.Repeat("a", 160), "1 SMS, GSM-7"},
		{strings.Repeat("a", 161), "2 SMS, GSM-7"},
		{strings.Repeat("€", 80), "1 SMS, GSM-7"}, // an extension character costs two septets
		{strings.Repeat("€", 81), "2 SMS, GSM-7"},
		{"Merci 🙂", "1 SMS, UCS-2"},
		{strings.Repeat("ж", 71), "2 SMS, UCS-2"},
	} {
		t.Run(fmt.Sprintf("%.12s…%d", c.text, len(c.text)), func(t *testing.T) {
			status, out := f.post("/api/sms-count", fmt.Sprintf(`{"text":%q}`, c.text))
			require.Equal(t, http.StatusOK, status)
			assert.Equal(t, c.want, out["label"])
		})
	}
}

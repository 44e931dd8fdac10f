package helpdesk

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

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

// TestActions takes a conversation through the console's verbs: take,
// note with a mention, send to inbox, transfer to an agent and to a
// queue, end, close with a note and a disposition.
func TestActions(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events := f.stream(ctx)
	require.Equal(t, http.StatusOK, f.sms(john, "Where is my refund?", "").StatusCode)
	id := f.list("inbox", "ana")[0].ID
	do := func(verb, body string) {
		t.Helper()
		status, out := f.post("/api/conversations/"+id+"/"+verb, body)
		require.Equal(t, http.StatusOK, status, "%s: %v", verb, out)
	}
	do("take", `{"agent":"ana"}`)
	do("note", `{"agent":"ana","text":"@ben @nobody can you check the refund?"}`)
	v := f.view("ana", id, "")
	note := v.Messages[len(v.Messages)-1]
	assert.True(t, note.Note)
	assert.Equal(t, []string{"ben"}, note.Mentions, "only known agents are mentioned")
	waitEvent(t, events, func(e event) bool { return e.Name == "note.mention" && e.Agent == "ben" && e.From == "ana" })

	do("inbox", `{"agent":"ana"}`)
	assert.Equal(t, "queued", f.view("ana", id, "").Conversation.Status)
	do("take", `{"agent":"ana"}`)
	do("transfer", `{"agent":"ana","to_agent":"ben"}`)
	assert.Equal(t, "ben", f.view("ben", id, "").Conversation.Assignee)
	status, out := f.post("/api/conversations/"+id+"/reply", `{"agent":"ana","text":"still mine?"}`)
	assert.Equal(t, http.StatusForbidden, status, "ana no longer sees it")
	assert.Equal(t, "not_visible", out["code"])
	do("transfer", `{"agent":"ben","queue":"billing"}`)
	assert.Equal(t, "queued", f.view("cleo", id, "").Conversation.Status)
	do("take", `{"agent":"cleo"}`)
	do("end", `{"agent":"cleo"}`)
	assert.Equal(t, "wrap_up", f.view("cleo", id, "").Conversation.Status)
	do("close", `{"agent":"cleo","note":"Refund sent","disposition":"resolved"}`)
	var closed struct {
		Conversation item   `json:"conversation"`
		Note         string `json:"closing_note"`
		Disposition  string `json:"disposition"`
		Composer     composerJSON
	}
	f.get("/api/conversations/"+id+"?agent=cleo", &closed)
	assert.Equal(t, "closed", closed.Conversation.Status)
	assert.Equal(t, "Refund sent", closed.Note)
	assert.Equal(t, "resolved", closed.Disposition)
	assert.False(t, closed.Composer.CanReply)

	// The contact writes again: a new conversation, the old one its history.
	require.Equal(t, http.StatusOK, f.sms(john, "One more thing", "").StatusCode)
	agent, it := f.owner("John Smith")
	assert.NotEqual(t, id, it.ID)
	assert.Len(t, f.view(agent, it.ID, "").History, 1)
}

func waitEvent(t *testing.T, events <-chan event, match func(event) bool) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case e, ok := <-events:
			require.True(t, ok, "the stream ended")
			if match(e) {
				return
			}
		case <-timeout:
			t.Fatal("no such event")
		}
	}
}

// TestRequestsRefused: what the console cannot act on is answered with a
// status and a code (rules 7 and 8).
func TestRequestsRefused(t *testing.T) {
	f := newFixture(t)
	require.Equal(t, http.StatusOK, f.sms(john, "Hello", "").StatusCode)
	id := f.list("inbox", "ana")[0].ID
	require.Equal(t, http.StatusOK, f.whatsApp(maria, "", "Hello").StatusCode)
	_, wa := f.owner("Maria Lopez")
	for _, c := range []struct {
		name, path, body string
		status           int
		code             string
	}{
		{"not JSON", "/api/conversations/" + id + "/reply", `reply`, http.StatusBadRequest, "bad_request"},
		{"unknown field", "/api/conversations/" + id + "/reply", `{"agent":"ana","txt":"hi"}`, http.StatusBadRequest, "bad_request"},
		{"unknown agent", "/api/conversations/" + id + "/reply", `{"agent":"zed","text":"hi"}`, http.StatusBadRequest, "unknown_agent"},
		{"no text", "/api/conversations/" + id + "/reply", `{"agent":"ana"}`, http.StatusBadRequest, "bad_request"},
		{"unknown verb", "/api/conversations/" + id + "/dance", `{"agent":"ana"}`, http.StatusBadRequest, "bad_request"},
		{"bad ID", "/api/conversations/42/reply", `{"agent":"ana","text":"hi"}`, http.StatusBadRequest, "bad_request"},
		{"not the agent's queue", "/api/conversations/" + wa.ID + "/take", `{"agent":"cleo"}`, http.StatusForbidden, "not_visible"},
		{"draining is no switch", "/api/presence", `{"agent":"ana","presence":"draining"}`, http.StatusBadRequest, "bad_request"},
		{"clock back", "/api/clock/advance", `{"hours":-1}`, http.StatusBadRequest, "bad_request"},
		{"clock still", "/api/clock/advance", `{}`, http.StatusBadRequest, "bad_request"},
		{"no offer", "/api/offers/" + id + "/accept", `{"agent":"ana"}`, http.StatusUnprocessableEntity, "refused"},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, out := f.post(c.path, c.body)
			assert.Equal(t, c.status, status, out)
			assert.Equal(t, c.code, out["code"])
		})
	}
}

// TestSupervisorView: each agent's load against capacity, each queue's
// waiting count and oldest wait (rule 6).
func TestSupervisorView(t *testing.T) {
	f := newFixture(t)
	require.Equal(t, http.StatusOK, f.sms(john, "Hello", "").StatusCode)
	require.Equal(t, http.StatusOK, f.sms(aiko, "Hello", "").StatusCode)
	id := f.list("inbox", "ana")[0].ID
	status, _ := f.post("/api/conversations/"+id+"/take", `{"agent":"ana"}`)
	require.Equal(t, http.StatusOK, status)
	status, _ = f.post("/api/presence", `{"agent":"cleo","presence":"away"}`)
	require.Equal(t, http.StatusOK, status)
	f.clock.Advance(90 * time.Minute)

	var v struct {
		Agents []struct {
			ID       string `json:"id"`
			Presence string `json:"presence"`
			Load     int    `json:"load"`
			Capacity int    `json:"capacity"`
		} `json:"agents"`
		Queues []struct {
			Name       string `json:"name"`
			Waiting    int    `json:"waiting"`
			OldestWait string `json:"oldest_wait"`
		} `json:"queues"`
	}
	f.get("/api/supervisor", &v)
	got := map[string]string{}
	for _, a := range v.Agents {
		got[a.ID] = fmt.Sprintf("%s %d/%d", a.Presence, a.Load, a.Capacity)
	}
	assert.Equal(t, map[string]string{"ana": "available 5/100", "ben": "available 0/100", "cleo": "away 0/100", "sam": "offline 0/100"}, got)
	queues := map[string]string{}
	for _, q := range v.Queues {
		queues[q.Name] = fmt.Sprintf("%d %s", q.Waiting, q.OldestWait)
	}
	assert.Equal(t, map[string]string{"support": "1 1h30m0s", "billing": "1 1h30m0s", "sales": "0 -"}, queues)
}

// TestConcurrentWebhooksReadsAndStreams: webhooks, console reads and
// event streams at once, under -race.
func TestConcurrentWebhooksReadsAndStreams(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	streams := []<-chan event{f.stream(ctx), f.stream(ctx)}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			c := contacts[i%len(contacts)]
			switch i % 3 {
			case 0:
				assert.Equal(t, http.StatusOK, f.sms(c, fmt.Sprintf("sms %d", i), "").StatusCode)
			case 1:
				assert.Equal(t, http.StatusOK, f.whatsApp(c, "", fmt.Sprintf("wa %d", i)).StatusCode)
			default:
				assert.Equal(t, http.StatusOK, f.messenger(c, fmt.Sprintf("fb %d", i)).StatusCode)
			}
		})
		wg.Go(func() {
			var v map[string]any
			f.get("/api/supervisor", &v)
			_ = f.list("inbox", agents()[i%len(agents())].ID)
		})
	}
	wg.Wait()
	for _, s := range streams {
		waitEvent(t, s, func(e event) bool { return e.Name == "message.received" })
	}
}

package helpdesk

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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

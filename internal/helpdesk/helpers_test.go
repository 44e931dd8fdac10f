package helpdesk

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/providers/meta"
	"github.com/parleyhq/parley/providers/twilio"
)

var morning = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// fixture is a console on a clock that moves only when told.
type fixture struct {
	t     *testing.T
	srv   *Server
	hs    *httptest.Server
	clock *Clock
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	wall := morning
	clock := newClock(morning, 1, func() time.Time { return wall })
	srv, err := New(Options{Clock: clock})
	require.NoError(t, err)
	srv.fake.delay = 0
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	t.Cleanup(srv.hub.close)
	return &fixture{t: t, srv: srv, hs: hs, clock: clock}
}

var seq atomic.Int64

// whatsApp posts a signed Meta webhook of a WhatsApp text from c; an empty
// id makes a new one.
func (f *fixture) whatsApp(c Contact, id, text string) *http.Response {
	if id == "" {
		id = fmt.Sprintf("wamid.test%d", seq.Add(1))
	}
	wa := strings.TrimPrefix(c.Phone, "+")
	payload := map[string]any{"object": "whatsapp_business_account", "entry": []any{map[string]any{"id": "1", "changes": []any{
		map[string]any{"field": "messages", "value": map[string]any{
			"messaging_product": "whatsapp",
			"metadata":          map[string]string{"display_phone_number": "14155550000", "phone_number_id": whatsAppPhoneID},
			"contacts":          []any{map[string]any{"profile": map[string]string{"name": c.Name}, "wa_id": wa}},
			"messages":          []any{map[string]any{"from": wa, "id": id, "type": "text", "text": map[string]string{"body": text}}},
		}}}}}}
	return f.meta(payload, "")
}

// messenger posts a signed Meta webhook of a Messenger text from c.
func (f *fixture) messenger(c Contact, text string) *http.Response {
	mid := fmt.Sprintf("m_test%d", seq.Add(1))
	return f.meta(map[string]any{"object": "page", "entry": []any{map[string]any{"id": pageID, "messaging": []any{map[string]any{
		"sender": map[string]string{"id": c.PSID}, "recipient": map[string]string{"id": pageID},
		"message": map[string]string{"mid": mid, "text": text}}}}}}, "")
}

// meta posts payload signed with the app secret, or with sig when set.
func (f *fixture) meta(payload any, sig string) *http.Response {
	body, err := json.Marshal(payload)
	require.NoError(f.t, err)
	if sig == "" {
		sig = meta.SignatureValue([]byte(metaAppSecret), body)
	}
	req, err := http.NewRequest(http.MethodPost, f.hs.URL+metaWebhookPath, bytes.NewReader(body))
	require.NoError(f.t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(meta.SignatureHeader, sig)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(f.t, err)
	resp.Body.Close()
	return resp
}

// sms posts a signed Twilio webhook of an SMS from c; a non-empty sig
// replaces the signature.
func (f *fixture) sms(c Contact, text, sig string) *http.Response {
	sid := fmt.Sprintf("SMtest%d", seq.Add(1))
	form := url.Values{"MessageSid": {sid}, "AccountSid": {twilioAccountSID}, "From": {c.Phone}, "To": {smsNumber}, "Body": {text},
		"NumMedia": {"0"}, "SmsStatus": {"received"}}
	u := f.hs.URL + twilioWebhookPath
	if sig == "" {
		sig = twilio.Sign(twilioAuthToken, u, form)
	}
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	require.NoError(f.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(twilio.SignatureHeader, sig)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(f.t, err)
	resp.Body.Close()
	return resp
}

// get decodes the JSON answer of a GET, which must be 200.
func (f *fixture) get(path string, v any) {
	f.t.Helper()
	resp, err := http.Get(f.hs.URL + path)
	require.NoError(f.t, err)
	defer resp.Body.Close()
	require.Equal(f.t, http.StatusOK, resp.StatusCode, path)
	require.NoError(f.t, json.NewDecoder(resp.Body).Decode(v))
}

// post sends body as JSON and returns the status and the decoded answer.
func (f *fixture) post(path, body string) (int, map[string]any) {
	f.t.Helper()
	resp, err := http.Post(f.hs.URL+path, "application/json", strings.NewReader(body))
	require.NoError(f.t, err)
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// list returns the agent's inbox or assigned list.
func (f *fixture) list(which, agent string) []item {
	var out []item
	f.get("/api/"+which+"?agent="+agent, &out)
	return out
}

// owner finds who holds contact's conversation among the agents.
func (f *fixture) owner(contact string) (agent string, it item) {
	for _, a := range agents() {
		for _, it := range f.list("assigned", a.ID) {
			if it.Contact == contact {
				return a.ID, it
			}
		}
	}
	f.t.Fatalf("nobody holds %s's conversation", contact)
	return "", item{}
}

type view struct {
	Conversation item          `json:"conversation"`
	Messages     []messageJSON `json:"messages"`
	Composer     composerJSON  `json:"composer"`
	History      []item        `json:"history"`
}

func (f *fixture) view(agent, id, q string) view {
	var v view
	f.get("/api/conversations/"+id+"?agent="+agent+"&q="+url.QueryEscape(q), &v)
	return v
}

// eventually waits for cond, polling: the fake provider's callbacks run
// on their own goroutine.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stream opens the event stream and returns its events as they come.
func (f *fixture) stream(ctx context.Context) <-chan event {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.hs.URL+"/api/events", nil)
	require.NoError(f.t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(f.t, err)
	out := make(chan event, 256)
	go func() {
		defer resp.Body.Close()
		defer close(out)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			data, ok := strings.CutPrefix(sc.Text(), "data: ")
			if !ok {
				continue
			}
			var ev event
			if json.Unmarshal([]byte(data), &ev) == nil {
				select {
				case out <- ev:
				default:
				}
			}
		}
	}()
	return out
}

var (
	maria = contacts[0]
	john  = contacts[1]
	aiko  = contacts[2]
)

package meta_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/providers/meta"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHandlerVerification(t *testing.T) {
	tests := []struct {
		name     string
		query    url.Values
		wantCode int
		wantBody string
	}{
		{"subscribe with the token", url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {verifyToken}, "hub.challenge": {"1158201444"}}, http.StatusOK, "1158201444"},
		{"wrong token", url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {"guess"}, "hub.challenge": {"1158201444"}}, http.StatusForbidden, ""},
		{"token missing", url.Values{"hub.mode": {"subscribe"}, "hub.challenge": {"1158201444"}}, http.StatusForbidden, ""},
		{"other mode", url.Values{"hub.mode": {"unsubscribe"}, "hub.verify_token": {verifyToken}, "hub.challenge": {"1"}}, http.StatusForbidden, ""},
		{"token with a prefix of the right one", url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {verifyToken[:5]}, "hub.challenge": {"1"}}, http.StatusForbidden, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			desk := &fakeDesk{}
			rec := httptest.NewRecorder()
			newHandler(t, desk).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/webhooks/meta?"+tt.query.Encode(), nil))
			assert.Equal(t, tt.wantCode, rec.Code)
			if tt.wantCode == http.StatusOK {
				assert.Equal(t, tt.wantBody, rec.Body.String())
				assert.Equal(t, "text/plain; charset=utf-8", rec.Header().Get("Content-Type"))
			}
			assert.Zero(t, desk.calls())
		})
	}
	t.Run("no verify token configured refuses all", func(t *testing.T) {
		h, err := meta.NewHandler(meta.HandlerConfig{AppSecret: appSecret, Desk: &fakeDesk{}, Endpoints: endpoints})
		require.NoError(t, err)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/?hub.mode=subscribe&hub.verify_token=&hub.challenge=1", nil))
		assert.Equal(t, http.StatusForbidden, rec.Code)
	})
}

func TestHandlerPassesEveryEventOn(t *testing.T) {
	tests := []struct {
		fixture           string
		messages, reports int
	}{
		{"wa_batch.json", 3, 0},
		{"wa_statuses.json", 0, 5},
		{"wa_reaction.json", 2, 0},
		{"messenger.json", 3, 1},
		{"instagram.json", 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			desk := &fakeDesk{}
			body := fixture(t, tt.fixture)
			rec := post(newHandler(t, desk), body, signed(body))
			assert.Equal(t, http.StatusOK, rec.Code)
			assert.Len(t, desk.messages, tt.messages)
			assert.Len(t, desk.reports, tt.reports)
		})
	}
}

// The answer to Meta follows the Desk's errors: a failure that may pass
// asks for a retry (5xx), after every other event was still passed on; a
// refusal that would repeat, and a status for an unknown message, are
// acknowledged (200) so Meta does not retry them for days.
func TestHandlerAnswersDeskErrors(t *testing.T) {
	const (
		first  = "wamid.HBgLMTY1MDUwNzY1MjAVAgASGBQzRTAxQUE5MjM1NDdBMzQ2QzQ2MwA="
		status = "wamid.HBgLMTY1MDUwNzY1MjAVAgARGBJGRkZGRkZGRkZGRkZGRkZGRkYA"
	)
	storeDown := errors.New("postgres: connection refused")
	tests := []struct {
		name    string
		fixture string
		errFor  map[string]error
		want    int
		calls   int
	}{
		{"all stored", "wa_batch.json", nil, http.StatusOK, 3},
		{"store failure asks for a retry, after the rest", "wa_batch.json", map[string]error{first: storeDown}, http.StatusInternalServerError, 3},
		{"message refused as invalid", "wa_batch.json", map[string]error{first: fmt.Errorf("refused: %w", conversation.ErrInvalid)}, http.StatusOK, 3},
		{"empty message", "wa_batch.json", map[string]error{first: parley.ErrEmpty}, http.StatusOK, 3},
		{"touchpoint not on the desk", "wa_batch.json", map[string]error{first: parley.ErrUnknownTouchpoint}, http.StatusOK, 3},
		{"invalid address", "wa_batch.json", map[string]error{first: &channel.AddressError{Input: "x"}}, http.StatusOK, 3},
		{"status of an unknown message", "wa_statuses.json", map[string]error{status: conversation.ErrNotFound}, http.StatusOK, 5},
		{"status refused", "wa_statuses.json", map[string]error{status: conversation.ErrInvalid}, http.StatusOK, 5},
		{"status not stored", "wa_statuses.json", map[string]error{status: storeDown}, http.StatusInternalServerError, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			desk := &fakeDesk{errFor: tt.errFor}
			body := fixture(t, tt.fixture)
			rec := post(newHandler(t, desk), body, signed(body))
			assert.Equal(t, tt.want, rec.Code)
			assert.Equal(t, tt.calls, desk.calls())
		})
	}
}

func TestHandlerRefusesOtherRequests(t *testing.T) {
	t.Run("method", func(t *testing.T) {
		rec := httptest.NewRecorder()
		newHandler(t, &fakeDesk{}).ServeHTTP(rec, httptest.NewRequest(http.MethodPut, "/", nil))
		assert.Equal(t, http.StatusMethodNotAllowed, rec.Code)
	})
	t.Run("body too large", func(t *testing.T) {
		desk := &fakeDesk{}
		body := []byte(`{"object":"page","entry":[],"pad":"` + strings.Repeat("x", meta.MaxBody) + `"}`)
		rec := post(newHandler(t, desk), body, signed(body))
		assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)
		assert.Zero(t, desk.calls())
	})
	t.Run("signed but not a payload", func(t *testing.T) {
		body := []byte(`not json`)
		rec := post(newHandler(t, &fakeDesk{}), body, signed(body))
		assert.Equal(t, http.StatusBadRequest, rec.Code)
	})
}

func TestNewHandlerConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  meta.HandlerConfig
	}{
		{"no app secret", meta.HandlerConfig{Desk: &fakeDesk{}, Endpoints: endpoints}},
		{"no desk", meta.HandlerConfig{AppSecret: appSecret, Endpoints: endpoints}},
		{"no endpoints", meta.HandlerConfig{AppSecret: appSecret, Desk: &fakeDesk{}}},
		{"endpoint of another kind", meta.HandlerConfig{AppSecret: appSecret, Desk: &fakeDesk{}, Endpoints: []meta.Endpoint{{Touchpoint: "sms", Kind: channel.SMS, ID: "1"}}}},
		{"endpoint without ID", meta.HandlerConfig{AppSecret: appSecret, Desk: &fakeDesk{}, Endpoints: []meta.Endpoint{{Touchpoint: "wa", Kind: channel.WhatsApp}}}},
		{"ID twice", meta.HandlerConfig{AppSecret: appSecret, Desk: &fakeDesk{}, Endpoints: []meta.Endpoint{{Touchpoint: "a", Kind: channel.WhatsApp, ID: "1"}, {Touchpoint: "b", Kind: channel.WhatsApp, ID: "1"}}}},
		{"touchpoint twice", meta.HandlerConfig{AppSecret: appSecret, Desk: &fakeDesk{}, Endpoints: []meta.Endpoint{{Touchpoint: "a", Kind: channel.WhatsApp, ID: "1"}, {Touchpoint: "a", Kind: channel.Messenger, ID: "2"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := meta.NewHandler(tt.cfg)
			assert.ErrorIs(t, err, meta.ErrInvalidConfig)
		})
	}
}

// Webhooks arrive concurrently; the handler keeps no state between them.
func TestHandlerConcurrent(t *testing.T) {
	desk := &fakeDesk{}
	h := newHandler(t, desk)
	bodies := [][]byte{fixture(t, "wa_batch.json"), fixture(t, "wa_statuses.json"), fixture(t, "messenger.json")}
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Go(func() {
			b := bodies[i%len(bodies)]
			assert.Equal(t, http.StatusOK, post(h, b, signed(b)).Code)
		})
	}
	wg.Wait()
	assert.Equal(t, 10*(3+5+4), desk.calls())
}

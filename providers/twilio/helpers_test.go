package twilio_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/providers/twilio"
)

// testToken is the auth token the fixtures are signed with.
const testToken = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"

// hookURL is the public URL Twilio is configured to call in these tests.
const hookURL = "https://hooks.example.com/twilio"

// touchpoints are one SMS and one WhatsApp number, as the fixtures name them.
var touchpoints = []parley.Touchpoint{
	{ID: "sms", Kind: channel.SMS, Address: "+14155550000", Queues: []string{"support"}},
	{ID: "wa", Kind: channel.WhatsApp, Address: "+1 415 555 0001", Queues: []string{"support"}},
}

// fakeDesk records what the handler hands it and answers with the
// errors a test sets.
type fakeDesk struct {
	mu         sync.Mutex
	inbound    []parley.Inbound
	reports    []parley.DeliveryReport
	receiveErr error
	updateErr  error
}

func (d *fakeDesk) Receive(_ context.Context, in parley.Inbound) (parley.Receipt, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.inbound = append(d.inbound, in)
	return parley.Receipt{}, d.receiveErr
}

func (d *fakeDesk) UpdateDelivery(_ context.Context, r parley.DeliveryReport) (bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.reports = append(d.reports, r)
	return d.updateErr == nil, d.updateErr
}

// calls is how many times the handler reached the desk.
func (d *fakeDesk) calls() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.inbound) + len(d.reports)
}

// fixture reads a webhook body from testdata.
func fixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return string(b)
}

// newHandler is a handler for hookURL over desk.
func newHandler(t testing.TB, desk twilio.Desk, edit ...func(*twilio.HandlerConfig)) *twilio.Handler {
	t.Helper()
	cfg := twilio.HandlerConfig{AuthToken: testToken, BaseURL: "https://hooks.example.com", Desk: desk, Touchpoints: touchpoints}
	for _, e := range edit {
		e(&cfg)
	}
	h, err := twilio.NewHandler(cfg)
	require.NoError(t, err)
	return h
}

// signedPost is Twilio's POST of body to target (path and query), signed
// over signedURL with token.
func signedPost(t testing.TB, token, signedURL, target, body string) *http.Request {
	t.Helper()
	form, err := url.ParseQuery(body)
	require.NoError(t, err)
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
	r.Header.Set(twilio.SignatureHeader, twilio.Sign(token, signedURL, form))
	return r
}

// serve runs r through h and returns the recorded answer.
func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

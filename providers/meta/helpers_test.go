package meta_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/providers/meta"
	"github.com/stretchr/testify/require"
)

const (
	appSecret   = "8d3f1c2b7a6e4f5d9c0b1a2e3f4d5c6b"
	verifyToken = "parley-verify-7Qx"
	waPhoneID   = "106540352242922"
	waPhoneID2  = "106540352242923"
	pageID      = "109876543210987"
	igID        = "17841405822304914"
)

// endpoints are the business's Meta identities in the fixtures.
var endpoints = []meta.Endpoint{
	{Touchpoint: "wa", Kind: channel.WhatsApp, ID: waPhoneID},
	{Touchpoint: "wa-mx", Kind: channel.WhatsApp, ID: waPhoneID2},
	{Touchpoint: "fb", Kind: channel.Messenger, ID: pageID, Token: "page-token"},
	{Touchpoint: "ig", Kind: channel.Instagram, ID: igID, Token: "ig-token"},
}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

// fakeDesk records what the handler passes on; errFor fails a message or
// report by provider ID.
type fakeDesk struct {
	mu       sync.Mutex
	messages []parley.Inbound
	reports  []parley.DeliveryReport
	errFor   map[string]error
}

func (d *fakeDesk) Receive(_ context.Context, in parley.Inbound) (parley.Receipt, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.messages = append(d.messages, in)
	return parley.Receipt{}, d.errFor[in.ProviderID]
}

func (d *fakeDesk) UpdateDelivery(_ context.Context, r parley.DeliveryReport) (bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.reports = append(d.reports, r)
	return d.errFor[r.ProviderID] == nil, d.errFor[r.ProviderID]
}

func (d *fakeDesk) calls() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.messages) + len(d.reports)
}

func newHandler(t testing.TB, desk meta.Desk) *meta.Handler {
	t.Helper()
	h, err := meta.NewHandler(meta.HandlerConfig{AppSecret: appSecret, VerifyToken: verifyToken, Desk: desk, Endpoints: endpoints})
	require.NoError(t, err)
	return h
}

// post sends body to h with the signature header given (none when sig is
// empty) and returns the response.
func post(h http.Handler, body []byte, sig string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/webhooks/meta", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if sig != "" {
		req.Header.Set(meta.SignatureHeader, sig)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func signed(body []byte) string { return meta.SignatureValue([]byte(appSecret), body) }

package twilio_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/providers/twilio"
)

const mediaBase = "https://api.twilio.com/2010-04-01/Accounts/AC0f4e3c2b1a09f8e7d6c5b4a3f2e1d0c9/Messages/"

func TestHandlerInbound(t *testing.T) {
	ana := channel.MustParseAddress("whatsapp:+5511987654321")
	tests := []struct {
		fixture string
		want    parley.Inbound
	}{
		{"inbound_sms.form", parley.Inbound{Touchpoint: "sms", From: channel.MustParseAddress("sms:+14155550100"),
			ProviderID: "SM3f2b8c1e9a7d4e6f0b5c2a8d9e1f4a7b", Text: "Hi, my order #42 hasn't arrived"}},
		{"inbound_mms.form", parley.Inbound{Touchpoint: "sms", From: channel.MustParseAddress("sms:+14155550100"),
			ProviderID: "MM8a1c3e5f7b9d2e4f6a8c0e2b4d6f8a1c", Text: "Here's the receipt and the label",
			Attachments: []conversation.Attachment{
				{Attachment: channel.Attachment{Name: "ME1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a", MIMEType: "image/jpeg"},
					URL: mediaBase + "MM8a1c3e5f7b9d2e4f6a8c0e2b4d6f8a1c/Media/ME1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a"},
				{Attachment: channel.Attachment{Name: "ME2c4e6a8b0d2f4a6c8e0b2d4f6a8c0e2b", MIMEType: "application/pdf"},
					URL: mediaBase + "MM8a1c3e5f7b9d2e4f6a8c0e2b4d6f8a1c/Media/ME2c4e6a8b0d2f4a6c8e0b2d4f6a8c0e2b"},
			}}},
		{"inbound_whatsapp.form", parley.Inbound{Touchpoint: "wa", From: ana, Name: "Ana Souza",
			ProviderID: "SM7e9a1b3c5d7f9b1d3f5a7c9e1b3d5f7a", Text: "Olá, preciso de ajuda"}},
		{"inbound_whatsapp_image.form", parley.Inbound{Touchpoint: "wa", From: ana, Name: "Ana Souza",
			ProviderID: "MM4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a4c",
			Attachments: []conversation.Attachment{
				{Attachment: channel.Attachment{Name: "ME9f1b3d5a7c9e1f3b5d7a9c1e3f5b7d9a", MIMEType: "image/jpeg"},
					URL: mediaBase + "MM4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a4c/Media/ME9f1b3d5a7c9e1f3b5d7a9c1e3f5b7d9a"},
			}}},
		{"inbound_whatsapp_location.form", parley.Inbound{Touchpoint: "wa", From: ana, Name: "Ana Souza",
			ProviderID: "SM2b4d6f8a1c3e5b7d9f2a4c6e8b1d3f5a", Text: "Location: -23.561414, -46.655881 (MASP, Av. Paulista, 1578)"}},
		{"inbound_whatsapp_unsupported.form", parley.Inbound{Touchpoint: "wa", From: ana, Name: "Ana Souza",
			ProviderID: "SM5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b", Unsupported: true}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			desk := &fakeDesk{}
			w := serve(newHandler(t, desk), signedPost(t, testToken, hookURL, "/twilio", fixture(t, tt.fixture)))
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			assert.Equal(t, "text/xml; charset=utf-8", w.Header().Get("Content-Type"))
			assert.Contains(t, w.Body.String(), "<Response></Response>", "an empty TwiML answer: replies go through the transport")
			require.Len(t, desk.inbound, 1)
			assert.Equal(t, tt.want, desk.inbound[0])
			assert.Empty(t, desk.reports)
		})
	}
}

func TestHandlerStatus(t *testing.T) {
	tests := []struct {
		fixture string
		want    parley.DeliveryReport
	}{
		{"status_sent.form", parley.DeliveryReport{Touchpoint: "sms", ProviderID: "SM0c2e4a6b8d0f2a4c6e8b0d2f4a6c8e0b", Status: conversation.DeliverySent}},
		{"status_delivered.form", parley.DeliveryReport{Touchpoint: "sms", ProviderID: "SM0c2e4a6b8d0f2a4c6e8b0d2f4a6c8e0b", Status: conversation.DeliveryDelivered}},
		{"status_read_whatsapp.form", parley.DeliveryReport{Touchpoint: "wa", ProviderID: "SM6e8a0c2e4b6d8f0a2c4e6b8d0f2a4c6e", Status: conversation.DeliveryRead}},
		{"status_undelivered.form", parley.DeliveryReport{Touchpoint: "sms", ProviderID: "SM9b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a", Status: conversation.DeliveryFailed,
			Reason: "twilio undelivered: error 30003: unreachable destination handset"}},
		{"status_failed_whatsapp.form", parley.DeliveryReport{Touchpoint: "wa", ProviderID: "SM4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e", Status: conversation.DeliveryFailed,
			Reason: "twilio failed: error 63016: Message failed to send because more than 24 hours have passed since the customer last replied to this number."}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			desk := &fakeDesk{}
			w := serve(newHandler(t, desk), signedPost(t, testToken, hookURL, "/twilio", fixture(t, tt.fixture)))
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			require.Len(t, desk.reports, 1)
			assert.Equal(t, tt.want, desk.reports[0])
			assert.Empty(t, desk.inbound)
		})
	}
}

// TestHandlerStatusWithoutStep: statuses parley has no step for, and
// callbacks that name no message of this desk, are acknowledged without a
// call, so Twilio does not keep sending them.
func TestHandlerStatusWithoutStep(t *testing.T) {
	base := fixture(t, "status_sent.form")
	tests := []struct {
		name string
		body string
	}{
		{"a status Twilio may add", strings.Replace(base, "MessageStatus=sent", "MessageStatus=partially_delivered", 1)},
		{"a sender that is no touchpoint", strings.Replace(base, "From=%2B14155550000", "From=%2B14155550999", 1)},
		{"a sender that is no number", strings.Replace(base, "From=%2B14155550000", "From=MG123", 1)},
		{"no message SID", strings.NewReplacer("MessageSid=SM0c2e4a6b8d0f2a4c6e8b0d2f4a6c8e0b&", "", "SmsSid=SM0c2e4a6b8d0f2a4c6e8b0d2f4a6c8e0b&", "").Replace(base)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			desk := &fakeDesk{}
			w := serve(newHandler(t, desk), signedPost(t, testToken, hookURL, "/twilio", tt.body))
			assert.Equal(t, http.StatusOK, w.Code)
			assert.Zero(t, desk.calls())
		})
	}
}

// TestHandlerDeskErrors: what the Desk answers decides the HTTP status
// (rule 9): a message it refuses is a client error, which Twilio does not
// retry; a status for a message it does not know is acknowledged; any
// other failure is a 503, safe to retry because the Desk is idempotent.
func TestHandlerDeskErrors(t *testing.T) {
	tests := []struct {
		name       string
		fixture    string
		receiveErr error
		updateErr  error
		want       int
	}{
		{"message refused as invalid", "inbound_sms.form", fmt.Errorf("parley: refused: %w", conversation.ErrInvalid), nil, http.StatusBadRequest},
		{"touchpoint unknown to the desk", "inbound_sms.form", fmt.Errorf("%w: %q", parley.ErrUnknownTouchpoint, "sms"), nil, http.StatusBadRequest},
		{"store down", "inbound_sms.form", errors.New("store: connection refused"), nil, http.StatusServiceUnavailable},
		{"deadline", "inbound_sms.form", context.DeadlineExceeded, nil, http.StatusServiceUnavailable},
		{"status for an unknown message", "status_delivered.form", nil, fmt.Errorf("%w: message", conversation.ErrNotFound), http.StatusOK},
		{"status refused as invalid", "status_delivered.form", nil, conversation.ErrInvalid, http.StatusBadRequest},
		{"status while the store is down", "status_delivered.form", nil, errors.New("store: connection refused"), http.StatusServiceUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			desk := &fakeDesk{receiveErr: tt.receiveErr, updateErr: tt.updateErr}
			w := serve(newHandler(t, desk), signedPost(t, testToken, hookURL, "/twilio", fixture(t, tt.fixture)))
			assert.Equal(t, tt.want, w.Code)
			assert.Equal(t, 1, desk.calls())
		})
	}
}

// TestHandlerRefusesBadRequests: requests the handler refuses before the
// Desk, each with its status.
func TestHandlerRefusesBadRequests(t *testing.T) {
	sms := fixture(t, "inbound_sms.form")
	tests := []struct {
		name string
		req  func(t *testing.T) *http.Request
		want int
	}{
		{"PUT", func(t *testing.T) *http.Request {
			return httptest.NewRequest(http.MethodPut, "/twilio", strings.NewReader(sms))
		}, http.StatusMethodNotAllowed},
		{"body over the limit", func(t *testing.T) *http.Request {
			return signedPost(t, testToken, hookURL, "/twilio", sms+"&Pad="+strings.Repeat("x", 2048))
		}, http.StatusRequestEntityTooLarge},
		{"the same body within the limit", func(t *testing.T) *http.Request {
			return signedPost(t, testToken, hookURL, "/twilio", sms)
		}, http.StatusOK}, // the control of the case above
		{"a number that is no touchpoint", func(t *testing.T) *http.Request {
			return signedPost(t, testToken, hookURL, "/twilio", strings.Replace(sms, "To=%2B14155550000", "To=%2B14155550999", 1))
		}, http.StatusBadRequest},
		{"an SMS touchpoint's number as a WhatsApp recipient", func(t *testing.T) *http.Request {
			return signedPost(t, testToken, hookURL, "/twilio", strings.Replace(sms, "To=%2B14155550000", "To=whatsapp%3A%2B14155550000", 1))
		}, http.StatusBadRequest},
		{"a WhatsApp sender on an SMS number", func(t *testing.T) *http.Request {
			return signedPost(t, testToken, hookURL, "/twilio", strings.Replace(sms, "From=%2B14155550100", "From=whatsapp%3A%2B14155550100", 1))
		}, http.StatusBadRequest},
		{"a sender that is no phone number", func(t *testing.T) *http.Request {
			return signedPost(t, testToken, hookURL, "/twilio", strings.Replace(sms, "From=%2B14155550100", "From=SHORTCODE", 1))
		}, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			desk := &fakeDesk{}
			h := newHandler(t, desk, func(c *twilio.HandlerConfig) { c.MaxBodyBytes = int64(len(sms) + 100) })
			w := serve(h, tt.req(t))
			assert.Equal(t, tt.want, w.Code, w.Body.String())
			if tt.want != http.StatusOK {
				assert.Zero(t, desk.calls())
			}
		})
	}
	t.Run("a body that is no form is refused before the signature can be checked", func(t *testing.T) {
		desk := &fakeDesk{}
		r := httptest.NewRequest(http.MethodPost, "/twilio", strings.NewReader("a=%zz"))
		r.Header.Set(twilio.SignatureHeader, "x")
		w := serve(newHandler(t, desk), r)
		assert.Equal(t, http.StatusBadRequest, w.Code)
		assert.Zero(t, desk.calls())
	})
}

func TestNewHandlerRefusesConfig(t *testing.T) {
	desk := &fakeDesk{}
	tests := []struct {
		name string
		edit func(*twilio.HandlerConfig)
	}{
		{"no token", func(c *twilio.HandlerConfig) { c.AuthToken = "" }},
		{"no desk", func(c *twilio.HandlerConfig) { c.Desk = nil }},
		{"no SMS or WhatsApp touchpoint", func(c *twilio.HandlerConfig) {
			c.Touchpoints = []parley.Touchpoint{{ID: "mail", Kind: channel.Email, Address: "help@example.com"}}
		}},
		{"a touchpoint address that does not parse", func(c *twilio.HandlerConfig) {
			c.Touchpoints = []parley.Touchpoint{{ID: "sms", Kind: channel.SMS, Address: "not a number"}}
		}},
		{"two touchpoints on one number", func(c *twilio.HandlerConfig) {
			c.Touchpoints = []parley.Touchpoint{touchpoints[0], {ID: "sms2", Kind: channel.SMS, Address: "sms:+14155550000"}}
		}},
		{"BaseURL with a query", func(c *twilio.HandlerConfig) { c.BaseURL = "https://h.example.com/?a=1" }},
		{"BaseURL without a scheme", func(c *twilio.HandlerConfig) { c.BaseURL = "hooks.example.com" }},
		{"negative body limit", func(c *twilio.HandlerConfig) { c.MaxBodyBytes = -1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := twilio.HandlerConfig{AuthToken: testToken, Desk: desk, Touchpoints: touchpoints}
			tt.edit(&cfg)
			h, err := twilio.NewHandler(cfg)
			assert.ErrorIs(t, err, twilio.ErrInvalidConfig)
			assert.Nil(t, h)
			assert.True(t, strings.HasPrefix(err.Error(), "twilio: "), err.Error())
		})
	}
}

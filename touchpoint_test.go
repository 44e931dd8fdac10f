package parley_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/routing"
)

// A touchpoint is checked on its own: an ID fit to name it, a known kind,
// an address of that kind, distinct non-empty queue names.
func TestTouchpointValidate(t *testing.T) {
	tests := []struct {
		name string
		tp   parley.Touchpoint
		err  error
	}{
		{"whatsapp number with formatting", parley.Touchpoint{ID: "wa-1", Kind: channel.WhatsApp, Address: "+1 (415) 555-0100"}, nil},
		{"full form of its own kind", parley.Touchpoint{ID: "sms-1", Kind: channel.SMS, Address: "sms:+14155550100", Queues: []string{"support"}}, nil},
		{"e-mail address", parley.Touchpoint{ID: "mail", Kind: channel.Email, Address: "Support@Example.com"}, nil},
		{"messenger page id", parley.Touchpoint{ID: "fb", Kind: channel.Messenger, Address: "104857600123"}, nil},
		{"routing policy naming itself", parley.Touchpoint{ID: "wa", Kind: channel.WhatsApp, Address: "+14155550100", Routing: routing.Policy{ID: "wa"}}, nil},
		{"empty ID", parley.Touchpoint{Kind: channel.SMS, Address: "+14155550100"}, parley.ErrInvalidTouchpoint},
		{"ID with space", parley.Touchpoint{ID: "a b", Kind: channel.SMS, Address: "+14155550100"}, parley.ErrInvalidTouchpoint},
		{"ID with NUL", parley.Touchpoint{ID: "a\x00", Kind: channel.SMS, Address: "+14155550100"}, parley.ErrInvalidTouchpoint},
		{"unknown kind", parley.Touchpoint{ID: "x", Address: "+14155550100"}, channel.ErrUnknownKind},
		{"address not a number", parley.Touchpoint{ID: "x", Kind: channel.WhatsApp, Address: "support"}, channel.ErrInvalidPhoneNumber},
		{"address of another kind", parley.Touchpoint{ID: "x", Kind: channel.SMS, Address: "whatsapp:+14155550100"}, channel.ErrInvalidAddress},
		{"bad e-mail", parley.Touchpoint{ID: "x", Kind: channel.Email, Address: "Support <s@example.com>"}, channel.ErrInvalidEmail},
		{"empty queue", parley.Touchpoint{ID: "x", Kind: channel.WebChat, Address: "widget", Queues: []string{""}}, parley.ErrInvalidTouchpoint},
		{"queue twice", parley.Touchpoint{ID: "x", Kind: channel.WebChat, Address: "widget", Queues: []string{"a", "a"}}, parley.ErrInvalidTouchpoint},
		{"routing policy of another touchpoint", parley.Touchpoint{ID: "x", Kind: channel.WebChat, Address: "widget", Routing: routing.Policy{ID: "y"}}, parley.ErrInvalidTouchpoint},
		{"invalid hours", parley.Touchpoint{ID: "x", Kind: channel.WebChat, Address: "widget", Hours: &routing.Schedule{Week: [7][]routing.Span{time.Monday: {{From: 18 * time.Hour, To: 9 * time.Hour}}}}}, routing.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.tp.Validate()
			if tt.err == nil {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.err)
			assert.ErrorIs(t, err, parley.ErrInvalidTouchpoint)
			var te *parley.TouchpointError
			assert.ErrorAs(t, err, &te)
		})
	}
}

func TestTouchpointAddr(t *testing.T) {
	a, err := parley.Touchpoint{ID: "wa", Kind: channel.WhatsApp, Address: "+1 415 555 0100"}.Addr()
	require.NoError(t, err)
	assert.Equal(t, "whatsapp:+14155550100", a.String())
}

func whatsAppTouchpoints(n int, account string) []parley.Touchpoint {
	tps := make([]parley.Touchpoint, n)
	for i := range tps {
		tps[i] = parley.Touchpoint{ID: fmt.Sprintf("%s-%d", account, i), Kind: channel.WhatsApp,
			Address: fmt.Sprintf("+1415555%04d", 100+i), Account: account, Queues: []string{"support"}}
	}
	return tps
}

// newWith is New with touchpoints tps, one agent in queue "support" and a
// recording transport.
func newWith(tps []parley.Touchpoint, limit int) error {
	_, err := parley.New(parley.Config{
		Transport:                 parley.TransportFunc(nil),
		Touchpoints:               tps,
		WhatsAppNumbersPerAccount: limit,
		Agents:                    []routing.Agent{{ID: "ana", Queues: []string{"support"}}},
	})
	return err
}

// One WhatsApp business account links at most 25 numbers unless the host
// raises the limit; touchpoints are unique by ID and by address.
func TestNewChecksTheSetOfTouchpoints(t *testing.T) {
	t.Run("25 WhatsApp numbers in one account are allowed", func(t *testing.T) {
		assert.NoError(t, newWith(whatsAppTouchpoints(25, "waba"), 0))
	})
	t.Run("26 are refused with the facts", func(t *testing.T) {
		err := newWith(whatsAppTouchpoints(26, "waba"), 0)
		require.ErrorIs(t, err, parley.ErrInvalidConfig)
		assert.ErrorContains(t, err, `account "waba" has 26 WhatsApp numbers, over the limit of 25`)
	})
	t.Run("the limit is per account", func(t *testing.T) {
		tps := append(whatsAppTouchpoints(20, "a"), whatsAppTouchpoints(20, "b")...)
		for i := range tps[20:] {
			tps[20+i].Address = fmt.Sprintf("+1415556%04d", 100+i)
		}
		assert.NoError(t, newWith(tps, 0))
	})
	t.Run("the limit is configurable", func(t *testing.T) {
		assert.NoError(t, newWith(whatsAppTouchpoints(30, "waba"), 30))
		assert.ErrorContains(t, newWith(whatsAppTouchpoints(31, "waba"), 30), "over the limit of 30")
	})
	t.Run("duplicate ID", func(t *testing.T) {
		tps := whatsAppTouchpoints(2, "waba")
		tps[1].ID = tps[0].ID
		assert.ErrorContains(t, newWith(tps, 0), "used by two touchpoints")
	})
	t.Run("duplicate address", func(t *testing.T) {
		tps := whatsAppTouchpoints(2, "waba")
		tps[1].Address = "whatsapp:" + tps[0].Address
		assert.ErrorContains(t, newWith(tps, 0), `is also touchpoint "waba-0"`)
	})
}

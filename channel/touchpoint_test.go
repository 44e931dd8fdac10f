package channel_test

import (
	"fmt"
	"testing"

	"github.com/parleyhq/parley/channel"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTouchpointValidate(t *testing.T) {
	tests := []struct {
		name string
		tp   channel.Touchpoint
		err  error
	}{
		{"whatsapp number with formatting", channel.Touchpoint{ID: "wa-1", Kind: channel.WhatsApp, Address: "+1 (415) 555-0100"}, nil},
		{"full form of its own kind", channel.Touchpoint{ID: "sms-1", Kind: channel.SMS, Address: "sms:+14155550100", Queues: []string{"support"}}, nil},
		{"e-mail address", channel.Touchpoint{ID: "mail", Kind: channel.Email, Address: "Support@Example.com"}, nil},
		{"messenger page id", channel.Touchpoint{ID: "fb", Kind: channel.Messenger, Address: "104857600123"}, nil},
		{"empty ID", channel.Touchpoint{Kind: channel.SMS, Address: "+14155550100"}, channel.ErrInvalidTouchpoint},
		{"ID with space", channel.Touchpoint{ID: "a b", Kind: channel.SMS, Address: "+14155550100"}, channel.ErrInvalidTouchpoint},
		{"unknown kind", channel.Touchpoint{ID: "x", Address: "+14155550100"}, channel.ErrUnknownKind},
		{"address not a number", channel.Touchpoint{ID: "x", Kind: channel.WhatsApp, Address: "support"}, channel.ErrInvalidPhoneNumber},
		{"address of another kind", channel.Touchpoint{ID: "x", Kind: channel.SMS, Address: "whatsapp:+14155550100"}, channel.ErrInvalidAddress},
		{"bad e-mail", channel.Touchpoint{ID: "x", Kind: channel.Email, Address: "Support <s@example.com>"}, channel.ErrInvalidEmail},
		{"empty queue", channel.Touchpoint{ID: "x", Kind: channel.WebChat, Address: "widget", Queues: []string{""}}, channel.ErrInvalidTouchpoint},
		{"queue twice", channel.Touchpoint{ID: "x", Kind: channel.WebChat, Address: "widget", Queues: []string{"a", "a"}}, channel.ErrInvalidTouchpoint},
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
			assert.ErrorIs(t, err, channel.ErrInvalidTouchpoint)
			var te *channel.TouchpointError
			assert.ErrorAs(t, err, &te)
		})
	}
}

func TestTouchpointAddr(t *testing.T) {
	a, err := channel.Touchpoint{ID: "wa", Kind: channel.WhatsApp, Address: "+1 415 555 0100"}.Addr()
	require.NoError(t, err)
	assert.Equal(t, "whatsapp:+14155550100", a.String())
}

func whatsAppTouchpoints(n int, account string) []channel.Touchpoint {
	tps := make([]channel.Touchpoint, n)
	for i := range tps {
		tps[i] = channel.Touchpoint{ID: fmt.Sprintf("%s-%d", account, i), Kind: channel.WhatsApp,
			Address: fmt.Sprintf("+1415555%04d", 100+i), Account: account}
	}
	return tps
}

func TestValidateTouchpoints(t *testing.T) {
	t.Run("25 WhatsApp numbers in one account are allowed", func(t *testing.T) {
		assert.NoError(t, channel.ValidateTouchpoints(whatsAppTouchpoints(25, "waba"), channel.TouchpointRules{}))
	})
	t.Run("26 are refused with the facts", func(t *testing.T) {
		err := channel.ValidateTouchpoints(whatsAppTouchpoints(26, "waba"), channel.TouchpointRules{})
		require.ErrorIs(t, err, channel.ErrTooManyNumbers)
		var le *channel.AccountLimitError
		require.ErrorAs(t, err, &le)
		assert.Equal(t, channel.AccountLimitError{Account: "waba", Numbers: 26, Limit: 25}, *le)
	})
	t.Run("the limit is per account", func(t *testing.T) {
		tps := append(whatsAppTouchpoints(20, "a"), whatsAppTouchpoints(20, "b")...)
		for i := range tps[20:] {
			tps[20+i].Address = fmt.Sprintf("+1415556%04d", 100+i)
		}
		assert.NoError(t, channel.ValidateTouchpoints(tps, channel.TouchpointRules{}))
	})
	t.Run("the limit is configurable", func(t *testing.T) {
		assert.NoError(t, channel.ValidateTouchpoints(whatsAppTouchpoints(30, "waba"), channel.TouchpointRules{MaxWhatsAppNumbersPerAccount: 50}))
		assert.ErrorIs(t, channel.ValidateTouchpoints(whatsAppTouchpoints(3, "waba"), channel.TouchpointRules{MaxWhatsAppNumbersPerAccount: 2}), channel.ErrTooManyNumbers)
	})
	t.Run("SMS numbers do not count", func(t *testing.T) {
		tps := whatsAppTouchpoints(30, "waba")
		for i := range tps {
			tps[i].Kind = channel.SMS
		}
		assert.NoError(t, channel.ValidateTouchpoints(tps, channel.TouchpointRules{}))
	})
	t.Run("duplicate ID", func(t *testing.T) {
		tps := whatsAppTouchpoints(2, "waba")
		tps[1].ID = tps[0].ID
		assert.ErrorIs(t, channel.ValidateTouchpoints(tps, channel.TouchpointRules{}), channel.ErrDuplicateTouchpoint)
	})
	t.Run("duplicate address after normalising", func(t *testing.T) {
		tps := whatsAppTouchpoints(2, "waba")
		tps[1].Address = "whatsapp:+1 415 555 0100"
		assert.ErrorIs(t, channel.ValidateTouchpoints(tps, channel.TouchpointRules{}), channel.ErrDuplicateTouchpoint)
	})
	t.Run("same number on two kinds is fine", func(t *testing.T) {
		tps := whatsAppTouchpoints(1, "waba")
		tps = append(tps, channel.Touchpoint{ID: "sms", Kind: channel.SMS, Address: tps[0].Address})
		assert.NoError(t, channel.ValidateTouchpoints(tps, channel.TouchpointRules{}))
	})
	t.Run("an invalid touchpoint is reported", func(t *testing.T) {
		tps := []channel.Touchpoint{{ID: "x", Kind: channel.SMS, Address: "nope"}}
		assert.ErrorIs(t, channel.ValidateTouchpoints(tps, channel.TouchpointRules{}), channel.ErrInvalidTouchpoint)
	})
}

package session_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/session"
)

// TestFutureInbound: the window is [LastInbound, LastInbound+24h), so a
// LastInbound after now opens nothing: not the window, not the HUMAN_AGENT
// tag, and it reads as "not written yet" everywhere.
func TestFutureInbound(t *testing.T) {
	const day = 24 * time.Hour
	ahead := t0.AddDate(5, 0, 0) // a provider timestamp 5 years ahead
	human := session.Outbound{Form: session.HumanAgentTag, Human: true}
	template := session.Outbound{Form: session.ApprovedTemplate}
	tests := []struct {
		name     string
		kind     channel.Kind
		out      session.Outbound
		wantErr  error
		composer session.Composer
	}{
		{"whatsapp free-form", channel.WhatsApp, freeForm, session.ErrWindowClosed,
			session.Composer{Reason: session.NeverOpened, Templates: true}},
		{"whatsapp template still goes", channel.WhatsApp, template, nil,
			session.Composer{Reason: session.NeverOpened, Templates: true}},
		{"messenger free-form", channel.Messenger, freeForm, session.ErrWindowClosed,
			session.Composer{Reason: session.NeverOpened}},
		{"messenger HUMAN_AGENT tag", channel.Messenger, human, session.ErrWindowClosed,
			session.Composer{Reason: session.NeverOpened}},
		{"instagram HUMAN_AGENT tag", channel.Instagram, human, session.ErrWindowClosed,
			session.Composer{Reason: session.NeverOpened}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := session.Window{Channel: tt.kind, LastInbound: ahead}
			assert.False(t, w.Open(t0), "open")
			assert.Zero(t, w.Remaining(t0), "remaining")
			assert.Empty(t, session.Expiring([]session.Window{w}, t0, 10*365*day), "expiring")
			assert.Equal(t, tt.composer, w.Composer(true, t0), "composer")
			err := w.Check(tt.out, t0)
			if tt.wantErr == nil {
				assert.NoError(t, err)
				return
			}
			var wc *session.WindowClosedError
			require.ErrorAs(t, err, &wc)
			assert.ErrorIs(t, err, tt.wantErr)
			assert.True(t, wc.ClosedAt.IsZero(), "never closed, as it never opened: got %v", wc.ClosedAt)
			assert.True(t, wc.HumanAgentUntil.IsZero(), "no tag: got %v", wc.HumanAgentUntil)
			assert.Equal(t, ahead, wc.LastInbound)
			assert.Contains(t, err.Error(), "window not open: the contact's message is dated 2030-03-01T10:00:00Z, after now")
		})
	}
	t.Run("the window opens when now reaches the message", func(t *testing.T) {
		w := session.Window{Channel: channel.Messenger, LastInbound: t0}
		assert.False(t, w.Open(t0.Add(-time.Nanosecond)))
		assert.True(t, w.Open(t0))
		assert.NoError(t, w.Check(human, t0.Add(2*day)))
		assert.ErrorIs(t, w.Check(human, t0.Add(-time.Nanosecond)), session.ErrWindowClosed)
	})
	t.Run("the tracker cannot be corrected, so callers clamp", func(t *testing.T) {
		tr := session.NewTracker(nil)
		k := waKey("+14155550100", "+447700900001")
		_, err := tr.Touch(k, ahead)
		require.NoError(t, err)
		w, err := tr.Touch(k, t0)
		require.NoError(t, err)
		assert.Equal(t, ahead, w.LastInbound, "Touch never moves back")
		assert.ErrorIs(t, tr.Check(k, freeForm, t0), session.ErrWindowClosed)
	})
}

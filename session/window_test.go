package session_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/session"
)

var t0 = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

// TestWindowOpen: the window is [lastInbound, lastInbound+24h)
// on WhatsApp, Messenger and Instagram; other channels have none.
func TestWindowOpen(t *testing.T) {
	tests := []struct {
		name string
		kind channel.Kind
		last time.Time
		now  time.Time
		want bool
	}{
		{"whatsapp at the contact's message", channel.WhatsApp, t0, t0, true},
		{"whatsapp at 23:59:59.999", channel.WhatsApp, t0, t0.Add(24*time.Hour - time.Millisecond), true},
		{"whatsapp one nanosecond before 24h", channel.WhatsApp, t0, t0.Add(24*time.Hour - 1), true},
		{"whatsapp at exactly 24:00:00", channel.WhatsApp, t0, t0.Add(24 * time.Hour), false},
		{"whatsapp a day later", channel.WhatsApp, t0, t0.Add(48 * time.Hour), false},
		{"whatsapp never written", channel.WhatsApp, time.Time{}, t0, false},
		{"whatsapp one nanosecond before the contact's message", channel.WhatsApp, t0, t0.Add(-1), false},
		{"whatsapp message a second ahead of our clock", channel.WhatsApp, t0.Add(time.Second), t0, false},
		{"whatsapp message 5 years ahead of our clock", channel.WhatsApp, t0.AddDate(5, 0, 0), t0, false},
		{"messenger message ahead of our clock", channel.Messenger, t0.Add(time.Hour), t0, false},
		{"messenger at 23:59:59.999", channel.Messenger, t0, t0.Add(24*time.Hour - time.Millisecond), true},
		{"messenger at 24:00:00", channel.Messenger, t0, t0.Add(24 * time.Hour), false},
		{"instagram at 24:00:00", channel.Instagram, t0, t0.Add(24 * time.Hour), false},
		{"sms never written is open", channel.SMS, time.Time{}, t0, true},
		{"sms a year later is open", channel.SMS, t0, t0.AddDate(1, 0, 0), true},
		{"email is open", channel.Email, time.Time{}, t0, true},
		{"webchat is open", channel.WebChat, time.Time{}, t0, true},
		{"telegram is open", channel.Telegram, time.Time{}, t0, true},
		{"line is open", channel.LINE, time.Time{}, t0, true},
		{"voice is open", channel.Voice, time.Time{}, t0, true},
		{"custom is open", channel.Custom, time.Time{}, t0, true},
		{"invalid kind is closed", channel.Kind(0), t0, t0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := session.Window{Channel: tt.kind, LastInbound: tt.last}
			assert.Equal(t, tt.want, w.Open(tt.now))
		})
	}
}

func TestWindowExpiresAtAndRemaining(t *testing.T) {
	w := session.Window{Channel: channel.WhatsApp, LastInbound: t0}
	assert.Equal(t, t0.Add(24*time.Hour), w.ExpiresAt())
	assert.Equal(t, time.Millisecond, w.Remaining(t0.Add(24*time.Hour-time.Millisecond)))
	assert.Equal(t, time.Duration(0), w.Remaining(t0.Add(24*time.Hour)))
	assert.Equal(t, 24*time.Hour, w.Remaining(t0))

	t.Run("never written has no expiry", func(t *testing.T) {
		w := session.Window{Channel: channel.WhatsApp}
		assert.True(t, w.ExpiresAt().IsZero())
		assert.Equal(t, time.Duration(0), w.Remaining(t0))
	})
	t.Run("sms has no expiry and unbounded remaining", func(t *testing.T) {
		w := session.Window{Channel: channel.SMS, LastInbound: t0}
		assert.True(t, w.ExpiresAt().IsZero())
		assert.Greater(t, w.Remaining(t0), 100*365*24*time.Hour)
	})
}

// TestWindowTouch: only inbound events refresh, and a late event
// never moves the window back.
func TestWindowTouch(t *testing.T) {
	w := session.Window{Channel: channel.WhatsApp}
	w = w.Touch(t0)
	require.Equal(t, t0, w.LastInbound)

	t.Run("a newer message refreshes", func(t *testing.T) {
		got := w.Touch(t0.Add(20 * time.Hour))
		assert.Equal(t, t0.Add(44*time.Hour), got.ExpiresAt())
		assert.True(t, got.Open(t0.Add(30*time.Hour)))
	})
	t.Run("an out-of-order older event never moves it back", func(t *testing.T) {
		fresh := w.Touch(t0.Add(20 * time.Hour))
		got := fresh.Touch(t0.Add(time.Hour))
		assert.Equal(t, fresh, got)
	})
	t.Run("the same instant changes nothing", func(t *testing.T) {
		assert.Equal(t, w, w.Touch(t0))
	})
	t.Run("a zero time changes nothing", func(t *testing.T) {
		assert.Equal(t, w, w.Touch(time.Time{}))
	})
	t.Run("touch returns a copy and leaves the receiver", func(t *testing.T) {
		_ = w.Touch(t0.Add(time.Hour))
		assert.Equal(t, t0, w.LastInbound)
	})
}

func TestPoliciesOverride(t *testing.T) {
	ps := session.Policies{channel.SMS: {Window: time.Hour}, channel.WhatsApp: {Window: 12 * time.Hour, Templates: true}}
	sms := session.Window{Channel: channel.SMS, LastInbound: t0}
	wa := session.Window{Channel: channel.WhatsApp, LastInbound: t0}
	msg := session.Window{Channel: channel.Messenger, LastInbound: t0}

	assert.True(t, ps.Open(sms, t0.Add(59*time.Minute)))
	assert.False(t, ps.Open(sms, t0.Add(time.Hour)))
	assert.False(t, ps.Open(wa, t0.Add(12*time.Hour)))
	assert.True(t, ps.Open(msg, t0.Add(23*time.Hour)), "kinds without an override keep the default")
	assert.True(t, sms.Open(t0.Add(time.Hour)), "the Window methods keep the defaults")

	var none session.Policies
	assert.Equal(t, session.DefaultPolicy(channel.WhatsApp), none.For(channel.WhatsApp))
}

func TestDefaultPolicy(t *testing.T) {
	wa := session.DefaultPolicy(channel.WhatsApp)
	assert.Equal(t, 24*time.Hour, wa.Window)
	assert.True(t, wa.Templates)
	assert.Equal(t, 72*time.Hour, wa.FreeEntry)
	assert.Zero(t, wa.HumanAgent)

	for _, k := range []channel.Kind{channel.Messenger, channel.Instagram} {
		p := session.DefaultPolicy(k)
		assert.Equal(t, 24*time.Hour, p.Window, k.String())
		assert.Equal(t, 7*24*time.Hour, p.HumanAgent, k.String())
		assert.False(t, p.Templates, k.String())
	}
	for _, k := range []channel.Kind{channel.SMS, channel.Email, channel.WebChat, channel.Telegram, channel.LINE, channel.Voice, channel.Custom} {
		assert.False(t, session.DefaultPolicy(k).Windowed(), k.String())
	}
}

// TestFreeEntryPoint covers the 72-hour free entry point: a pricing fact
// that starts at the reply's delivery, if the reply came within 24 h, and
// never widens the window.
func TestFreeEntryPoint(t *testing.T) {
	p := session.DefaultPolicy(channel.WhatsApp)
	tests := []struct {
		name      string
		delivered time.Time
		wantOK    bool
	}{
		{"reply an hour later", t0.Add(time.Hour), true},
		{"reply at 23:59:59.999", t0.Add(24*time.Hour - time.Millisecond), true},
		{"reply at exactly 24h is late", t0.Add(24 * time.Hour), false},
		{"reply before the contact wrote", t0.Add(-time.Second), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			until, ok := p.FreeUntil(t0, tt.delivered)
			assert.Equal(t, tt.wantOK, ok)
			if tt.wantOK {
				assert.Equal(t, tt.delivered.Add(72*time.Hour), until)
			} else {
				assert.True(t, until.IsZero())
			}
		})
	}

	t.Run("the 72h edge", func(t *testing.T) {
		delivered := t0.Add(time.Hour)
		until, ok := p.FreeUntil(t0, delivered)
		require.True(t, ok)
		assert.True(t, t0.Add(73*time.Hour-time.Nanosecond).Before(until), "free at 71:59:59.999… after delivery")
		assert.False(t, t0.Add(73*time.Hour).Before(until), "not free at exactly 72 h after delivery")
	})
	t.Run("free is not free-form", func(t *testing.T) {
		w := session.Window{Channel: channel.WhatsApp, LastInbound: t0}
		until, ok := p.FreeUntil(t0, t0.Add(time.Hour))
		require.True(t, ok)
		at := t0.Add(48 * time.Hour)
		require.True(t, at.Before(until), "still inside the free period")
		err := w.Check(session.Outbound{Form: session.FreeForm, Human: true}, at)
		assert.True(t, errors.Is(err, session.ErrWindowClosed))
		assert.NoError(t, w.Check(session.Outbound{Form: session.ApprovedTemplate}, at))
	})
	t.Run("channels without a free entry point", func(t *testing.T) {
		_, ok := session.DefaultPolicy(channel.Messenger).FreeUntil(t0, t0.Add(time.Hour))
		assert.False(t, ok)
	})
}

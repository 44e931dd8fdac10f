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

var (
	freeForm = session.Outbound{Form: session.FreeForm, Human: true}
	botText  = session.Outbound{Form: session.FreeForm}
	tmpl     = session.Outbound{Form: session.ApprovedTemplate}
	tagHuman = session.Outbound{Form: session.HumanAgentTag, Human: true}
	tagBot   = session.Outbound{Form: session.HumanAgentTag}
)

// TestCheck is the window rules as a table: what may be sent, on which
// channel, when.
func TestCheck(t *testing.T) {
	const day = 24 * time.Hour
	tests := []struct {
		name    string
		kind    channel.Kind
		last    time.Time
		out     session.Outbound
		now     time.Time
		wantErr error
	}{
		{"whatsapp free-form inside", channel.WhatsApp, t0, freeForm, t0.Add(day - time.Millisecond), nil},
		{"whatsapp bot text inside", channel.WhatsApp, t0, botText, t0.Add(time.Hour), nil},
		{"whatsapp free-form at 24h", channel.WhatsApp, t0, freeForm, t0.Add(day), session.ErrWindowClosed},
		{"whatsapp template outside", channel.WhatsApp, t0, tmpl, t0.Add(30 * day), nil},
		{"whatsapp template never written", channel.WhatsApp, time.Time{}, tmpl, t0, nil},
		{"whatsapp free-form never written", channel.WhatsApp, time.Time{}, freeForm, t0, session.ErrWindowClosed},
		{"whatsapp has no HUMAN_AGENT tag", channel.WhatsApp, t0, tagHuman, t0, session.ErrInvalidOutbound},
		{"messenger free-form inside", channel.Messenger, t0, freeForm, t0.Add(time.Hour), nil},
		{"messenger free-form at 24h", channel.Messenger, t0, freeForm, t0.Add(day), session.ErrWindowClosed},
		{"messenger template outside", channel.Messenger, t0, tmpl, t0.Add(day), session.ErrWindowClosed},
		{"messenger human tag on day 2", channel.Messenger, t0, tagHuman, t0.Add(day), nil},
		{"messenger human tag at 7d minus 1ms", channel.Messenger, t0, tagHuman, t0.Add(7*day - time.Millisecond), nil},
		{"messenger human tag at exactly 7d", channel.Messenger, t0, tagHuman, t0.Add(7 * day), session.ErrWindowClosed},
		{"messenger human tag never written", channel.Messenger, time.Time{}, tagHuman, t0, session.ErrWindowClosed},
		{"messenger bot tag outside", channel.Messenger, t0, tagBot, t0.Add(day), session.ErrHumanAgentOnly},
		{"messenger bot tag even inside", channel.Messenger, t0, tagBot, t0.Add(time.Hour), session.ErrHumanAgentOnly},
		{"instagram human tag on day 6", channel.Instagram, t0, tagHuman, t0.Add(6 * day), nil},
		{"instagram bot text on day 2", channel.Instagram, t0, botText, t0.Add(2 * day), session.ErrWindowClosed},
		{"sms anything any time", channel.SMS, time.Time{}, freeForm, t0, nil},
		{"email bot text", channel.Email, time.Time{}, botText, t0, nil},
		{"sms has no HUMAN_AGENT tag", channel.SMS, t0, tagHuman, t0, session.ErrInvalidOutbound},
		{"unknown form", channel.WhatsApp, t0, session.Outbound{}, t0, session.ErrInvalidOutbound},
		{"unknown kind", channel.Kind(0), t0, freeForm, t0, session.ErrInvalidOutbound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := session.Window{Channel: tt.kind, LastInbound: tt.last}
			err := w.Check(tt.out, tt.now)
			if tt.wantErr == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tt.wantErr)
		})
	}
}

func TestWindowClosedErrorFacts(t *testing.T) {
	const day = 24 * time.Hour
	t.Run("whatsapp names the close and the template way out", func(t *testing.T) {
		w := session.Window{Channel: channel.WhatsApp, LastInbound: t0}
		err := w.Check(freeForm, t0.Add(2*day))
		var wc *session.WindowClosedError
		require.True(t, errors.As(err, &wc))
		assert.Equal(t, channel.WhatsApp, wc.Channel)
		assert.Equal(t, t0.Add(day), wc.ClosedAt)
		assert.Equal(t, t0, wc.LastInbound)
		assert.Equal(t, session.FreeForm, wc.Form)
		assert.True(t, wc.Templates)
		assert.EqualError(t, err, "session: whatsapp window closed at 2025-03-02T10:00:00Z; only an approved template may be sent")
	})
	t.Run("messenger tells a human the tag still works", func(t *testing.T) {
		w := session.Window{Channel: channel.Messenger, LastInbound: t0}
		err := w.Check(freeForm, t0.Add(2*day))
		var wc *session.WindowClosedError
		require.True(t, errors.As(err, &wc))
		assert.Equal(t, t0.Add(7*day), wc.HumanAgentUntil)
		assert.Contains(t, err.Error(), "HUMAN_AGENT tag until 2025-03-08T10:00:00Z")
	})
	t.Run("a late tag reports the 7-day close", func(t *testing.T) {
		w := session.Window{Channel: channel.Instagram, LastInbound: t0}
		err := w.Check(tagHuman, t0.Add(8*day))
		var wc *session.WindowClosedError
		require.True(t, errors.As(err, &wc))
		assert.Equal(t, t0.Add(7*day), wc.ClosedAt)
		assert.EqualError(t, err, "session: instagram window closed at 2025-03-08T10:00:00Z; nothing may be sent until the contact writes")
	})
	t.Run("never written", func(t *testing.T) {
		w := session.Window{Channel: channel.WhatsApp}
		err := w.Check(freeForm, t0)
		var wc *session.WindowClosedError
		require.True(t, errors.As(err, &wc))
		assert.True(t, wc.ClosedAt.IsZero())
		assert.EqualError(t, err, "session: whatsapp window not open: the contact has not written; only an approved template may be sent")
	})
}

// TestComposer covers the locked composer: CanReply false with the time
// it closed; unlocked again when the contact writes.
func TestComposer(t *testing.T) {
	const day = 24 * time.Hour
	tests := []struct {
		name  string
		kind  channel.Kind
		last  time.Time
		human bool
		now   time.Time
		want  session.Composer
	}{
		{"whatsapp open", channel.WhatsApp, t0, true, t0.Add(time.Hour),
			session.Composer{CanReply: true, Reason: session.WindowOpen, Since: t0, Until: t0.Add(day), Templates: true}},
		{"whatsapp closed", channel.WhatsApp, t0, true, t0.Add(day),
			session.Composer{Reason: session.TemplateOnly, Since: t0.Add(day), Templates: true}},
		{"whatsapp never written", channel.WhatsApp, time.Time{}, true, t0,
			session.Composer{Reason: session.NeverOpened, Templates: true}},
		{"messenger human in the tag period", channel.Messenger, t0, true, t0.Add(2 * day),
			session.Composer{CanReply: true, Reason: session.HumanAgentOnly, Since: t0.Add(day), Until: t0.Add(7 * day), Tag: true}},
		{"messenger bot in the tag period", channel.Messenger, t0, false, t0.Add(2 * day),
			session.Composer{Reason: session.WindowClosed, Since: t0.Add(day)}},
		{"messenger human past 7 days", channel.Messenger, t0, true, t0.Add(7 * day),
			session.Composer{Reason: session.WindowClosed, Since: t0.Add(7 * day)}},
		{"sms", channel.SMS, time.Time{}, false, t0,
			session.Composer{CanReply: true, Reason: session.NoWindow}},
		{"invalid kind", channel.Kind(0), t0, true, t0,
			session.Composer{Reason: session.WindowClosed}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := session.Window{Channel: tt.kind, LastInbound: tt.last}
			assert.Equal(t, tt.want, w.Composer(tt.human, tt.now))
		})
	}

	t.Run("unlocks when the contact writes again", func(t *testing.T) {
		w := session.Window{Channel: channel.WhatsApp, LastInbound: t0}
		now := t0.Add(3 * day)
		require.False(t, w.Composer(true, now).CanReply)
		w = w.Touch(now)
		c := w.Composer(true, now)
		assert.True(t, c.CanReply)
		assert.Equal(t, now, c.Since)
	})
}

func TestReasonAndFormString(t *testing.T) {
	assert.Equal(t, "template_only", session.TemplateOnly.String())
	assert.Equal(t, "reason(99)", session.Reason(99).String())
	assert.Equal(t, "human_agent_tag", session.HumanAgentTag.String())
	assert.Equal(t, "form(0)", session.Form(0).String())
}

func TestExpiring(t *testing.T) {
	now := t0.Add(23 * time.Hour)
	ws := []session.Window{
		{Channel: channel.WhatsApp, LastInbound: t0},                        // 1 h left
		{Channel: channel.WhatsApp, LastInbound: t0.Add(-30 * time.Minute)}, // 30 min left
		{Channel: channel.WhatsApp, LastInbound: t0.Add(-2 * time.Hour)},    // closed
		{Channel: channel.Messenger, LastInbound: t0.Add(2 * time.Hour)},    // 3 h left
		{Channel: channel.SMS, LastInbound: t0},                             // no window
		{Channel: channel.WhatsApp},                                         // never written
	}
	got := session.Expiring(ws, now, time.Hour)
	require.Len(t, got, 2)
	assert.Equal(t, 1, got[0].Index, "soonest first")
	assert.Equal(t, 30*time.Minute, got[0].Remaining)
	assert.Equal(t, 0, got[1].Index)
	assert.Equal(t, t0.Add(24*time.Hour), got[1].ExpiresAt, "a window closing exactly at now+d is listed")

	assert.Len(t, session.Expiring(ws, now, 3*time.Hour), 3)
	assert.Nil(t, session.Expiring(ws, now, 0))
}

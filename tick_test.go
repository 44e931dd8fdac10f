package parley_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/parleytest"
)

// windowEvents returns the WindowEvents published since the last call.
type windowLog struct {
	pub  *parleytest.Publisher
	seen int
}

func (l *windowLog) take() []parley.WindowEvent {
	all := l.pub.Events()
	var out []parley.WindowEvent
	for _, e := range all[l.seen:] {
		if w, ok := e.(parley.WindowEvent); ok {
			out = append(out, w)
		}
	}
	l.seen = len(all)
	return out
}

// Tick announces a WhatsApp window expiring (within the warning, an hour
// by default), then closed, once each per window; the contact's next
// message opens a new window, announced afresh. SMS has no window.
func TestTickPublishesWindowExpiringThenClosedOncePerWindow(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	log := &windowLog{pub: f.Publisher}
	rc := receive(t, f, "wa", wa("+14155550100"), "w1", "hello")
	receive(t, f, "sms", sms("+14155550100"), "s1", "hello") // no window on SMS
	closes := parleytest.Epoch.Add(24 * time.Hour)

	f.Clock.Advance(22*time.Hour + 59*time.Minute)
	require.NoError(t, f.Tick(ctx))
	assert.Empty(t, log.take(), "more than the default hour left")

	f.Clock.Advance(2 * time.Minute)
	require.NoError(t, f.Tick(ctx))
	got := log.take()
	require.Len(t, got, 1)
	assert.Equal(t, "session.window_expiring", got[0].Name())
	assert.Equal(t, rc.Conversation.ID, got[0].ConversationID)
	assert.Equal(t, wa("+14155550100"), got[0].Contact)
	assert.Equal(t, "wa", got[0].Touchpoint)
	assert.Equal(t, closes, got[0].ClosesAt)
	assert.False(t, got[0].Closed)

	f.Clock.Advance(30 * time.Minute)
	require.NoError(t, f.Tick(ctx))
	assert.Empty(t, log.take(), "expiring is published once per window")

	f.Clock.Advance(30 * time.Minute) // 24 h 01: closed
	require.NoError(t, f.Tick(ctx))
	got = log.take()
	require.Len(t, got, 1)
	assert.Equal(t, "session.window_closed", got[0].Name())
	assert.True(t, got[0].Closed)
	assert.Equal(t, closes, got[0].ClosesAt)
	assert.Equal(t, rc.Conversation.ID, got[0].ConversationID)

	f.Clock.Advance(time.Hour)
	require.NoError(t, f.Tick(ctx))
	assert.Empty(t, log.take(), "closed is published once")

	// The contact writes again: a new window, announced afresh.
	receive(t, f, "wa", wa("+14155550100"), "w2", "me again")
	f.Clock.Advance(23*time.Hour + 30*time.Minute)
	require.NoError(t, f.Tick(ctx))
	got = log.take()
	require.Len(t, got, 1)
	assert.Equal(t, "session.window_expiring", got[0].Name())
	assert.Equal(t, parleytest.Epoch.Add(49*time.Hour+time.Minute), got[0].ClosesAt)
}

// A negative warning announces no expiring window; a window that closed
// between two Ticks is announced closed at the next one.
func TestTickAnnouncesAWindowClosedBetweenTwoTicks(t *testing.T) {
	f := newFixture(t, func(c *parley.Config) { c.WindowWarning = -1 })
	ctx := context.Background()
	log := &windowLog{pub: f.Publisher}
	receive(t, f, "wa", wa("+14155550100"), "w1", "hello")

	f.Clock.Advance(23*time.Hour + 30*time.Minute)
	require.NoError(t, f.Tick(ctx))
	assert.Empty(t, log.take(), "a negative warning publishes no expiring event")

	f.Clock.Advance(3 * time.Hour)
	require.NoError(t, f.Tick(ctx))
	got := log.take()
	require.Len(t, got, 1)
	assert.Equal(t, "session.window_closed", got[0].Name())
	assert.Equal(t, parleytest.Epoch.Add(24*time.Hour), got[0].ClosesAt)
}

// A closed conversation's window is not announced: no agent waits on it.
func TestTickAnnouncesNothingForAClosedConversation(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	log := &windowLog{pub: f.Publisher}
	rc := receive(t, f, "wa", wa("+14155550100"), "w1", "hello")
	require.NoError(t, f.Close(ctx, parley.SystemActor, rc.Conversation.ID, "done"))

	f.Clock.Advance(25 * time.Hour)
	require.NoError(t, f.Tick(ctx))
	assert.Empty(t, log.take(), "no agent waits on a closed conversation's window")
}

// Desks sharing their stores announce a window once, when it really
// closes: a window that moved on is announced at its new close only.
func TestDesksSharingAStoreAnnounceAWindowOnce(t *testing.T) {
	store, windows := memory.NewConversationStore(), memory.NewWindowStore(nil)
	clock := parleytest.NewClock(parleytest.Epoch)
	a := newFixture(t, func(c *parley.Config) { c.Conversations, c.Windows, c.Clock = store, windows, clock.Now })
	b := newFixture(t, func(c *parley.Config) {
		c.Conversations, c.Windows, c.Clock = store, windows, clock.Now
		c.NewID = conversation.SequentialIDs(parleytest.Epoch.Add(time.Hour))
	})
	ctx := context.Background()
	receive(t, a, "wa", wa("+14155550100"), "w1", "hello")
	clock.Advance(2 * time.Hour)
	receive(t, b, "wa", wa("+14155550100"), "w2", "hello again") // the window now closes at +26 h, which a never saw

	clock.Advance(21*time.Hour + 30*time.Minute) // a's stale window is within its hour
	require.NoError(t, a.Tick(ctx))
	require.NoError(t, b.Tick(ctx))
	assert.Empty(t, (&windowLog{pub: a.Publisher}).take(), "a's window moved on at b")
	assert.Empty(t, (&windowLog{pub: b.Publisher}).take())

	clock.Advance(2 * time.Hour) // +25 h 30: the real window closes within the hour
	require.NoError(t, a.Tick(ctx))
	require.NoError(t, b.Tick(ctx))
	got := append((&windowLog{pub: a.Publisher}).take(), (&windowLog{pub: b.Publisher}).take()...)
	require.Len(t, got, 1, "one of the two desks announces it")
	assert.Equal(t, parleytest.Epoch.Add(26*time.Hour), got[0].ClosesAt)
}

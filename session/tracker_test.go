package session_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/session"
)

func waKey(business, contact string) session.Key {
	return session.Key{
		Business: channel.Address{Kind: channel.WhatsApp, ID: business},
		Contact:  channel.Address{Kind: channel.WhatsApp, ID: contact},
	}
}

func TestTracker(t *testing.T) {
	tr := session.NewTracker(nil)
	a := waKey("+14155550100", "+447700900001")
	b := waKey("+14155550199", "+447700900001") // same contact, other number

	w, err := tr.Touch(a, t0)
	require.NoError(t, err)
	assert.Equal(t, session.Window{Channel: channel.WhatsApp, LastInbound: t0}, w)

	t.Run("windows are per business number", func(t *testing.T) {
		assert.NoError(t, tr.Check(a, freeForm, t0.Add(time.Hour)))
		assert.ErrorIs(t, tr.Check(b, freeForm, t0.Add(time.Hour)), session.ErrWindowClosed)
		_, ok := tr.Window(b)
		assert.False(t, ok)
	})
	t.Run("out-of-order touches never move back", func(t *testing.T) {
		_, err := tr.Touch(a, t0.Add(2*time.Hour))
		require.NoError(t, err)
		w, err := tr.Touch(a, t0.Add(time.Hour))
		require.NoError(t, err)
		assert.Equal(t, t0.Add(2*time.Hour), w.LastInbound)
	})
	t.Run("composer and expiring", func(t *testing.T) {
		assert.True(t, tr.Composer(a, true, t0.Add(3*time.Hour)).CanReply)
		got := tr.Expiring(t0.Add(25*time.Hour), time.Hour)
		require.Len(t, got, 1)
		assert.Equal(t, a, got[0].Key)
	})
	t.Run("a mixed-kind key is refused and records nothing", func(t *testing.T) {
		bad := session.Key{Business: channel.Address{Kind: channel.SMS, ID: "+1"}, Contact: channel.Address{Kind: channel.WhatsApp, ID: "+2"}}
		_, err := tr.Touch(bad, t0)
		assert.ErrorIs(t, err, session.ErrInvalidKey)
		_, err = tr.Touch(session.Key{}, t0)
		assert.ErrorIs(t, err, session.ErrInvalidKey)
		assert.Equal(t, 1, tr.Len())
	})
	t.Run("prune forgets only closed windows", func(t *testing.T) {
		assert.Equal(t, 0, tr.Prune(t0.Add(time.Hour)))
		assert.Equal(t, 1, tr.Prune(t0.Add(26*time.Hour)))
		assert.Equal(t, 0, tr.Len())
	})
}

func TestTrackerKeepsMessengerWindowsForTheTag(t *testing.T) {
	tr := session.NewTracker(nil)
	k := session.Key{
		Business: channel.Address{Kind: channel.Messenger, ID: "page-1"},
		Contact:  channel.Address{Kind: channel.Messenger, ID: "psid-1"},
	}
	_, err := tr.Touch(k, t0)
	require.NoError(t, err)
	assert.Equal(t, 0, tr.Prune(t0.Add(3*24*time.Hour)), "a human may still use the tag")
	assert.Equal(t, 1, tr.Prune(t0.Add(7*24*time.Hour)))
}

func TestTrackerCopiesPolicies(t *testing.T) {
	ps := session.Policies{channel.WhatsApp: {Window: time.Hour}}
	tr := session.NewTracker(ps)
	ps[channel.WhatsApp] = session.Policy{Window: 48 * time.Hour}
	k := waKey("+14155550100", "+447700900001")
	_, err := tr.Touch(k, t0)
	require.NoError(t, err)
	assert.ErrorIs(t, tr.Check(k, freeForm, t0.Add(time.Hour)), session.ErrWindowClosed)
}

// TestTrackerConcurrent touches and reads from many goroutines under -race;
// every window ends at its latest touch whatever the order.
func TestTrackerConcurrent(t *testing.T) {
	tr := session.NewTracker(nil)
	const contacts, events, workers = 8, 200, 8
	key := func(c int) session.Key { return waKey("+14155550100", fmt.Sprintf("+4477009000%02d", c)) }
	// Events arrive in a scrambled order; want holds each contact's latest.
	at := func(g, i int) time.Time { return t0.Add(time.Duration((i*7+g*13)%events) * time.Minute) }
	want := make(map[int]time.Time)
	for g := 0; g < workers; g++ {
		for i := 0; i < events; i++ {
			if c := (g + i) % contacts; at(g, i).After(want[c]) {
				want[c] = at(g, i)
			}
		}
	}
	var wg sync.WaitGroup
	for g := 0; g < workers; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < events; i++ {
				k := key((g + i) % contacts)
				_, err := tr.Touch(k, at(g, i))
				assert.NoError(t, err)
				_ = tr.Check(k, freeForm, at(g, i))
				_ = tr.Expiring(at(g, i), time.Hour)
			}
		}(g)
	}
	wg.Wait()
	require.Equal(t, contacts, tr.Len())
	for c := 0; c < contacts; c++ {
		w, ok := tr.Window(key(c))
		require.True(t, ok)
		assert.Equal(t, want[c], w.LastInbound, "contact %d", c)
	}
}

// TestTrackerPrune: Prune forgets what closed before the cutoff, and a
// forgotten window reads as never opened, as its documentation says; a
// cutoff of now minus the host's retention keeps the closing time visible.
func TestTrackerPrune(t *testing.T) {
	const day = 24 * time.Hour
	now := t0.Add(10 * day)
	closedYesterday := waKey("+14155550100", "+447700900001")
	closedLongAgo := waKey("+14155550100", "+447700900002")
	ahead := waKey("+14155550100", "+447700900003")
	tr := session.NewTracker(nil)
	for k, at := range map[session.Key]time.Time{
		closedYesterday: now.Add(-2 * day),
		closedLongAgo:   t0,
		ahead:           now.AddDate(5, 0, 0),
	} {
		_, err := tr.Touch(k, at)
		require.NoError(t, err)
	}
	require.Equal(t, session.Composer{Reason: session.TemplateOnly, Since: now.Add(-day), Templates: true}, tr.Composer(closedYesterday, true, now))

	assert.Equal(t, 1, tr.Prune(now.Add(-7*day)), "a 7-day retention forgets only the window closed 9 days ago")
	assert.Equal(t, session.Composer{Reason: session.TemplateOnly, Since: now.Add(-day), Templates: true},
		tr.Composer(closedYesterday, true, now), "kept: the agent still sees when it closed")
	assert.Equal(t, session.Composer{Reason: session.NeverOpened, Templates: true},
		tr.Composer(closedLongAgo, true, now), "forgotten: it reads as never opened")

	assert.Equal(t, 1, tr.Prune(now))
	_, ok := tr.Window(ahead)
	assert.True(t, ok, "a window dated after the cutoff is kept")
	assert.Equal(t, 1, tr.Len())
}

// The tracker files windows by the contact's ID, so one ID can carry
// several: the same number on WhatsApp and on SMS, with two business
// numbers. Each is its own window; forgetting the WhatsApp contact keeps
// the SMS one, and pruning takes out only the closed ones of the group.
func TestTrackerKeepsEveryWindowOfOneContactID(t *testing.T) {
	tr := session.NewTracker(nil)
	const number = "+447700900001"
	sms := session.Key{Business: channel.Address{Kind: channel.SMS, ID: "+14155550100"}, Contact: channel.Address{Kind: channel.SMS, ID: number}}
	a, b := waKey("+14155550100", number), waKey("+14155550199", number)
	for i, k := range []session.Key{a, b, sms} {
		_, err := tr.Touch(k, t0.Add(time.Duration(i)*48*time.Hour))
		require.NoError(t, err)
	}
	require.Equal(t, 3, tr.Len())
	for i, k := range []session.Key{a, b, sms} {
		w, ok := tr.Window(k)
		require.True(t, ok, "key %d", i)
		assert.Equal(t, t0.Add(time.Duration(i)*48*time.Hour), w.LastInbound, "key %d has its own window", i)
		assert.Equal(t, k.Contact.Kind, w.Channel)
	}

	assert.Equal(t, 1, tr.Prune(t0.Add(30*time.Hour)), "a's window closed at t0+24h; b's is later")
	_, ok := tr.Window(a)
	assert.False(t, ok, "a was pruned")
	_, ok = tr.Window(b)
	assert.True(t, ok, "b, later, stays")

	assert.Equal(t, 1, tr.Forget(b.Contact), "forgetting the WhatsApp contact drops its window only")
	w, ok := tr.Window(sms)
	assert.True(t, ok, "the same number on SMS keeps its window")
	assert.Equal(t, t0.Add(96*time.Hour), w.LastInbound)
	assert.Equal(t, 1, tr.Len())
}

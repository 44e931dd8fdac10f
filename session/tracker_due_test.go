package session_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/session"
)

func TestTrackerDueListsClosingAndClosedWindows(t *testing.T) {
	tr := session.NewTracker(nil)
	early := waKey("+14155550100", "+447700900001")
	late := waKey("+14155550100", "+447700900002")
	sms := session.Key{Business: channel.Address{Kind: channel.SMS, ID: "+14155550100"}, Contact: channel.Address{Kind: channel.SMS, ID: "+447700900003"}}
	for k, at := range map[session.Key]time.Time{early: t0, late: t0.Add(3 * time.Hour), sms: t0} {
		_, err := tr.Touch(k, at)
		require.NoError(t, err)
	}

	now := t0.Add(25 * time.Hour) // early closed an hour ago; late closes in 2 h
	due := tr.Due(now.Add(time.Hour))
	require.Len(t, due, 1, "only early closes before now+1h; SMS has no window")
	assert.Equal(t, early, due[0].Key)
	assert.Equal(t, t0.Add(24*time.Hour), due[0].ExpiresAt)

	due = tr.Due(now.Add(2 * time.Hour))
	require.Len(t, due, 2)
	assert.Equal(t, []session.Key{early, late}, []session.Key{due[0].Key, due[1].Key}, "soonest first")
}

func TestTrackerForgetDropsEveryWindowOfTheContact(t *testing.T) {
	tr := session.NewTracker(nil)
	a := waKey("+14155550100", "+447700900001")
	b := waKey("+14155550199", "+447700900001")
	other := waKey("+14155550100", "+447700900002")
	for _, k := range []session.Key{a, b, other} {
		_, err := tr.Touch(k, t0)
		require.NoError(t, err)
	}
	assert.Equal(t, 2, tr.Forget(a.Contact))
	_, ok := tr.Window(a)
	assert.False(t, ok)
	_, ok = tr.Window(b)
	assert.False(t, ok)
	_, ok = tr.Window(other)
	assert.True(t, ok, "another contact's window stays")
	assert.Zero(t, tr.Forget(a.Contact), "forgetting twice forgets nothing more")
}

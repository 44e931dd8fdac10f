package session

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
)

// A contact whose last window goes leaves no entry behind: a tracker that
// forgets and prunes for months must not keep an empty slice per contact
// it ever saw.
func TestTrackerDropsEmptyContacts(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	tr := NewTracker(nil)
	for _, id := range []string{"+447700900001", "+447700900002"} {
		_, err := tr.Touch(Key{Business: channel.Address{Kind: channel.WhatsApp, ID: "+14155550100"}, Contact: channel.Address{Kind: channel.WhatsApp, ID: id}}, t0)
		require.NoError(t, err)
	}
	require.Len(t, tr.windows, 2)
	assert.Equal(t, 1, tr.Forget(channel.Address{Kind: channel.WhatsApp, ID: "+447700900001"}))
	assert.Len(t, tr.windows, 1, "the forgotten contact's entry is gone")
	assert.Equal(t, 1, tr.Prune(t0.Add(48*time.Hour)))
	assert.Empty(t, tr.windows, "the pruned contact's entry is gone")
	assert.Zero(t, tr.n)
}

package parley

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
)

// Forgetting an address forgets every raw form that normalised to it, and
// nothing else: an erased contact's number leaves no trace in the cache.
func TestAddrCacheForgetsEveryFormOfAnAddress(t *testing.T) {
	var c addrCache
	raw := channel.Address{Kind: channel.WhatsApp, ID: "+1 (415) 555-0100"}
	plain := channel.Address{Kind: channel.WhatsApp, ID: "+14155550100"}
	other := channel.Address{Kind: channel.WhatsApp, ID: "+14155550101"}
	for _, a := range []channel.Address{raw, plain, other} {
		_, err := c.normalize(a)
		require.NoError(t, err)
	}
	n, err := c.normalize(raw)
	require.NoError(t, err)
	c.forget(n.addr)
	assert.NotContains(t, c.byKind[channel.WhatsApp], raw.ID)
	assert.NotContains(t, c.byKind[channel.WhatsApp], plain.ID)
	assert.Contains(t, c.byKind[channel.WhatsApp], other.ID)
	assert.Equal(t, 1, c.len())
}

// Every valid kind has its map in the cache, and an invalid one is
// refused without being cached.
func TestAddrCacheHoldsEveryKind(t *testing.T) {
	for k := range 256 {
		if channel.Kind(k).Valid() {
			assert.Less(t, k, len(addrCache{}.byKind), "kind %d has no map", k)
		}
	}
	var c addrCache
	_, err := c.normalize(channel.Address{Kind: channel.Kind(200), ID: "x"})
	assert.ErrorIs(t, err, channel.ErrInvalidAddress)
	assert.Zero(t, c.len())
}

// The cache starts afresh when full, so a flood of one-off senders cannot
// grow it without bound.
func TestAddrCacheStartsAfreshWhenFull(t *testing.T) {
	var c addrCache
	for i := range addrCacheSize + 1 {
		_, err := c.normalize(channel.Address{Kind: channel.WebChat, ID: "visitor-" + strconv.Itoa(i)})
		require.NoError(t, err)
	}
	assert.Equal(t, 1, c.len(), "the last address went into a fresh cache")
	assert.Len(t, c.byKind[channel.WebChat], 1)
}

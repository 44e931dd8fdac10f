package parley

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
)

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
	assert.NotContains(t, c.m, raw)
	assert.NotContains(t, c.m, plain)
	assert.Contains(t, c.m, other)
}

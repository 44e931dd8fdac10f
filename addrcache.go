package parley

import (
	"sync"

	"github.com/parleyhq/parley/channel"
)

// addrCacheSize bounds the normalised-address cache; when full it starts
// afresh, which costs one parse per active contact.
const addrCacheSize = 1 << 16

// addrCache remembers addresses already validated and normalised.
// Parsing a phone number with libphonenumber costs microseconds and dozens
// of allocations, and the same contacts write again and again, so Receive
// parses each address once. It is safe for concurrent use.
type addrCache struct {
	mu sync.RWMutex
	m  map[channel.Address]canonical
}

// canonical is a normalised address and its "kind:id" form, which is also
// the contact's ID.
type canonical struct {
	addr channel.Address
	urn  string
}

// normalize returns the canonical form of a, parsing it on first sight.
func (c *addrCache) normalize(a channel.Address) (canonical, error) {
	c.mu.RLock()
	n, ok := c.m[a]
	c.mu.RUnlock()
	if ok {
		return n, nil
	}
	addr, err := channel.NewAddress(a.Kind, a.ID)
	if err != nil {
		return canonical{}, err
	}
	n = canonical{addr: addr, urn: addr.String()}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= addrCacheSize {
		c.m = make(map[channel.Address]canonical)
	}
	c.m[a] = n
	c.mu.Unlock()
	return n, nil
}

// forget drops every cached form that normalises to addr (Erase: the
// contact's address is not kept beyond what the law needs).
func (c *addrCache) forget(addr channel.Address) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, n := range c.m {
		if n.addr == addr || k == addr {
			delete(c.m, k)
		}
	}
}

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
	// hash hashes a contact ID for the Desk's contact locks, once per
	// address rather than on every message.
	hash func(contactID string) uint64
}

// canonical is a normalised address, its "kind:id" form, which is also
// the contact's ID, and that ID's hash.
type canonical struct {
	addr channel.Address
	urn  string
	hash uint64
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
	if c.hash != nil {
		n.hash = c.hash(n.urn)
	}
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

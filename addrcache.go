package parley

import (
	"sync"

	"github.com/parleyhq/parley/channel"
)

// addrCacheSize bounds the normalised-address cache; when full it starts
// afresh, which costs one parse per active contact.
const addrCacheSize = 1 << 16

// addrCache remembers addresses already validated and normalised: the
// same contacts write again and again, and parsing a phone number is the
// dearest step of Receive. It is safe for concurrent use.
type addrCache struct {
	mu sync.RWMutex
	// byKind holds the canonical form of each raw ID seen, one map per
	// channel kind, keyed by the ID alone (see BenchmarkReceive).
	byKind [numKinds]map[string]canonical
	// hash hashes a contact ID for the Desk's contact locks, once per
	// address rather than on every message.
	hash func(contactID string) uint64
}

// numKinds bounds the channel kinds: every valid one is at most Custom
// (channel.Kind.Valid), which TestAddrCacheHoldsEveryKind checks.
const numKinds = int(channel.Custom) + 1

// canonical is a normalised address, its "kind:id" form, which is also
// the contact's ID, and that ID's hash.
type canonical struct {
	addr channel.Address
	urn  string
	hash uint64
}

// normalize returns the canonical form of a, parsing it on first sight.
func (c *addrCache) normalize(a channel.Address) (canonical, error) {
	if !a.Kind.Valid() {
		return c.parse(a) // which refuses it; nothing to cache
	}
	c.mu.RLock()
	n, ok := c.byKind[a.Kind][a.ID]
	c.mu.RUnlock()
	if ok {
		return n, nil
	}
	n, err := c.parse(a)
	if err != nil {
		return canonical{}, err
	}
	c.mu.Lock()
	if c.len() >= addrCacheSize {
		c.byKind = [numKinds]map[string]canonical{}
	}
	m := c.byKind[a.Kind]
	if m == nil {
		m = make(map[string]canonical)
		c.byKind[a.Kind] = m
	}
	m[a.ID] = n
	c.mu.Unlock()
	return n, nil
}

// len is how many addresses the cache holds. The caller holds c.mu.
func (c *addrCache) len() int {
	n := 0
	for _, m := range c.byKind {
		n += len(m)
	}
	return n
}

// parse validates and normalises a.
func (c *addrCache) parse(a channel.Address) (canonical, error) {
	addr, err := channel.NewAddress(a.Kind, a.ID)
	if err != nil {
		return canonical{}, err
	}
	n := canonical{addr: addr, urn: addr.String()}
	if c.hash != nil {
		n.hash = c.hash(n.urn)
	}
	return n, nil
}

// forget drops every cached form that normalises to addr (Erase: the
// contact's address is not kept beyond what the law needs).
func (c *addrCache) forget(addr channel.Address) {
	if !addr.Kind.Valid() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.byKind[addr.Kind] // every form of addr is of its kind
	for id, n := range m {
		if n.addr == addr || id == addr.ID {
			delete(m, id)
		}
	}
}

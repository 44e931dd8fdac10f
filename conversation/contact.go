package conversation

import (
	"context"
	"slices"
	"strconv"
	"sync/atomic"

	"github.com/parleyhq/parley/channel"
)

// Contact is the conversation's reference to the person the business talks
// with. The contact directory itself belongs to the host; a conversation
// keeps what it needs to show, search and reply.
type Contact struct {
	// ID is the host's contact ID; required.
	ID string
	// Name is the display name; "Visitor #N" for an anonymous web-chat
	// visitor until identified.
	Name string
	// Addresses are the contact's channel addresses (phone, e-mail, PSID…).
	// Inbox search matches their IDs.
	Addresses []channel.Address
	// Locale is a BCP 47 tag ("pt-BR"), used to choose template variants.
	Locale string
	// Anonymous marks a web-chat visitor not yet identified.
	Anonymous bool
}

func (c Contact) clone() Contact {
	c.Addresses = slices.Clone(c.Addresses)
	return c
}

// Identify replaces an anonymous visitor's generated name ("Visitor #N")
// with what the host knows and adds
// addr, which the host must have verified and parsed with
// channel.ParseAddress, so that only valid formats reach a contact. An empty
// name keeps the current one; a zero addr adds nothing.
func (c *Conversation) Identify(name string, addr channel.Address) {
	if name != "" {
		c.Contact.Name = name
	}
	if !addr.IsZero() && !slices.Contains(c.Contact.Addresses, addr) {
		c.Contact.Addresses = append(c.Contact.Addresses, addr)
	}
	c.Contact.Anonymous = false
}

// VisitorCounter numbers anonymous web-chat visitors "Visitor #1",
// "Visitor #2", …, the name they keep until identified. The zero value
// starts at 1. It is safe
// for concurrent use; a host that wants numbers to survive a restart seeds
// it with [NewVisitorCounter] from its own sequence.
type VisitorCounter struct {
	n atomic.Uint64
}

// NewVisitorCounter returns a counter whose next number is next.
func NewVisitorCounter(next uint64) *VisitorCounter {
	c := &VisitorCounter{}
	if next > 0 {
		c.n.Store(next - 1)
	}
	return c
}

// Next returns the next visitor name; never the same one twice.
func (c *VisitorCounter) Next() string {
	return VisitorName(c.n.Add(1))
}

// VisitorSequence is implemented by stores that number anonymous
// visitors themselves, so that desks sharing the store never give two
// visitors one number, and numbers go on after a restart. The Desk uses
// it when its store has it, and a [VisitorCounter] of its own otherwise.
type VisitorSequence interface {
	// NextVisitor returns the next visitor number, from 1: never one
	// returned before by this store, by any process. Numbers go up but
	// may skip (a database sequence does not give back what a failed
	// caller took). It is safe for concurrent use.
	NextVisitor(ctx context.Context) (uint64, error)
}

// VisitorName formats the anonymous name for visitor number n.
func VisitorName(n uint64) string {
	return "Visitor #" + strconv.FormatUint(n, 10)
}

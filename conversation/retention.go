package conversation

import (
	"context"
	"time"
)

// Purger is implemented by stores that can forget old history: a host's
// retention policy ("keep closed conversations for two years") calls
// Purge from a scheduled job. conversationtest.Run checks it when the
// store implements it.
//
// Purge deletes every conversation that has ended (WrapUp or Closed) and
// whose UpdatedAt, its last change of any kind, is before before, with
// its messages and their provider-ID index entries; afterwards Get, Search,
// Messages and MessageByProvider find none of them, and a message with
// one of their provider IDs is stored as new. UpdatedAt rather than
// ClosedAt decides so that a conversation still being worked on after it
// ended (a late note, a tag) is kept, and a WrapUp one whose closing note
// never came still ages out. It never touches an open (Bot, Queued or
// Assigned) conversation, however old. Comments are about a contact, not
// a conversation, and are kept: [Eraser] removes them. The opt-out
// consent ledger, kept by package optout, is not touched.
//
// It is safe for concurrent use with every other method; each
// conversation goes with all its messages or not at all. A zero before is
// refused with ErrInvalid, a purge of everything being a mistake more
// often than a policy.
type Purger interface {
	Purge(ctx context.Context, before time.Time) (Purged, error)
}

// Purged counts what [Purger.Purge] removed.
type Purged struct {
	Conversations, Messages int
}

// Purgeable reports whether [Purger.Purge] with before removes c.
func (c *Conversation) Purgeable(before time.Time) bool {
	return !c.Status.Open() && c.UpdatedAt.Before(before)
}

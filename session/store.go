package session

import (
	"context"
	"time"

	"github.com/parleyhq/parley/channel"
)

// Store keeps the windows of many (business, contact) pairs, and which of
// their notices were dealt with, where every desk that shares it sees
// them: desks in several processes, or one desk after a restart, then
// track, announce and check windows as one. [Tracker] holds the rules;
// memory.WindowStore is a Tracker behind this interface for desks of one
// process, and a database store keeps the same rules in its tables.
//
// Implementations must be safe for concurrent use, from several processes
// when the storage is shared, and apply one set of [Policies], the same as
// the desks using it. A failed call changes nothing. Every method
// may fail with the storage's own error; beyond that:
//
//   - Touch records an inbound message or call on k at inboundAt, as
//     [Tracker.Touch]: never moving a window back, a window that moves
//     being a new one with no notice dealt with. A key whose addresses
//     are not of one valid kind fails with [ErrInvalidKey] and records
//     nothing.
//   - Window returns k's window and true, or a window with a zero
//     LastInbound and false when k was never touched or was forgotten
//     ([Tracker.Window]).
//   - Expiring lists the windows open at now that close within d, soonest
//     first, ties by key ([Tracker.Expiring]).
//   - Notices lists the notices not yet dealt with at now, soonest first,
//     ties by key ([Tracker.Notices]); Noticed marks one dealt with, and
//     does nothing for a window that no longer closes at closes
//     ([Tracker.Noticed]). It reports whether this call made the mark:
//     of callers racing for one notice, in any number of processes,
//     exactly one is told true, and only it announces the notice.
//   - Prune forgets the windows whose every limit ended at or before
//     cutoff and Forget every window of a contact, each returning how many
//     ([Tracker.Prune], [Tracker.Forget]).
//
// A store may keep instants to the microsecond (as PostgreSQL does): the
// instants it returns are then truncated, and it compares what it is
// given truncated alike. sessiontest.Run proves an implementation keeps
// this contract.
type Store interface {
	Touch(ctx context.Context, k Key, inboundAt time.Time) (Window, error)
	Window(ctx context.Context, k Key) (w Window, ok bool, err error)
	Expiring(ctx context.Context, now time.Time, d time.Duration) ([]Tracked, error)
	Notices(ctx context.Context, now time.Time, warn time.Duration) ([]Notice, error)
	Noticed(ctx context.Context, k Key, closes time.Time, closed bool) (bool, error)
	Prune(ctx context.Context, cutoff time.Time) (int, error)
	Forget(ctx context.Context, contact channel.Address) (int, error)
}

// Validate returns nil when k's two addresses are of one valid channel
// kind, and otherwise an error matching [ErrInvalidKey]: a [Store] refuses
// such a key before it records anything.
func (k Key) Validate() error { return checkKey(k) }

// Limits are the instants at which one window's limits end, as a [Store]
// that keeps windows in a database stores them, so that what falls due is
// found by an index.
type Limits struct {
	// Closes is when the window closes ([Policies.ExpiresAt]); zero when
	// the channel has no window or the contact never wrote.
	Closes time.Time
	// Over is when every limit has ended, the window and any HUMAN_AGENT
	// tag: Prune forgets the window at a cutoff at or after it. Zero on a
	// windowed channel the contact never wrote (over already) and on a
	// windowless one (never over: see Windowed).
	Over time.Time
	// Windowed reports whether the channel has a window at all.
	Windowed bool
}

// Limits returns when w's limits end under ps.
func (ps Policies) Limits(w Window) Limits {
	p := ps.For(w.Channel)
	if !w.Channel.Valid() || !p.Windowed() {
		return Limits{}
	}
	l := Limits{Closes: ps.ExpiresAt(w), Windowed: true}
	if !w.LastInbound.IsZero() {
		l.Over = w.LastInbound.Add(max(p.Window, p.HumanAgent))
	}
	return l
}

// Compare orders keys by business address, then contact address (kind,
// then ID), the order in which a [Store] lists windows closing at the
// same instant.
func (k Key) Compare(o Key) int {
	if c := compareAddress(k.Business, o.Business); c != 0 {
		return c
	}
	return compareAddress(k.Contact, o.Contact)
}

package session

import (
	"time"

	"github.com/parleyhq/parley/channel"
)

// Window is the customer-service window between a business number and one
// contact on one channel: the channel's kind and when the contact last wrote
// or called. Its methods apply [DefaultPolicy]; use the [Policies] methods
// for a host's overrides.
//
// The zero LastInbound means the contact has never written: a windowed
// channel is then closed. Window is a small value; copy it freely.
type Window struct {
	// Channel is the kind of the channel the window belongs to.
	Channel channel.Kind
	// LastInbound is when the contact's latest message or call arrived, as
	// the provider timestamped it. Only inbound events set it: the
	// business's own messages never open or refresh a window.
	LastInbound time.Time
}

// Open reports whether, at now, the business may send any message on the
// window: channels without a window are always open; a windowed channel is
// open from the contact's message until, and not including, ExpiresAt —
// the half-open [LastInbound, LastInbound+24h) on WhatsApp. A
// LastInbound after now is not open (it has not happened yet, as far as now
// knows); pass inbound times that are not after now. An invalid channel
// kind is never open (fail closed).
func (w Window) Open(now time.Time) bool { return Policies(nil).Open(w, now) }

// ExpiresAt returns when the window closes: LastInbound plus the channel's
// window (24 h on WhatsApp, Messenger and Instagram). It returns the zero
// time when the channel has no window or the contact has never written.
func (w Window) ExpiresAt() time.Time { return Policies(nil).ExpiresAt(w) }

// Remaining returns how long the window stays open after now: zero once it
// has closed or when the contact has never written, and the largest
// Duration for channels without a window.
func (w Window) Remaining(now time.Time) time.Duration { return Policies(nil).Remaining(w, now) }

// Touch records an inbound message or call from the contact at inboundAt and
// returns the refreshed window. It never moves the window backwards: a late,
// out-of-order event older than LastInbound, or a zero time, leaves the
// window as it was. Because of that, a provider timestamp far ahead
// of the clock cannot be corrected later: clamp inboundAt to now before
// touching (the Desk does). Never touch a window for the business's own
// messages, templates included: they do not open or refresh it.
func (w Window) Touch(inboundAt time.Time) Window {
	if inboundAt.After(w.LastInbound) {
		w.LastInbound = inboundAt
	}
	return w
}

// Open reports whether w is open at now under these policies; see
// [Window.Open].
func (ps Policies) Open(w Window, now time.Time) bool {
	if !w.Channel.Valid() {
		return false
	}
	p := ps.For(w.Channel)
	if !p.Windowed() {
		return true
	}
	if w.LastInbound.IsZero() {
		return false
	}
	// Half-open [LastInbound, LastInbound+Window): open at the message and
	// at 23:59:59.999, closed at 24:00:00, and closed before the message.
	// Counting a future LastInbound as open would let a provider timestamp
	// years ahead keep the window open that long; callers clamp instead.
	return !now.Before(w.LastInbound) && now.Before(w.LastInbound.Add(p.Window))
}

// ExpiresAt returns when w closes under these policies; see
// [Window.ExpiresAt].
func (ps Policies) ExpiresAt(w Window) time.Time {
	p := ps.For(w.Channel)
	if !w.Channel.Valid() || !p.Windowed() || w.LastInbound.IsZero() {
		return time.Time{}
	}
	return w.LastInbound.Add(p.Window)
}

// Remaining returns how long w stays open after now under these policies;
// see [Window.Remaining].
func (ps Policies) Remaining(w Window, now time.Time) time.Duration {
	if !w.Channel.Valid() {
		return 0
	}
	if !ps.For(w.Channel).Windowed() {
		return time.Duration(1<<63 - 1)
	}
	if !ps.Open(w, now) {
		return 0
	}
	return ps.ExpiresAt(w).Sub(now)
}

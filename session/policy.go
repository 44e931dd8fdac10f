package session

import (
	"time"

	"github.com/parleyhq/parley/channel"
)

// The durations of the window rules.
const (
	// StandardWindow is the customer-service window of WhatsApp, Messenger
	// and Instagram: 24 hours from the contact's last message.
	StandardWindow = 24 * time.Hour
	// HumanAgentWindow is how long after the contact's last message a human
	// agent may still reply on Messenger or Instagram with the HUMAN_AGENT
	// tag: 7 days.
	HumanAgentWindow = 7 * 24 * time.Hour
	// FreeEntryPeriod is how long a conversation started from a free entry
	// point (click-to-WhatsApp ad, page call-to-action) is free of charge,
	// counted from the delivery of the business's reply: 72 hours.
	FreeEntryPeriod = 72 * time.Hour
)

// Policy is the messaging-window rule of one channel kind, as data. The zero
// Policy is a channel without a window: always open, no tag, no free entry
// point.
type Policy struct {
	// Window is the customer-service window's length after the contact's
	// last message; zero means the channel has no window and is always open.
	Window time.Duration
	// Templates reports whether an approved template may be sent outside the
	// window (WhatsApp).
	Templates bool
	// HumanAgent is how long after the contact's last message a human agent
	// may reply with the HUMAN_AGENT tag; zero means the channel has no such
	// tag. Only a value longer than Window widens anything.
	HumanAgent time.Duration
	// FreeEntry is the free-of-charge period a free entry point grants from
	// the delivery of the business's reply; zero means none. It is pricing
	// only: it never lets a free-form message through a closed window.
	FreeEntry time.Duration
	// FreeEntryReplyWithin is how soon after the contact's message the
	// business must reply for FreeEntry to apply.
	FreeEntryReplyWithin time.Duration
}

// DefaultPolicy returns the providers' rule for kind k: WhatsApp a
// 24-hour window with templates outside it and the 72-hour free entry point;
// Messenger and Instagram a 24-hour window with the 7-day HUMAN_AGENT tag;
// every other kind, and any invalid kind, the zero Policy (no window).
func DefaultPolicy(k channel.Kind) Policy {
	switch k {
	case channel.WhatsApp:
		return Policy{
			Window:               StandardWindow,
			Templates:            true,
			FreeEntry:            FreeEntryPeriod,
			FreeEntryReplyWithin: StandardWindow,
		}
	case channel.Messenger, channel.Instagram:
		return Policy{Window: StandardWindow, HumanAgent: HumanAgentWindow}
	}
	return Policy{}
}

// Windowed reports whether the channel limits when a business may write.
func (p Policy) Windowed() bool { return p.Window > 0 }

// FreeUntil reports, for a conversation the contact started from a free
// entry point at contactAt, until when its messages are free of charge: the
// 72-hour period starts when the business's reply is delivered (delivered)
// and applies only if that reply came within FreeEntryReplyWithin of
// contactAt (24 hours by default). Messages are free while now is before until.
// It returns false when the policy has no free entry point or the reply was
// late or precedes the contact's message.
//
// The period makes messages free, not free-form: whether a message may be
// sent at all is still [Policies.Check]'s 24-hour window.
func (p Policy) FreeUntil(contactAt, delivered time.Time) (until time.Time, ok bool) {
	if p.FreeEntry <= 0 || contactAt.IsZero() || delivered.Before(contactAt) {
		return time.Time{}, false
	}
	// Same half-open rule as the window: a reply at exactly +24h is late.
	if !delivered.Before(contactAt.Add(p.FreeEntryReplyWithin)) {
		return time.Time{}, false
	}
	return delivered.Add(p.FreeEntry), true
}

// Policies holds a host's overrides, one Policy per kind; a kind without an
// entry keeps [DefaultPolicy]. The nil Policies is the defaults, so the zero
// value works. An override replaces the kind's whole Policy.
type Policies map[channel.Kind]Policy

// For returns the policy of kind k: the override if there is one, otherwise
// the default.
func (ps Policies) For(k channel.Kind) Policy {
	if p, ok := ps[k]; ok {
		return p
	}
	return DefaultPolicy(k)
}

package session

import (
	"errors"
	"fmt"
	"time"
)

// Reason says why an agent's composer is locked or unlocked.
type Reason uint8

// The reasons of a [Composer] state.
const (
	// NoWindow: the channel has no window; replies are always allowed.
	NoWindow Reason = iota + 1
	// WindowOpen: the contact wrote within the window; any reply is allowed.
	WindowOpen
	// HumanAgentOnly: the 24-hour window has closed, but a human agent may
	// still reply with the HUMAN_AGENT tag (Messenger, Instagram).
	HumanAgentOnly
	// TemplateOnly: the window has closed; only an approved template may be
	// sent until the contact writes again (WhatsApp).
	TemplateOnly
	// WindowClosed: the window has closed and nothing may be sent until the
	// contact writes again.
	WindowClosed
	// NeverOpened: the contact has never written on this windowed channel,
	// as of now: a LastInbound after now does not count.
	NeverOpened
)

var reasonNames = [...]string{
	NoWindow:       "no_window",
	WindowOpen:     "window_open",
	HumanAgentOnly: "human_agent_only",
	TemplateOnly:   "template_only",
	WindowClosed:   "window_closed",
	NeverOpened:    "never_opened",
}

// ErrUnknownReason is returned for a reason name or value that is not one of
// the constants. Check it with errors.Is.
var ErrUnknownReason = errors.New("session: unknown composer reason")

// Valid reports whether r is one of the declared reasons.
func (r Reason) Valid() bool { return r >= NoWindow && r <= NeverOpened }

// String returns the reason's name, such as "window_open" or
// "human_agent_only", or "reason(N)" for an invalid value.
func (r Reason) String() string {
	if !r.Valid() {
		return fmt.Sprintf("reason(%d)", uint8(r))
	}
	return reasonNames[r]
}

// ParseReason returns the reason named s, as String writes it, ignoring
// ASCII case. Other text fails with an error matching [ErrUnknownReason].
func ParseReason(s string) (Reason, error) {
	if i, ok := lookupName(reasonNames[:], s); ok {
		return Reason(i), nil
	}
	return 0, fmt.Errorf("%w: %q", ErrUnknownReason, s)
}

// MarshalText encodes the reason as its name; an invalid value is an error
// matching [ErrUnknownReason].
func (r Reason) MarshalText() ([]byte, error) {
	if !r.Valid() {
		return nil, fmt.Errorf("%w: %d", ErrUnknownReason, uint8(r))
	}
	return []byte(reasonNames[r]), nil
}

// UnmarshalText decodes a name as [ParseReason] reads it. On error r is
// unchanged.
func (r *Reason) UnmarshalText(b []byte) error {
	v, err := ParseReason(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// Composer is what an agent UI needs to lock or unlock its reply box: a
// closed window locks it until the contact writes again. It says whether a
// reply can be written now, why, since when and until when the state lasts
// by itself.
type Composer struct {
	// CanReply reports whether the agent may send a composed reply now
	// (tagged HUMAN_AGENT when Tag is set).
	CanReply bool
	// Reason says why.
	Reason Reason
	// Since is when this state began: when the contact last wrote while the
	// window is open, when the window closed once it has. Zero when the
	// channel has no window or the contact has never written.
	Since time.Time
	// Until is when this state ends unless the contact writes: the window's
	// or the tag's end. Zero when it lasts until the contact writes, or for
	// ever.
	Until time.Time
	// Tag reports whether the reply must carry the HUMAN_AGENT tag.
	Tag bool
	// Templates reports whether an approved template may be sent.
	Templates bool
}

// Composer returns the composer state for w at now under the default
// policies. See [Policies.Composer].
func (w Window) Composer(human bool, now time.Time) Composer {
	return Policies(nil).Composer(w, human, now)
}

// Composer returns the composer state for w at now; human says whether the
// writer is a person (the HUMAN_AGENT tag is theirs only). An invalid channel
// kind gives a locked composer with reason WindowClosed.
func (ps Policies) Composer(w Window, human bool, now time.Time) Composer {
	if !w.Channel.Valid() {
		return Composer{Reason: WindowClosed}
	}
	p := ps.For(w.Channel)
	switch {
	case !p.Windowed():
		return Composer{CanReply: true, Reason: NoWindow, Templates: p.Templates}
	case w.LastInbound.IsZero() || w.LastInbound.After(now):
		return Composer{Reason: NeverOpened, Templates: p.Templates}
	case ps.Open(w, now):
		return Composer{CanReply: true, Reason: WindowOpen, Since: w.LastInbound, Until: ps.ExpiresAt(w), Templates: p.Templates}
	}
	closed := ps.ExpiresAt(w)
	if until := ps.humanAgentUntil(w, now); human && !until.IsZero() {
		return Composer{CanReply: true, Reason: HumanAgentOnly, Since: closed, Until: until, Tag: true, Templates: p.Templates}
	}
	if p.HumanAgent > 0 && human {
		// Past the tag's limit as well: locked since the tag expired.
		closed = w.LastInbound.Add(p.HumanAgent)
	}
	if p.Templates {
		return Composer{Reason: TemplateOnly, Since: closed, Templates: true}
	}
	return Composer{Reason: WindowClosed, Since: closed}
}

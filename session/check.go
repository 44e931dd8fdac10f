package session

import (
	"errors"
	"fmt"
	"time"

	"github.com/parleyhq/parley/channel"
)

// Form is the kind of an outbound message, as the window rules see it.
type Form uint8

// The forms of outbound message, as the window rules tell them apart.
const (
	// FreeForm is any message the business composes: text, media, a snippet.
	// It needs an open window.
	FreeForm Form = iota + 1
	// ApprovedTemplate is a provider-approved template (a WhatsApp message
	// template). It may be sent outside the window where the policy allows
	// templates.
	ApprovedTemplate
	// HumanAgentTag is a reply tagged HUMAN_AGENT on Messenger or Instagram:
	// a human agent may send it up to 7 days after the contact's last
	// message. Bots never may.
	HumanAgentTag
)

var formNames = [...]string{
	FreeForm:         "free_form",
	ApprovedTemplate: "approved_template",
	HumanAgentTag:    "human_agent_tag",
}

// ErrUnknownForm is returned for a form name or value that is not one of
// the constants. Check it with errors.Is.
var ErrUnknownForm = errors.New("session: unknown form")

// Valid reports whether f is one of the declared forms.
func (f Form) Valid() bool { return f >= FreeForm && f <= HumanAgentTag }

// String returns "free_form", "approved_template" or "human_agent_tag", or
// "form(N)" for an invalid value.
func (f Form) String() string {
	if !f.Valid() {
		return fmt.Sprintf("form(%d)", uint8(f))
	}
	return formNames[f]
}

// ParseForm returns the form named s, as String writes it, ignoring ASCII
// case. Other text fails with an error matching [ErrUnknownForm].
func ParseForm(s string) (Form, error) {
	if i, ok := lookupName(formNames[:], s); ok {
		return Form(i), nil
	}
	return 0, fmt.Errorf("%w: %q", ErrUnknownForm, s)
}

// MarshalText encodes the form as its name; an invalid value is an error
// matching [ErrUnknownForm].
func (f Form) MarshalText() ([]byte, error) {
	if !f.Valid() {
		return nil, fmt.Errorf("%w: %d", ErrUnknownForm, uint8(f))
	}
	return []byte(formNames[f]), nil
}

// UnmarshalText decodes a name as [ParseForm] reads it. On error f is
// unchanged.
func (f *Form) UnmarshalText(b []byte) error {
	v, err := ParseForm(string(b))
	if err != nil {
		return err
	}
	*f = v
	return nil
}

// Outbound describes a message the business wants to send, for [Policies.Check].
type Outbound struct {
	// Form is what kind of message it is.
	Form Form
	// Human is true when a person (an agent) wrote it, false for a bot or
	// an automation. Only a human may use the HUMAN_AGENT tag: Meta
	// reserves it for human agents.
	Human bool
}

// Errors of the window check. Check them with errors.Is.
var (
	// ErrWindowClosed means the message may not be sent now because the
	// channel's window is closed for its form. The error is a
	// [*WindowClosedError] carrying the facts; read it with errors.As.
	ErrWindowClosed = errors.New("session: window closed")
	// ErrHumanAgentOnly means a bot or automation tried to use the
	// HUMAN_AGENT tag, which Meta reserves for human agents.
	ErrHumanAgentOnly = errors.New("session: the HUMAN_AGENT tag is for human agents only")
	// ErrInvalidOutbound means the check was asked about something that
	// cannot be sent: an unknown channel kind or form, or a HUMAN_AGENT tag
	// on a channel that has none.
	ErrInvalidOutbound = errors.New("session: invalid outbound message")
)

// WindowClosedError is the refusal of [Policies.Check]: the window the
// message needs is closed. It matches [ErrWindowClosed] with errors.Is.
type WindowClosedError struct {
	// Channel is the window's channel kind.
	Channel channel.Kind
	// Form is the form of the refused message.
	Form Form
	// LastInbound is when the contact last wrote; zero if never.
	LastInbound time.Time
	// ClosedAt is when the window this form needs closed: the 24-hour
	// window's end, or for a HUMAN_AGENT reply the 7-day limit. Zero when
	// the window never opened: the contact has never written, or
	// LastInbound is after now.
	ClosedAt time.Time
	// Templates reports whether an approved template may still be sent.
	Templates bool
	// HumanAgentUntil is, when later than the refusal, until when a human
	// agent may still reply with the HUMAN_AGENT tag; otherwise zero.
	HumanAgentUntil time.Time
}

// Error describes the refusal and what may still be sent, for instance
// "session: whatsapp window closed at 2025-03-02T10:00:00Z; only an approved
// template may be sent".
func (e *WindowClosedError) Error() string {
	var what string
	switch {
	case e.ClosedAt.IsZero() && !e.LastInbound.IsZero():
		what = fmt.Sprintf("session: %s window not open: the contact's message is dated %s, after now", e.Channel, e.LastInbound.Format(time.RFC3339Nano))
	case e.ClosedAt.IsZero():
		what = fmt.Sprintf("session: %s window not open: the contact has not written", e.Channel)
	default:
		what = fmt.Sprintf("session: %s window closed at %s", e.Channel, e.ClosedAt.Format(time.RFC3339Nano))
	}
	switch {
	case !e.HumanAgentUntil.IsZero():
		return what + fmt.Sprintf("; a human agent may reply with the HUMAN_AGENT tag until %s", e.HumanAgentUntil.Format(time.RFC3339Nano))
	case e.Templates:
		return what + "; only an approved template may be sent"
	}
	return what + "; nothing may be sent until the contact writes"
}

// Is reports whether target is ErrWindowClosed.
func (e *WindowClosedError) Is(target error) bool { return target == ErrWindowClosed }

// Check reports whether out may be sent on w at now, under the default
// policies. See [Policies.Check].
func (w Window) Check(out Outbound, now time.Time) error { return Policies(nil).Check(w, out, now) }

// Check reports whether out may be sent on w at now: nil
// when it may; a [*WindowClosedError] (matching [ErrWindowClosed]) when its
// window is closed; [ErrHumanAgentOnly] for a HUMAN_AGENT tag not written by
// a human; [ErrInvalidOutbound] for an unknown kind or form, or a tag on a
// channel without one.
//
// Channels without a window accept everything. Inside the window any form
// may be sent. Outside it an approved template may be sent where the policy
// allows templates, and a human agent's HUMAN_AGENT reply until the tag's
// limit; nothing else.
func (ps Policies) Check(w Window, out Outbound, now time.Time) error {
	if !w.Channel.Valid() {
		return fmt.Errorf("%w: unknown channel kind %s", ErrInvalidOutbound, w.Channel)
	}
	p := ps.For(w.Channel)
	switch out.Form {
	case FreeForm, ApprovedTemplate:
	case HumanAgentTag:
		// The tag is refused to bots even inside the window: Meta's policy
		// is about who writes, not when.
		if !out.Human {
			return ErrHumanAgentOnly
		}
		if p.HumanAgent <= 0 {
			return fmt.Errorf("%w: %s has no HUMAN_AGENT tag", ErrInvalidOutbound, w.Channel)
		}
	default:
		return fmt.Errorf("%w: unknown form %s", ErrInvalidOutbound, out.Form)
	}
	if ps.Open(w, now) {
		return nil
	}
	if out.Form == ApprovedTemplate && p.Templates {
		return nil
	}
	tagUntil := ps.humanAgentUntil(w, now)
	if out.Form == HumanAgentTag && !tagUntil.IsZero() {
		return nil
	}
	e := &WindowClosedError{
		Channel:     w.Channel,
		Form:        out.Form,
		LastInbound: w.LastInbound,
		ClosedAt:    ps.ExpiresAt(w),
		Templates:   p.Templates,
	}
	switch {
	case w.LastInbound.IsZero() || w.LastInbound.After(now):
		e.ClosedAt = time.Time{} // never opened, as of now
	case out.Form == HumanAgentTag:
		e.ClosedAt = w.LastInbound.Add(p.HumanAgent)
	case out.Human:
		e.HumanAgentUntil = tagUntil
	}
	return e
}

// humanAgentUntil returns when the HUMAN_AGENT tag stops being usable on w,
// or zero when it is not usable at now.
func (ps Policies) humanAgentUntil(w Window, now time.Time) time.Time {
	p := ps.For(w.Channel)
	if p.HumanAgent <= 0 || w.LastInbound.IsZero() {
		return time.Time{}
	}
	// Same half-open rule as the window, [LastInbound, LastInbound+7d): 7
	// days to the nanosecond is out, and so is a LastInbound after now.
	until := w.LastInbound.Add(p.HumanAgent)
	if now.Before(w.LastInbound) || !now.Before(until) {
		return time.Time{}
	}
	return until
}

// over reports whether every limit of w (the window and any HUMAN_AGENT
// tag) has ended at at: nothing but a template can be sent on it until the
// contact writes again, at at or later. A windowless channel is never over;
// a window that never opened always is.
func (ps Policies) over(w Window, at time.Time) bool {
	p := ps.For(w.Channel)
	if !p.Windowed() {
		return false
	}
	if w.LastInbound.IsZero() {
		return true
	}
	return !at.Before(w.LastInbound.Add(max(p.Window, p.HumanAgent)))
}

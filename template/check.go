package template

import (
	"fmt"

	"github.com/parleyhq/parley/channel"
)

// Channel-check errors. Check them with errors.Is. They are channel's own
// sentinels under the names template has always had: the length rule lives
// once, in [channel.Capabilities.CheckText].
var (
	// ErrTooLong is reported by [Fit.Err] for a text longer than the
	// channel allows; the error is a *TooLongError. Nothing is truncated.
	// It is [channel.ErrTextTooLong].
	ErrTooLong = channel.ErrTextTooLong
	// ErrNoText is reported by [Fit.Err] for a kind that carries no text
	// messages (voice). It is [channel.ErrNoText].
	ErrNoText = channel.ErrNoText
)

// TooLongError reports a text over a channel's limit: Kind, Limit and
// Length (in characters). It is [channel.TextTooLongError], so errors.As
// with either name finds it.
type TooLongError = channel.TextTooLongError

// Fit is how a rendered text fits a channel kind, computed before sending so
// an agent's composer can show "2 SMS, GSM-7" or "4 210/4 096 characters".
type Fit struct {
	// Channel is the kind checked.
	Channel channel.Kind
	// Length is the text's length in characters (code points), the unit
	// of every channel limit.
	Length int
	// Max is the channel's limit from channel.Capabilities; 0 means none.
	Max int
	// Fits reports that the kind carries text and Length ≤ Max.
	Fits bool
	// SMS is the encoding and segment count when Channel is SMS; zero
	// otherwise.
	SMS channel.SMSCount

	err error // CheckText's verdict, when Check made the Fit
}

// Check measures text against kind's capabilities: its text limit and, for
// SMS, the encoding and segments the message will be sent as (from
// channel.CountSMS, so the count equals the parts channel.SplitSMS makes).
// The length rule is [channel.Capabilities.CheckText]'s, counted in code
// points by [channel.TextLength].
func Check(kind channel.Kind, text string) Fit {
	caps := kind.Capabilities()
	f := Fit{Channel: kind, Length: channel.TextLength(text), Max: caps.MaxText}
	f.err = caps.CheckText(text)
	f.Fits = f.err == nil
	if kind == channel.SMS {
		f.SMS = channel.CountSMS(text)
	}
	return f
}

// Err returns nil when the text fits, a *TooLongError (ErrTooLong) when it
// is too long, and ErrNoText when the kind carries no text.
func (f Fit) Err() error {
	switch {
	case f.Fits:
		return nil
	case f.err != nil:
		return f.err
	case f.Max > 0 && f.Length > f.Max:
		// A Fit built by hand rather than by Check.
		return &TooLongError{Kind: f.Channel, Limit: f.Max, Length: f.Length}
	default:
		return fmt.Errorf("%w: %s", ErrNoText, f.Channel)
	}
}

// String summarises the fit for an agent: "2 SMS, GSM-7" for SMS, else
// "120/4096 characters", with " (too long)" when it does not fit.
func (f Fit) String() string {
	var s string
	switch {
	case f.Channel == channel.SMS:
		s = fmt.Sprintf("%d SMS, %s", f.SMS.Segments, f.SMS.Encoding)
	case f.Max > 0:
		s = fmt.Sprintf("%d/%d characters", f.Length, f.Max)
	default:
		s = fmt.Sprintf("%d characters", f.Length)
	}
	if !f.Fits {
		s += " (too long)"
		if f.Max == 0 || f.Length <= f.Max {
			s = fmt.Sprintf("%s carries no text", f.Channel)
		}
	}
	return s
}

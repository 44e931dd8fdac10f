package parley

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
)

// Transport is the provider API that really sends: the host's WhatsApp
// Cloud API client, its SMS gateway, its mail relay. The Desk calls Send
// only once every rule has allowed the message (opt-out, window, country,
// length, capabilities), and records the outcome on the message.
//
// Send may be called concurrently from many goroutines. It returns the
// provider's message ID, which later delivery callbacks name
// ([Desk.UpdateDelivery]). Send may be called again with the same
// Outgoing.MessageID when an earlier attempt's outcome could not be
// recorded (the store failed after the provider answered): pass MessageID
// as the provider's idempotency key where it has one, so the contact gets
// the message once. A failure should be a [*SendError] (or wrap one)
// so the Desk can tell a temporary failure from a permanent one; any other
// error counts as temporary.
type Transport interface {
	Send(ctx context.Context, out Outgoing) (providerID string, err error)
}

// TransportFunc adapts a function to a [Transport].
type TransportFunc func(ctx context.Context, out Outgoing) (string, error)

// Send calls f.
func (f TransportFunc) Send(ctx context.Context, out Outgoing) (string, error) { return f(ctx, out) }

// Transports sends each message through the transport of its touchpoint,
// keyed by touchpoint ID: one desk with SMS through one provider and
// WhatsApp through another.
type Transports map[string]Transport

// Send hands out to the transport of out.Touchpoint; a touchpoint with
// none is a permanent failure (ErrUnknownTouchpoint), as no retry can
// find one.
func (t Transports) Send(ctx context.Context, out Outgoing) (string, error) {
	tr, ok := t[out.Touchpoint]
	if !ok || tr == nil {
		return "", &SendError{Reason: "no transport for touchpoint " + out.Touchpoint, Permanent: true, Err: ErrUnknownTouchpoint}
	}
	return tr.Send(ctx, out)
}

// Outgoing is one message the Desk asks the host's transport to send.
type Outgoing struct {
	// To is the contact's address on the touchpoint's channel.
	To channel.Address
	// Text is the body; empty for an attachment-only or template message.
	Text string
	// Touchpoint is the ID of the business endpoint that sends it, and From
	// that endpoint's address (the sender number, page or mailbox).
	Touchpoint string
	From       string
	// ConversationID and MessageID name the stored message, so a transport
	// can use MessageID as an idempotency key with its provider.
	ConversationID conversation.ID
	MessageID      conversation.ID
	// Attachments are the files to send, already checked against the
	// channel's capabilities. A voice note that the channel cannot play as
	// one has VoiceNote cleared: it goes as a file.
	Attachments []conversation.Attachment
	// Template is set when the message is a WhatsApp template; Text then
	// holds its rendered body, for providers that want it.
	Template *conversation.TemplateRef
	// HumanAgentTag asks the provider to send with Meta's HUMAN_AGENT tag
	// (Messenger and Instagram, up to 7 days after the contact's last
	// message).
	HumanAgentTag bool
	// Subject is the e-mail subject or the custom channel's subject, if any.
	Subject string
}

// ErrTemporary and ErrPermanent classify transport failures; every
// [*SendError] matches one of them with errors.Is.
var (
	ErrTemporary = errors.New("parley: temporary send failure")
	ErrPermanent = errors.New("parley: permanent send failure")
)

// SendError is a transport failure with the provider's reason. Permanent
// failures (invalid number, blocked by the recipient, template paused) will
// fail again if retried; temporary ones (timeouts, rate limits, provider
// outage) may succeed later.
type SendError struct {
	// Reason is a short, human-readable cause, stored on the failed message.
	Reason string
	// Permanent reports that retrying the same message cannot succeed.
	Permanent bool
	// RetryAfter, when set on a temporary failure, is how long the
	// provider asked to wait before sending again (a rate limit's hint).
	RetryAfter time.Duration
	// Err is the underlying error, if any: a provider's code mapped to
	// parley's own conditions (optout.ErrOptedOut for a recipient who
	// unsubscribed at the provider, session.ErrWindowClosed for a
	// WhatsApp message refused outside the window) lets callers branch
	// on it with errors.Is.
	Err error
}

// Error implements error.
func (e *SendError) Error() string {
	kind := "temporary"
	if e.Permanent {
		kind = "permanent"
	}
	if e.Err != nil {
		return fmt.Sprintf("parley: %s send failure: %s: %v", kind, e.Reason, e.Err)
	}
	return fmt.Sprintf("parley: %s send failure: %s", kind, e.Reason)
}

// Unwrap exposes the underlying error.
func (e *SendError) Unwrap() error { return e.Err }

// Is matches ErrPermanent or ErrTemporary according to the failure's kind.
func (e *SendError) Is(target error) bool {
	return (target == ErrPermanent && e.Permanent) || (target == ErrTemporary && !e.Permanent)
}

// Retryable reports whether sending again may succeed.
func (e *SendError) Retryable() bool { return !e.Permanent }

// sendFailure classifies any transport error as a SendError: one that does
// not say otherwise is temporary, because a timeout or a dropped connection
// is the common unclassified failure.
func sendFailure(err error) *SendError {
	var se *SendError
	if errors.As(err, &se) {
		return se
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &SendError{Reason: "timeout", Err: err}
	}
	return &SendError{Reason: err.Error(), Err: err}
}

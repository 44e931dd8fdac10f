package parley

import (
	"errors"
	"fmt"
	"strings"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/optout"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/template"
)

// ErrAlreadyFailed: a retry named (with [Draft.ID]) a message that has
// already failed. Failed is terminal (DESIGN.md §3.6): the message is not
// sent again. The error is a [*FailedError], which also matches what the
// first attempt returned. To send the same content again after a
// temporary failure, send it as a new message, with a new Draft ID.
var ErrAlreadyFailed = errors.New("parley: message already failed")

// FailedError is what a retry gets for a message that failed earlier: the
// failure as stored on the message, rebuilt so that the caller branches on
// it as on the first attempt's error. A transport failure unwraps to a
// [*SendError] of the same kind (errors.Is ErrTemporary or ErrPermanent,
// Retryable as before; its underlying Err is not kept); a refusal unwraps
// to its sentinel (optout.ErrOptedOut, session.ErrWindowClosed,
// routing.ErrOverCapacity, …), without the typed error's facts, which
// Reason still states in words. It always matches [ErrAlreadyFailed].
type FailedError struct {
	// MessageID is the failed message.
	MessageID conversation.ID
	// Reason and Code are the message's Delivery.Reason and Delivery.Code.
	Reason string
	Code   string
}

// Error names the message and the stored reason.
func (e *FailedError) Error() string {
	return fmt.Sprintf("parley: message %s already failed: %s", e.MessageID, e.Reason)
}

// Is matches ErrAlreadyFailed.
func (e *FailedError) Is(target error) bool { return target == ErrAlreadyFailed }

// Unwrap returns the first attempt's error as Code describes it, or nil
// for a code the Desk does not know.
func (e *FailedError) Unwrap() error {
	switch e.Code {
	case codeTemporary, codePermanent:
		// The stored reason is the SendError's own text: keep only what
		// follows its prefix, so the rebuilt error does not repeat it.
		reason := strings.TrimPrefix(e.Reason, "parley: "+e.Code+" send failure: ")
		return &SendError{Reason: reason, Permanent: e.Code == codePermanent}
	}
	for _, r := range refusalCodes {
		if r.code == e.Code {
			return r.err
		}
	}
	return nil
}

// The codes the Desk stores in Delivery.Code: the transport's two kinds,
// and one per refusal it knows (refusalCodes). A refusal it does not know
// is stored as codeRefused.
const (
	codeTemporary = "temporary"
	codePermanent = "permanent"
	codeRefused   = "refused"
)

// refusalCodes names each refusal a message may meet, most specific first.
var refusalCodes = [...]struct {
	code string
	err  error
}{
	{"opted_out", optout.ErrOptedOut},
	{"window_closed", session.ErrWindowClosed},
	{"human_agent_only", session.ErrHumanAgentOnly},
	{"blocked_country", ErrBlockedCountry},
	{"business_initiated", ErrBusinessInitiated},
	{"too_long", channel.ErrTextTooLong},
	{"no_text", channel.ErrNoText},
	{"attachments_not_allowed", channel.ErrAttachmentsNotAllowed},
	{"mms_not_allowed", channel.ErrMMSNotAllowed},
	{"too_many_attachments", channel.ErrTooManyAttachments},
	{"invalid_attachment", channel.ErrInvalidAttachment},
	{"attachment_type", channel.ErrAttachmentType},
	{"attachment_too_large", channel.ErrAttachmentTooLarge},
	{"attachments_too_large", channel.ErrAttachmentsTooLarge},
	{"voice_note_too_long", channel.ErrVoiceNoteTooLong},
	{"empty", ErrEmpty},
	{"ended", conversation.ErrEnded},
	{"wrong_channel", ErrWrongChannel},
	{"over_capacity", routing.ErrOverCapacity},
	{"not_visible", routing.ErrNotVisible},
	{"unavailable", routing.ErrUnavailable},
	{"already_assigned", routing.ErrAlreadyAssigned},
	{"reserved", routing.ErrAlreadyReserved},
	{"missing_variable", template.ErrMissingVariable},
	{"snippet_not_found", template.ErrSnippetNotFound},
	{"no_variant", template.ErrNoVariant},
	{"invalid_shortcut", template.ErrInvalidShortcut},
	{"unknown_template", ErrUnknownTemplate},
	{"template_not_approved", template.ErrTemplateNotApproved},
	{"invalid_parameter", template.ErrInvalidParameter},
	{"invalid_language", template.ErrInvalidLanguage},
}

// failureCode classifies err, a transport failure or a refusal, for
// Delivery.Code.
func failureCode(err error) string {
	var se *SendError
	if errors.As(err, &se) {
		if se.Permanent {
			return codePermanent
		}
		return codeTemporary
	}
	for _, r := range refusalCodes {
		if errors.Is(err, r.err) {
			return r.code
		}
	}
	return codeRefused
}

// storedFailure is the error a retry returns for m, a message that failed.
func storedFailure(m *conversation.Message) error {
	return &FailedError{MessageID: m.ID, Reason: m.Delivery.Reason, Code: m.Delivery.Code}
}

// routerRefusal reports whether err, from assigning a conversation to the
// agent who replies, is the router saying no (the reply is refused and
// recorded) rather than a store failure (returned for a retry).
func routerRefusal(err error) bool {
	for _, target := range [...]error{routing.ErrOverCapacity, routing.ErrNotVisible, routing.ErrUnavailable, routing.ErrAlreadyAssigned, routing.ErrAlreadyReserved} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

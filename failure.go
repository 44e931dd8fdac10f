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
// already failed. Failed is terminal: the message is not sent again. The
// error is a [*FailedError], which also matches what the first attempt
// returned. To send the same content again after a temporary failure, send
// it as a new message, with a new Draft ID.
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

// refusalCodes names each refusal a message may meet, most specific first;
// router marks the router's refusals of an assignment (routerRefusal).
var refusalCodes = [...]struct {
	code   string
	err    error
	router bool
}{
	{"opted_out", optout.ErrOptedOut, false},
	{"window_closed", session.ErrWindowClosed, false},
	{"human_agent_only", session.ErrHumanAgentOnly, false},
	{"blocked_country", ErrBlockedCountry, false},
	{"business_initiated", ErrBusinessInitiated, false},
	{"too_long", channel.ErrTextTooLong, false},
	{"no_text", channel.ErrNoText, false},
	{"attachments_not_allowed", channel.ErrAttachmentsNotAllowed, false},
	{"mms_not_allowed", channel.ErrMMSNotAllowed, false},
	{"too_many_attachments", channel.ErrTooManyAttachments, false},
	{"invalid_attachment", channel.ErrInvalidAttachment, false},
	{"attachment_type", channel.ErrAttachmentType, false},
	{"attachment_too_large", channel.ErrAttachmentTooLarge, false},
	{"attachments_too_large", channel.ErrAttachmentsTooLarge, false},
	{"voice_note_too_long", channel.ErrVoiceNoteTooLong, false},
	{"empty", ErrEmpty, false},
	{"ended", conversation.ErrEnded, false},
	{"wrong_channel", ErrWrongChannel, false},
	{"over_capacity", routing.ErrOverCapacity, true},
	{"not_visible", routing.ErrNotVisible, true},
	{"unavailable", routing.ErrUnavailable, true},
	{"already_assigned", routing.ErrAlreadyAssigned, true},
	{"reserved", routing.ErrAlreadyReserved, true},
	{"missing_variable", template.ErrMissingVariable, false},
	{"snippet_not_found", template.ErrSnippetNotFound, false},
	{"no_variant", template.ErrNoVariant, false},
	{"invalid_shortcut", template.ErrInvalidShortcut, false},
	{"unknown_template", ErrUnknownTemplate, false},
	{"template_not_approved", template.ErrTemplateNotApproved, false},
	{"invalid_parameter", template.ErrInvalidParameter, false},
	{"invalid_language", template.ErrInvalidLanguage, false},
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
	for _, r := range refusalCodes {
		if r.router && errors.Is(err, r.err) {
			return true
		}
	}
	return false
}

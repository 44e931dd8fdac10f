package twilio

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/optout"
	"github.com/parleyhq/parley/session"
)

// APIError is an error answer of Twilio's REST API: its JSON body, and
// the HTTP status it came with. [Transport.Send] returns it inside a
// *parley.SendError (errors.As finds both); it unwraps to the parley
// condition its code means, if any (optout.ErrOptedOut for 21610,
// session.ErrWindowClosed for 63016), so callers branch with errors.Is.
type APIError struct {
	// Code is Twilio's error code, such as 21610; 0 when the body had none.
	Code int `json:"code"`
	// Message is Twilio's explanation.
	Message string `json:"message"`
	// MoreInfo is the error's page in Twilio's dictionary.
	MoreInfo string `json:"more_info"`
	// Status is the HTTP status.
	Status int `json:"status"`

	cause error
}

// Error returns "twilio: error CODE (HTTP STATUS): MESSAGE".
func (e *APIError) Error() string {
	if e.Code == 0 {
		return fmt.Sprintf("twilio: HTTP %d: %s", e.Status, e.Message)
	}
	return fmt.Sprintf("twilio: error %d (HTTP %d): %s", e.Code, e.Status, e.Message)
}

// Unwrap returns the parley condition the code means, or nil.
func (e *APIError) Unwrap() error { return e.cause }

// codeRule is how one Twilio error code maps to a parley failure.
type codeRule struct {
	title     string // the dictionary's title, for delivery reasons
	permanent bool
	cause     error // the parley condition, if any
	send      bool  // an answer of the Messages API (else a delivery error)
}

// codes is the package documentation's error table; each code's source is
// https://www.twilio.com/docs/api/errors/CODE.
var codes = map[int]codeRule{
	20003: {title: "authentication failed", permanent: true, send: true},
	20429: {title: "too many requests", send: true},
	21211: {title: "invalid 'To' phone number", permanent: true, send: true},
	21408: {title: "permission to send to this region not enabled", permanent: true, send: true},
	21606: {title: "'From' number cannot send to this destination", permanent: true, send: true},
	21610: {title: "recipient unsubscribed", permanent: true, cause: optout.ErrOptedOut, send: true},
	21612: {title: "'To' number cannot be reached from 'From'", permanent: true, send: true},
	21614: {title: "'To' number is not a valid mobile number", permanent: true, send: true},
	21617: {title: "body exceeds 1600 characters", permanent: true, send: true},
	63016: {title: "outside the WhatsApp customer-service window: use a template", permanent: true, cause: session.ErrWindowClosed, send: true},
	30001: {title: "queue overflow"},
	30002: {title: "account suspended"},
	30003: {title: "unreachable destination handset"},
	30004: {title: "message blocked"},
	30005: {title: "unknown destination handset"},
	30006: {title: "landline or unreachable carrier"},
	30007: {title: "message filtered by the carrier"},
	30008: {title: "unknown error"},
}

// errorTitle is a code's title in the table, or "".
func errorTitle(code int) string { return codes[code].title }

// sendFailure classifies an error answer of the Messages API (rule 12):
// by code where the table has it, otherwise by HTTP status, where 408,
// 429 and every 5xx are temporary and any other 4xx permanent.
func sendFailure(apiErr *APIError, h http.Header) *parley.SendError {
	rule, known := codes[apiErr.Code]
	if known && rule.send {
		apiErr.cause = rule.cause
	} else {
		rule = codeRule{permanent: apiErr.Status < 500 && apiErr.Status != http.StatusRequestTimeout && apiErr.Status != http.StatusTooManyRequests}
	}
	se := &parley.SendError{Reason: reason(apiErr), Permanent: rule.permanent, Err: apiErr}
	if !se.Permanent {
		se.RetryAfter = retryAfter(h)
	}
	return se
}

// reason words an API error for the failed message.
func reason(e *APIError) string {
	if e.Code == 0 {
		return fmt.Sprintf("twilio: HTTP %d", e.Status)
	}
	if e.Message != "" {
		return fmt.Sprintf("twilio %d: %s", e.Code, e.Message)
	}
	if t := errorTitle(e.Code); t != "" {
		return fmt.Sprintf("twilio %d: %s", e.Code, t)
	}
	return fmt.Sprintf("twilio %d", e.Code)
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date measured
// from the response's own Date header, so the transport reads no clock.
// Zero when absent or unreadable.
func retryAfter(h http.Header) time.Duration {
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(s) * time.Second
	}
	at, err := http.ParseTime(v)
	if err != nil {
		return 0
	}
	now, err := http.ParseTime(h.Get("Date"))
	if err != nil || !at.After(now) {
		return 0
	}
	return at.Sub(now)
}

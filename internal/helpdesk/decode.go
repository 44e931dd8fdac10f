package helpdesk

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Limits of a console request (rule 7).
const (
	maxRequestBytes = 64 << 10
	maxFieldBytes   = 8 << 10
	maxParams       = 16
	maxAdvanceHours = 24 * 30
)

// ErrBadRequest is a console request that is not one: not a single JSON
// object of the known fields, or a field over its limit. Check it with
// errors.Is; a *RequestError names the field.
var ErrBadRequest = errors.New("helpdesk: bad request")

// RequestError names the field of a refused request and why.
type RequestError struct {
	Field  string
	Reason string
}

// Error returns "helpdesk: bad request: field: reason".
func (e *RequestError) Error() string {
	if e.Field == "" {
		return "helpdesk: bad request: " + e.Reason
	}
	return fmt.Sprintf("helpdesk: bad request: %s: %s", e.Field, e.Reason)
}

// Is matches ErrBadRequest.
func (e *RequestError) Is(target error) bool { return target == ErrBadRequest }

// action is every console request's body: each endpoint reads the fields
// it needs and checks that they are there.
type action struct {
	Agent        string            `json:"agent,omitempty"`
	Text         string            `json:"text,omitempty"`
	Shortcut     string            `json:"shortcut,omitempty"`
	Template     string            `json:"template,omitempty"`
	Language     string            `json:"language,omitempty"`
	Params       map[string]string `json:"params,omitempty"`
	ToAgent      string            `json:"to_agent,omitempty"`
	Queue        string            `json:"queue,omitempty"`
	Note         string            `json:"note,omitempty"`
	Disposition  string            `json:"disposition,omitempty"`
	Presence     string            `json:"presence,omitempty"`
	Hours        float64           `json:"hours,omitempty"`
	Conversation string            `json:"conversation,omitempty"`
	Contact      string            `json:"contact,omitempty"`
	Channel      string            `json:"channel,omitempty"`
	ID           string            `json:"id,omitempty"`
	Status       string            `json:"status,omitempty"`
}

// decodeAction reads one request body: a single JSON object of at most
// maxRequestBytes with only action's fields, each valid UTF-8 of at most
// maxFieldBytes, at most maxParams template parameters, and an advance of
// 0 to maxAdvanceHours. Anything else is a *RequestError.
func decodeAction(r io.Reader) (action, error) {
	var a action
	body, err := io.ReadAll(io.LimitReader(r, maxRequestBytes+1))
	if err != nil {
		return action{}, &RequestError{Reason: "unreadable body"}
	}
	if len(body) > maxRequestBytes {
		return action{}, &RequestError{Reason: fmt.Sprintf("body over %d bytes", maxRequestBytes)}
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		return action{}, &RequestError{Reason: "not a JSON object of known fields: " + err.Error()}
	}
	if dec.More() {
		return action{}, &RequestError{Reason: "more than one JSON value"}
	}
	if _, err := dec.Token(); err != io.EOF {
		return action{}, &RequestError{Reason: "trailing data after the JSON object"}
	}
	fields := map[string]string{"agent": a.Agent, "text": a.Text, "shortcut": a.Shortcut, "template": a.Template,
		"language": a.Language, "to_agent": a.ToAgent, "queue": a.Queue, "note": a.Note, "disposition": a.Disposition,
		"presence": a.Presence, "conversation": a.Conversation, "contact": a.Contact, "channel": a.Channel, "id": a.ID,
		"status": a.Status}
	for k, v := range a.Params {
		fields["params."+k] = v
		if err := checkField("params key", k); err != nil {
			return action{}, err
		}
	}
	for name, v := range fields {
		if err := checkField(name, v); err != nil {
			return action{}, err
		}
	}
	switch {
	case len(a.Params) > maxParams:
		return action{}, &RequestError{Field: "params", Reason: fmt.Sprintf("more than %d", maxParams)}
	case a.Hours < 0 || a.Hours > maxAdvanceHours || a.Hours != a.Hours:
		return action{}, &RequestError{Field: "hours", Reason: fmt.Sprintf("not between 0 and %d", maxAdvanceHours)}
	}
	if len(a.Params) == 0 {
		a.Params = nil // "params":{} asks for nothing
	}
	return a, nil
}

func checkField(name, v string) error {
	switch {
	case len(v) > maxFieldBytes:
		return &RequestError{Field: name, Reason: fmt.Sprintf("over %d bytes", maxFieldBytes)}
	case !utf8.ValidString(v):
		return &RequestError{Field: name, Reason: "not valid UTF-8"}
	}
	return nil
}

// required refuses a request without one of the named fields.
func required(fields ...[2]string) error {
	for _, f := range fields {
		if strings.TrimSpace(f[1]) == "" {
			return &RequestError{Field: f[0], Reason: "is required"}
		}
	}
	return nil
}

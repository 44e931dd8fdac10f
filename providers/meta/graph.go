package meta

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/session"
)

// post sends one request body and returns the message ID of the answer.
func (t *Transport) post(ctx context.Context, path, token string, body any) (string, error) {
	buf, err := json.Marshal(body)
	if err != nil {
		return "", &parley.SendError{Reason: "meta: cannot encode the request", Permanent: true, Err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.base+path, bytes.NewReader(buf))
	if err != nil {
		return "", &parley.SendError{Reason: "meta: bad request URL", Permanent: true, Err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := t.client.Do(req)
	if err != nil {
		// A network failure or a cancelled ctx: the message may or may
		// not have left; the Desk decides whether to try again.
		return "", &parley.SendError{Reason: "meta: request failed", Err: err}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return "", &parley.SendError{Reason: "meta: answer not read", Err: err}
	}
	if resp.StatusCode/100 != 2 {
		return "", classify(resp.StatusCode, resp.Header, raw)
	}
	var ok struct {
		Messages []struct {
			ID string `json:"id"`
		} `json:"messages"`
		MessageID string `json:"message_id"`
	}
	if err := json.Unmarshal(raw, &ok); err != nil {
		return "", &parley.SendError{Reason: "meta: answer not understood", Err: err}
	}
	switch {
	case len(ok.Messages) > 0 && ok.Messages[0].ID != "":
		return ok.Messages[0].ID, nil
	case ok.MessageID != "":
		return ok.MessageID, nil
	}
	return "", &parley.SendError{Reason: "meta: answer without a message ID"}
}

// GraphError is a Graph API error answer, as the transport read it. A
// *parley.SendError from the transport wraps it (errors.As), unless the
// code maps to a parley condition such as session.ErrWindowClosed.
type GraphError struct {
	Status    int    // the HTTP status
	Code      int    // error.code
	Subcode   int    // error.error_subcode, 0 when absent
	Type      string // error.type, such as "OAuthException"
	Message   string // error.message
	Details   string // error.error_data.details (Cloud API)
	TraceID   string // error.fbtrace_id, for Meta's support
	Transient bool   // error.is_transient
}

// Error returns "meta: graph error <code>: <message>".
func (e *GraphError) Error() string {
	s := fmt.Sprintf("meta: graph error %d", e.Code)
	if e.Subcode != 0 {
		s += fmt.Sprintf("/%d", e.Subcode)
	}
	s += ": " + e.Message
	if e.Details != "" {
		s += ": " + e.Details
	}
	return s
}

// outcome is how a Graph API error code is handled.
type outcome struct {
	temporary bool
	err       error // the parley condition it is, if any
}

// graphCodes classifies Graph API error codes; the package documentation
// holds the same table with its sources.
var graphCodes = map[int]outcome{
	// WhatsApp Cloud API
	131047: {err: session.ErrWindowClosed}, // re-engagement message: over 24 h since the contact wrote
	131026: {},                             // message undeliverable
	131051: {},                             // unsupported message type
	131008: {},                             // required parameter missing
	131009: {},                             // parameter value not valid
	131021: {},                             // recipient cannot be the sender
	131031: {},                             // business account locked
	132000: {},                             // template parameter count mismatch
	132001: {},                             // template does not exist
	132015: {},                             // template paused
	132016: {},                             // template disabled
	133010: {},                             // phone number not registered
	368:    {},                             // temporarily blocked for policy violations
	130429: {temporary: true},              // throughput rate limit
	131048: {temporary: true},              // spam rate limit
	131056: {temporary: true},              // pair rate limit (same recipient)
	131000: {temporary: true},              // something went wrong
	131016: {temporary: true},              // service unavailable
	133004: {temporary: true},              // server temporarily unavailable
	// Graph API
	1:     {temporary: true}, // unknown error
	2:     {temporary: true}, // service temporarily unavailable
	4:     {temporary: true}, // application request limit
	17:    {temporary: true}, // user request limit
	32:    {temporary: true}, // page request limit
	613:   {temporary: true}, // calls exceeded the rate limit
	80007: {temporary: true}, // WhatsApp Business Account rate limit
	1200:  {temporary: true}, // Messenger: temporary send failure
	0:     {},                // authentication failed
	10:    {},                // permission denied
	100:   {},                // invalid parameter
	190:   {},                // access token expired or invalid
	551:   {},                // Messenger: the person is not available
}

// messengerWindowClosed is Messenger's code 10 subcode 2018278: a message
// outside the 24-hour window without an allowed tag.
const messengerWindowClosed = 2018278

// classify turns a Graph API error answer into a *parley.SendError.
func classify(status int, h http.Header, raw []byte) *parley.SendError {
	var body struct {
		Error struct {
			Message   string `json:"message"`
			Type      string `json:"type"`
			Code      int    `json:"code"`
			Subcode   int    `json:"error_subcode"`
			TraceID   string `json:"fbtrace_id"`
			Transient bool   `json:"is_transient"`
			ErrorData struct {
				Details string `json:"details"`
			} `json:"error_data"`
		} `json:"error"`
	}
	if json.Unmarshal(raw, &body) != nil || (body.Error.Code == 0 && body.Error.Message == "") {
		// Not a Graph error: a proxy's page or an outage.
		se := &parley.SendError{Reason: fmt.Sprintf("meta: HTTP %d", status), Permanent: status/100 == 4 && status != http.StatusTooManyRequests && status != http.StatusRequestTimeout}
		if !se.Permanent {
			se.RetryAfter = retryAfter(h)
		}
		return se
	}
	b := body.Error
	ge := &GraphError{Status: status, Code: b.Code, Subcode: b.Subcode, Type: b.Type, Message: b.Message, Details: b.ErrorData.Details, TraceID: b.TraceID, Transient: b.Transient}
	o, known := graphCodes[b.Code]
	switch {
	case b.Code == 10 && b.Subcode == messengerWindowClosed:
		o = outcome{err: session.ErrWindowClosed}
	case !known:
		o = outcome{temporary: b.Transient || status >= 500 || status == http.StatusTooManyRequests}
	}
	se := &parley.SendError{Reason: ge.Error(), Permanent: !o.temporary, Err: ge}
	if o.err != nil {
		se.Err = errors.Join(o.err, ge)
	}
	if o.temporary {
		se.RetryAfter = retryAfter(h)
	}
	return se
}

// retryAfter reads the wait a rate-limited answer suggests: Retry-After
// in seconds, or the longest estimated_time_to_regain_access (minutes) of
// the X-Business-Use-Case-Usage header; 0 when there is none.
func retryAfter(h http.Header) time.Duration {
	if s, err := strconv.Atoi(strings.TrimSpace(h.Get("Retry-After"))); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	var usage map[string][]struct {
		Regain int `json:"estimated_time_to_regain_access"`
	}
	if json.Unmarshal([]byte(h.Get("X-Business-Use-Case-Usage")), &usage) != nil {
		return 0
	}
	longest := 0
	for _, list := range usage {
		for _, u := range list {
			longest = max(longest, u.Regain)
		}
	}
	return time.Duration(longest) * time.Minute
}

// typeByName returns the MIME type of a file name's extension, or "".
func typeByName(name string) string {
	t := mime.TypeByExtension(strings.ToLower(path.Ext(name)))
	if i := strings.IndexByte(t, ';'); i >= 0 {
		t = t[:i]
	}
	return t
}

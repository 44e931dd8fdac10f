package twilio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
)

// DefaultBaseURL is Twilio's REST API.
const DefaultBaseURL = "https://api.twilio.com"

// IdempotencyHeader carries Outgoing.MessageID on every send (rule 11).
const IdempotencyHeader = "I-Twilio-Idempotency-Token"

// maxAnswerBytes bounds the API answer read: Twilio's message resource is
// a few kilobytes.
const maxAnswerBytes = 1 << 20

// Transport sends parley's messages through Twilio's Messages API: SMS,
// MMS and WhatsApp texts, media by URL, and WhatsApp templates as Content
// templates (rule 10). AccountSID and AuthToken (or KeySID and the key's
// secret in AuthToken) are required; every other field's zero value is the
// default stated on it. Its fields must not change once it sends; Send may
// be called concurrently.
type Transport struct {
	// AccountSID is the account the messages are sent from ("AC…").
	AccountSID string
	// AuthToken is the account's auth token, or an API key's secret when
	// KeySID is set.
	AuthToken string
	// KeySID is an API key ("SK…") to authenticate with instead of the
	// account SID; empty uses the account SID.
	KeySID string
	// BaseURL is the API's scheme and host; empty means DefaultBaseURL.
	// Tests point it at an httptest server.
	BaseURL string
	// Client sends the requests; nil means http.DefaultClient. Give it a
	// timeout, or pass contexts with deadlines.
	Client *http.Client
	// StatusCallback is the URL Twilio posts the message's statuses to,
	// usually the [Handler]'s; empty sends none with the message, leaving
	// the Messaging Service's callback, if any.
	StatusCallback string
	// ContentSIDs maps a WhatsApp template to its Twilio Content template
	// ("HX…"). A template is looked up by name and language, then by name
	// with Language empty; a TemplateRef whose Name is itself an "HX…" SID
	// is sent as is.
	ContentSIDs map[Template]string
}

// Template names a WhatsApp template in [Transport.ContentSIDs].
type Template struct {
	Name     string // such as "order_update"
	Language string // such as "en_US"; empty matches every language
}

// Transport errors that are the message's or the configuration's, not
// Twilio's. Send returns them inside a permanent *parley.SendError; check
// them with errors.Is.
var (
	// ErrNoContentSID: a template has no entry in ContentSIDs.
	ErrNoContentSID = errors.New("twilio: no content sid for template")
	// ErrMediaURL: an attachment has no absolute http(s) URL Twilio can
	// fetch it from.
	ErrMediaURL = errors.New("twilio: attachment without a public url")
	// ErrChannel: the recipient is neither an SMS nor a WhatsApp address.
	ErrChannel = errors.New("twilio: channel not served")
)

var _ parley.Transport = (*Transport)(nil)

// answer is the part of Twilio's message resource Send reads.
type answer struct {
	SID string `json:"sid"`
}

// Send posts out to the Messages API and returns the message's SID. A
// failure is a *parley.SendError: permanent or temporary by the package
// documentation's error table (rule 12), wrapping an [*APIError] for an
// error answer.
func (t *Transport) Send(ctx context.Context, out parley.Outgoing) (string, error) {
	form, err := t.form(out)
	if err != nil {
		return "", &parley.SendError{Reason: err.Error(), Permanent: true, Err: err}
	}
	base := t.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	endpoint := strings.TrimSuffix(base, "/") + "/2010-04-01/Accounts/" + url.PathEscape(t.AccountSID) + "/Messages.json"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return "", &parley.SendError{Reason: "twilio: " + err.Error(), Permanent: true, Err: err}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if !out.MessageID.IsZero() {
		req.Header.Set(IdempotencyHeader, out.MessageID.String())
	}
	user := t.AccountSID
	if t.KeySID != "" {
		user = t.KeySID
	}
	req.SetBasicAuth(user, t.AuthToken)

	client := t.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			err = ctxErr
		}
		return "", &parley.SendError{Reason: "twilio: request failed", Err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if err != nil {
		return "", &parley.SendError{Reason: "twilio: answer unreadable", Err: err}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		apiErr := &APIError{}
		if json.Unmarshal(body, apiErr) != nil || apiErr.Message == "" {
			apiErr = &APIError{Message: http.StatusText(resp.StatusCode)}
		}
		apiErr.Status = resp.StatusCode
		return "", sendFailure(apiErr, resp.Header)
	}
	var a answer
	if err := json.Unmarshal(body, &a); err != nil || a.SID == "" {
		// Twilio took the request but its answer names no message: a
		// resend carries the same idempotency token.
		return "", &parley.SendError{Reason: "twilio: answer without a message sid", Err: err}
	}
	return a.SID, nil
}

// form builds the Messages API's parameters for out (rule 10).
func (t *Transport) form(out parley.Outgoing) (url.Values, error) {
	prefix := ""
	switch out.To.Kind {
	case channel.SMS:
	case channel.WhatsApp:
		prefix = "whatsapp:"
	default:
		return nil, fmt.Errorf("%w: %s", ErrChannel, out.To.Kind)
	}
	from, err := channel.ParseAddressAs(out.To.Kind, out.From)
	if err != nil {
		return nil, fmt.Errorf("twilio: sender %q: %w", out.From, err)
	}
	f := url.Values{"To": {prefix + out.To.ID}, "From": {prefix + from.ID}}
	if t.StatusCallback != "" {
		f.Set("StatusCallback", t.StatusCallback)
	}
	if out.Template != nil {
		sid, err := t.contentSID(*out.Template)
		if err != nil {
			return nil, err
		}
		f.Set("ContentSid", sid)
		if len(out.Template.Params) > 0 {
			vars := make(map[string]string, len(out.Template.Params))
			for _, p := range out.Template.Params {
				vars[p.Name] = p.Value
			}
			b, err := json.Marshal(vars)
			if err != nil {
				return nil, fmt.Errorf("twilio: template variables: %w", err)
			}
			f.Set("ContentVariables", string(b))
		}
		return f, nil
	}
	if out.Text != "" {
		f.Set("Body", out.Text)
	}
	for _, a := range out.Attachments {
		if !publicURL(a.URL) {
			return nil, fmt.Errorf("%w: %q", ErrMediaURL, a.Name)
		}
		f.Add("MediaUrl", a.URL)
	}
	return f, nil
}

// contentSID finds the Content template for a WhatsApp template.
func (t *Transport) contentSID(ref conversation.TemplateRef) (string, error) {
	if sid, ok := t.ContentSIDs[Template{ref.Name, ref.Language}]; ok {
		return sid, nil
	}
	if sid, ok := t.ContentSIDs[Template{Name: ref.Name}]; ok {
		return sid, nil
	}
	if len(ref.Name) == 34 && strings.HasPrefix(ref.Name, "HX") {
		return ref.Name, nil
	}
	return "", fmt.Errorf("%w: %s (%s)", ErrNoContentSID, ref.Name, ref.Language)
}

// publicURL reports whether s is an absolute http(s) URL.
func publicURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

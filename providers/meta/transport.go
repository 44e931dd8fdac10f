package meta

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
)

// DefaultBaseURL is the Graph API root the transport sends to, with its
// version; set TransportConfig.BaseURL to pin another version.
const DefaultBaseURL = "https://graph.facebook.com/v25.0"

// maxResponse bounds how much of a Graph API answer is read.
const maxResponse = 1 << 20

// TransportConfig configures [NewTransport]. Endpoints are required, and
// a token: AccessToken or each endpoint's own.
type TransportConfig struct {
	// BaseURL is the Graph API root with its version, without a trailing
	// slash; empty means DefaultBaseURL. Tests point it at an httptest
	// server.
	BaseURL string
	// Client sends the requests; nil means http.DefaultClient. Set its
	// Timeout: the transport adds none beyond the ctx it is given.
	Client *http.Client
	// AccessToken is the bearer token (a system user's token for WhatsApp)
	// for endpoints without their own.
	AccessToken string
	// Endpoints map touchpoints to the Meta IDs they send from.
	Endpoints []Endpoint
}

// Transport sends parley's outgoing messages through the Graph API:
// WhatsApp Cloud API messages from a business phone number, and Messenger
// and Instagram messages from a page or professional account. It
// implements parley.Transport and is safe for concurrent use.
type Transport struct {
	base   string
	client *http.Client
	token  string
	dir    directory
}

var _ parley.Transport = (*Transport)(nil)

// NewTransport returns a transport for cfg, or an error matching
// [ErrInvalidConfig].
func NewTransport(cfg TransportConfig) (*Transport, error) {
	dir, err := newDirectory(cfg.Endpoints)
	if err != nil {
		return nil, err
	}
	for _, e := range cfg.Endpoints {
		if e.Token == "" && cfg.AccessToken == "" {
			return nil, fmt.Errorf("%w: touchpoint %q has no access token (AccessToken or Endpoint.Token)", ErrInvalidConfig, e.Touchpoint)
		}
	}
	t := &Transport{base: strings.TrimSuffix(cfg.BaseURL, "/"), client: cfg.Client, token: cfg.AccessToken, dir: dir}
	if t.base == "" {
		t.base = DefaultBaseURL
	}
	if t.client == nil {
		t.client = http.DefaultClient
	}
	return t, nil
}

// Send sends out and returns the message ID Meta gave it (a "wamid." on
// WhatsApp, an "m_" mid on Messenger and Instagram), which its delivery
// statuses name. A message that travels as several Graph API messages
// (a text with an audio file, several files) returns the last one's ID;
// if a later part fails, the earlier ones stay sent (rule 9). Failures are
// *parley.SendError, classified by the table in the package documentation.
func (t *Transport) Send(ctx context.Context, out parley.Outgoing) (string, error) {
	ep, ok := t.dir.byTouchpoint[out.Touchpoint]
	if !ok {
		return "", &parley.SendError{Reason: fmt.Sprintf("meta: touchpoint %q has no endpoint", out.Touchpoint), Permanent: true}
	}
	if out.To.Kind != ep.Kind {
		return "", &parley.SendError{Reason: fmt.Sprintf("meta: %s address on %s touchpoint %q", out.To.Kind, ep.Kind, out.Touchpoint), Permanent: true}
	}
	token := ep.Token
	if token == "" {
		token = t.token
	}
	var (
		bodies []any
		err    error
		path   string
	)
	if ep.Kind == channel.WhatsApp {
		path = "/" + ep.ID + "/messages"
		bodies, err = whatsAppMessages(out)
	} else {
		path = "/me/messages"
		bodies, err = pageMessages(out)
	}
	if err != nil {
		return "", err
	}
	var id string
	for _, b := range bodies {
		if id, err = t.post(ctx, path, token, b); err != nil {
			return "", err
		}
	}
	return id, nil
}

package meta

import (
	"errors"
	"fmt"

	"github.com/parleyhq/parley/channel"
)

// ErrInvalidConfig is returned by [NewHandler] and [NewTransport] for a
// configuration they cannot run; the error names the field at fault.
// Check it with errors.Is.
var ErrInvalidConfig = errors.New("meta: invalid configuration")

// Endpoint ties one of the business's Meta identities to the parley
// touchpoint it belongs to: a WhatsApp business phone number, a Facebook
// page (Messenger) or an Instagram professional account. The handler finds
// the touchpoint of a webhook event by Kind and ID; the transport finds
// the ID (and token) to send from by touchpoint.
type Endpoint struct {
	// Touchpoint is the parley touchpoint's ID.
	Touchpoint string
	// Kind is channel.WhatsApp, channel.Messenger or channel.Instagram.
	Kind channel.Kind
	// ID is the WhatsApp phone-number ID (metadata.phone_number_id in
	// webhooks, not the display number), the page ID, or the Instagram
	// professional account ID.
	ID string
	// Token is the access token to send with from this endpoint (a page
	// access token for Messenger); empty uses the transport's AccessToken.
	Token string
}

// directory looks endpoints up both ways.
type directory struct {
	byID         map[endpointKey]Endpoint
	byTouchpoint map[string]Endpoint
}

type endpointKey struct {
	kind channel.Kind
	id   string
}

// newDirectory checks the endpoints and indexes them: each needs a
// touchpoint, a Meta kind and an ID, and neither a touchpoint nor a
// (kind, ID) may appear twice.
func newDirectory(eps []Endpoint) (directory, error) {
	d := directory{byID: make(map[endpointKey]Endpoint, len(eps)), byTouchpoint: make(map[string]Endpoint, len(eps))}
	if len(eps) == 0 {
		return d, fmt.Errorf("%w: Endpoints: none configured", ErrInvalidConfig)
	}
	for i, e := range eps {
		bad := func(reason string) error {
			return fmt.Errorf("%w: Endpoints[%d] (touchpoint %q): %s", ErrInvalidConfig, i, e.Touchpoint, reason)
		}
		switch {
		case e.Touchpoint == "":
			return d, bad("no touchpoint")
		case e.Kind != channel.WhatsApp && e.Kind != channel.Messenger && e.Kind != channel.Instagram:
			return d, bad(fmt.Sprintf("kind %s is not a Meta channel", e.Kind))
		case e.ID == "":
			return d, bad("no ID")
		}
		k := endpointKey{e.Kind, e.ID}
		if _, dup := d.byID[k]; dup {
			return d, bad(fmt.Sprintf("%s ID %q listed twice", e.Kind, e.ID))
		}
		if _, dup := d.byTouchpoint[e.Touchpoint]; dup {
			return d, bad("touchpoint listed twice")
		}
		d.byID[k] = e
		d.byTouchpoint[e.Touchpoint] = e
	}
	return d, nil
}

// touchpoint returns the touchpoint of the endpoint (kind, id).
func (d directory) touchpoint(kind channel.Kind, id string) (string, bool) {
	e, ok := d.byID[endpointKey{kind, id}]
	return e.Touchpoint, ok
}

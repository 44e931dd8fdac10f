package parley

import (
	"errors"
	"fmt"
	"strings"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/optout"
	"github.com/parleyhq/parley/routing"
)

// Touchpoint is one business endpoint of a channel — a phone number, a
// page, an e-mail address, a chat widget — with everything the Desk needs
// to know about it: where it is, which queues receive its conversations,
// how they are routed, its opt-out scope and its automatic messages.
// Conversations live on a touchpoint. Only ID, Kind and Address are
// required, and Queues unless the touchpoint is dedicated to one agent;
// every other field's zero value is the default stated on it.
type Touchpoint struct {
	// ID names the touchpoint within the host; it is unique in a desk and
	// holds no space or control character.
	ID string
	// Kind is the channel the touchpoint belongs to.
	Kind channel.Kind
	// Address is the business's address on the channel: the bare id
	// ("+1 415 555 0100", "support@example.com", a page id) or the full
	// "kind:id" form of its own kind. [Touchpoint.Addr] normalises it.
	Address string
	// Name is shown to agents ("Support line", "Sales WhatsApp").
	Name string
	// Account groups touchpoints of one provider account, such as a
	// WhatsApp Business Account: at most Config.WhatsAppNumbersPerAccount
	// WhatsApp numbers (25 by default) may share one.
	Account string
	// Queues lists the queues that receive the touchpoint's conversations:
	// only their agents see and take them.
	Queues []string

	// Routing is how the touchpoint's conversations reach agents:
	// simplified (the zero value: they wait in the inbox), dedicated to one
	// agent, or automatic with a strategy and offers. Its ID is the
	// touchpoint's; leave it empty.
	Routing routing.Policy
	// Scope is the opt-out scope of an SMS touchpoint: a STOP on any
	// number of the scope stops every number of it, and an opt-in on any
	// number clears it for all. Empty means the touchpoint's Account, or
	// optout.DefaultScope when that is empty too: the account's whole list
	// of SMS numbers.
	Scope optout.Scope
	// Bot starts new conversations with a bot; Desk.HandOff passes them to
	// the inbox.
	Bot bool
	// Priority is given to the touchpoint's conversations; higher first.
	Priority int
	// AutoReply is sent once when a new conversation starts ("we will
	// answer shortly"); empty sends nothing.
	AutoReply string
	// BusyMessage is sent once per conversation when no eligible agent has
	// room; empty sends nothing.
	BusyMessage string
	// AwayMessage is sent once when a conversation starts outside Hours;
	// empty sends nothing.
	AwayMessage string
	// Hours are the business hours; nil means always open.
	Hours *routing.Schedule
}

// Touchpoint errors. Check them with errors.Is; read the facts from
// [*TouchpointError] and [*AccountLimitError] with errors.As. New reports
// them inside its *ConfigError.
var (
	ErrInvalidTouchpoint   = errors.New("parley: invalid touchpoint")
	ErrDuplicateTouchpoint = errors.New("parley: duplicate touchpoint")
	ErrTooManyNumbers      = errors.New("parley: too many WhatsApp numbers in one account")
)

// TouchpointError is the typed error for a touchpoint that does not
// validate. It matches ErrInvalidTouchpoint (or ErrDuplicateTouchpoint) and
// the cause, such as a *channel.AddressError.
type TouchpointError struct {
	ID     string // the touchpoint's ID, possibly empty
	Field  string // the field at fault: "ID", "Kind", "Address", "Queues", "Routing", "Hours"
	Reason string // what is wrong, in words
	Err    error  // the sentinel or cause
}

// Error returns "parley: touchpoint "id": field: reason".
func (e *TouchpointError) Error() string {
	return fmt.Sprintf("parley: touchpoint %q: %s: %s", e.ID, e.Field, e.Reason)
}

// Unwrap returns the sentinel or cause.
func (e *TouchpointError) Unwrap() error { return e.Err }

// AccountLimitError reports an account with more WhatsApp numbers than
// allowed. It matches ErrTooManyNumbers.
type AccountLimitError struct {
	Account string // the account, "" for touchpoints that name none
	Numbers int    // how many WhatsApp touchpoints it has
	Limit   int    // the limit that applied
}

// Error returns "parley: account "a" has N WhatsApp numbers, over the limit of L".
func (e *AccountLimitError) Error() string {
	return fmt.Sprintf("parley: account %q has %d WhatsApp numbers, over the limit of %d", e.Account, e.Numbers, e.Limit)
}

// Unwrap returns ErrTooManyNumbers.
func (e *AccountLimitError) Unwrap() error { return ErrTooManyNumbers }

// Addr returns the touchpoint's address, normalised for its kind (see
// channel.ParseAddressAs).
func (t Touchpoint) Addr() (channel.Address, error) { return channel.ParseAddressAs(t.Kind, t.Address) }

// Validate checks the touchpoint on its own: an ID without spaces or
// control characters, a valid kind, an address that fits the kind, queue
// names that are non-empty and distinct, a routing policy with no other
// ID, and valid Hours. Errors are [*TouchpointError]s matching
// ErrInvalidTouchpoint. Whether a dedicated touchpoint's agent exists, and
// whether a touchpoint without queues has an owner, is checked by New,
// which knows the agents.
func (t Touchpoint) Validate() error {
	invalid := func(field, reason string, cause error) error {
		err := ErrInvalidTouchpoint
		if cause != nil {
			err = errors.Join(ErrInvalidTouchpoint, cause)
		}
		return &TouchpointError{ID: t.ID, Field: field, Reason: reason, Err: err}
	}
	// A touchpoint's ID follows the rule of an opaque channel id, such as
	// the host's own channel's: NewAddress checks it.
	if _, err := channel.NewAddress(channel.Custom, t.ID); err != nil {
		reason := err.Error()
		if ae := (*channel.AddressError)(nil); errors.As(err, &ae) {
			reason = ae.Reason
		}
		return invalid("ID", reason, nil)
	}
	if !t.Kind.Valid() {
		return invalid("Kind", fmt.Sprintf("unknown kind %s", t.Kind), channel.ErrUnknownKind)
	}
	if _, err := t.Addr(); err != nil {
		return invalid("Address", err.Error(), err)
	}
	seen := make(map[string]bool, len(t.Queues))
	for _, q := range t.Queues {
		switch {
		case strings.TrimSpace(q) == "":
			return invalid("Queues", "empty queue name", nil)
		case seen[q]:
			return invalid("Queues", fmt.Sprintf("queue %q listed twice", q), nil)
		}
		seen[q] = true
	}
	if t.Routing.ID != "" && t.Routing.ID != t.ID {
		return invalid("Routing", fmt.Sprintf("policy names touchpoint %q", t.Routing.ID), nil)
	}
	if t.Hours != nil {
		if err := t.Hours.Validate(); err != nil {
			return invalid("Hours", err.Error(), err)
		}
	}
	return nil
}

// validateTouchpoints checks a desk's set of touchpoints: each one with
// [Touchpoint.Validate]; IDs unique; no two touchpoints on one address (an
// inbound message must find exactly one); and at most limit WhatsApp
// numbers per Account (zero: channel.DefaultWhatsAppNumbersPerAccount). It
// returns every problem, in the touchpoints' order.
func validateTouchpoints(tps []Touchpoint, limit int) []error {
	if limit <= 0 {
		limit = channel.DefaultWhatsAppNumbersPerAccount
	}
	var errs []error
	ids := make(map[string]bool, len(tps))
	addrs := make(map[channel.Address]string, len(tps))
	numbers := map[string]int{}
	var accounts []string // in order of first appearance, for a stable error
	for _, t := range tps {
		if err := t.Validate(); err != nil {
			errs = append(errs, err)
			continue
		}
		if ids[t.ID] {
			errs = append(errs, &TouchpointError{ID: t.ID, Field: "ID", Reason: "used by two touchpoints", Err: ErrDuplicateTouchpoint})
			continue
		}
		ids[t.ID] = true
		a, _ := t.Addr() // valid: checked above
		if other, dup := addrs[a]; dup {
			errs = append(errs, &TouchpointError{ID: t.ID, Field: "Address", Reason: fmt.Sprintf("%s is also touchpoint %q", a, other), Err: ErrDuplicateTouchpoint})
			continue
		}
		addrs[a] = t.ID
		if t.Kind == channel.WhatsApp {
			if numbers[t.Account] == 0 {
				accounts = append(accounts, t.Account)
			}
			numbers[t.Account]++
		}
	}
	for _, acc := range accounts {
		if n := numbers[acc]; n > limit {
			errs = append(errs, &AccountLimitError{Account: acc, Numbers: n, Limit: limit})
		}
	}
	return errs
}

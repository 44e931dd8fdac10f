package channel

import (
	"errors"
	"fmt"
	"strings"
)

// DefaultWhatsAppNumbersPerAccount is how many WhatsApp sender numbers one
// business account may link by default: 25. Meta raises it on request,
// hence [TouchpointRules].
const DefaultWhatsAppNumbersPerAccount = 25

// Touchpoint errors. Check them with errors.Is; read the facts from
// [*TouchpointError] and [*AccountLimitError] with errors.As.
var (
	ErrInvalidTouchpoint   = errors.New("channel: invalid touchpoint")
	ErrDuplicateTouchpoint = errors.New("channel: duplicate touchpoint")
	ErrTooManyNumbers      = errors.New("channel: too many WhatsApp numbers in one account")
)

// Touchpoint is one business endpoint of a channel: a phone number, a page,
// an e-mail address, a chat widget. Conversations live on a touchpoint; the
// queues listed in Queues receive them.
type Touchpoint struct {
	// ID names the touchpoint within the host; it is unique in a desk.
	ID string
	// Kind is the channel the touchpoint belongs to.
	Kind Kind
	// Address is the business's address on the channel: the bare id
	// ("+1 415 555 0100", "support@example.com", a page id) or the full
	// "kind:id" form of its own kind. [Touchpoint.Addr] normalises it.
	Address string
	// Name is shown to agents ("Support line", "Sales WhatsApp").
	Name string
	// Account groups touchpoints of one provider account, such as a
	// WhatsApp Business Account; the 25-number limit applies per account.
	Account string
	// Queues lists the queues that receive the touchpoint's conversations.
	Queues []string
}

// TouchpointError is the typed error for a touchpoint that does not
// validate. It matches ErrInvalidTouchpoint (or ErrDuplicateTouchpoint) and
// the cause, such as an [*AddressError].
type TouchpointError struct {
	ID     string // the touchpoint's ID, possibly empty
	Field  string // the field at fault: "ID", "Kind", "Address", "Queues"
	Reason string // what is wrong, in words
	Err    error  // the sentinel or cause
}

// Error returns "channel: touchpoint "id": field: reason".
func (e *TouchpointError) Error() string {
	return fmt.Sprintf("channel: touchpoint %q: %s: %s", e.ID, e.Field, e.Reason)
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

// Error returns "channel: account "a" has N WhatsApp numbers, over the limit of L".
func (e *AccountLimitError) Error() string {
	return fmt.Sprintf("channel: account %q has %d WhatsApp numbers, over the limit of %d", e.Account, e.Numbers, e.Limit)
}

// Unwrap returns ErrTooManyNumbers.
func (e *AccountLimitError) Unwrap() error { return ErrTooManyNumbers }

// Addr returns the touchpoint's address, normalised for its kind. Address
// may be a bare id or "kind:id" with the touchpoint's own kind; a prefix
// naming another kind is refused.
func (t Touchpoint) Addr() (Address, error) {
	raw := t.Address
	if name, id, ok := strings.Cut(raw, ":"); ok {
		if k, err := ParseKind(name); err == nil {
			if k != t.Kind {
				return Address{}, &AddressError{Input: raw, Kind: t.Kind, Reason: fmt.Sprintf("address of kind %s on a %s touchpoint", k, t.Kind)}
			}
			raw = id
		}
	}
	return NewAddress(t.Kind, raw)
}

// Validate checks the touchpoint on its own: a non-empty ID without spaces
// or control characters, a valid kind, an address that fits the kind (see
// [ParseAddress]) and queue names that are non-empty and distinct. Errors
// are [*TouchpointError]s matching ErrInvalidTouchpoint.
func (t Touchpoint) Validate() error {
	if reason := checkID(t.ID); reason != "" {
		return &TouchpointError{ID: t.ID, Field: "ID", Reason: reason, Err: ErrInvalidTouchpoint}
	}
	if !t.Kind.Valid() {
		return &TouchpointError{ID: t.ID, Field: "Kind", Reason: fmt.Sprintf("unknown kind %s", t.Kind), Err: errors.Join(ErrInvalidTouchpoint, ErrUnknownKind)}
	}
	if _, err := t.Addr(); err != nil {
		return &TouchpointError{ID: t.ID, Field: "Address", Reason: err.Error(), Err: errors.Join(ErrInvalidTouchpoint, err)}
	}
	seen := make(map[string]bool, len(t.Queues))
	for _, q := range t.Queues {
		switch {
		case strings.TrimSpace(q) == "":
			return &TouchpointError{ID: t.ID, Field: "Queues", Reason: "empty queue name", Err: ErrInvalidTouchpoint}
		case seen[q]:
			return &TouchpointError{ID: t.ID, Field: "Queues", Reason: fmt.Sprintf("queue %q listed twice", q), Err: ErrInvalidTouchpoint}
		}
		seen[q] = true
	}
	return nil
}

// TouchpointRules are the limits [ValidateTouchpoints] applies. The zero
// value gives the defaults.
type TouchpointRules struct {
	// MaxWhatsAppNumbersPerAccount caps the WhatsApp touchpoints sharing
	// one Account; 0 means DefaultWhatsAppNumbersPerAccount.
	MaxWhatsAppNumbersPerAccount int
}

// ValidateTouchpoints checks a desk's set of touchpoints: each one with
// [Touchpoint.Validate]; IDs unique; no two touchpoints on one address (an
// inbound message must find exactly one); and at most 25 WhatsApp numbers
// (or rules' limit) per Account, reported as an [*AccountLimitError]. The
// first problem found is returned.
func ValidateTouchpoints(tps []Touchpoint, rules TouchpointRules) error {
	limit := rules.MaxWhatsAppNumbersPerAccount
	if limit <= 0 {
		limit = DefaultWhatsAppNumbersPerAccount
	}
	ids := make(map[string]bool, len(tps))
	addrs := make(map[Address]string, len(tps))
	numbers := map[string]int{}
	var accounts []string // in order of first appearance, for a stable error
	for _, t := range tps {
		if err := t.Validate(); err != nil {
			return err
		}
		if ids[t.ID] {
			return &TouchpointError{ID: t.ID, Field: "ID", Reason: "used by two touchpoints", Err: ErrDuplicateTouchpoint}
		}
		ids[t.ID] = true
		a, _ := t.Addr() // valid: checked above
		if other, dup := addrs[a]; dup {
			return &TouchpointError{ID: t.ID, Field: "Address", Reason: fmt.Sprintf("%s is also touchpoint %q", a, other), Err: ErrDuplicateTouchpoint}
		}
		addrs[a] = t.ID
		if t.Kind == WhatsApp {
			if numbers[t.Account] == 0 {
				accounts = append(accounts, t.Account)
			}
			numbers[t.Account]++
		}
	}
	for _, acc := range accounts {
		if n := numbers[acc]; n > limit {
			return &AccountLimitError{Account: acc, Numbers: n, Limit: limit}
		}
	}
	return nil
}

package optout

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/text/language"

	"github.com/parleyhq/parley/channel"
)

// DefaultConfirmWithin is how long the confirmation reply to a STOP may
// still pass the opt-out check after the STOP arrived.
const DefaultConfirmWithin = 10 * time.Minute

// maxAppendAttempts bounds the retries of a change that keeps meeting
// concurrent changes to the same address.
const maxAppendAttempts = 16

// Errors of the registry. Check them with errors.Is.
var (
	// ErrOptedOut means the recipient has opted out of the scope the
	// sending number belongs to. The error is an [*OptedOutError] carrying
	// the facts; read it with errors.As.
	ErrOptedOut = errors.New("optout: recipient opted out")
	// ErrInvalidMessage means an inbound or outbound message, or a change,
	// the registry cannot judge: a zero or invalid address, a zero time, an
	// action other than OptOut or OptIn for a change. Nothing is recorded.
	ErrInvalidMessage = errors.New("optout: invalid message")
	// ErrRedactUnsupported means the Store does not implement [Redactor].
	ErrRedactUnsupported = errors.New("optout: store cannot redact")
	// ErrInvalidConfig means [NewRegistry] was given a Config it cannot
	// run with: no Store, or a nil keyword set.
	ErrInvalidConfig = errors.New("optout: invalid config")
)

// OptedOutError is the refusal of [Registry.Outbound]. It matches
// [ErrOptedOut].
type OptedOutError struct {
	Address channel.Address // the recipient
	Scope   Scope           // the scope the sending number belongs to
	Number  channel.Address // the sending number
	Since   time.Time       // when the opt-out was recorded
	Keyword string          // the keyword that opted out; empty if redacted or not by keyword
}

// Error returns "optout: sms:+1… opted out of scope "account" since …".
func (e *OptedOutError) Error() string {
	return fmt.Sprintf("optout: %s opted out of scope %q since %s", e.Address, e.Scope, e.Since.Format(time.RFC3339))
}

// Is reports whether target is ErrOptedOut.
func (e *OptedOutError) Is(target error) bool { return target == ErrOptedOut }

// Config configures a [Registry]. Only Store is required; every other zero
// field takes its documented default.
type Config struct {
	// Store is the consent ledger.
	Store Store
	// Keywords are the sets tried on inbound messages, in order, after the
	// one matching the contact's language; nil means [DefaultSets]
	// (English, French, Spanish).
	Keywords []*Keywords
	// Scope maps a business number to its scope; nil puts every number in
	// DefaultScope, the account's whole list.
	Scope func(number channel.Address) Scope
	// Replies returns the replies for a scope and language; empty fields,
	// or a nil func, fall back to [DefaultReplies].
	Replies func(scope Scope, lang language.Tag) Replies
	// ConfirmWithin is how long the confirmation reply to a STOP may pass
	// the opt-out check; zero means DefaultConfirmWithin.
	ConfirmWithin time.Duration
}

// Inbound is an SMS the contact sent, as [Registry.Inbound] reads it.
type Inbound struct {
	From channel.Address // the contact
	To   channel.Address // the business number it arrived on
	Body string          // the text
	At   time.Time       // when it arrived
	// Lang is the contact's language if the host knows it; its keyword set
	// is tried first and its replies used. language.Und means unknown.
	Lang language.Tag
}

// Result is what [Registry.Inbound] found and did.
type Result struct {
	// Action is what the message asked for; None for an ordinary message.
	Action Action
	// Keyword is the keyword matched, as its set spells it.
	Keyword string
	// Lang is the language of the set that matched, and of Reply.
	Lang language.Tag
	// Scope is the scope of the number the message arrived on.
	Scope Scope
	// Changed reports whether the consent state changed: an opt-out of an
	// address not opted out, an opt-in of one that was. Only changes are
	// appended to the ledger.
	Changed bool
	// Entry is the appended entry when Changed, otherwise the latest one
	// (zero when the history is empty).
	Entry Entry
	// Reply is the text to send back to the contact from the number the
	// message arrived on; empty for None. The opt-out confirmation passes
	// [Registry.Outbound] once, within ConfirmWithin.
	Reply string
}

// Outbound is an SMS the business wants to send, as [Registry.Outbound]
// checks it.
type Outbound struct {
	From channel.Address // the business number
	To   channel.Address // the contact
	Body string          // the text
	At   time.Time       // when it is sent
}

// Change is a consent change a host records by other means than a keyword:
// a web form, a call, an agent's note.
type Change struct {
	Scope   Scope           // the scope; empty means the scope of Number
	Address channel.Address // the contact
	Action  Action          // OptOut or OptIn
	At      time.Time       // when it happened
	Keyword string          // optional: what the contact said
	Number  channel.Address // optional: the business number involved
}

// key names one consent state.
type key struct {
	scope Scope
	addr  channel.Address
}

// confirmation is the one outbound message let through to an opted-out
// address: the reply to its STOP.
type confirmation struct {
	number channel.Address
	body   string
	until  time.Time
}

// Registry applies the opt-out rules over a consent ledger. It is safe for
// concurrent use by multiple goroutines. The ledger is the only durable
// state; the pending STOP confirmations live in the Registry's memory for
// ConfirmWithin, so the process that handles a STOP should send its reply.
type Registry struct {
	store         Store
	sets          []*Keywords
	matcher       language.Matcher
	scope         func(channel.Address) Scope
	replies       func(Scope, language.Tag) Replies
	confirmWithin time.Duration

	mu      sync.Mutex
	pending map[key]confirmation
}

// NewRegistry returns a registry over cfg.Store with cfg's settings, or an
// error matching [ErrInvalidConfig] when cfg has no Store or a nil set.
func NewRegistry(cfg Config) (*Registry, error) {
	if cfg.Store == nil {
		return nil, fmt.Errorf("%w: Config.Store is required", ErrInvalidConfig)
	}
	r := &Registry{
		store:         cfg.Store,
		sets:          cfg.Keywords,
		scope:         cfg.Scope,
		replies:       cfg.Replies,
		confirmWithin: cfg.ConfirmWithin,
		pending:       make(map[key]confirmation),
	}
	if r.sets == nil {
		r.sets = DefaultSets()
	}
	for i, k := range r.sets {
		if k == nil {
			return nil, fmt.Errorf("%w: Config.Keywords[%d] is nil", ErrInvalidConfig, i)
		}
	}
	if len(r.sets) > 0 {
		tags := make([]language.Tag, len(r.sets))
		for i, k := range r.sets {
			tags[i] = k.Lang()
		}
		r.matcher = language.NewMatcher(tags)
	}
	if r.confirmWithin <= 0 {
		r.confirmWithin = DefaultConfirmWithin
	}
	return r, nil
}

// ScopeOf returns the scope of a business number.
func (r *Registry) ScopeOf(number channel.Address) Scope {
	if r.scope == nil {
		return DefaultScope
	}
	return r.scope(number)
}

// Inbound classifies an inbound SMS and applies it: an
// opt-out or opt-in keyword changes the consent of the sender for the whole
// scope of the receiving number and is appended to the ledger when it
// changes the state; every keyword gets its reply. An ordinary message
// returns Action None and touches nothing. A message with a zero or
// invalid address or a zero time is refused with [ErrInvalidMessage].
func (r *Registry) Inbound(ctx context.Context, in Inbound) (Result, error) {
	if err := checkParties(in.From, in.To, in.At); err != nil {
		return Result{}, err
	}
	kw, lang, ok := r.classify(in.Body, in.Lang)
	if !ok {
		return Result{Action: None}, nil
	}
	scope := r.ScopeOf(in.To)
	res := Result{Action: kw.Action, Keyword: kw.Word, Lang: lang, Scope: scope}
	if kw.Action == OptOut || kw.Action == OptIn {
		e, changed, err := r.apply(ctx, Entry{
			Scope: scope, Address: in.From, Action: kw.Action, At: in.At,
			Keyword: kw.Word, Number: in.To,
		})
		if err != nil {
			return Result{}, err
		}
		res.Changed, res.Entry = changed, e
	} else if e, _, err := r.store.Latest(ctx, scope, in.From); err != nil {
		return Result{}, err
	} else {
		res.Entry = e
	}
	res.Reply = r.repliesFor(scope, lang).For(kw.Action)

	k := key{scope, in.From}
	r.mu.Lock()
	switch kw.Action {
	case OptOut:
		// The one exception to the opt-out: this reply, once.
		r.pending[k] = confirmation{number: in.To, body: res.Reply, until: in.At.Add(r.confirmWithin)}
		r.sweep(in.At)
	case OptIn:
		delete(r.pending, k)
	}
	r.mu.Unlock()
	return res, nil
}

// Outbound checks an SMS before it is sent: nil when it may go, an
// [*OptedOutError] (matching [ErrOptedOut]) when the recipient has opted out
// of the sending number's scope. The confirmation reply to a STOP, sent from
// the number that received it with the exact text [Result].Reply gave,
// passes once within ConfirmWithin; a second copy is refused. Fails closed:
// a ledger error refuses the message.
func (r *Registry) Outbound(ctx context.Context, out Outbound) error {
	if err := checkParties(out.To, out.From, out.At); err != nil {
		return err
	}
	scope := r.ScopeOf(out.From)
	e, ok, err := r.store.Latest(ctx, scope, out.To)
	if err != nil {
		return fmt.Errorf("optout: reading consent of %s: %w", out.To, err)
	}
	if !ok || e.Action != OptOut {
		return nil
	}
	k := key{scope, out.To}
	r.mu.Lock()
	c, pending := r.pending[k]
	if pending && c.number == out.From && c.body == out.Body && out.At.Before(c.until) {
		delete(r.pending, k)
		r.mu.Unlock()
		return nil
	}
	r.mu.Unlock()
	return &OptedOutError{Address: out.To, Scope: scope, Number: out.From, Since: e.At, Keyword: e.Keyword}
}

// OptedOut reports whether addr has opted out of scope, with the latest
// ledger entry (zero when there is none).
func (r *Registry) OptedOut(ctx context.Context, scope Scope, addr channel.Address) (bool, Entry, error) {
	e, ok, err := r.store.Latest(ctx, scope, addr)
	if err != nil || !ok {
		return false, Entry{}, err
	}
	return e.Action == OptOut, e, nil
}

// Record applies a consent change the host learnt by other means, as
// Inbound would for a keyword, and reports whether it changed the state.
func (r *Registry) Record(ctx context.Context, c Change) (Entry, bool, error) {
	if c.Action != OptOut && c.Action != OptIn {
		return Entry{}, false, fmt.Errorf("%w: a change is opt-out or opt-in, not %s", ErrInvalidMessage, c.Action)
	}
	if !c.Address.Kind.Valid() || c.Address.ID == "" || c.At.IsZero() {
		return Entry{}, false, fmt.Errorf("%w: a change needs an address and a time", ErrInvalidMessage)
	}
	if c.Scope == "" {
		c.Scope = r.ScopeOf(c.Number)
	}
	e, changed, err := r.apply(ctx, Entry{
		Scope: c.Scope, Address: c.Address, Action: c.Action, At: c.At,
		Keyword: c.Keyword, Number: c.Number,
	})
	if err == nil && changed && c.Action == OptIn {
		r.mu.Lock()
		delete(r.pending, key{c.Scope, c.Address})
		r.mu.Unlock()
	}
	return e, changed, err
}

// History returns the ledger of addr in scope, oldest first.
func (r *Registry) History(ctx context.Context, scope Scope, addr channel.Address) ([]Entry, error) {
	return r.store.History(ctx, scope, addr)
}

// Erase redacts addr's ledger entries to what the law needs to honour a
// STOP — address, scope, action and dates — and forgets
// any pending confirmation to it. It returns how many entries were redacted,
// or ErrRedactUnsupported when the Store does not implement [Redactor].
func (r *Registry) Erase(ctx context.Context, addr channel.Address) (int, error) {
	red, ok := r.store.(Redactor)
	if !ok {
		return 0, ErrRedactUnsupported
	}
	n, err := red.Redact(ctx, addr)
	if err != nil {
		return n, err
	}
	r.mu.Lock()
	for k := range r.pending {
		if k.addr == addr {
			delete(r.pending, k)
		}
	}
	r.mu.Unlock()
	return n, nil
}

// apply appends want when it changes the state of (want.Scope,
// want.Address), retrying on ErrConflict: the ledger's Seq makes "did this
// change the state" exact even when changes race.
func (r *Registry) apply(ctx context.Context, want Entry) (Entry, bool, error) {
	for range maxAppendAttempts {
		latest, ok, err := r.store.Latest(ctx, want.Scope, want.Address)
		if err != nil {
			return Entry{}, false, err
		}
		optedOut := ok && latest.Action == OptOut
		if optedOut == (want.Action == OptOut) {
			return latest, false, nil
		}
		want.Seq = latest.Seq + 1
		err = r.store.Append(ctx, want)
		if errors.Is(err, ErrConflict) {
			continue
		}
		if err != nil {
			return Entry{}, false, err
		}
		return want, true, nil
	}
	return Entry{}, false, fmt.Errorf("optout: %s in scope %q changed %d times while applying %s: %w",
		want.Address, want.Scope, maxAppendAttempts, want.Action, ErrConflict)
}

// Classify returns what body asks for under the registry's keyword sets,
// trying the set of the contact's language lang first, without applying
// it. Use it to tell what an already processed message was.
func (r *Registry) Classify(body string, lang language.Tag) Action {
	kw, _, ok := r.classify(body, lang)
	if !ok {
		return None
	}
	return kw.Action
}

// classify tries the contact's language's set first, then the others.
func (r *Registry) classify(body string, lang language.Tag) (Keyword, language.Tag, bool) {
	first := -1
	if r.matcher != nil && lang != language.Und {
		if _, i, conf := r.matcher.Match(lang); conf != language.No {
			first = i
			if kw, ok := r.sets[i].Match(body); ok {
				return kw, r.sets[i].Lang(), true
			}
		}
	}
	for i, k := range r.sets {
		if i == first {
			continue
		}
		if kw, ok := k.Match(body); ok {
			return kw, k.Lang(), true
		}
	}
	return Keyword{}, language.Und, false
}

func (r *Registry) repliesFor(scope Scope, lang language.Tag) Replies {
	d := DefaultReplies(lang)
	if r.replies == nil {
		return d
	}
	return r.replies(scope, lang).orDefault(d)
}

// sweep drops expired confirmations; the caller holds r.mu. It runs only
// when the map has grown, so a busy registry pays for it rarely.
func (r *Registry) sweep(now time.Time) {
	if len(r.pending) < 1024 {
		return
	}
	for k, c := range r.pending {
		if !now.Before(c.until) {
			delete(r.pending, k)
		}
	}
}

func checkParties(contact, number channel.Address, at time.Time) error {
	switch {
	case !contact.Kind.Valid() || contact.ID == "":
		return fmt.Errorf("%w: contact address %q", ErrInvalidMessage, contact)
	case !number.Kind.Valid() || number.ID == "":
		return fmt.Errorf("%w: business number %q", ErrInvalidMessage, number)
	case at.IsZero():
		return fmt.Errorf("%w: zero time", ErrInvalidMessage)
	}
	return nil
}

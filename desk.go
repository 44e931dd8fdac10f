package parley

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"log/slog"
	"sync"
	"time"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/optout"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/template"
	"golang.org/x/text/language"
)

// Errors the Desk returns beyond those of the domain packages (which it
// returns as they are: routing.ErrOverCapacity, routing.ErrNotVisible,
// optout.ErrOptedOut, session.ErrWindowClosed, template.ErrMissingVariable,
// conversation.ErrNotFound, …). Check them with errors.Is.
var (
	// ErrUnknownTouchpoint: the touchpoint ID is not configured.
	ErrUnknownTouchpoint = errors.New("parley: unknown touchpoint")
	// ErrWrongChannel: an address of one kind was given for a touchpoint of
	// another (an SMS number on a WhatsApp touchpoint), or a WhatsApp
	// template for a conversation on another channel (Desk.SendTemplate).
	ErrWrongChannel = errors.New("parley: address does not fit the touchpoint's channel")
	// ErrBlockedCountry: WhatsApp does not serve numbers of the country or
	// region (Cuba, Iran, North Korea, Syria, Crimea and others: see
	// channel.DefaultWhatsAppBlockList, overridable with Config.BlockList).
	ErrBlockedCountry = errors.New("parley: whatsapp does not serve the recipient's country")
	// ErrBusinessInitiated: the channel does not let the business start a
	// conversation (Messenger, Instagram, web chat), or WhatsApp without a
	// template outside the window.
	ErrBusinessInitiated = errors.New("parley: the business may not start a conversation here")
	// ErrEmpty: a message with no text, attachment or template.
	ErrEmpty = errors.New("parley: empty message")
	// ErrUnknownTemplate: no WhatsApp template has that name and language.
	ErrUnknownTemplate = errors.New("parley: unknown whatsapp template")
	// ErrForbidden: the actor may not take the action at all, whatever the
	// conversation (an agent erasing a contact: only a supervisor or
	// SystemActor may). An action refused for one conversation the actor
	// may not see is routing.ErrNotVisible instead.
	ErrForbidden = errors.New("parley: the actor may not take this action")
)

// maxConflictRetries bounds the optimistic-concurrency retries of one
// change: each retry reloads the conversation and applies the change again.
const maxConflictRetries = 8

// Desk is the application service that applies every rule: hand it inbound
// webhooks with [Desk.Receive] and call it for agent actions; it calls the
// host's [Transport] only when a message may really go out.
//
// A Desk is safe for concurrent use by multiple goroutines. Changes to one
// conversation are serialised within the process and settled by optimistic
// concurrency (conversation.ErrConflict, retried) across processes that
// share a store. Routing state (who is available, offers, waiting order)
// is kept in the process, or, with Config.Routing, in a log that every
// desk sharing it routes from as one. Customer-service windows and their
// notices are kept in Config.Windows, and anonymous visitors numbered by
// the store when it can (conversation.VisitorSequence), so desks sharing
// both see the same windows and never repeat a visitor's number.
type Desk struct {
	transport Transport
	now       func() time.Time
	newID     func() conversation.ID
	store     conversation.Store
	routes    routes
	consent   *optout.Registry
	sessions  session.Policies
	windows   session.Store
	blocked   channel.BlockList
	snippets  *template.Library
	templates map[templateKey]template.WhatsApp
	variables map[string]string
	pub       Publisher
	log       *slog.Logger
	reopen    conversation.ReopenPolicy

	tps         map[string]*touchpoint
	tpsByAddr   map[channel.Address]*touchpoint // the first touchpoint with each address
	supervisors map[string]bool
	visitors    conversation.VisitorCounter
	// visitorSeq is the store's own visitor numbering, nil when it has
	// none (then visitors numbers them in this process).
	visitorSeq conversation.VisitorSequence
	addrs      addrCache

	// ledger is Config.Ledger: set, capacity is shared with other desks
	// (syncAgents). roster lists the agents to refresh from it; later
	// holds routing decisions a locked caller could not apply (settle).
	ledger routing.Ledger
	roster roster
	later  deferred

	// warnWithin is how long before a window closes Tick warns; negative
	// never. The window store remembers what Tick published
	// (windowEvents).
	warnWithin time.Duration

	// drift lists conversations whose store and router may disagree
	// (repairDrift).
	drift suspects
	// unsent lists outbound messages whose outcome is not recorded
	// (resend).
	unsent unsent

	// The stripes of the lock protocol (withConversation, withContact).
	seed         maphash.Seed
	contactLocks [64]sync.Mutex
	convLocks    [64]sync.Mutex
}

// touchpoint is a configured touchpoint with its parsed address and scope.
type touchpoint struct {
	Touchpoint
	addr  channel.Address
	scope optout.Scope
	hash  uint64 // of the ID, for contactMutex
}

type templateKey struct {
	name, lang string
}

// New returns a Desk for cfg, or a *ConfigError (ErrInvalidConfig) listing
// every problem of the configuration.
func New(cfg Config) (*Desk, error) {
	problems := cfg.validate()

	routes, err := cfg.routes()
	problems.addErr(err)

	d := &Desk{
		transport:   cfg.Transport,
		now:         cfg.Clock,
		newID:       cfg.NewID,
		store:       cfg.Conversations,
		routes:      routes,
		sessions:    cfg.Sessions,
		snippets:    cfg.Snippets,
		templates:   make(map[templateKey]template.WhatsApp, len(cfg.Templates)),
		variables:   cfg.Variables,
		pub:         cfg.Publisher,
		log:         cfg.Logger,
		reopen:      cfg.Reopen,
		tps:         make(map[string]*touchpoint, len(cfg.Touchpoints)),
		tpsByAddr:   make(map[channel.Address]*touchpoint, len(cfg.Touchpoints)),
		supervisors: make(map[string]bool, len(cfg.Supervisors)),
		seed:        maphash.MakeSeed(),
		ledger:      cfg.Ledger,
		warnWithin:  cfg.WindowWarning,
	}
	if d.warnWithin == 0 {
		d.warnWithin = DefaultWindowWarning
	}
	for _, a := range cfg.Agents {
		d.roster.set(a)
	}
	consentStore := cfg.OptOuts
	if consentStore == nil {
		consentStore = memory.NewOptOutStore()
	}
	consent, err := optout.NewRegistry(optout.Config{
		Store:    consentStore,
		Keywords: cfg.Keywords,
		Scope:    d.scopeOf,
		Replies:  repliesFunc(cfg.Replies),
	})
	problems.addErr(err)
	d.consent = consent
	for _, t := range cfg.Templates {
		k := templateKey{t.Name, metaCode(t)}
		if _, dup := d.templates[k]; dup {
			problems.add("whatsapp template %s (%s) listed twice", k.name, k.lang)
		}
		d.templates[k] = t
	}
	if len(problems.Problems) > 0 {
		return nil, problems
	}

	if d.now == nil {
		d.now = time.Now
	}
	if d.newID == nil {
		d.newID = conversation.NewIDGenerator(d.now)
	}
	if d.store == nil {
		d.store = memory.NewConversationStore()
	}
	if d.snippets == nil {
		d.snippets = template.NewLibrary(template.Options{})
	}
	if d.pub == nil {
		d.pub = nopPublisher{}
	}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	d.blocked = channel.DefaultWhatsAppBlockList()
	if cfg.BlockList != nil {
		d.blocked = *cfg.BlockList
	}
	d.windows = cfg.Windows
	if d.windows == nil {
		d.windows = memory.NewWindowStore(d.sessions)
	}
	d.visitorSeq, _ = d.store.(conversation.VisitorSequence)
	d.addrs.hash = d.contactHash
	for _, s := range cfg.Supervisors {
		d.supervisors[s] = true
	}
	for _, tp := range cfg.Touchpoints {
		addr, _ := tp.Addr() // checked by validate
		scope := tp.Scope
		if scope == "" && tp.Account != "" {
			scope = optout.Scope(tp.Account)
		}
		if scope == "" {
			scope = optout.DefaultScope
		}
		t := &touchpoint{Touchpoint: tp, addr: addr, scope: scope, hash: maphash.String(d.seed, tp.ID)}
		d.tps[tp.ID] = t
		if _, ok := d.tpsByAddr[addr]; !ok {
			d.tpsByAddr[addr] = t
		}
	}
	return d, nil
}

// scopeOf maps an SMS touchpoint's number to its opt-out scope.
func (d *Desk) scopeOf(number channel.Address) optout.Scope {
	if tp := d.touchpointAt(number); tp != nil {
		return tp.scope
	}
	return optout.DefaultScope
}

// touchpointAt returns the touchpoint whose address is addr, or nil.
func (d *Desk) touchpointAt(addr channel.Address) *touchpoint { return d.tpsByAddr[addr] }

// repliesFunc serves the configured replies per scope; the registry falls
// back to its defaults for a scope or field left empty.
func repliesFunc(m map[optout.Scope]optout.Replies) func(optout.Scope, language.Tag) optout.Replies {
	if len(m) == 0 {
		return nil
	}
	return func(s optout.Scope, _ language.Tag) optout.Replies { return m[s] }
}

// touchpoint returns the configured touchpoint id.
func (d *Desk) touchpoint(id string) (*touchpoint, error) {
	tp, ok := d.tps[id]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownTouchpoint, id)
	}
	return tp, nil
}

// BlockedError is the refusal to send WhatsApp messages to a number whose
// country or region WhatsApp does not serve (Config.BlockList). It matches
// ErrBlockedCountry.
type BlockedError struct {
	Number string
}

// Error names the number.
func (e *BlockedError) Error() string {
	return fmt.Sprintf("parley: whatsapp does not serve %s's country or region", e.Number)
}

// Is matches ErrBlockedCountry.
func (e *BlockedError) Is(target error) bool { return target == ErrBlockedCountry }

// errUnchanged tells mutate that the change turned out to be a no-op and
// there is nothing to store.
var errUnchanged = errors.New("parley: unchanged")

// mutate loads conversation id, applies change and stores the result with
// optimistic concurrency, reloading and applying change again when another
// writer got there first. change must decide from the conversation it is
// given (which is fresh on each attempt). It returns the stored
// conversation, or the loaded one when change returned errUnchanged.
func (d *Desk) mutate(ctx context.Context, id conversation.ID, change func(c *conversation.Conversation) error) (*conversation.Conversation, error) {
	c, err := d.store.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return d.mutateFrom(ctx, c, change)
}

// mutateFrom is mutate starting from c, a copy just loaded from the store
// that the caller gives up: the first attempt saves a read.
func (d *Desk) mutateFrom(ctx context.Context, c *conversation.Conversation, change func(c *conversation.Conversation) error) (*conversation.Conversation, error) {
	for attempt := 0; ; attempt++ {
		if err := change(c); err != nil {
			if errors.Is(err, errUnchanged) {
				return c, nil
			}
			return c, err
		}
		err := d.store.Update(ctx, c)
		if err == nil {
			return c, nil
		}
		if !errors.Is(err, conversation.ErrConflict) || attempt == maxConflictRetries {
			return nil, err
		}
		if c, err = d.store.Get(ctx, c.ID); err != nil {
			return nil, err
		}
	}
}

// publish sends events to the publisher; a failure is logged, never
// returned: the change they report has happened.
func (d *Desk) publish(ctx context.Context, events ...Event) {
	for _, e := range events {
		if e == nil {
			continue
		}
		if err := d.pub.Publish(ctx, e); err != nil {
			d.log.WarnContext(ctx, "parley: publish failed", "event", e.Name(), "conversation", e.Conversation().String(), "err", err)
		}
	}
}

// listened reports whether events go anywhere: without a Publisher in
// the Config they are dropped, so callers may skip building them.
func (d *Desk) listened() bool {
	_, nop := d.pub.(nopPublisher)
	return !nop
}

// item is how the router sees conversation c.
func (d *Desk) item(c *conversation.Conversation) routing.Item {
	it := routing.Item{
		ConversationID: c.ID.String(),
		Kind:           c.Channel,
		Touchpoint:     c.Touchpoint,
		Queues:         c.Queues,
		Priority:       c.Priority,
		Enqueued:       c.CreatedAt,
	}
	if c.Channel == channel.WhatsApp && !c.LastInboundAt.IsZero() {
		it.WindowCloses = d.sessions.ExpiresAt(session.Window{Channel: c.Channel, LastInbound: c.LastInboundAt})
	}
	return it
}

// metaCode is a template's language as Meta spells it ("en_US"); a
// template whose language has no code fails validation in New.
func metaCode(t template.WhatsApp) string {
	code, _ := template.LanguageCode(t.Language)
	return code
}

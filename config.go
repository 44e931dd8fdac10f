package parley

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/optout"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/template"
)

// Config describes a Desk. Its zero value plus a Transport is a working
// desk: memory stores, default weights, default keywords and replies,
// time.Now, a publisher that drops events, and a logger that discards.
// Every field's zero value is the rules' default, stated on the field.
type Config struct {
	// Transport sends messages through the host's provider APIs. Required.
	Transport Transport
	// Clock returns the current time; nil means time.Now. Tests pass a
	// parleytest.Clock's Now.
	Clock func() time.Time
	// Touchpoints are the business endpoints conversations live on, each
	// described once: address, queues, routing, opt-out scope, automatic
	// messages.
	Touchpoints []Touchpoint
	// WhatsAppNumbersPerAccount caps the WhatsApp touchpoints sharing one
	// Account; zero means 25, WhatsApp's default for one business
	// account.
	WhatsAppNumbersPerAccount int

	// Agents are the agents at start; Desk.AddAgent adds more.
	Agents []routing.Agent
	// Supervisors lists agent IDs that see every conversation.
	Supervisors []string
	// Weights are the channel weights; the zero value is the defaults
	// (SMS 5, e-mail 5, web chat 30, other digital kinds 20, out of an
	// agent's 100 points; voice is fixed at 51).
	Weights routing.Weights
	// OfflineReturnsWork makes an agent going offline give their open
	// conversations back to be routed again.
	OfflineReturnsWork bool
	// DrainGrace is how long a draining agent keeps open work before it is
	// handed to available teammates.
	DrainGrace time.Duration
	// Trace attaches a decision trace to every automatic routing decision,
	// logged at debug level. It allocates; leave it off under load.
	Trace bool

	// Sessions overrides the customer-service window policies per kind;
	// nil means the defaults (WhatsApp 24 h, Messenger/Instagram 24 h with
	// the 7-day HUMAN_AGENT tag).
	Sessions session.Policies
	// WindowWarning is how long before a customer-service window closes
	// Desk.Tick publishes its "window expiring" event; zero means
	// DefaultWindowWarning (one hour), a negative value publishes none.
	// The "window closed" event is published either way.
	WindowWarning time.Duration
	// Reopen says who gets the follow-up conversation a contact starts
	// after the last one ended; the zero value keeps the same agent.
	Reopen conversation.ReopenPolicy
	// BlockList is the list of prefixes WhatsApp refuses; the zero value
	// is channel.DefaultWhatsAppBlockList.
	BlockList *channel.BlockList

	// Snippets is the snippet library agents reply from; nil means an
	// empty library.
	Snippets *template.Library
	// Templates are the business's WhatsApp templates, as Meta approved
	// (or did not approve) them.
	Templates []template.WhatsApp
	// Variables are fixed values snippets may use, such as "company".
	Variables map[string]string

	// Keywords are the opt-out keyword sets; nil means optout's defaults
	// (English, French, Spanish).
	Keywords []*optout.Keywords
	// Replies are the automatic replies to keywords per scope; a scope
	// without an entry gets optout's default wording.
	Replies map[optout.Scope]optout.Replies

	// Conversations stores conversations and messages; nil means an
	// in-memory store.
	Conversations conversation.Store
	// OptOuts is the opt-out ledger; nil means an in-memory one.
	OptOuts optout.Store
	// Windows keeps the customer-service windows and which of their
	// notices went out; nil means an in-memory store of this desk's own.
	// Desks sharing one (a memory.WindowStore in one process, a database
	// store across processes and restarts) each see every window: any of
	// them lets Start write inside a window another received, and Tick
	// announces every window, once between them. It must apply the same
	// policies as Sessions.
	Windows session.Store
	// Routing is the routing log that desks in several processes (or one
	// desk across restarts) share, so that they route as one: the same
	// agents and presence, offers and deadlines, waiting order. Nil keeps
	// routing in this process. Agents join the log when it is new (at the
	// first routing call of the first desk to start); afterwards the log's
	// agents stand, changed by AddAgent, UpdateAgent and RemoveAgent on any
	// desk. Ledger must be nil, as the log has its own.
	Routing routing.Log
	// Ledger records capacity reservations; set it to share agents'
	// capacity between several desks (processes) that each route on their
	// own. Nil means the router's own memory, right for one process.
	Ledger routing.Ledger

	// Publisher receives events; nil drops them.
	Publisher Publisher
	// Logger logs what the Desk cannot return as an error (a publisher
	// failure, a transport failure of an automatic message); nil discards.
	Logger *slog.Logger
	// NewID makes conversation and message IDs; nil means a
	// conversation.NewIDGenerator (UUIDv7). Tests pass
	// conversation.SequentialIDs.
	NewID func() conversation.ID
}

// ErrInvalidConfig is returned by New for a configuration it cannot run;
// the error is a *ConfigError listing every problem. Check it with
// errors.Is.
var ErrInvalidConfig = errors.New("parley: invalid configuration")

// ConfigError lists every problem New found in a Config.
type ConfigError struct {
	// Problems are every problem, in words an operator can act on.
	Problems []string
	// Errs are the problems that are errors of their own (a
	// *TouchpointError, an *AccountLimitError, a template's or the
	// router's refusal), for errors.Is and errors.As.
	Errs []error
}

// Error joins the problems.
func (e *ConfigError) Error() string {
	return "parley: invalid configuration: " + strings.Join(e.Problems, "; ")
}

// Is matches ErrInvalidConfig.
func (e *ConfigError) Is(target error) bool { return target == ErrInvalidConfig }

// Unwrap returns Errs, so that errors.Is and errors.As see each of them.
func (e *ConfigError) Unwrap() []error { return e.Errs }

// add records a problem in words.
func (e *ConfigError) add(format string, args ...any) {
	e.Problems = append(e.Problems, fmt.Sprintf(format, args...))
}

// addErr records a problem that is an error of its own, unless the same
// words are listed already (routing.New refuses in the words
// routing.Config.Problems lists).
func (e *ConfigError) addErr(err error) {
	if err == nil || slices.Contains(e.Problems, err.Error()) {
		return
	}
	e.Problems = append(e.Problems, err.Error())
	e.Errs = append(e.Errs, err)
}

// validate lists every problem of c, each in words an operator can act on.
func (c *Config) validate() *ConfigError {
	e := &ConfigError{}
	if c.Transport == nil {
		e.add("Transport is required")
	}
	for _, err := range validateTouchpoints(c.Touchpoints, c.WhatsAppNumbersPerAccount) {
		e.addErr(err)
	}
	agents := make(map[string]bool, len(c.Agents))
	for _, a := range c.Agents {
		agents[a.ID] = true
		if err := reserved(a); err != nil {
			e.addErr(err)
		}
	}
	for _, tp := range c.Touchpoints {
		dedicated := tp.Routing.Mode == routing.Dedicated
		if dedicated && !agents[tp.Routing.Agent] {
			e.add("touchpoint %q is dedicated to unknown agent %q", tp.ID, tp.Routing.Agent)
		}
		// Without a queue or an owner its conversations would reach no agent.
		if len(tp.Queues) == 0 && !dedicated {
			e.add("touchpoint %q has no queue: its conversations would reach no agent", tp.ID)
		}
	}
	// The router's own checks (agent IDs, duplicates, capacities, queue
	// names, routing modes), every one of them: routing.New stops at the
	// first.
	for _, err := range c.routingConfig().Problems() {
		e.addErr(err)
	}
	for _, s := range c.Supervisors {
		if !agents[s] {
			e.add("supervisor %q is not an agent", s)
		}
	}
	for _, t := range c.Templates {
		e.addErr(t.Validate())
	}
	return e
}

// routes returns the Desk's router: a replica of c.Routing, or its own.
func (c *Config) routes() (routes, error) {
	rc := c.routingConfig()
	if c.Routing == nil {
		r, err := routing.New(rc)
		return ownRouter{r}, err
	}
	if c.Ledger != nil {
		return nil, fmt.Errorf("%w: Routing and Ledger are both set: a shared routing log reserves capacity through its own ledger", routing.ErrInvalid)
	}
	agents := rc.Agents
	rc.Agents = nil
	p, err := routing.NewReplica(routing.ReplicaConfig{Router: rc, Log: c.Routing})
	return &sharedRouter{p: p, agents: agents}, err
}

// routingConfig is how the router sees c: each touchpoint's routing mode
// from its Routing, under the touchpoint's ID.
func (c *Config) routingConfig() routing.Config {
	rc := routing.Config{
		Agents:             c.Agents,
		Weights:            c.Weights,
		Ledger:             c.Ledger,
		OfflineReturnsWork: c.OfflineReturnsWork,
		DrainGrace:         c.DrainGrace,
		Trace:              c.Trace,
	}
	for _, tp := range c.Touchpoints {
		r := tp.Routing
		r.ID = tp.ID
		rc.Policies = append(rc.Policies, r)
	}
	return rc
}

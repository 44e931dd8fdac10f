package parley

import (
	"errors"
	"fmt"
	"log/slog"
	"maps"
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
	// Touchpoints are the business endpoints conversations live on.
	Touchpoints []channel.Touchpoint
	// Options holds per-touchpoint settings, keyed by touchpoint ID:
	// routing mode, opt-out scope, bot, automatic messages. A touchpoint
	// without an entry gets the zero TouchpointOptions.
	Options map[string]TouchpointOptions
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
	// Ledger records capacity reservations; set it to share agents'
	// capacity between several desks (processes). Nil means the router's
	// own memory, right for one process.
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

// TouchpointOptions are one touchpoint's settings beyond its address.
type TouchpointOptions struct {
	// Routing is the touchpoint's routing mode (simplified, dedicated
	// agent, automatic with a strategy and offers); its ID is filled in
	// from the map key. The zero value is simplified.
	Routing routing.Policy
	// Scope is the opt-out scope of an SMS touchpoint: a STOP on any
	// number of the scope stops every number of it, and an opt-in on
	// any number clears it for all. Empty means the touchpoint's
	// Account, or optout.DefaultScope when that is empty too: the
	// account's whole list of SMS numbers.
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

// ErrInvalidConfig is returned by New for a configuration it cannot run;
// the error is a *ConfigError listing every problem. Check it with
// errors.Is.
var ErrInvalidConfig = errors.New("parley: invalid configuration")

// ConfigError lists every problem New found in a Config.
type ConfigError struct {
	Problems []string
}

// Error joins the problems.
func (e *ConfigError) Error() string {
	return "parley: invalid configuration: " + strings.Join(e.Problems, "; ")
}

// Is matches ErrInvalidConfig.
func (e *ConfigError) Is(target error) bool { return target == ErrInvalidConfig }

// validate lists every problem of c, each in words an operator can act on.
func (c *Config) validate() []string {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	if c.Transport == nil {
		add("Transport is required")
	}
	limit := c.WhatsAppNumbersPerAccount
	if err := channel.ValidateTouchpoints(c.Touchpoints, channel.TouchpointRules{MaxWhatsAppNumbersPerAccount: limit}); err != nil {
		add("%v", err)
	}
	known := make(map[string]channel.Touchpoint, len(c.Touchpoints))
	for _, tp := range c.Touchpoints {
		known[tp.ID] = tp
	}
	agents := make(map[string]bool, len(c.Agents))
	for _, a := range c.Agents {
		agents[a.ID] = true
	}
	// In sorted order, so the same mistakes are reported in the same order.
	for _, id := range slices.Sorted(maps.Keys(c.Options)) {
		o := c.Options[id]
		if _, ok := known[id]; !ok {
			add("Options names unknown touchpoint %q", id)
			continue
		}
		if o.Routing.ID != "" && o.Routing.ID != id {
			add("Options[%q].Routing.ID is %q", id, o.Routing.ID)
		}
		if o.Routing.Mode == routing.Dedicated && !agents[o.Routing.Agent] {
			add("touchpoint %q is dedicated to unknown agent %q", id, o.Routing.Agent)
		}
		if o.Hours != nil {
			if err := o.Hours.Validate(); err != nil {
				add("touchpoint %q: %v", id, err)
			}
		}
	}
	// Every touchpoint, with Options or without: one with no queue (and
	// no dedicated agent) would accept conversations no agent can see.
	for _, tp := range c.Touchpoints {
		if len(tp.Queues) == 0 && c.Options[tp.ID].Routing.Mode != routing.Dedicated {
			add("touchpoint %q has no queue: its conversations would reach no agent", tp.ID)
		}
	}
	// The router's own checks (agent IDs, duplicates, capacities, queue
	// names, routing modes), every one of them: routing.New stops at the
	// first.
	for _, err := range c.routingConfig().Problems() {
		add("%v", err)
	}
	for _, s := range c.Supervisors {
		if !agents[s] {
			add("supervisor %q is not an agent", s)
		}
	}
	for _, t := range c.Templates {
		if err := t.Validate(); err != nil {
			add("%v", err)
		}
	}
	return problems
}

// routingConfig is how the router sees c: each touchpoint's routing mode
// from its Options, under the touchpoint's ID.
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
		r := c.Options[tp.ID].Routing
		r.ID = tp.ID
		rc.Policies = append(rc.Policies, r)
	}
	return rc
}

// withRouterError adds err, routing.New's refusal, to problems unless
// validate has listed it already (routing.Config.Problems lists what New
// refuses, in the same words).
func withRouterError(problems []string, err error) []string {
	if err == nil || slices.Contains(problems, err.Error()) {
		return problems
	}
	return append(problems, err.Error())
}

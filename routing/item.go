package routing

import (
	"fmt"
	"time"

	"github.com/parleyhq/parley/channel"
)

// Item is a routable conversation as the router sees it.
type Item struct {
	// ConversationID identifies the conversation (the Desk passes its
	// UUID as a string, so routing needs no conversation package).
	ConversationID string
	// Kind is the conversation's channel kind; it sets the weight.
	Kind channel.Kind
	// Touchpoint is the touchpoint the conversation lives on; its mode
	// decides how the item is routed. An unconfigured touchpoint is
	// simplified, the default mode.
	Touchpoint string
	// Queues are the queue labels the conversation carries; at least one.
	// The router keeps the slice without copying it, so do not modify it
	// after Enqueue.
	Queues []string
	// Priority orders the inbox: higher first.
	Priority int
	// Enqueued is when the conversation started waiting; it is kept when
	// the item is re-routed, so it keeps its queue age. Zero means the
	// time of Enqueue.
	Enqueued time.Time
	// PreviousAgent is the contact's last agent, for sticky routing, and
	// PreviousAt when the contact last spoke with that agent.
	PreviousAgent string
	PreviousAt    time.Time
	// KeepAgent asks for PreviousAgent first whatever the mode, as for a
	// reopened conversation whose policy keeps the agent; when that agent
	// is not available with room, the item is routed as usual rather than
	// left waiting.
	KeepAgent bool
	// WindowCloses is when the contact's WhatsApp window closes, for the
	// WindowClosingFirst inbox order; zero when there is none.
	WindowCloses time.Time
	// Dedicated is set by the router on items assigned by a dedicated-
	// agent touchpoint; it is ignored on input.
	Dedicated bool
}

func (it *Item) validate() error {
	if it.ConversationID == "" {
		return invalidf("item with empty conversation ID")
	}
	return checkQueues(it.ConversationID, it.Queues)
}

// CheckQueues refuses, with ErrInvalid, queues a conversation cannot be
// routed to: none, or a name that breaks rule 13. It is the check
// [Router.TransferToQueues] applies, for a caller to make before it writes
// anything.
func CheckQueues(queues []string) error { return checkQueues("", queues) }

// checkQueues is CheckQueues for conversationID's queues, which its error
// names when there is one.
func checkQueues(conversationID string, queues []string) error {
	who := func() string {
		if conversationID == "" {
			return "the transfer"
		}
		return fmt.Sprintf("conversation %q", conversationID)
	}
	if len(queues) == 0 {
		return invalidf("%s has no queue", who())
	}
	for _, q := range queues {
		if q == "" {
			return invalidf("%s has an empty queue name", who())
		}
		if p := nameProblem(q); p != "" {
			return invalidf("%s: queue name %q %s", who(), q, p)
		}
	}
	return nil
}

// Outcome says what a routing decision did. It encodes as text
// ("assigned"), so a host's JSON reads well.
type Outcome uint8

// The outcomes of a decision. NotRouted is the zero value, so a zero
// [Decision] or [Placement] says that nothing was routed.
const (
	// NotRouted: nothing was routed, as for a message to a conversation
	// the router already holds or one that is not waiting for an agent.
	// Its text is "not_routed".
	NotRouted Outcome = iota
	// Queued: the item is in its queues' inbox, for an agent to assign to
	// self (simplified mode, or sent back to the inbox).
	Queued
	// Waiting: automatic or dedicated routing found no eligible agent
	// with room; the item waits in order and is dispatched when capacity
	// frees or an agent becomes available. The host may tell the contact
	// once that all agents are busy.
	Waiting
	// Assigned: the item is assigned to AgentID.
	Assigned
	// Offered: the item is offered to AgentID until Deadline; its weight is
	// held meanwhile.
	Offered
	// Released: the item left the router (released, or its agent removed
	// and nothing could take it back).
	Released
)

var outcomeNames = [...]string{
	NotRouted: "not_routed",
	Queued:    "queued",
	Waiting:   "waiting",
	Assigned:  "assigned",
	Offered:   "offered",
	Released:  "released",
}

// String returns the outcome's lower-case name ("not_routed", "queued"),
// or "outcome(N)" for an unknown value.
func (o Outcome) String() string {
	if int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return fmt.Sprintf("outcome(%d)", uint8(o))
}

// ParseOutcome returns the outcome named s, as [Outcome.String] spells it.
// Any other text is refused with an error matching [ErrInvalid].
func ParseOutcome(s string) (Outcome, error) {
	return parseName[Outcome]("outcome", outcomeNames[:], s)
}

// MarshalText encodes the outcome by name; an unknown value is an error
// matching [ErrInvalid].
func (o Outcome) MarshalText() ([]byte, error) { return marshalName("outcome", outcomeNames[:], o) }

// UnmarshalText decodes an outcome name, as [ParseOutcome] reads it.
func (o *Outcome) UnmarshalText(b []byte) error {
	return unmarshalName(o, "outcome", outcomeNames[:], b)
}

// Decision is what the router did with one conversation.
type Decision struct {
	ConversationID string
	Outcome        Outcome
	// AgentID is the assignee or the agent offered to.
	AgentID string
	// Weight is the points charged (held, for an offer).
	Weight int
	// Dedicated marks an assignment by a dedicated-agent touchpoint.
	Dedicated bool
	// Automatic marks a choice the router made (strategy, sticky, kept
	// agent, dedicated), as opposed to an agent's own Assign or Transfer.
	Automatic bool
	// Deadline is when an offer expires.
	Deadline time.Time
	// Declined, when set, is the agent whose offer of the conversation
	// ended unaccepted just before this decision: rejected, or let run
	// out when Expired.
	Declined string
	Expired  bool
	// Trace explains an automatic choice; nil unless Config.Trace is set.
	Trace *Trace
}

// Trace explains an automatic decision: who could have taken the item, who
// was passed over and why, and why the winner won.
type Trace struct {
	// Strategy names the ranking used ("least loaded", "dedicated", ...).
	Strategy string
	// Eligible lists the agents that could have taken the item.
	Eligible []string
	// Skipped lists the agents of the item's queues that could not, and why.
	Skipped []Skip
	// Winner is the chosen agent; empty when the item waits.
	Winner string
	// Why says why the winner won.
	Why string
}

// Skip is one agent passed over, and why.
type Skip struct {
	AgentID string
	Reason  string
}

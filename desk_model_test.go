package parley_test

import (
	"fmt"
	"time"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
)

// The reference model: a deliberately simple, single-threaded description
// of what the Desk must be seen to do (DESIGN.md §3.2, §3.3, §3.5, §3.6,
// §7). It knows nothing of stores, locks or the router's trees; each
// method predicts the outcome of one Desk call and applies it to the
// model's state. The driver (desk_model_driver_test.go) runs the same call
// on a real Desk and compares.

// outcome is how a Desk call ended, as the model predicts it.
type outcome uint8

const (
	// done: no error.
	done outcome = iota
	// refused: an error, and the refused or failed message is stored as
	// failed with its reason (DESIGN.md §7: nothing silently dropped).
	refused
	// rejected: an error, and nothing is stored or sent.
	rejected
	// returned: an error, and the refused message is returned failed with
	// its reason but not stored: the conversation is not the agent's to
	// see (routing.ErrNotVisible), so not the agent's to write into.
	returned
)

var outcomeNames = [...]string{"done", "refused", "rejected", "returned"}

func (o outcome) String() string { return outcomeNames[o] }

// window is the WhatsApp customer-service window (DESIGN.md §3.2).
const window = 24 * time.Hour

// modelMsg is one stored message.
type modelMsg struct {
	dir    conversation.Direction
	text   string
	status conversation.DeliveryStatus
	pid    string // provider ID: the inbound webhook's, or the transport's answer
	conv   *modelConv
}

// modelConv is one conversation.
type modelConv struct {
	id          conversation.ID // the real Desk's, bound after creation
	tp          string
	kind        channel.Kind
	contact     channel.Address
	status      conversation.Status
	assignee    string
	charged     int // weight charged to assignee while Assigned (§3.5)
	lastInbound time.Time
	msgs        []*modelMsg
}

// slot is (touchpoint, contact): at most one open conversation (§3.6).
type slot struct {
	tp      string
	contact channel.Address
}

// sent is one message handed to the transport and accepted.
type sent struct {
	to   channel.Address
	text string
}

// model is the Desk's observable state.
type model struct {
	now       time.Time
	convs     map[conversation.ID]*modelConv
	last      map[slot]*modelConv // the newest conversation of each slot
	pids      map[string]*modelMsg
	capacity  map[string]int
	loads     map[string]int
	presence  map[string]routing.Presence
	weights   map[channel.Kind]int
	optedOut  map[channel.Address]bool // the one SMS scope
	sent      []sent
	sendFault error // the next transport send fails with it
	events    []string
	// pending holds the conversation a Receive started, until the driver
	// binds the real Desk's ID to it.
	pending *modelConv
}

func newModel(now time.Time, capacity map[string]int) *model {
	m := &model{
		now: now, convs: map[conversation.ID]*modelConv{}, last: map[slot]*modelConv{},
		pids: map[string]*modelMsg{}, capacity: capacity, loads: map[string]int{}, presence: map[string]routing.Presence{},
		weights:  map[channel.Kind]int{channel.WhatsApp: 20, channel.SMS: 5, channel.WebChat: 30},
		optedOut: map[channel.Address]bool{},
	}
	for a := range capacity {
		m.presence[a] = routing.Available
	}
	return m
}

func pidKey(tp, pid string) string { return tp + "\x00" + pid }

// load is what agent holds: the weights charged at assignment.
func (m *model) load(agent string) int { return m.loads[agent] }

// hold makes c Assigned to agent, charged today's weight of its kind.
func (m *model) hold(c *modelConv, agent string) {
	m.unhold(c)
	c.status, c.assignee, c.charged = conversation.Assigned, agent, m.weights[c.kind]
	m.loads[agent] += c.charged
}

// unhold releases exactly what c's agent was charged (§3.5).
func (m *model) unhold(c *modelConv) {
	if c.status == conversation.Assigned {
		m.loads[c.assignee] -= c.charged
	}
	c.charged = 0
}

// fits reports whether agent may take w more points (§3.5).
func (m *model) fits(agent string, w int) bool { return m.load(agent)+w <= m.capacity[agent] }

func (m *model) emit(names ...string) { m.events = append(m.events, names...) }

// receiveResult is what the model predicts of one Receive.
type receiveResult struct {
	dup, started bool
	conv         *modelConv
}

// receive applies one inbound message (§3.3, §3.5, §3.6).
func (m *model) receive(tp string, kind channel.Kind, from channel.Address, pid, text string, at time.Time) receiveResult {
	if _, ok := m.pids[pidKey(tp, pid)]; ok {
		return receiveResult{dup: true} // a provider retry stores and sends nothing
	}
	s := slot{tp, from}
	c := m.last[s]
	var res receiveResult
	if c == nil || !c.status.Open() {
		prev := c
		c = &modelConv{tp: tp, kind: kind, contact: from, status: conversation.Queued}
		m.last[s] = c
		m.pending = c
		res.started = true
		m.emit("conversation.started")
		defer func() {
			// KeepAgent (the default reopen policy): the previous agent
			// takes the follow-up if available with room, else the inbox.
			if prev != nil && prev.assignee != "" && m.presence[prev.assignee] == routing.Available && m.fits(prev.assignee, m.weights[kind]) {
				m.hold(c, prev.assignee)
				m.emit("conversation.assigned")
			}
		}()
	}
	res.conv = c
	msg := &modelMsg{dir: conversation.Inbound, text: text, pid: pid, conv: c}
	c.msgs = append(c.msgs, msg)
	m.pids[pidKey(tp, pid)] = msg
	if at.After(c.lastInbound) {
		c.lastInbound = at
	}
	m.emit("message.received")
	if kind == channel.SMS {
		m.keyword(c, text)
	}
	return res
}

// The keyword replies: optout's English defaults.
const (
	replyStop  = "You have been unsubscribed and will receive no more messages from us. Reply START to subscribe again."
	replyStart = "You have been subscribed again. Reply HELP for help or STOP to unsubscribe."
	replyHelp  = "This is an automated message service. Reply STOP to unsubscribe or START to subscribe again."
)

// keyword applies an SMS keyword and its reply (§3.3): STOP's confirmation
// is the one message an opted-out contact gets.
func (m *model) keyword(c *modelConv, text string) {
	switch text {
	case "STOP", "stop.", "Stop":
		if !m.optedOut[c.contact] {
			m.emit("contact.opted_out")
		}
		m.optedOut[c.contact] = true
		m.deliver(c, replyStop, false, true)
	case "START":
		if m.optedOut[c.contact] {
			m.emit("contact.opted_in")
		}
		m.optedOut[c.contact] = false
		m.deliver(c, replyStart, false, false)
	case "HELP":
		m.deliver(c, replyHelp, false, false)
	}
}

// allowed is the Desk's check before sending: an open conversation, the
// SMS opt-out (but the STOP confirmation), the WhatsApp window for
// free-form messages.
func (m *model) allowed(c *modelConv, isTemplate, confirmation bool) bool {
	switch {
	case !c.status.Open():
		return false
	case c.kind == channel.SMS && m.optedOut[c.contact] && !confirmation:
		return false
	case c.kind == channel.WhatsApp && !isTemplate && !m.now.Before(c.lastInbound.Add(window)):
		return false
	}
	return true
}

// deliver records an outbound message and sends it, or records it failed.
func (m *model) deliver(c *modelConv, text string, isTemplate, confirmation bool) outcome {
	if !m.allowed(c, isTemplate, confirmation) {
		return m.refuse(c, text)
	}
	msg := &modelMsg{dir: conversation.Outbound, text: text, conv: c}
	c.msgs = append(c.msgs, msg)
	if m.sendFault != nil {
		m.sendFault = nil
		msg.status = conversation.DeliveryFailed
		m.emit("message.failed")
		return refused
	}
	m.sent = append(m.sent, sent{to: c.contact, text: text})
	msg.status = conversation.DeliverySent
	msg.pid = fmt.Sprintf("fake-%d", len(m.sent))
	m.pids[pidKey(c.tp, msg.pid)] = msg
	m.emit("message.sent")
	return done
}

// refuse records a refused outbound message as failed (§7: never
// silently dropped).
func (m *model) refuse(c *modelConv, text string) outcome {
	c.msgs = append(c.msgs, &modelMsg{dir: conversation.Outbound, text: text, conv: c, status: conversation.DeliveryFailed})
	m.emit("message.failed")
	return refused
}

// send is an agent's reply, snippet or template (§3.2, §3.5, §3.6, §7): an
// agent may answer what it may see (else the refused message is returned,
// not stored); answering the inbox assigns first, within capacity, but
// only once the message passed the rules; a reply the agent has no room
// (or is offline) to take on is refused and recorded.
func (m *model) send(agent string, c *modelConv, text string, isTemplate bool) outcome {
	if c.assignee != "" && c.assignee != agent {
		return returned // not visible: someone else's conversation
	}
	if c.status == conversation.Queued {
		if !m.allowed(c, isTemplate, false) {
			return m.refuse(c, text)
		}
		if m.presence[agent] == routing.Offline || !m.fits(agent, m.weights[c.kind]) {
			return m.refuse(c, text)
		}
		m.hold(c, agent)
		m.emit("conversation.assigned")
	}
	return m.deliver(c, text, isTemplate, false)
}

// assign takes a conversation from the inbox (§3.5).
func (m *model) assign(c *modelConv, agent string) outcome {
	if c.status != conversation.Queued || m.presence[agent] == routing.Offline || !m.fits(agent, m.weights[c.kind]) {
		return rejected
	}
	m.hold(c, agent)
	m.emit("conversation.assigned")
	return done
}

// transfer moves an assigned conversation, charging the new agent today's
// weight and releasing exactly what the old one was charged (§3.5).
func (m *model) transfer(c *modelConv, agent string) outcome {
	if c.status != conversation.Assigned || c.assignee == agent || m.presence[agent] == routing.Offline || !m.fits(agent, m.weights[c.kind]) {
		return rejected
	}
	m.hold(c, agent)
	m.emit("conversation.transferred")
	return done
}

// toInbox, end and close release the weight (§3.5, §3.6).
func (m *model) toInbox(c *modelConv) outcome {
	if c.status != conversation.Assigned {
		return rejected
	}
	m.unhold(c)
	c.status, c.assignee = conversation.Queued, ""
	m.emit("conversation.sent_to_inbox")
	return done
}

func (m *model) end(c *modelConv) outcome {
	if c.status != conversation.Assigned {
		return rejected
	}
	m.unhold(c)
	c.status = conversation.WrapUp
	m.emit("conversation.ended")
	return done
}

func (m *model) close(c *modelConv) outcome {
	if c.status == conversation.Closed {
		return rejected
	}
	m.unhold(c)
	c.status = conversation.Closed
	m.emit("conversation.closed")
	return done
}

// callback applies a provider's delivery report (§3.6): forward only;
// failed is terminal and taken only before delivery.
func (m *model) callback(tp, pid string, to conversation.DeliveryStatus) bool {
	msg := m.pids[pidKey(tp, pid)]
	switch {
	case msg.status == conversation.DeliveryFailed:
		return false // terminal
	case to == conversation.DeliveryFailed && msg.status >= conversation.DeliveryDelivered:
		return false // a late failure after delivery
	case to != conversation.DeliveryFailed && to <= msg.status:
		return false // late or duplicate
	}
	msg.status = to
	if to == conversation.DeliveryFailed {
		m.emit("message.failed")
	} else {
		m.emit("message.status_changed")
	}
	return true
}

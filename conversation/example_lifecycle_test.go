package conversation_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
)

// A conversation from hand-off to close: each step returns the event the
// desk publishes once the store accepted the change.
func Example_lifecycle() {
	now := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	ids := conversation.SequentialIDs(now) // deterministic IDs for the example

	c, started, _ := conversation.Start(conversation.Params{
		ID: ids(), Touchpoint: "wa-main", Channel: channel.WhatsApp, Direction: conversation.Inbound,
		Contact: conversation.Contact{ID: "ana", Name: "Ana"}, Queues: []string{"sales"}, Bot: true,
	}, now)
	fmt.Println(started.Name(), c.Status)

	handedOff, _ := c.HandOff(nil, now.Add(time.Minute))
	fmt.Println(handedOff.Name(), c.Status)

	assigned, _ := c.Assign("agent-1", conversation.AssignManual, now.Add(2*time.Minute))
	fmt.Println(assigned.Name(), c.Status, c.AssigneeID, "bot paused:", c.BotPaused)

	transferred, _ := c.Transfer("agent-2", conversation.AssignManual, now.Add(3*time.Minute))
	fmt.Println(transferred.Name(), transferred.FromAgentID, "->", transferred.ToAgentID)

	ended, _ := c.End(now.Add(4 * time.Minute))
	fmt.Println(ended.Name(), c.Status)

	closed, _ := c.Close(conversation.Closing{Note: "order found", Disposition: "resolved"}, now.Add(5*time.Minute))
	fmt.Println(closed.Name(), c.Status, closed.Disposition)

	// Closed is final: the contact's next message starts a follow-up.
	_, err := c.Assign("agent-1", conversation.AssignManual, now.Add(6*time.Minute))
	fmt.Println(err, errors.Is(err, conversation.ErrInvalidTransition))
	// Output:
	// conversation.started bot
	// conversation.handed_off queued
	// conversation.assigned assigned agent-1 bot paused: true
	// conversation.transferred agent-1 -> agent-2
	// conversation.ended wrap_up
	// conversation.closed closed resolved
	// conversation: cannot move from closed to assigned true
}

// After a conversation ended, the contact's next message opens a follow-up
// linked to it; the default policy keeps the contact's agent.
func ExampleConversation_FollowUp() {
	now := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	ids := conversation.SequentialIDs(now)
	prev, _, _ := conversation.Start(conversation.Params{
		ID: ids(), Touchpoint: "sms-us", Channel: channel.SMS, Direction: conversation.Inbound,
		Contact: conversation.Contact{ID: "bob"}, Queues: []string{"support"},
	}, now)
	_, _ = prev.Assign("agent-7", conversation.AssignAuto, now)
	_, _ = prev.End(now.Add(time.Hour))

	p, _ := prev.FollowUp(ids())
	next, _, _ := conversation.Start(p, now.Add(2*time.Hour))
	fmt.Println(next.Status, next.Previous == prev.ID)

	var policy conversation.ReopenPolicy // zero value: KeepAgent
	if agent := policy.Agent(prev); agent != "" {
		_, _ = next.Assign(agent, conversation.AssignAuto, now.Add(2*time.Hour))
	}
	fmt.Println(next.Status, next.AssigneeID)
	// Output:
	// queued true
	// assigned agent-7
}

// Delivery status only moves forward; late callbacks are ignored.
func ExampleDelivery_Advance() {
	at := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	d := conversation.Delivery{Status: conversation.DeliveryPending}
	fmt.Println(d.Advance(conversation.DeliverySent, "", at), d.Status)
	fmt.Println(d.Advance(conversation.DeliveryRead, "", at), d.Status)
	fmt.Println(d.Advance(conversation.DeliveryDelivered, "", at), d.Status) // late
	// Output:
	// true sent
	// true read
	// false read
}

func ExampleMentions() {
	fmt.Println(conversation.Mentions("VIP — @ana please call; cc @bob.smith (not ana@example.com)"))
	// Output: [ana bob.smith]
}

package routing_test

import (
	"context"
	"fmt"
	"time"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/routing"
)

// Simplified mode: the conversation waits in its queue's inbox until an
// agent of that queue takes it.
func ExampleRouter_simplified() {
	ctx, now := context.Background(), time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	r, _ := routing.New(routing.Config{
		Agents:   []routing.Agent{{ID: "ana", Queues: []string{"support"}}, {ID: "bo", Queues: []string{"sales"}}},
		Policies: []routing.Policy{{ID: "whatsapp-main", Mode: routing.Simplified}},
	})
	d, _ := r.Enqueue(ctx, routing.Item{ConversationID: "c1", Kind: channel.WhatsApp, Touchpoint: "whatsapp-main", Queues: []string{"support"}}, now)
	fmt.Println(d.Outcome)

	fmt.Println(r.Assign(ctx, "c1", "bo", now))
	fmt.Println(r.Assign(ctx, "c1", "ana", now))
	load, _ := r.Load("ana")
	fmt.Println("ana's load:", load)
	// Output:
	// queued
	// routing: not visible: agent "bo" may not see conversation "c1" (queues [support])
	// <nil>
	// ana's load: 20
}

// Dedicated mode: one agent owns the touchpoint and gets its conversations.
func ExampleRouter_dedicated() {
	ctx, now := context.Background(), time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	r, _ := routing.New(routing.Config{
		Agents:   []routing.Agent{{ID: "ana", Queues: []string{"vip"}}},
		Policies: []routing.Policy{{ID: "vip-line", Mode: routing.Dedicated, Agent: "ana"}},
	})
	d, _ := r.Enqueue(ctx, routing.Item{ConversationID: "c1", Kind: channel.SMS, Touchpoint: "vip-line", Queues: []string{"vip"}}, now)
	fmt.Println(d.Outcome, d.AgentID, "dedicated:", d.Dedicated, "weight:", d.Weight)
	// Output:
	// assigned ana dedicated: true weight: 5
}

// Automatic mode: the router offers to the least loaded agent; a rejected
// offer goes to the next one, never back.
func ExampleRouter_automatic() {
	ctx, now := context.Background(), time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	r, _ := routing.New(routing.Config{
		Agents:   []routing.Agent{{ID: "ana", Queues: []string{"support"}}, {ID: "bo", Queues: []string{"support"}}},
		Policies: []routing.Policy{{ID: "chat", Mode: routing.Automatic, Strategy: routing.LeastLoaded{}, Offer: true}},
		Trace:    true,
	})
	d, _ := r.Enqueue(ctx, routing.Item{ConversationID: "c1", Kind: channel.WebChat, Touchpoint: "chat", Queues: []string{"support"}}, now)
	fmt.Println(d.Outcome, d.AgentID, "until", d.Deadline.Format(time.TimeOnly))
	fmt.Println("why:", d.Trace.Why)

	next, _ := r.Reject(ctx, "c1", "ana", now.Add(10*time.Second))
	fmt.Println(next[0].Outcome, next[0].AgentID)
	fmt.Println(r.Accept("c1", "bo", now.Add(20*time.Second)))
	// Output:
	// offered ana until 09:02:00
	// why: ranked first by least loaded among those with room (load 0/100 before this one)
	// offered bo
	// <nil>
}

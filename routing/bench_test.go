package routing_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/routing"
)

// steadyRouter is the steady state the decision goal is set for: n
// agents in 50 queues
// (each agent in one), automatic least-loaded routing, everyone partly
// loaded so ranks move on every decision.
func steadyRouter(b *testing.B, n int) (*routing.Router, []routing.Item) {
	agents := make([]routing.Agent, n)
	for i := range agents {
		agents[i] = routing.Agent{ID: fmt.Sprintf("agent-%06d", i), Queues: []string{fmt.Sprintf("queue-%02d", i%50)}}
	}
	r, err := routing.New(routing.Config{Agents: agents, Policies: []routing.Policy{{ID: "tp", Mode: routing.Automatic}}})
	if err != nil {
		b.Fatal(err)
	}
	// Twice as many conversations as agents; half are held, one per agent
	// on average, so loads differ and nobody waits.
	items := make([]routing.Item, 2*n)
	kinds := []channel.Kind{channel.WhatsApp, channel.SMS, channel.WebChat, channel.Email}
	for i := range items {
		items[i] = routing.Item{ConversationID: fmt.Sprintf("conv-%06d", i), Kind: kinds[i%len(kinds)], Touchpoint: "tp", Queues: []string{fmt.Sprintf("queue-%02d", i%50)}}
	}
	for i := range len(items) / 2 {
		if _, err := r.Enqueue(ctx, items[i], t0); err != nil {
			b.Fatal(err)
		}
	}
	return r, items
}

// BenchmarkDecision measures one automatic assignment plus one release,
// in the steady state, from 100 to 100 000 agents.
func BenchmarkDecision(b *testing.B) {
	for _, n := range []int{100, 1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("agents=%d", n), func(b *testing.B) {
			r, items := steadyRouter(b, n)
			half := len(items) / 2
			now := t0
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				now = now.Add(time.Millisecond)
				in := items[half+i%half]
				out := items[i%half]
				if _, err := r.Enqueue(ctx, in, now); err != nil {
					b.Fatal(err)
				}
				if _, err := r.Release(ctx, out.ConversationID, now); err != nil {
					b.Fatal(err)
				}
				items[half+i%half], items[i%half] = out, in
			}
		})
	}
}

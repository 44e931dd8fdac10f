package routing_test

import (
	"fmt"
	"testing"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/routing"
)

// BenchmarkAddAgent adds, then removes, an agent in every one of the
// router's queues, from 1 000 to 100 000 of them. Each queue already has
// a resident agent ranked by least load, so the newcomer is ranked in a
// tree per queue: the cost should grow in proportion to the agent's own
// queue count (O(q log n)), not with its square.
func BenchmarkAddAgent(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("queues=%d", n), func(b *testing.B) {
			if n > 10_000 && testing.Short() {
				// Its setup charges one agent in every queue n times, each
				// charge moving the agent in all n trees: minutes at 100 000.
				b.Skip("-short: the setup of 100 000 queues takes minutes")
			}
			queues := make([]string, n)
			for i := range queues {
				queues[i] = fmt.Sprintf("queue-%06d", i)
			}
			r, err := routing.New(routing.Config{
				Agents:   []routing.Agent{{ID: "resident", Queues: queues}},
				Policies: []routing.Policy{{ID: "tp", Mode: routing.Automatic}},
			})
			if err != nil {
				b.Fatal(err)
			}
			// One automatic conversation per queue builds its tree.
			for i, q := range queues {
				id := fmt.Sprintf("conv-%06d", i)
				if _, err := r.Enqueue(ctx, routing.Item{ConversationID: id, Kind: channel.SMS, Touchpoint: "tp", Queues: []string{q}}, t0); err != nil {
					b.Fatal(err)
				}
				if _, err := r.Release(ctx, id, t0); err != nil {
					b.Fatal(err)
				}
			}
			newcomer := routing.Agent{ID: "newcomer", Queues: queues}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.AddAgent(ctx, newcomer, t0); err != nil {
					b.Fatal(err)
				}
				if _, err := r.RemoveAgent(ctx, newcomer.ID, t0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

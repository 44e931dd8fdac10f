package memory_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/memory"
)

// The scale benchmarks run the store queries a desk makes, over a store
// holding a real desk's history: n closed conversations of n contacts and
// a few open ones. Their cost should not grow with n (goal: ≤ 2× from
// 10 000 to 1 000 000).
var scaleSizes = []int{10_000, 100_000, 1_000_000}

// scaleQueued is how many conversations wait in the "sales" queue.
const scaleQueued = 20

var scaleStores = struct {
	sync.Mutex
	m map[int]*memory.ConversationStore
}{m: map[int]*memory.ConversationStore{}}

// scaleNumber is contact i's phone number.
func scaleNumber(i int) string { return fmt.Sprintf("+1415%07d", i) }

// scaleStore returns a store with n closed conversations, one per contact,
// and scaleQueued queued ones, built once per size.
func scaleStore(b *testing.B, n int) *memory.ConversationStore {
	b.Helper()
	scaleStores.Lock()
	defer scaleStores.Unlock()
	if s, ok := scaleStores.m[n]; ok {
		return s
	}
	ctx := context.Background()
	ids := conversation.SequentialIDs(t0)
	s := memory.NewConversationStore()
	names := []string{"Ana Lima", "Bruno Costa", "Carla Dias", "Davi Rocha", "Eva Melo"}
	for i := range n + scaleQueued {
		addr := channel.Address{Kind: channel.WhatsApp, ID: scaleNumber(i)}
		at := t0.Add(time.Duration(i) * time.Second)
		c := &conversation.Conversation{
			ID: ids(), Touchpoint: "wa", Channel: channel.WhatsApp, Direction: conversation.Inbound,
			Status:  conversation.Closed,
			Contact: conversation.Contact{ID: addr.String(), Name: names[i%len(names)], Addresses: []channel.Address{addr}},
			Queues:  []string{"sales"}, AssigneeID: "agent-1",
			CreatedAt: at, UpdatedAt: at, ClosedAt: at,
		}
		if i >= n {
			c.Status, c.AssigneeID, c.ClosedAt = conversation.Queued, "", time.Time{}
		}
		if err := s.Create(ctx, c); err != nil {
			b.Fatal(err)
		}
	}
	scaleStores.m[n] = s
	return s
}

// benchScale runs query q, made for the i-th op, at every size.
func benchScale(b *testing.B, q func(i, n int) conversation.Query, want func(p conversation.Page) bool) {
	for _, n := range scaleSizes {
		b.Run(fmt.Sprintf("stored=%d", n), func(b *testing.B) {
			if testing.Short() && n > 10_000 {
				b.Skip("short: 10 000 conversations only")
			}
			s := scaleStore(b, n)
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				p, err := s.Search(ctx, q(i, n))
				if err != nil || !want(p) {
					b.Fatal(err, len(p.Conversations))
				}
			}
		})
	}
}

// BenchmarkSearchLastOfContact is the query Desk.Start and Desk.Receive make
// before starting a conversation: the contact's last ended one on the
// touchpoint.
func BenchmarkSearchLastOfContact(b *testing.B) {
	benchScale(b, func(i, n int) conversation.Query {
		return conversation.Query{
			Viewer:      conversation.Viewer{Supervisor: true},
			ContactID:   channel.Address{Kind: channel.WhatsApp, ID: scaleNumber(i * 7919 % n)}.String(),
			Touchpoints: []string{"wa"}, Statuses: []conversation.Status{conversation.WrapUp, conversation.Closed},
			Sort: conversation.Newest, Limit: 1,
		}
	}, func(p conversation.Page) bool { return len(p.Conversations) == 1 })
}

// BenchmarkSearchInboxQueued is the query Desk.Inbox makes: the queued
// conversations of an agent's queues, oldest first.
func BenchmarkSearchInboxQueued(b *testing.B) {
	benchScale(b, func(i, n int) conversation.Query {
		return conversation.Query{
			Viewer:   conversation.Viewer{AgentID: "agent-2", Queues: []string{"sales"}},
			Statuses: []conversation.Status{conversation.Queued}, Queues: []string{"sales"},
			Sort: conversation.Oldest, Limit: conversation.MaxLimit,
		}
	}, func(p conversation.Page) bool { return len(p.Conversations) == scaleQueued })
}

// BenchmarkSearchText is an agent's search box: a supervisor looking a
// contact up by the last digits of their number.
func BenchmarkSearchText(b *testing.B) {
	benchScale(b, func(i, n int) conversation.Query {
		num := scaleNumber(i * 7919 % n)
		return conversation.Query{Viewer: conversation.Viewer{Supervisor: true}, Text: num[len(num)-7:]}
	}, func(p conversation.Page) bool { return len(p.Conversations) >= 1 })
}

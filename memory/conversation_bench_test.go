package memory_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/memory"
)

func benchStore(b *testing.B, n int) (*memory.ConversationStore, []conversation.ID, func() conversation.ID) {
	b.Helper()
	ctx := context.Background()
	ids := conversation.SequentialIDs(t0)
	s := memory.NewConversationStore()
	convIDs := make([]conversation.ID, n)
	for i := range convIDs {
		c, _, err := conversation.Start(conversation.Params{
			ID: ids(), Touchpoint: "tp", Channel: channel.WhatsApp, Direction: conversation.Inbound,
			Contact: conversation.Contact{ID: "c" + strconv.Itoa(i), Name: "Ana"}, Queues: []string{"sales"},
		}, t0)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Create(ctx, c); err != nil {
			b.Fatal(err)
		}
		convIDs[i] = c.ID
	}
	return s, convIDs, ids
}

// BenchmarkAppendMessage is the store half of Desk.Receive: a new inbound
// message with a provider ID (idempotency check, insert, two index entries).
func BenchmarkAppendMessage(b *testing.B) {
	s, convIDs, ids := benchStore(b, 1000)
	ctx := context.Background()
	msgs := make([]conversation.Message, b.N)
	for i := range msgs {
		msgs[i] = conversation.Message{
			ID: ids(), ConversationID: convIDs[i%len(convIDs)], Direction: conversation.Inbound,
			Author: conversation.Author{Kind: conversation.AuthorContact}, Text: "hello",
			ProviderID: "wamid." + strconv.Itoa(i), CreatedAt: t0,
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range msgs {
		if _, created, err := s.AppendMessage(ctx, &msgs[i]); err != nil || !created {
			b.Fatal(err, created)
		}
	}
}

// BenchmarkAppendDuplicate is a provider retrying a webhook.
func BenchmarkAppendDuplicate(b *testing.B) {
	s, convIDs, ids := benchStore(b, 1)
	ctx := context.Background()
	m := &conversation.Message{
		ID: ids(), ConversationID: convIDs[0], Direction: conversation.Inbound,
		Author: conversation.Author{Kind: conversation.AuthorContact}, Text: "hello", ProviderID: "wamid.1", CreatedAt: t0,
	}
	if _, _, err := s.AppendMessage(ctx, m); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, created, err := s.AppendMessage(ctx, m); err != nil || created {
			b.Fatal(err, created)
		}
	}
}

// BenchmarkGetUpdate is one read-modify-write of a conversation.
func BenchmarkGetUpdate(b *testing.B) {
	s, convIDs, _ := benchStore(b, 1000)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c, err := s.Get(ctx, convIDs[i%len(convIDs)])
		if err != nil {
			b.Fatal(err)
		}
		c.Unread++
		if err := s.Update(ctx, c); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkUpdateDelivery is a provider's status callback found by provider ID.
func BenchmarkUpdateDelivery(b *testing.B) {
	s, convIDs, ids := benchStore(b, 1)
	ctx := context.Background()
	m := &conversation.Message{
		ID: ids(), ConversationID: convIDs[0], Direction: conversation.Outbound,
		Author: conversation.Author{Kind: conversation.AuthorAgent, ID: "a"}, Text: "hi", ProviderID: "SM1",
		Delivery: conversation.Delivery{Status: conversation.DeliverySent}, CreatedAt: t0,
	}
	if _, _, err := s.AppendMessage(ctx, m); err != nil {
		b.Fatal(err)
	}
	u := conversation.DeliveryUpdate{Touchpoint: "tp", ProviderID: "SM1", Status: conversation.DeliveryDelivered, At: t0}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := s.UpdateDelivery(ctx, u); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMessageByProvider is the Desk's deduplication check before it
// routes a webhook: a store of 10 000 messages, each looked
// up by its (touchpoint, sender, provider ID).
func BenchmarkMessageByProvider(b *testing.B) {
	s, convIDs, ids := benchStore(b, 1000)
	ctx := context.Background()
	const n = 10_000
	pids, senders := make([]string, n), make([]string, n)
	for i := range pids {
		pids[i], senders[i] = "wamid."+strconv.Itoa(i), "c"+strconv.Itoa(i%len(convIDs))
		m := &conversation.Message{
			ID: ids(), ConversationID: convIDs[i%len(convIDs)], Direction: conversation.Inbound,
			Author: conversation.Author{Kind: conversation.AuthorContact}, Text: "hello", ProviderID: pids[i], CreatedAt: t0,
		}
		if _, _, err := s.AppendMessage(ctx, m); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := s.MessageByProvider(ctx, "tp", senders[i%n], pids[i%n]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkSearchInbox is an agent's first inbox page over 10 000
// conversations, half of them in the agent's queue.
func BenchmarkSearchInbox(b *testing.B) {
	s, _, _ := benchStore(b, 10_000)
	ctx := context.Background()
	q := conversation.Query{Viewer: conversation.Viewer{AgentID: "a", Queues: []string{"sales"}}, Limit: 50}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Search(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
}

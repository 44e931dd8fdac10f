package memory_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/memory"
)

var t0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

const footprintText = "hello, where is it?!" // 20 bytes

// footprint fills a store with n conversations, then one inbound message in
// each, and returns the heap bytes per conversation and per message beyond
// its text. Everything a real webhook brings is counted (contact ID, name,
// address, provider ID), because the store keeps it alive.
func footprint(n int) (perConv, perMsg float64) {
	ctx := context.Background()
	ids := conversation.SequentialIDs(t0)
	addr := channel.Address{Kind: channel.WhatsApp, ID: "+14155550100"}
	convIDs := make([]conversation.ID, n)
	start := heapAlloc()
	s := memory.NewConversationStore()
	for i := range convIDs {
		c, _, err := conversation.Start(conversation.Params{
			ID: ids(), Touchpoint: "tp-whatsapp", Channel: channel.WhatsApp, Direction: conversation.Inbound,
			Contact: conversation.Contact{ID: fmt.Sprintf("contact-%07d", i), Name: "Ana Lima", Addresses: []channel.Address{addr}},
			Queues:  []string{"sales"},
		}, t0.Add(time.Duration(i)*time.Second))
		if err != nil {
			panic(err)
		}
		if err := s.Create(ctx, c); err != nil {
			panic(err)
		}
		convIDs[i] = c.ID
	}
	afterConvs := heapAlloc()
	for i, cid := range convIDs {
		m := &conversation.Message{
			ID: ids(), ConversationID: cid, Direction: conversation.Inbound,
			Author:     conversation.Author{Kind: conversation.AuthorContact},
			Text:       string([]byte(footprintText)), // a fresh copy, as a decoded webhook brings
			ProviderID: fmt.Sprintf("wamid.%014d", i),
			CreatedAt:  t0,
		}
		if _, _, err := s.AppendMessage(ctx, m); err != nil {
			panic(err)
		}
	}
	afterMsgs := heapAlloc()
	runtime.KeepAlive(s)
	perConv = float64(afterConvs-start) / float64(n)
	perMsg = float64(afterMsgs-afterConvs)/float64(n) - float64(len(footprintText))
	return perConv, perMsg
}

// TestConversationStoreFootprint checks the store's footprint goal: at most
// 1 KiB per conversation and 256 B per message beyond its text, over
// 100 000 of each.
// It measures memory, not time, so it is not affected by machine noise.
func TestConversationStoreFootprint(t *testing.T) {
	if testing.Short() {
		t.Skip("fills a store with 100 000 conversations")
	}
	perConv, perMsg := footprint(100_000)
	t.Logf("%.0f B per conversation, %.0f B per message beyond its text", perConv, perMsg)
	if perConv > 1024 {
		t.Errorf("%.0f B per conversation, goal ≤ 1024", perConv)
	}
	if perMsg > 256 {
		t.Errorf("%.0f B per message beyond its text, goal ≤ 256", perMsg)
	}
}

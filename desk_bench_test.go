package parley_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/parleytest"
	"github.com/parleyhq/parley/routing"
)

// BenchmarkReceive measures Desk.Receive with the memory stores: one new
// inbound message per op, spread over 1 000 open WhatsApp conversations
// (DESIGN.md §6: ≤ 2 µs and ≤ 12 allocs per inbound message).
func BenchmarkReceive(b *testing.B) {
	d, err := parley.New(parley.Config{
		Transport:   parleytest.NewTransport(),
		Touchpoints: []channel.Touchpoint{{ID: "wa", Kind: channel.WhatsApp, Address: "+14155550000", Queues: []string{"support"}}},
		Agents:      []routing.Agent{{ID: "ana", Queues: []string{"support"}}},
	})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	const contacts = 1000
	in := make([]parley.Inbound, contacts)
	for i := range in {
		in[i] = parley.Inbound{Touchpoint: "wa", From: channel.Address{Kind: channel.WhatsApp, ID: "+1415556" + leftPad(i)}, Text: "Where is my order?"}
		in[i].ProviderID = "warm-" + strconv.Itoa(i)
		if _, err := d.Receive(ctx, in[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		msg := in[i%contacts]
		// One new string per message, as a webhook's decoder makes it. A
		// slice of b.N IDs made before the loop would stay live through it,
		// 32 bytes a message that every collection marks and the heap's
		// growth pages in, billed to Receive.
		var buf [32]byte
		msg.ProviderID = string(strconv.AppendInt(append(buf[:0], "wamid."...), int64(i), 10))
		if _, err := d.Receive(ctx, msg); err != nil {
			b.Fatal(err)
		}
	}
}

func leftPad(i int) string {
	s := strconv.Itoa(i)
	for len(s) < 4 {
		s = "0" + s
	}
	return s
}

package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/parleytest"
	"github.com/parleyhq/parley/routing"
)

// scaleRows measures the desk calls that look the history up (a message
// that starts a conversation asks for the contact's last one, Inbox lists a queue, Search looks a
// contact up by text) over a memory store holding 10 000, 100 000 and
// 1 000 000 closed conversations. Their goal is growth: at most 2× the
// 10 000 row's time. Quick mode skips the 1 000 000 row.
func scaleRows(o options) []row {
	sizes := []int{10_000, 100_000, 1_000_000}
	var rows []row
	for _, op := range []struct {
		name string
		run  func(b *testing.B, d *parley.Desk, n int)
	}{
		{"Desk.Receive starting a conversation (reads the contact's last)", benchScaleStart},
		{"Desk.Inbox (20 queued)", benchScaleInbox},
		{"Desk.Search by number digits", benchScaleSearch},
	} {
		var base figures
		for _, n := range sizes {
			path := fmt.Sprintf("%s, %s closed conversations stored", op.name, thousands(n))
			if o.quick && n > 100_000 {
				rows = append(rows, row{Path: path + " (skipped in quick mode)", Peer: "—", Ratio: "—", Goal: "≤ 2× the 10 000 row", OK: true})
				continue
			}
			d := scaleDesk(n)
			f := fastest(o, 3, func(b *testing.B) { op.run(b, d, n) })
			if n == sizes[0] {
				base = f
			}
			growth := slower(f, base)
			rows = append(rows, row{
				Path: path, Parley: f, Peer: "the 10 000 row", Other: base,
				Ratio: fmt.Sprintf("%.2f× the 10 000 row", growth), Goal: "≤ 2× the 10 000 row",
				OK: growth <= 2, pick: fastestRound,
			})
		}
	}
	return rows
}

func thousands(n int) string {
	switch {
	case n >= 1_000_000:
		return fmt.Sprintf("%d 000 000", n/1_000_000)
	case n >= 1_000:
		return fmt.Sprintf("%d 000", n/1_000)
	}
	return fmt.Sprint(n)
}

// scaleNumber is history contact i's number.
func scaleNumber(i int) channel.Address {
	return channel.Address{Kind: channel.SMS, ID: fmt.Sprintf("+1415%03d%04d", 200+i/10_000%800, i%10_000)}
}

// scaleDesk returns a desk over a memory store bulk-filled, through the
// store, with n closed SMS conversations of n contacts and 20 queued ones.
func scaleDesk(n int) *parley.Desk {
	ctx := context.Background()
	t0 := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	ids := conversation.SequentialIDs(t0)
	s := memory.NewConversationStore()
	names := []string{"Ana Lima", "Bruno Costa", "Carla Dias", "Davi Rocha", "Eva Melo"}
	for i := range n + 20 {
		addr := scaleNumber(i)
		at := t0.Add(time.Duration(i) * time.Second)
		c := &conversation.Conversation{
			ID: ids(), Touchpoint: "sms", Channel: channel.SMS, Direction: conversation.Inbound, Status: conversation.Closed,
			Contact: conversation.Contact{ID: addr.String(), Name: names[i%len(names)], Addresses: []channel.Address{addr}},
			Queues:  []string{"support"}, AssigneeID: "ana", CreatedAt: at, UpdatedAt: at, ClosedAt: at,
		}
		if i >= n {
			c.Status, c.AssigneeID, c.ClosedAt = conversation.Queued, "", time.Time{}
		}
		if err := s.Create(ctx, c); err != nil {
			panic(err)
		}
	}
	d, err := parley.New(parley.Config{
		Transport:     parleytest.NewTransport(),
		Conversations: s,
		Touchpoints:   []parley.Touchpoint{{ID: "sms", Kind: channel.SMS, Address: "+14155550000", Queues: []string{"support"}}},
		Agents:        []routing.Agent{{ID: "ana", Queues: []string{"support"}, Capacity: 1 << 30}, {ID: "boss", Queues: []string{"support"}}},
		Supervisors:   []string{"boss"},
	})
	if err != nil {
		panic(err)
	}
	return d
}

// The desk calls, kept here in one place.

func benchScaleStart(b *testing.B, d *parley.Desk, n int) {
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		// Contacts with history first, then new ones: each starts once.
		in := parley.Inbound{Touchpoint: "sms", From: scaleNumber(startContact(n)), Text: "Where is my order?", ProviderID: providerID(i)}
		if _, err := d.Receive(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

// startOps counts the conversations started in the desk of n, across
// the runs of one benchmark.
var startOps = map[int]int{}

// startContact spreads the starts over the history, then past it.
func startContact(n int) int {
	k := startOps[n]
	startOps[n]++
	if k < n {
		return k * 7919 % n
	}
	return n + 20 + k
}

func benchScaleInbox(b *testing.B, d *parley.Desk, _ int) {
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if got, err := d.Inbox(ctx, "boss", routing.OldestFirst); err != nil || len(got) == 0 {
			b.Fatal(err, len(got))
		}
	}
}

func benchScaleSearch(b *testing.B, d *parley.Desk, n int) {
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		num := scaleNumber(i * 7919 % n).ID
		if p, err := d.Search(ctx, "boss", conversation.Query{Text: num[len(num)-7:]}); err != nil || len(p.Conversations) == 0 {
			b.Fatal(err, len(p.Conversations))
		}
	}
}

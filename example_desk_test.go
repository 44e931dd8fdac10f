package parley_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/parleytest"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/session"
)

// A desk with one WhatsApp number and one agent: an inbound message waits
// in the inbox, the agent's reply assigns it and goes out.
func ExampleDesk_Receive() {
	ctx := context.Background()
	tr := parleytest.NewTransport()
	desk, err := parley.New(parley.Config{
		Transport:   tr,
		Touchpoints: []parley.Touchpoint{{ID: "wa", Kind: channel.WhatsApp, Address: "+14155550000", Queues: []string{"support"}}},
		Agents:      []routing.Agent{{ID: "ana", Queues: []string{"support"}}},
	})
	if err != nil {
		panic(err)
	}
	rc, err := desk.Receive(ctx, parley.Inbound{Touchpoint: "wa",
		From: channel.Address{Kind: channel.WhatsApp, ID: "+1 (415) 555-0100"}, ProviderID: "wamid.1", Text: "Hi!"})
	if err != nil {
		panic(err)
	}
	fmt.Println(rc.Conversation.Contact.ID, rc.Conversation.Status)

	if _, err := desk.Reply(ctx, "ana", rc.Conversation.ID, "Hello, how can I help?"); err != nil {
		panic(err)
	}
	c, _ := desk.Conversation(ctx, "ana", rc.Conversation.ID)
	fmt.Println(c.Status, c.AssigneeID, len(tr.Sent()))
	// Output:
	// whatsapp:+14155550100 queued
	// assigned ana 1
}

// Outside the 24-hour window a free-form reply is refused, and the refusal
// carries the facts.
func ExampleDesk_Reply_windowClosed() {
	ctx := context.Background()
	clock := parleytest.NewClock(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	desk, err := parley.New(parley.Config{
		Transport:   parleytest.NewTransport(),
		Clock:       clock.Now,
		Touchpoints: []parley.Touchpoint{{ID: "wa", Kind: channel.WhatsApp, Address: "+14155550000", Queues: []string{"support"}}},
		Agents:      []routing.Agent{{ID: "ana", Queues: []string{"support"}}},
	})
	if err != nil {
		panic(err)
	}
	rc, _ := desk.Receive(ctx, parley.Inbound{Touchpoint: "wa",
		From: channel.Address{Kind: channel.WhatsApp, ID: "+14155550100"}, ProviderID: "wamid.1", Text: "Hi!"})
	clock.Advance(24 * time.Hour)
	m, err := desk.Reply(ctx, "ana", rc.Conversation.ID, "Sorry for the wait")
	var closed *session.WindowClosedError
	if errors.As(err, &closed) {
		fmt.Println("closed at", closed.ClosedAt.Format(time.RFC3339))
		fmt.Println("message", m.Delivery.Status, "with its reason")
	}
	// Output:
	// closed at 2026-11-03T09:00:00Z
	// message failed with its reason
}

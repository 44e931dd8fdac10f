package quickstart

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"golang.org/x/text/language"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/optout"
	"github.com/parleyhq/parley/parleytest"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/template"
)

// Stores are the stores the story's Desk keeps its state in. A nil field
// keeps the Desk's in-memory default.
type Stores struct {
	Conversations conversation.Store
	OptOuts       optout.Store
	Routing       routing.Log
}

// Run tells the story to w on a Desk on the stores, which must be empty. It
// returns the first error, or the first turn the story did not take.
func Run(ctx context.Context, w io.Writer, stores Stores) error {
	say := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	morning := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	clock := parleytest.NewClock(morning)
	at := func() string { return clock.Now().Format("Mon 15:04") }
	transport := parleytest.NewTransport()

	snippets := template.NewLibrary(template.Options{})
	if err := snippets.Add(template.Snippet{Shortcut: "greet", Title: "Greeting", Collection: "Support",
		Variants: []template.Variant{{Body: `Hi {{contact.first_name | default: "there"}}, this is {{company}}. How can I help?`}}}); err != nil {
		return err
	}

	desk, err := parley.New(parley.Config{
		Conversations: stores.Conversations,
		OptOuts:       stores.OptOuts,
		Routing:       stores.Routing,
		Transport:     transport,
		Clock:         clock.Now,
		NewID:         conversation.SequentialIDs(morning),
		Touchpoints: []parley.Touchpoint{
			{ID: "wa", Kind: channel.WhatsApp, Address: "+1 415 555 0000", Name: "Support WhatsApp", Queues: []string{"support"},
				Routing: routing.Policy{Mode: routing.Automatic}},
			{ID: "sms", Kind: channel.SMS, Address: "+1 415 555 0001", Name: "Alerts SMS", Queues: []string{"support"}},
		},
		Agents: []routing.Agent{
			{ID: "ana", Queues: []string{"support"}},
			{ID: "ben", Queues: []string{"support"}},
		},
		Snippets:  snippets,
		Variables: map[string]string{"company": "Acme"},
		Templates: []template.WhatsApp{{Name: "follow_up", Language: language.AmericanEnglish,
			Category: template.Utility, Status: template.Approved, Body: "Hi {{1}}, your ticket {{2}} has an update. Reply to continue."}},
	})
	if err != nil {
		return err
	}

	say("%s  Maria writes on WhatsApp.", at())
	rc, err := desk.Receive(ctx, parley.Inbound{Touchpoint: "wa", From: channel.Address{Kind: channel.WhatsApp, ID: "+52 55 1234 5678"},
		ProviderID: "wamid.1", Text: "Hi, my order has not arrived", Name: "Maria Lopez"})
	if err != nil {
		return err
	}
	maria := rc.Conversation.ID
	say("       routed automatically (least loaded): %s to %s, weight %d of 100", rc.Routing.Outcome, rc.Routing.AgentID, rc.Routing.Weight)

	clock.Advance(time.Minute)
	say("%s  The webhook is retried by the provider.", at())
	dup, err := desk.Receive(ctx, parley.Inbound{Touchpoint: "wa", From: channel.Address{Kind: channel.WhatsApp, ID: "+525512345678"}, ProviderID: "wamid.1", Text: "Hi, my order has not arrived"})
	if err != nil {
		return err
	}
	say("       duplicate=%v: nothing stored twice", dup.Duplicate)

	agent := rc.Routing.AgentID
	clock.Advance(time.Minute)
	m, err := desk.SendSnippet(ctx, agent, maria, "/greet", nil)
	if err != nil {
		return err
	}
	say("%s  %s answers with /greet: %q (%s)", at(), agent, m.Text, m.Delivery.Status)

	clock.Advance(25 * time.Hour)
	say("%s  25 hours later %s tries to follow up.", at(), agent)
	comp, err := desk.Composer(ctx, agent, maria)
	if err != nil {
		return err
	}
	say("       composer: can reply=%v (%s), templates allowed=%v", comp.CanReply, comp.Reason, comp.Templates)
	if _, err := desk.Reply(ctx, agent, maria, "Any news?"); errors.Is(err, session.ErrWindowClosed) {
		say("       free-form refused: %v", err)
	} else {
		return fmt.Errorf("expected the window to be closed, got %v", err)
	}
	m, err = desk.SendTemplate(ctx, agent, maria, "follow_up", language.AmericanEnglish, map[string]string{"1": "Maria", "2": "#4521"})
	if err != nil {
		return err
	}
	say("       approved template sent instead: %q", m.Text)

	clock.Advance(5 * time.Minute)
	say("%s  An SMS contact replies STOP.", at())
	stop, err := desk.Receive(ctx, parley.Inbound{Touchpoint: "sms", From: channel.Address{Kind: channel.SMS, ID: "+14155550123"}, ProviderID: "SM1", Text: "Stop."})
	if err != nil {
		return err
	}
	say("       keyword %s, confirmation sent: %q", stop.Keyword, stop.Reply.Text)
	if _, err := desk.Reply(ctx, "ben", stop.Conversation.ID, "Sorry to see you go!"); errors.Is(err, optout.ErrOptedOut) {
		say("       ben's reply refused: %v", err)
	} else {
		return fmt.Errorf("expected an opt-out refusal, got %v", err)
	}
	start, err := desk.Receive(ctx, parley.Inbound{Touchpoint: "sms", From: channel.Address{Kind: channel.SMS, ID: "+14155550123"}, ProviderID: "SM2", Text: "START"})
	if err != nil {
		return err
	}
	say("       they send START: %s, %q", start.Keyword, start.Reply.Text)
	if _, err := desk.Reply(ctx, "ben", stop.Conversation.ID, "Welcome back!"); err != nil {
		return err
	}
	say("       ben's reply goes through")

	clock.Advance(5 * time.Minute)
	say("%s  Maria writes again; %s transfers her to the other agent.", at(), agent)
	if _, err := desk.Receive(ctx, parley.Inbound{Touchpoint: "wa", From: channel.Address{Kind: channel.WhatsApp, ID: "+525512345678"}, ProviderID: "wamid.2", Text: "Still waiting!"}); err != nil {
		return err
	}
	other := "ben"
	if agent == "ben" {
		other = "ana"
	}
	if err := desk.Transfer(ctx, agent, maria, other); err != nil {
		return err
	}
	if _, err := desk.Reply(ctx, other, maria, "I found it: it arrives tomorrow."); err != nil {
		return err
	}
	c, err := desk.Conversation(ctx, other, maria)
	if err != nil {
		return err
	}
	say("       now %s with %s", c.Status, c.AssigneeID)

	clock.Advance(5 * time.Minute)
	if err := desk.End(ctx, other, maria); err != nil {
		return err
	}
	if err := desk.Close(ctx, other, maria, "Delivery delayed; customer informed"); err != nil {
		return err
	}
	c, err = desk.Conversation(ctx, other, maria)
	if err != nil {
		return err
	}
	say("%s  %s wraps up and closes: %s, note %q", at(), other, c.Status, c.ClosingNote)

	say("\nThe transport sent %d messages:", len(transport.Sent()))
	for _, out := range transport.Sent() {
		say("  → %-24s %q", out.To, out.Text)
	}
	return nil
}

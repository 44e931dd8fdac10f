// Command routing is a capacity simulation with package routing alone, no
// Desk: three agents of 100 points each, automatic least-loaded routing,
// and a morning's stream of conversations of mixed kinds. Each kind has a
// weight (WhatsApp 20, SMS 5, e-mail 5, web chat 30, voice 51, out of an
// agent's 100 points); an agent takes a conversation only if load + weight
// ≤ capacity.
// The program prints every decision and every agent's load after it, shows
// a conversation waiting when nobody has room and dispatched the moment a
// release frees some, and ends with a table of loads.
//
//	go run ./examples/routing
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/routing"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "routing:", err)
		os.Exit(1)
	}
}

// step is one event of the stream: a conversation arrives (kind set), is
// escalated to a voice call, or is released (ended or closed).
type step struct {
	id       string
	kind     channel.Kind // arrival of a conversation of this kind
	escalate bool         // the conversation becomes a voice call (51)
	release  bool         // the conversation ends, freeing its weight
}

// agents are the team, in the order the table prints them.
var agents = []string{"ana", "ben", "cleo"}

func run(w io.Writer) error {
	ctx := context.Background()
	// The router never reads the clock: every call takes now, so a fixed
	// start and a minute per step make the output the same on every run.
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

	// One queue, one touchpoint per channel, all automatic with the
	// default strategy: the least loaded agent with room gets the
	// conversation at once (no offer to accept).
	cfg := routing.Config{}
	for _, id := range agents {
		cfg.Agents = append(cfg.Agents, routing.Agent{ID: id, Queues: []string{"support"}})
	}
	for _, k := range []channel.Kind{channel.WhatsApp, channel.SMS, channel.Email, channel.WebChat} {
		cfg.Policies = append(cfg.Policies, routing.Policy{ID: k.String(), Mode: routing.Automatic, Strategy: routing.LeastLoaded{}})
	}
	r, err := routing.New(cfg)
	if err != nil {
		return err
	}

	stream := []step{
		{id: "c1", kind: channel.WebChat},
		{id: "c2", kind: channel.WhatsApp},
		{id: "c3", kind: channel.WhatsApp},
		{id: "c4", kind: channel.SMS},
		{id: "c5", kind: channel.Email},
		{id: "c2", escalate: true}, // the WhatsApp contact asks for a call: 20 → 51
		{id: "c6", kind: channel.WebChat},
		{id: "c7", kind: channel.WebChat},
		{id: "c8", kind: channel.WhatsApp},
		{id: "c9", kind: channel.WebChat},
		{id: "c3", escalate: true}, // refused: 51 no longer fits beside the rest
		{id: "c10", kind: channel.WebChat},
		{id: "c11", kind: channel.WebChat}, // nobody has 30 points left: waits
		{id: "c1", release: true},          // a web chat ends; c11 takes its room
		{id: "c12", kind: channel.SMS},
	}
	for _, s := range stream {
		now = now.Add(time.Minute)
		var line string
		switch {
		case s.release:
			ds, err := r.Release(ctx, s.id, now)
			if err != nil {
				return err
			}
			line = fmt.Sprintf("%-3s released", s.id)
			// A release returns the decisions it caused: waiting
			// conversations dispatched into the freed room.
			for _, d := range ds {
				line += fmt.Sprintf(", %s %s to %s (%d)", d.ConversationID, d.Outcome, d.AgentID, d.Weight)
			}
		case s.escalate:
			p, _ := r.Conversation(s.id)
			// Escalation only adds weight here, so it dispatches nothing
			// and its decisions are empty.
			_, err := r.Escalate(ctx, s.id, now)
			var ce *routing.CapacityError
			switch {
			case errors.As(err, &ce):
				// Refused whole (ErrOverCapacity): the conversation keeps
				// its digital weight and nothing else changes.
				line = fmt.Sprintf("%-3s voice    refused: %s %d+%d > %d", s.id, ce.AgentID, ce.Load, ce.Weight, ce.Capacity)
			case err != nil:
				return err
			default:
				line = fmt.Sprintf("%-3s voice    escalated on %s (%d → %d)", s.id, p.AgentID, p.Weight, routing.VoiceWeight)
			}
		default:
			d, err := r.Enqueue(ctx, routing.Item{ConversationID: s.id, Kind: s.kind,
				Touchpoint: s.kind.String(), Queues: []string{"support"}}, now)
			if err != nil {
				return err
			}
			line = fmt.Sprintf("%-3s %-8s %s", s.id, s.kind, d.Outcome)
			if d.Outcome == routing.Waiting {
				// The host would tell the contact, once, that every agent
				// is busy; the router dispatches it later by itself.
				line += ": no agent has room"
			} else {
				line += fmt.Sprintf(" to %s (%d)", d.AgentID, d.Weight)
			}
		}
		loads, err := loadsLine(r)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s  %-42s | %s\n", now.Format("15:04"), line, loads)
	}

	fmt.Fprintln(w, "\nagent  load  room  conversations, newest first")
	for _, id := range agents {
		load, err := r.Load(id)
		if err != nil {
			return err
		}
		held, err := r.Held(id)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%-5s  %4d  %4d  %s\n", id, load, routing.DefaultCapacity-load, strings.Join(held, " "))
	}
	return nil
}

// loadsLine returns every agent's load, as "ana 45/100  ben 20/100 ...".
func loadsLine(r *routing.Router) (string, error) {
	parts := make([]string, len(agents))
	for i, id := range agents {
		load, err := r.Load(id)
		if err != nil {
			return "", err
		}
		parts[i] = fmt.Sprintf("%s %3d/%d", id, load, routing.DefaultCapacity)
	}
	return strings.Join(parts, "  "), nil
}

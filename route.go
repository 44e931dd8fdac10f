package parley

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
)

// tagBusyNotified marks a conversation whose contact was told once that
// every agent is busy; it is stored with the conversation, so the message
// goes once even across processes and retries.
const tagBusyNotified = "parley:busy-notified"

// route hands a new (or returned) conversation to the router and applies
// the decision. prev is the conversation it follows up, if any: its agent
// is tried first when the reopen policy keeps the agent, and sticky
// strategies prefer it.
func (d *Desk) route(ctx context.Context, c *conversation.Conversation, prev *conversation.Conversation, now time.Time) (routing.Decision, []Event, error) {
	it := d.item(c)
	if prev != nil && prev.AssigneeID != "" {
		it.PreviousAgent = prev.AssigneeID
		it.PreviousAt = prev.LastMessageAt
		it.KeepAgent = d.reopen.Agent(prev) != ""
	}
	dec, err := d.routes.enqueue(ctx, it, now)
	if errors.Is(err, routing.ErrAlreadyReserved) {
		// Another desk sharing the Ledger routed it a moment before and
		// writes the outcome to the store; the refused Enqueue left
		// nothing here.
		return routing.Decision{}, nil, nil
	}
	if err != nil {
		return dec, nil, err
	}
	var aside []Event
	if dec.Outcome == routing.Waiting && d.shared() {
		// Before saying every agent is busy, learn what other desks freed:
		// the refreshed agents take what waits, this conversation or older
		// ones, each in turn.
		decs, err := d.refresh(ctx, d.concerned(c), now)
		if mine, ok := own(decs, c.ID); ok {
			dec = mine
		}
		aside = d.applyAside(ctx, now, c.ID, decs)
		if err != nil {
			d.log.WarnContext(ctx, "parley: refreshing agents from the ledger", "conversation", c.ID.String(), "err", err)
		}
	}
	events, err := d.applyOne(ctx, c.ID, dec, now)
	return dec, append(events, aside...), err
}

// ensureRouted routes conversation c if it waits for routing and the
// router does not hold it yet — a new conversation, one whose routing an
// earlier attempt did not finish, one from before a restart — and brings
// the store in line when the router assigned it but the store did not
// hear. A follow-up is routed with its previous conversation, so the
// kept agent is tried first. A zero Decision (NotRouted) means nothing
// was routed now.
func (d *Desk) ensureRouted(ctx context.Context, c *conversation.Conversation, now time.Time) (routing.Decision, []Event, error) {
	if c.Status != conversation.Queued {
		return routing.Decision{}, nil, nil
	}
	p, known, err := d.routes.placement(ctx, c.ID.String())
	if err != nil {
		return routing.Decision{}, nil, err
	}
	if !known {
		var prev *conversation.Conversation
		if !c.Previous.IsZero() {
			var err error
			if prev, err = d.store.Get(ctx, c.Previous); err != nil && !errors.Is(err, conversation.ErrNotFound) {
				return routing.Decision{}, nil, err
			}
		}
		return d.route(ctx, c, prev, now)
	}
	if p.Outcome != routing.Assigned {
		return routing.Decision{}, nil, nil // routed before: nothing routed now
	}
	dec := routing.Decision{ConversationID: c.ID.String(), Outcome: p.Outcome, AgentID: p.AgentID, Weight: p.Weight,
		Dedicated: p.Item.Dedicated, Automatic: true, Deadline: p.Deadline}
	events, err := d.applyOne(ctx, c.ID, dec, now)
	return dec, events, err
}

// apply brings the stored conversations in line with the router's
// decisions: assigned, transferred, offered, waiting, or back in the inbox.
// The caller holds no conversation's lock: apply takes each decision's in
// turn. Failures are logged: the router has decided, and a later action on
// the conversation retries the store.
func (d *Desk) apply(ctx context.Context, now time.Time, decs ...routing.Decision) []Event {
	var events []Event
	for _, dec := range decs {
		if dec.Trace != nil {
			d.log.DebugContext(ctx, "parley: routing decision", "conversation", dec.ConversationID,
				"outcome", dec.Outcome.String(), "agent", dec.AgentID, "strategy", dec.Trace.Strategy,
				"eligible", dec.Trace.Eligible, "skipped", dec.Trace.Skipped, "why", dec.Trace.Why)
		}
		id, err := conversation.ParseID(dec.ConversationID)
		if err != nil {
			d.log.ErrorContext(ctx, "parley: router names an unknown conversation", "id", dec.ConversationID)
			continue
		}
		a, err := d.inConversation(id, func() (after, error) {
			evs, err := d.applyOne(ctx, id, dec, now)
			return after{events: evs}, err
		})
		if err != nil {
			d.log.ErrorContext(ctx, "parley: applying routing decision", "conversation", dec.ConversationID, "outcome", dec.Outcome.String(), "err", err)
		}
		events = append(events, a.events...)
	}
	return events
}

// applyOne applies one decision about conversation id; the caller holds
// id's lock. The store follows where the router holds the conversation
// now, not where the decision put it: a decision applied late (another
// goroutine moved the conversation since) must not undo the newer move.
// Every move of the router is followed by an applyOne of its own, so the
// last one to run writes the router's last word.
func (d *Desk) applyOne(ctx context.Context, id conversation.ID, dec routing.Decision, now time.Time) ([]Event, error) {
	var ev Event
	_, err := d.mutate(ctx, id, func(c *conversation.Conversation) (err error) {
		ev = nil
		p, held, err := d.routes.placement(ctx, dec.ConversationID)
		switch {
		case err != nil:
			return err
		case !held:
			return errUnchanged // released since: ended, closed or removed
		case p.Outcome != routing.Assigned:
			if c.Status != conversation.Assigned {
				return errUnchanged
			}
			ev, err = c.SendToInbox(nil, now)
			return err
		}
		mode := conversation.AssignAuto
		switch {
		case p.Item.Dedicated:
			mode = conversation.AssignDedicated
		case p.AgentID == dec.AgentID && !dec.Automatic:
			mode = conversation.AssignManual
		}
		switch {
		case c.Status == conversation.Bot:
			if _, err = c.HandOff(nil, now); err != nil {
				return err
			}
			ev, err = c.Assign(p.AgentID, mode, now)
		case c.Status == conversation.Queued:
			ev, err = c.Assign(p.AgentID, mode, now)
		case c.Status == conversation.Assigned && c.AssigneeID != p.AgentID:
			ev, err = c.Transfer(p.AgentID, mode, now)
		default:
			return errUnchanged
		}
		return err
	})
	var events []Event
	if dec.Declined != "" {
		// The routing change is made whatever the store says.
		events = append(events, OfferEndedEvent{EventHeader: conversation.EventHeader{ConversationID: id, At: now},
			AgentID: dec.Declined, Expired: dec.Expired})
	}
	if ev != nil && err == nil {
		events = append(events, ev)
	}
	if err != nil {
		return events, err
	}
	switch dec.Outcome {
	case routing.Offered:
		events = append(events, OfferedEvent{EventHeader: conversation.EventHeader{ConversationID: id, At: now}, AgentID: dec.AgentID, Deadline: dec.Deadline})
	case routing.Waiting:
		if p, held, err := d.routes.placement(ctx, dec.ConversationID); err != nil {
			return events, err
		} else if held && p.Outcome == routing.Waiting {
			evs, err := d.busy(ctx, id, now)
			return append(events, evs...), err
		}
	}
	return events, nil
}

// busy tells the contact, once per conversation, that every agent is busy
// (the touchpoint's BusyMessage), and publishes that it waits. The message
// goes first under an ID derived from the conversation, then the tag marks
// it done, so a failure between the two ends, on retry, with one message.
func (d *Desk) busy(ctx context.Context, id conversation.ID, now time.Time) ([]Event, error) {
	c, err := d.store.Get(ctx, id)
	if err != nil || slices.Contains(c.Tags, tagBusyNotified) {
		return nil, err
	}
	events := []Event{AllAgentsBusyEvent{EventHeader: conversation.EventHeader{ConversationID: id, At: now}, Queues: c.Queues}}
	if tp := d.tps[c.Touchpoint]; tp != nil && tp.BusyMessage != "" {
		dr := sendRequest{author: conversation.Author{Kind: conversation.AuthorSystem}, text: tp.BusyMessage, automatic: true, id: derivedID(id, stepBusy)}
		_, evs, _, err := d.deliver(ctx, c, dr, now)
		events = append(events, evs...)
		if err != nil {
			return events, err
		}
	}
	_, err = d.mutate(ctx, id, func(c *conversation.Conversation) error {
		if slices.Contains(c.Tags, tagBusyNotified) {
			return errUnchanged
		}
		c.Tags = append(c.Tags, tagBusyNotified)
		return nil
	})
	return events, err
}

// own returns the decision among decs about conversation id, the last
// one, and whether there is one.
func own(decs []routing.Decision, id conversation.ID) (routing.Decision, bool) {
	s := id.String()
	for i := len(decs) - 1; i >= 0; i-- {
		if decs[i].ConversationID == s {
			return decs[i], true
		}
	}
	return routing.Decision{}, false
}

package parley

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
)

// Assign gives a conversation in the inbox to agentID, by actorID: the
// agent's own "assign to me", a colleague's or a supervisor's choice, or
// SystemActor's. It fails with routing.ErrNotVisible when the actor may
// not see the conversation or it is in none of the agent's queues,
// routing.ErrOverCapacity when its weight does not fit,
// routing.ErrUnavailable when the agent is not available (away, offline
// or draining: only available agents receive new work),
// and routing.ErrAlreadyAssigned when someone holds it.
func (d *Desk) Assign(ctx context.Context, actorID string, id conversation.ID, agentID string) error {
	if _, err := d.agent(ctx, agentID); err != nil {
		return err
	}
	return d.asActor(ctx, actorID, id, func(c *conversation.Conversation) (after, error) {
		if c.Status != conversation.Queued && c.Status != conversation.Bot {
			return after{}, &conversation.TransitionError{From: c.Status, To: conversation.Assigned}
		}
		_, events, err := d.assign(ctx, c, agentID, conversation.AssignManual, d.now())
		return after{events: events}, err
	})
}

// HandOff passes a bot's conversation to the inbox (Bot → Queued) and
// routes it by its touchpoint's mode. actorID is usually SystemActor (the
// bot's own automation), or an agent or supervisor who sees it.
func (d *Desk) HandOff(ctx context.Context, actorID string, id conversation.ID) error {
	v, err := d.actor(ctx, actorID)
	if err != nil {
		return err
	}
	now := d.now()
	return d.withConversation(ctx, id, func() (after, error) {
		var events []Event
		c, err := d.mutate(ctx, id, func(c *conversation.Conversation) error {
			if err := see(v, c); err != nil {
				return err
			}
			ev, err := c.HandOff(nil, now)
			events = []Event{ev}
			return err
		})
		if err != nil {
			return after{}, err
		}
		_, evs, err := d.route(ctx, c, nil, now)
		return after{events: append(events, evs...)}, err
	})
}

// SendToInbox returns an assigned conversation to its queues and frees its
// weight; routing may at once give it, or conversations that were waiting,
// to agents with room. actorID must see it (routing.ErrNotVisible).
func (d *Desk) SendToInbox(ctx context.Context, actorID string, id conversation.ID) error {
	now := d.now()
	return d.change(ctx, actorID, id, now, func(c *conversation.Conversation) (Event, error) {
		if err := d.routed(ctx, c.ID); err != nil {
			return nil, err
		}
		return c.SendToInbox(nil, now)
	}, func() ([]routing.Decision, error) {
		return d.routeConv(ctx, routing.OpSendToInbox, id.String(), "", now)
	})
}

// Transfer moves an assigned conversation, by actorID (its agent, a
// supervisor or SystemActor: routing.ErrNotVisible for anyone else), to
// another agent, who must serve one of the conversation's queues or be a
// supervisor (a *routing.VisibilityError naming the target otherwise): a
// conversation never lands with someone outside the teams it was routed
// to. To move it to other queues, use TransferToQueues, then Assign. The
// target's capacity and availability are checked (routing.ErrOverCapacity,
// routing.ErrUnavailable; routing.ErrUnknownAgent for an unknown one).
func (d *Desk) Transfer(ctx context.Context, actorID string, id conversation.ID, toAgentID string) error {
	to, err := d.viewer(ctx, toAgentID)
	if err != nil {
		return err
	}
	now := d.now()
	return d.asActor(ctx, actorID, id, func(c *conversation.Conversation) (after, error) {
		if !to.Supervisor && !c.InQueues(to.Queues) {
			return after{}, &routing.VisibilityError{AgentID: toAgentID, ConversationID: id.String(), Queues: c.Queues}
		}
		if _, err := c.Clone().Transfer(toAgentID, conversation.AssignManual, now); err != nil {
			return after{}, err // judged before the router moves
		}
		// The router decides (capacity, presence), so it moves first; a
		// store that then refuses gets the router's move undone.
		from := c.AssigneeID
		decs, err := d.transferTo(ctx, id, toAgentID, now)
		if err != nil {
			return after{decs: decs, now: now}, err
		}
		var ev Event
		if _, err := d.mutateFrom(ctx, c, func(c *conversation.Conversation) error {
			ev, err = c.Transfer(toAgentID, conversation.AssignManual, now)
			return err
		}); err != nil {
			undo, uerr := d.routeConv(ctx, routing.OpTransfer, id.String(), from, now)
			if uerr != nil {
				d.drifted(ctx, id, uerr)
			}
			return after{decs: append(decs, undo...), now: now}, err
		}
		return after{events: []Event{ev}, decs: decs, now: now}, nil
	})
}

// transferTo moves conversation id to agentID in the router; with a shared
// Ledger, an agent found full is reloaded once first, as another desk may
// have freed its room.
func (d *Desk) transferTo(ctx context.Context, id conversation.ID, agentID string, now time.Time) ([]routing.Decision, error) {
	decs, err := d.routeConv(ctx, routing.OpTransfer, id.String(), agentID, now)
	if !errors.Is(err, routing.ErrOverCapacity) || !d.shared() {
		return decs, err
	}
	refreshed, rerr := d.routes.apply(ctx, routing.Op{Kind: routing.OpRefresh, At: now, AgentID: agentID})
	if rerr != nil {
		return refreshed, errors.Join(err, rerr)
	}
	decs, err = d.routeConv(ctx, routing.OpTransfer, id.String(), agentID, now)
	return append(refreshed, decs...), err
}

// TransferToQueues moves a conversation to other queues, by actorID (who
// must see it: routing.ErrNotVisible): it leaves its agent and waits in
// the new queues' inbox (or is routed there). Queues the router cannot
// route to (none, a blank or unprintable name) are refused with
// routing.ErrInvalid and nothing changes.
func (d *Desk) TransferToQueues(ctx context.Context, actorID string, id conversation.ID, queues []string) error {
	if err := routing.CheckQueues(queues); err != nil {
		return err // refused before the store is written, as the router would
	}
	now := d.now()
	return d.change(ctx, actorID, id, now, func(c *conversation.Conversation) (Event, error) {
		if err := d.routed(ctx, c.ID); err != nil {
			return nil, err
		}
		if c.Status != conversation.Assigned {
			c.Queues = append([]string(nil), queues...)
			return nil, nil
		}
		return c.SendToInbox(queues, now)
	}, func() ([]routing.Decision, error) {
		return d.routes.apply(ctx, routing.Op{Kind: routing.OpTransferToQueues, At: now, ConversationID: id.String(), Queues: queues})
	})
}

// Accept accepts the offer of conversation id made to agentID, who is the
// actor: nobody accepts for another. The conversation is assigned.
func (d *Desk) Accept(ctx context.Context, agentID string, id conversation.ID) error {
	now := d.now()
	if _, err := d.routeConv(ctx, routing.OpAccept, id.String(), agentID, now); err != nil {
		return err
	}
	d.conclude(ctx, after{decs: []routing.Decision{{ConversationID: id.String(), Outcome: routing.Assigned, AgentID: agentID, Automatic: true}}, now: now})
	return nil
}

// Reject declines the offer of conversation id made to agentID, who is
// the actor; it goes to the next eligible agent, never back to one who
// declined it.
func (d *Desk) Reject(ctx context.Context, agentID string, id conversation.ID) error {
	now := d.now()
	decs, err := d.routeConv(ctx, routing.OpReject, id.String(), agentID, now)
	if err != nil {
		return err
	}
	d.conclude(ctx, after{decs: decs, now: now})
	return nil
}

// Escalate turns a digital conversation into a voice call: its agent is
// charged the voice weight (51) in place of the digital one, or the
// escalation is refused with routing.ErrOverCapacity when it does not fit.
// A conversation nobody is assigned — in the inbox, waiting, or only
// offered to an agent who has not accepted — has no agent to call with: it
// is refused with routing.ErrUnknownConversation, as the router refuses
// one in the inbox. actorID must see it (routing.ErrNotVisible).
func (d *Desk) Escalate(ctx context.Context, actorID string, id conversation.ID) error {
	now := d.now()
	return d.asActor(ctx, actorID, id, func(c *conversation.Conversation) (after, error) {
		if c.Status != conversation.Assigned {
			return after{}, fmt.Errorf("%w: conversation %s is %s, not assigned", routing.ErrUnknownConversation, id, c.Status)
		}
		decs, err := d.routeConv(ctx, routing.OpEscalate, id.String(), "", now)
		if err != nil {
			return after{}, err
		}
		escalated := EscalatedEvent{EventHeader: conversation.EventHeader{ConversationID: id, At: now}, AgentID: c.AssigneeID}
		return after{events: []Event{escalated}, decs: decs, now: now}, nil
	})
}

// routed refuses, before anything is written, a move the router could not
// follow: one of a conversation it does not hold.
func (d *Desk) routed(ctx context.Context, id conversation.ID) error {
	_, held, err := d.routes.placement(ctx, id.String())
	if err == nil && !held {
		return fmt.Errorf("%w: conversation %s is not routed by this desk", routing.ErrUnknownConversation, id)
	}
	return err
}

// assign gives queued conversation c to agentID through the router (which
// checks visibility and capacity) and stores it. The caller holds c's lock.
func (d *Desk) assign(ctx context.Context, c *conversation.Conversation, agentID string, mode conversation.AssignMode, now time.Time) (_ *conversation.Conversation, _ []Event, err error) {
	var aside []Event // about other conversations, met on the way
	_, known, err := d.routes.placement(ctx, c.ID.String())
	if err != nil {
		return nil, nil, err
	}
	if !known {
		// Not routed in this process yet (one the business starts, a bot
		// conversation, one from before a restart): enter it in the inbox
		// first, for this agent to take. It enters as a simplified
		// touchpoint's would: routed by an automatic or dedicated mode, it
		// would be offered or given to another agent (or the owner) first,
		// the agent's own assignment refused, and the router left holding
		// it where the store never hears. Refused, it leaves the router as
		// it came, so that routing by its mode later is not prevented.
		it := d.item(c)
		it.Enqueued = c.CreatedAt
		it.Touchpoint = ""
		if _, err := d.routes.enqueue(ctx, it, now); err != nil {
			return nil, nil, err
		}
		defer func() {
			if err != nil {
				if _, rerr := d.routeConv(ctx, routing.OpRelease, c.ID.String(), "", now); rerr != nil {
					err = errors.Join(err, rerr)
				}
			}
		}()
	}
	if _, err := d.routeConv(ctx, routing.OpAssign, c.ID.String(), agentID, now); err != nil {
		if !errors.Is(err, routing.ErrOverCapacity) || !d.shared() {
			return nil, nil, err
		}
		// Another desk may have freed the agent's room: learn it and try
		// once more before refusing.
		decs, rerr := d.routes.apply(ctx, routing.Op{Kind: routing.OpRefresh, At: now, AgentID: agentID})
		// Decisions about other conversations are applied here; their
		// events go out with c's, once the caller has let go of the lock.
		aside = d.applyAside(ctx, now, c.ID, decs)
		if mine, ok := own(decs, c.ID); ok {
			// The refreshed agents took c itself, as it waited for one.
			events, aerr := d.applyOne(ctx, c.ID, mine, now)
			events = append(aside, events...)
			if p, _, perr := d.routes.placement(ctx, c.ID.String()); aerr != nil || perr != nil || p.Outcome != routing.Assigned || p.AgentID != agentID {
				return nil, events, errors.Join(err, aerr, perr)
			}
			stored, gerr := d.store.Get(ctx, c.ID)
			return stored, events, gerr
		}
		if rerr != nil {
			return nil, aside, errors.Join(err, rerr)
		}
		if _, err := d.routeConv(ctx, routing.OpAssign, c.ID.String(), agentID, now); err != nil {
			return nil, aside, err
		}
	}
	events := aside
	stored, err := d.mutate(ctx, c.ID, func(c *conversation.Conversation) error {
		events = events[:len(aside)]
		if c.Status == conversation.Bot {
			ev, err := c.HandOff(nil, now)
			if err != nil {
				return err
			}
			events = append(events, ev)
		}
		ev, err := c.Assign(agentID, mode, now)
		if err != nil {
			return err
		}
		events = append(events, ev)
		return nil
	})
	if err != nil {
		// The store refused: give the conversation back to the inbox so
		// the router's view matches what is stored. What the freed room
		// let in is applied; a router that cannot follow, or that placed
		// this conversation again at once, is left for Tick to repair.
		decs, rerr := d.routeConv(ctx, routing.OpSendToInbox, c.ID.String(), "", now)
		aside = append(aside, d.applyAside(ctx, now, c.ID, decs)...)
		if _, placed := own(decs, c.ID); rerr != nil || placed {
			d.drifted(ctx, c.ID, errors.Join(err, rerr))
		}
		return nil, aside, errors.Join(err, rerr)
	}
	return stored, events, nil
}

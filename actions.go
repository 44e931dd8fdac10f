package parley

import (
	"context"
	"errors"
	"time"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
)

// assign gives queued conversation c to agentID through the router (which
// checks visibility and capacity) and stores it. The caller holds c's lock.
func (d *Desk) assign(ctx context.Context, c *conversation.Conversation, agentID string, mode conversation.AssignMode, now time.Time) (*conversation.Conversation, []Event, error) {
	if _, known := d.router.Conversation(c.ID.String()); !known {
		// Not routed in this process yet (a bot conversation, or one from
		// before a restart): enter it in the inbox first.
		it := d.item(c)
		it.Enqueued = c.CreatedAt
		if _, err := d.router.Enqueue(ctx, it, now); err != nil {
			return nil, nil, err
		}
	}
	if err := d.router.Assign(ctx, c.ID.String(), agentID, now); err != nil {
		return nil, nil, err
	}
	var events []Event
	stored, err := d.mutate(ctx, c.ID, func(c *conversation.Conversation) error {
		events = events[:0]
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
		// the router's view matches what is stored.
		if _, rerr := d.router.SendToInbox(ctx, c.ID.String(), now); rerr != nil {
			err = errors.Join(err, rerr)
		}
		return nil, nil, err
	}
	return stored, events, nil
}

// Assign gives a conversation in the inbox to agentID, as the agent's own
// "assign to me" or a supervisor's choice. It fails with
// routing.ErrNotVisible when the conversation is in none of the agent's
// queues, routing.ErrOverCapacity when its weight does not fit, and
// routing.ErrAlreadyAssigned when someone holds it.
func (d *Desk) Assign(ctx context.Context, id conversation.ID, agentID string) error {
	if _, err := d.agent(agentID); err != nil {
		return err
	}
	mu := d.lockConversation(id)
	c, err := d.store.Get(ctx, id)
	if err != nil {
		mu.Unlock()
		return err
	}
	if c.Status != conversation.Queued && c.Status != conversation.Bot {
		mu.Unlock()
		return &conversation.TransitionError{From: c.Status, To: conversation.Assigned}
	}
	now := d.now()
	_, events, err := d.assign(ctx, c, agentID, conversation.AssignManual, now)
	mu.Unlock()
	d.publish(ctx, events...)
	return err
}

// HandOff passes a bot's conversation to the inbox (Bot → Queued) and
// routes it by its touchpoint's mode.
func (d *Desk) HandOff(ctx context.Context, id conversation.ID) error {
	now := d.now()
	mu := d.lockConversation(id)
	var events []Event
	c, err := d.mutate(ctx, id, func(c *conversation.Conversation) error {
		ev, err := c.HandOff(nil, now)
		events = []Event{ev}
		return err
	})
	if err != nil {
		mu.Unlock()
		return err
	}
	_, evs, err := d.route(ctx, c, nil, now)
	mu.Unlock()
	d.publish(ctx, append(events, evs...)...)
	return err
}

// SendToInbox returns an assigned conversation to its queues and frees its
// weight (DESIGN.md §3.5); routing may at once give it, or conversations
// that were waiting, to agents with room.
func (d *Desk) SendToInbox(ctx context.Context, id conversation.ID) error {
	now := d.now()
	return d.change(ctx, id, now, func(c *conversation.Conversation) (Event, error) {
		return c.SendToInbox(nil, now)
	}, func() ([]routing.Decision, error) {
		return d.router.SendToInbox(ctx, id.String(), now)
	})
}

// Transfer moves an assigned conversation to another agent, whose capacity
// is checked (routing.ErrOverCapacity) and who must be in one of its queues
// (routing.ErrNotVisible).
func (d *Desk) Transfer(ctx context.Context, id conversation.ID, toAgentID string) error {
	now := d.now()
	return d.change(ctx, id, now, func(c *conversation.Conversation) (Event, error) {
		return c.Transfer(toAgentID, conversation.AssignManual, now)
	}, func() ([]routing.Decision, error) {
		return d.router.Transfer(ctx, id.String(), toAgentID, now)
	})
}

// TransferToQueues moves a conversation to other queues: it leaves its
// agent and waits in the new queues' inbox (or is routed there).
func (d *Desk) TransferToQueues(ctx context.Context, id conversation.ID, queues []string) error {
	now := d.now()
	return d.change(ctx, id, now, func(c *conversation.Conversation) (Event, error) {
		if c.Status != conversation.Assigned {
			c.Queues = append([]string(nil), queues...)
			return nil, nil
		}
		return c.SendToInbox(queues, now)
	}, func() ([]routing.Decision, error) {
		return d.router.TransferToQueues(ctx, id.String(), queues, now)
	})
}

// End ends the conversation (Assigned → WrapUp): the agent writes notes
// and a disposition, and its weight is freed at once (DESIGN.md §3.6).
func (d *Desk) End(ctx context.Context, id conversation.ID) error {
	now := d.now()
	return d.change(ctx, id, now, func(c *conversation.Conversation) (Event, error) {
		return c.End(now)
	}, d.release(ctx, id, now))
}

// Close closes the conversation with an optional closing note, from any
// open status or wrap-up, and frees its agent's weight.
func (d *Desk) Close(ctx context.Context, id conversation.ID, note string) error {
	return d.CloseWith(ctx, id, conversation.Closing{Note: note})
}

// CloseWith closes the conversation with a note, a disposition, and
// whether the bot resumes; ByAPI marks a close by the host's own channel.
func (d *Desk) CloseWith(ctx context.Context, id conversation.ID, cl conversation.Closing) error {
	now := d.now()
	return d.change(ctx, id, now, func(c *conversation.Conversation) (Event, error) {
		return c.Close(cl, now)
	}, d.release(ctx, id, now))
}

// Escalate turns a digital conversation into a voice call: its agent is
// charged the voice weight (51) in place of the digital one, or the
// escalation is refused with routing.ErrOverCapacity (DESIGN.md §3.5).
func (d *Desk) Escalate(ctx context.Context, id conversation.ID) error {
	now := d.now()
	mu := d.lockConversation(id)
	c, err := d.store.Get(ctx, id)
	if err != nil {
		mu.Unlock()
		return err
	}
	decs, err := d.router.Escalate(ctx, id.String(), now)
	mu.Unlock()
	if err != nil {
		return err
	}
	events := append([]Event{EscalatedEvent{EventHeader: conversation.EventHeader{ConversationID: id, At: now}, AgentID: c.AssigneeID}}, d.apply(ctx, now, decs...)...)
	d.publish(ctx, events...)
	return nil
}

// release is the routing half of ending or closing: free the weight.
func (d *Desk) release(ctx context.Context, id conversation.ID, now time.Time) func() ([]routing.Decision, error) {
	return func() ([]routing.Decision, error) { return d.router.Release(ctx, id.String(), now) }
}

// change applies one lifecycle transition: the aggregate's method decides
// whether it is allowed (conversation.ErrInvalidTransition), then the
// router follows, then the store. Decisions the router takes for other
// conversations (a freed agent takes a waiting one) are applied after.
func (d *Desk) change(ctx context.Context, id conversation.ID, now time.Time, transition func(*conversation.Conversation) (Event, error), routeIt func() ([]routing.Decision, error)) error {
	mu := d.lockConversation(id)
	c, err := d.store.Get(ctx, id)
	if err != nil {
		mu.Unlock()
		return err
	}
	if _, err := transition(c.Clone()); err != nil { // judge before the router moves
		mu.Unlock()
		return err
	}
	decs, err := routeIt()
	if err != nil {
		mu.Unlock()
		return err
	}
	var events []Event
	_, err = d.mutate(ctx, id, func(c *conversation.Conversation) error {
		ev, err := transition(c)
		events = events[:0]
		if ev != nil {
			events = append(events, ev)
		}
		return err
	})
	mu.Unlock()
	if err != nil {
		return err
	}
	events = append(events, d.apply(ctx, now, decs...)...)
	d.publish(ctx, events...)
	return nil
}

// MarkRead resets the conversation's unread count for its agent.
func (d *Desk) MarkRead(ctx context.Context, agentID string, id conversation.ID) error {
	v, err := d.viewer(agentID)
	if err != nil {
		return err
	}
	now := d.now()
	defer d.lockConversation(id).Unlock()
	_, err = d.mutate(ctx, id, func(c *conversation.Conversation) error {
		if !c.VisibleTo(v) {
			return &routing.VisibilityError{AgentID: agentID, ConversationID: id.String(), Queues: c.Queues}
		}
		if !c.MarkRead(now) {
			return errUnchanged
		}
		return nil
	})
	return err
}

// PauseBot stops the bot from answering in the conversation; ResumeBot
// lets it answer again. Assigning an agent pauses it by itself.
func (d *Desk) PauseBot(ctx context.Context, id conversation.ID) error {
	return d.setBot(ctx, id, true)
}

// ResumeBot lets the bot answer in the conversation again.
func (d *Desk) ResumeBot(ctx context.Context, id conversation.ID) error {
	return d.setBot(ctx, id, false)
}

func (d *Desk) setBot(ctx context.Context, id conversation.ID, paused bool) error {
	defer d.lockConversation(id).Unlock()
	_, err := d.mutate(ctx, id, func(c *conversation.Conversation) error {
		if c.BotPaused == paused {
			return errUnchanged
		}
		c.BotPaused = paused
		return nil
	})
	return err
}

// Accept accepts an offer made to agentID; the conversation is assigned.
func (d *Desk) Accept(ctx context.Context, id conversation.ID, agentID string) error {
	now := d.now()
	if err := d.router.Accept(id.String(), agentID, now); err != nil {
		return err
	}
	d.publish(ctx, d.apply(ctx, now, routing.Decision{ConversationID: id.String(), Outcome: routing.Assigned, AgentID: agentID, Automatic: true})...)
	return nil
}

// Reject declines an offer; it goes to the next eligible agent, never back
// to one who declined it (DESIGN.md §3.5).
func (d *Desk) Reject(ctx context.Context, id conversation.ID, agentID string) error {
	now := d.now()
	decs, err := d.router.Reject(ctx, id.String(), agentID, now)
	if err != nil {
		return err
	}
	d.publish(ctx, d.apply(ctx, now, decs...)...)
	return nil
}

// SetPresence changes an agent's presence. Only available agents receive
// new work; one who becomes available may at once take waiting
// conversations; going offline may return work to the inbox
// (Config.OfflineReturnsWork).
func (d *Desk) SetPresence(ctx context.Context, agentID string, p routing.Presence) error {
	now := d.now()
	decs, err := d.router.SetPresence(ctx, agentID, p, now)
	if err != nil {
		return err
	}
	d.publish(ctx, d.apply(ctx, now, decs...)...)
	return nil
}

// AddAgent adds an agent at run time; it may at once take waiting work.
func (d *Desk) AddAgent(ctx context.Context, a routing.Agent) error {
	now := d.now()
	decs, err := d.router.AddAgent(ctx, a, now)
	if err != nil {
		return err
	}
	d.publish(ctx, d.apply(ctx, now, decs...)...)
	return nil
}

// SetWeights changes the channel weights for future assignments; what
// was charged at assignment is what is released (DESIGN.md §3.5).
func (d *Desk) SetWeights(w routing.Weights) { d.router.SetWeights(w) }

// Tick runs what is due at the Desk's current time: expired offers go to
// the next agent, conversations with no first reply are auto-transferred
// once, draining agents hand over their work. Hosts call it every few
// seconds.
func (d *Desk) Tick(ctx context.Context) error {
	now := d.now()
	decs, err := d.router.Expire(ctx, now)
	d.publish(ctx, d.apply(ctx, now, decs...)...)
	return err
}

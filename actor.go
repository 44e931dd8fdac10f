package parley

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
)

// SystemActor is the actor ID of the host's own automations (a bot, a
// scheduler, a webhook that closes stale conversations): it acts as a
// supervisor would, seeing every conversation, but it is not an agent, so
// it cannot send a reply or a note, or take an inbox. No agent may have
// this ID.
const SystemActor = "system"

// reserved refuses an agent with SystemActor's ID: its actions would be
// taken for the system's, with every conversation visible.
func reserved(a routing.Agent) error {
	if a.ID == SystemActor {
		return fmt.Errorf("%w: agent ID %q is reserved for the system actor", routing.ErrInvalid, a.ID)
	}
	return nil
}

// agent returns a configured agent.
func (d *Desk) agent(ctx context.Context, id string) (routing.Agent, error) {
	var a routing.Agent
	var ok bool
	if err := d.routes.view(ctx, func(r *routing.Router) { a, ok = r.Agent(id) }); err != nil {
		return routing.Agent{}, err
	}
	if !ok {
		return routing.Agent{}, fmt.Errorf("%w: %q", routing.ErrUnknownAgent, id)
	}
	return a, nil
}

// actor returns what actorID may see: an agent (a supervisor sees
// everything) or SystemActor, which sees everything. Every action on a
// conversation starts here, so the visibility rules an agent meets in its
// inbox hold for every call it makes.
func (d *Desk) actor(ctx context.Context, actorID string) (conversation.Viewer, error) {
	if actorID == SystemActor {
		return conversation.Viewer{AgentID: SystemActor, Supervisor: true}, nil
	}
	return d.viewer(ctx, actorID)
}

// asActor runs f with conversation id under its lock, once actorID is
// known to see it (routing.ErrNotVisible, routing.ErrUnknownAgent
// otherwise): the start of every action on one conversation.
func (d *Desk) asActor(ctx context.Context, actorID string, id conversation.ID, f func(c *conversation.Conversation) (after, error)) error {
	v, err := d.actor(ctx, actorID)
	if err != nil {
		return err
	}
	return d.withConversation(ctx, id, func() (after, error) {
		c, err := d.store.Get(ctx, id)
		if err != nil {
			return after{}, err
		}
		if err := see(v, c); err != nil {
			return after{}, err
		}
		return f(c)
	})
}

// supervising refuses, with ErrForbidden, an actor who is neither a
// supervisor nor SystemActor the action what, which concerns every queue.
func (d *Desk) supervising(ctx context.Context, actorID, what string) error {
	v, err := d.actor(ctx, actorID)
	if err != nil {
		return err
	}
	if !v.Supervisor {
		return fmt.Errorf("%w: %q may not %s: only a supervisor or the system actor may", ErrForbidden, actorID, what)
	}
	return nil
}

// see refuses an actor who may not see conversation c with a
// *routing.VisibilityError (routing.ErrNotVisible).
func see(v conversation.Viewer, c *conversation.Conversation) error {
	if c.VisibleTo(v) {
		return nil
	}
	return &routing.VisibilityError{AgentID: v.AgentID, ConversationID: c.ID.String(), Queues: c.Queues}
}

// viewer returns what agentID may see; only an agent, not SystemActor.
func (d *Desk) viewer(ctx context.Context, agentID string) (conversation.Viewer, error) {
	a, err := d.agent(ctx, agentID)
	if err != nil {
		return conversation.Viewer{}, err
	}
	return conversation.Viewer{AgentID: a.ID, Queues: a.Queues, Supervisor: d.supervisors[a.ID]}, nil
}

// mustViewer is viewer for an agent already known to exist.
func (d *Desk) mustViewer(ctx context.Context, agentID string) conversation.Viewer {
	v, _ := d.viewer(ctx, agentID)
	return v
}

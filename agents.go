package parley

import (
	"context"

	"github.com/parleyhq/parley/routing"
)

// SetPresence changes an agent's presence. Only available agents receive
// new work; one who becomes available may at once take waiting
// conversations; going offline may return work to the inbox
// (Config.OfflineReturnsWork).
func (d *Desk) SetPresence(ctx context.Context, agentID string, p routing.Presence) error {
	now := d.now()
	decs, err := d.routes.apply(ctx, routing.Op{Kind: routing.OpSetPresence, At: now, AgentID: agentID, Presence: p})
	if err != nil {
		return err
	}
	d.conclude(ctx, after{decs: decs, now: now})
	return nil
}

// AddAgent adds an agent at run time; it may at once take waiting work.
// It refuses an invalid agent (routing.ErrInvalid, also for the ID
// SystemActor keeps) and a known ID (routing.ErrDuplicate).
func (d *Desk) AddAgent(ctx context.Context, a routing.Agent) error {
	if err := reserved(a); err != nil {
		return err
	}
	now := d.now()
	decs, err := d.routes.apply(ctx, routing.Op{Kind: routing.OpAddAgent, At: now, Agent: &a})
	if err != nil {
		return err
	}
	d.roster.set(a)
	d.conclude(ctx, after{decs: decs, now: now})
	return nil
}

// UpdateAgent changes an agent's queues and capacity at run time; its
// presence, load and conversations stay (SetPresence changes presence). A
// capacity below the current load is allowed: the agent takes nothing new
// until enough is released. Waiting conversations the agent can now take
// are dispatched to it. It refuses an invalid agent (routing.ErrInvalid)
// and an unknown one (routing.ErrUnknownAgent).
func (d *Desk) UpdateAgent(ctx context.Context, a routing.Agent) error {
	now := d.now()
	decs, err := d.routes.apply(ctx, routing.Op{Kind: routing.OpUpdateAgent, At: now, Agent: &a})
	if err != nil {
		return err
	}
	d.roster.set(a)
	d.conclude(ctx, after{decs: decs, now: now})
	return nil
}

// RemoveAgent removes an agent at run time. The conversations it held or
// was offered are routed again by their touchpoints' modes: back to the
// inbox (simplified), or to another agent (automatic), each with its
// event. A dedicated touchpoint's owner removed, its conversations (held,
// waiting for it, and new ones until it is added again) go to the inbox
// for its queues' agents to take. It refuses an unknown agent
// (routing.ErrUnknownAgent).
func (d *Desk) RemoveAgent(ctx context.Context, agentID string) error {
	now := d.now()
	decs, err := d.routes.apply(ctx, routing.Op{Kind: routing.OpRemoveAgent, At: now, AgentID: agentID})
	if err == nil {
		d.roster.remove(agentID)
	}
	// On an error the router may have moved part of the agent's work:
	// apply what it decided either way.
	d.conclude(ctx, after{decs: decs, now: now})
	return err
}

// SetWeights changes the channel weights for future assignments; what
// was charged at assignment is what is released: a change is never
// retroactive. Lighter weights may let waiting conversations fit: they go
// to the agents with room at once.
func (d *Desk) SetWeights(ctx context.Context, w routing.Weights) error {
	now := d.now()
	decs, err := d.routes.apply(ctx, routing.WeightsOp(w, now))
	d.conclude(ctx, after{decs: decs, now: now})
	return err
}

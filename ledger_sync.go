package parley

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
)

// Desks sharing one routing.Ledger (one desk per process) each route from
// their own view of every agent's load. The Ledger keeps them within
// capacity, but a desk learns of room another desk freed only when it
// reloads the agent's load (routing.Router.Refresh). The Desk refreshes
// the agents concerned before it declares a conversation waiting or
// refuses an assignment for want of room, and every agent on Tick, so that
// conversations waiting on one desk are dispatched into room freed on
// another.

// roster is the Desk's list of agents and their queues, kept beside the
// router's (which lists none) so the Desk knows whom to refresh.
type roster struct {
	mu     sync.RWMutex
	agents map[string][]string // agent ID → queues
}

func (r *roster) set(a routing.Agent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.agents == nil {
		r.agents = make(map[string][]string)
	}
	r.agents[a.ID] = slices.Clone(a.Queues)
}

func (r *roster) remove(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.agents, id)
}

// all returns every agent ID, sorted so that refreshes run in a stable order.
func (r *roster) all() []string {
	r.mu.RLock()
	ids := make([]string, 0, len(r.agents))
	for id := range r.agents {
		ids = append(ids, id)
	}
	r.mu.RUnlock()
	slices.Sort(ids)
	return ids
}

// in returns the agents in at least one of queues, sorted.
func (r *roster) in(queues []string) []string {
	var ids []string
	r.mu.RLock()
	for id, qs := range r.agents {
		for _, q := range qs {
			if slices.Contains(queues, q) {
				ids = append(ids, id)
				break
			}
		}
	}
	r.mu.RUnlock()
	slices.Sort(ids)
	return ids
}

// shared reports whether capacity is shared with other desks.
func (d *Desk) shared() bool { return d.ledger != nil }

// refresh reloads the load of agents from the Ledger and returns what the
// router dispatched into room other desks freed. An agent removed
// meanwhile is skipped.
func (d *Desk) refresh(ctx context.Context, agents []string, now time.Time) ([]routing.Decision, error) {
	var out []routing.Decision
	for _, id := range agents {
		decs, err := d.routes.apply(ctx, routing.Op{Kind: routing.OpRefresh, At: now, AgentID: id})
		out = append(out, decs...)
		if err != nil && !errors.Is(err, routing.ErrUnknownAgent) {
			return out, err
		}
	}
	return out, nil
}

// concerned lists the agents who may take conversation c: its dedicated
// agent, or the members of its queues.
func (d *Desk) concerned(c *conversation.Conversation) []string {
	if tp := d.tps[c.Touchpoint]; tp != nil && tp.Routing.Mode == routing.Dedicated {
		return []string{tp.Routing.Agent}
	}
	return d.roster.in(c.Queues)
}

// reconcile frees, in this desk's router, conversations it holds for
// agentID that another desk ended, closed or erased: that desk released
// them in the Ledger, but this router still counts them, and its view of
// the agent would stay full for ever. It runs only when the router counts
// more for the agent than the Ledger holds, and reads the store for the
// conversations the router holds.
func (d *Desk) reconcile(ctx context.Context, agentID string, now time.Time) ([]routing.Decision, error) {
	var ids []string
	var err error
	if verr := d.routes.view(ctx, func(r *routing.Router) { ids, err = r.Held(agentID) }); verr != nil {
		return nil, verr
	}
	if err != nil {
		return nil, err
	}
	var out []routing.Decision
	for _, s := range ids {
		id, err := conversation.ParseID(s)
		if err != nil {
			continue
		}
		c, err := d.store.Get(ctx, id)
		switch {
		case errors.Is(err, conversation.ErrNotFound):
		case err != nil:
			return out, err
		case c.Status == conversation.WrapUp || c.Status == conversation.Closed:
		default:
			continue // still open: its reservation is real
		}
		decs, err := d.routeConv(ctx, routing.OpRelease, s, "", now)
		out = append(out, decs...)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// syncAgents brings this desk's view of every agent in line with the
// Ledger (Tick): conversations other desks ended are forgotten, room they
// freed is used for what waits here.
func (d *Desk) syncAgents(ctx context.Context, now time.Time) ([]routing.Decision, error) {
	var out []routing.Decision
	var errs []error
	for _, id := range d.roster.all() {
		shared, err := d.ledger.Load(ctx, id)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		local, err := d.load(ctx, id)
		if err != nil {
			continue // removed meanwhile
		}
		if local > shared {
			decs, err := d.reconcile(ctx, id, now)
			out = append(out, decs...)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if local, err = d.load(ctx, id); err != nil {
				continue
			}
		}
		if local != shared {
			decs, err := d.refresh(ctx, []string{id}, now)
			out = append(out, decs...)
			errs = append(errs, err)
		}
	}
	return out, errors.Join(errs...)
}

// load is the router's load of agentID.
func (d *Desk) load(ctx context.Context, agentID string) (load int, err error) {
	if verr := d.routes.view(ctx, func(r *routing.Router) { load, err = r.Load(agentID) }); verr != nil {
		return 0, verr
	}
	return load, err
}

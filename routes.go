package parley

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/parleyhq/parley/routing"
)

// routes is the Desk's router: its own, in this process, or a replica of
// the Config.Routing log that every desk sharing it makes the same
// decisions from.
type routes interface {
	// apply makes op and returns its decisions.
	apply(ctx context.Context, op routing.Op) ([]routing.Decision, error)
	// enqueue and placement are apply and view for the calls made on
	// every new conversation, kept free of allocations on a router of
	// this process's own.
	enqueue(ctx context.Context, it routing.Item, now time.Time) (routing.Decision, error)
	placement(ctx context.Context, id string) (routing.Placement, bool, error)
	// view calls fn with the router up to date, for reads only.
	view(ctx context.Context, fn func(r *routing.Router)) error
}

// ownRouter is a router of this process alone.
type ownRouter struct{ r *routing.Router }

func (o ownRouter) apply(ctx context.Context, op routing.Op) ([]routing.Decision, error) {
	return o.r.Apply(ctx, op)
}

func (o ownRouter) enqueue(ctx context.Context, it routing.Item, now time.Time) (routing.Decision, error) {
	return o.r.Enqueue(ctx, it, now)
}

func (o ownRouter) placement(_ context.Context, id string) (routing.Placement, bool, error) {
	p, held := o.r.Conversation(id)
	return p, held, nil
}

func (o ownRouter) view(_ context.Context, fn func(r *routing.Router)) error {
	fn(o.r)
	return nil
}

// sharedRouter is a replica of a shared log. The configured agents join
// the log when it is new, on the first use of whichever desk starts first,
// as New adds them to a router of its own (at the zero time); afterwards
// the log's own agents stand, so an agent removed is not brought back by
// the next desk to start.
type sharedRouter struct {
	p      *routing.Replica
	agents []routing.Agent

	mu     sync.Mutex
	seeded bool
}

func (s *sharedRouter) apply(ctx context.Context, op routing.Op) ([]routing.Decision, error) {
	if err := s.seed(ctx); err != nil {
		return nil, err
	}
	return s.p.Do(ctx, op)
}

func (s *sharedRouter) enqueue(ctx context.Context, it routing.Item, now time.Time) (routing.Decision, error) {
	decs, err := s.apply(ctx, routing.Op{Kind: routing.OpEnqueue, At: now, Item: &it})
	if len(decs) == 0 {
		return routing.Decision{}, err
	}
	return decs[0], err
}

func (s *sharedRouter) placement(ctx context.Context, id string) (p routing.Placement, held bool, err error) {
	err = s.view(ctx, func(r *routing.Router) { p, held = r.Conversation(id) })
	return p, held, err
}

func (s *sharedRouter) view(ctx context.Context, fn func(r *routing.Router)) error {
	if err := s.seed(ctx); err != nil {
		return err
	}
	return s.p.View(ctx, fn)
}

// seed adds the configured agents the log does not know yet.
func (s *sharedRouter) seed(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seeded {
		return nil
	}
	if _, err := s.p.Seed(ctx, s.agents, time.Time{}); err != nil {
		return fmt.Errorf("parley: adding the configured agents to a new routing log: %w", err)
	}
	s.seeded = true
	return nil
}

// routeConv makes an op of kind on one conversation (and agent, for the
// kinds that name one).
func (d *Desk) routeConv(ctx context.Context, kind routing.OpKind, conversationID, agentID string, now time.Time) ([]routing.Decision, error) {
	return d.routes.apply(ctx, routing.Op{Kind: kind, At: now, ConversationID: conversationID, AgentID: agentID})
}

// CheckpointRouting saves a snapshot of the shared routing log
// (Config.Routing) as of its last entry, so that desks started afterwards
// replay nothing made before. The log keeps routing decisions, not the
// routing configuration they were made under: to change the touchpoints'
// routing or strategies, stop the desks, call CheckpointRouting on one of
// them, and start them all with the new configuration. A desk with no
// shared log has nothing to save.
func (d *Desk) CheckpointRouting(ctx context.Context) error {
	s, ok := d.routes.(*sharedRouter)
	if !ok {
		return nil
	}
	if err := s.seed(ctx); err != nil {
		return err
	}
	return s.p.Checkpoint(ctx)
}

package parley

import (
	"context"
	"time"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
)

// End ends the conversation (Assigned → WrapUp): the agent writes notes
// and a disposition, and its weight is freed at once. actorID is its
// agent, a supervisor or SystemActor (routing.ErrNotVisible for anyone
// else).
func (d *Desk) End(ctx context.Context, actorID string, id conversation.ID) error {
	now := d.now()
	return d.change(ctx, actorID, id, now, func(c *conversation.Conversation) (Event, error) {
		return c.End(now)
	}, d.release(ctx, id, now))
}

// Close closes the conversation with an optional closing note, from any
// open status or wrap-up, and frees its agent's weight. actorID must see
// the conversation: its agent, an agent of its queues while nobody holds
// it, a supervisor or SystemActor (routing.ErrNotVisible otherwise).
func (d *Desk) Close(ctx context.Context, actorID string, id conversation.ID, note string) error {
	return d.CloseWith(ctx, actorID, id, conversation.Closing{Note: note})
}

// CloseWith is [Desk.Close] with a note, a disposition, and whether the
// bot resumes; ByAPI marks a close by the host's own channel.
func (d *Desk) CloseWith(ctx context.Context, actorID string, id conversation.ID, cl conversation.Closing) error {
	now := d.now()
	return d.change(ctx, actorID, id, now, func(c *conversation.Conversation) (Event, error) {
		return c.Close(cl, now)
	}, d.release(ctx, id, now))
}

// release is the routing half of ending or closing: free the weight. A
// conversation this desk's router does not hold may have been assigned by
// another desk sharing the Ledger: its reservation is freed there, or the
// agent would stay charged for ever (that desk forgets it on its Tick).
func (d *Desk) release(ctx context.Context, id conversation.ID, now time.Time) func() ([]routing.Decision, error) {
	return func() ([]routing.Decision, error) {
		_, held, err := d.routes.placement(ctx, id.String())
		if err != nil {
			return nil, err
		}
		if !held && d.shared() {
			_, err := d.ledger.Release(ctx, id.String())
			return nil, err
		}
		return d.routeConv(ctx, routing.OpRelease, id.String(), "", now)
	}
}

package parley

import (
	"context"
	"time"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
)

// change applies one lifecycle transition that frees an agent (end,
// close, back to the inbox, to other queues) by actorID: the actor must
// see the conversation (routing.ErrNotVisible), the aggregate's method
// decides whether the transition is allowed
// (conversation.ErrInvalidTransition), the store is written, then the
// router follows. In that order a failed store write leaves the router
// as it was (the agent still charged for what the store says it holds),
// and a router that fails after the write (a shared Ledger unreachable)
// is brought in line with the store by Tick. Decisions the router takes
// for other conversations (a freed agent takes a waiting one) are applied
// after.
func (d *Desk) change(ctx context.Context, actorID string, id conversation.ID, now time.Time, transition func(*conversation.Conversation) (Event, error), routeIt func() ([]routing.Decision, error)) error {
	return d.asActor(ctx, actorID, id, func(c *conversation.Conversation) (after, error) {
		var events []Event
		_, err := d.mutateFrom(ctx, c, func(c *conversation.Conversation) error {
			ev, err := transition(c)
			events = events[:0]
			if ev != nil {
				events = append(events, ev)
			}
			return err
		})
		if err != nil {
			return after{}, err
		}
		decs, err := routeIt()
		if err != nil {
			d.drifted(ctx, id, err)
		}
		return after{events: events, decs: decs, now: now}, nil
	})
}

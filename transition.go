package parley

import (
	"context"
	"time"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
)

// change applies one lifecycle transition by actorID: the actor must see
// the conversation (routing.ErrNotVisible), the aggregate's method decides
// whether the transition is allowed (conversation.ErrInvalidTransition),
// then the router follows, then the store. Decisions the router takes for
// other conversations (a freed agent takes a waiting one) are applied
// after.
func (d *Desk) change(ctx context.Context, actorID string, id conversation.ID, now time.Time, transition func(*conversation.Conversation) (Event, error), routeIt func() ([]routing.Decision, error)) error {
	v, err := d.actor(actorID)
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
		if _, err := transition(c.Clone()); err != nil { // judge before the router moves
			return after{}, err
		}
		decs, err := routeIt()
		if err != nil {
			// A refused move may still have dispatched others (a refresh
			// from the Ledger): apply what the router decided.
			return after{decs: decs, now: now}, err
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
		// The router has moved, so what it decided for other conversations
		// (a waiting one given to the freed agent) is applied even when the
		// store refused this one's change; a retry of the action finds this
		// conversation's move done in the router (Release and Transfer are
		// idempotent) and writes the store.
		if err != nil {
			return after{decs: decs, now: now}, err
		}
		return after{events: events, decs: decs, now: now}, nil
	})
}

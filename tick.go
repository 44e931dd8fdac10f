package parley

import (
	"context"
	"errors"
	"time"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/session"
)

// Tick runs what is due at the Desk's current time (its Config.Clock).
// Hosts call it every few seconds, as SystemActor would act:
//
//   - expired offers go to the next agent, conversations with no first
//     reply are auto-transferred once, draining agents hand over their
//     work;
//   - with a shared Config.Ledger, every agent's load is reloaded, so room
//     another desk freed takes the conversations waiting here;
//   - a conversation an action left half-changed (its router's release
//     failed after the store was written) is routed as the store says;
//   - a message whose outcome was never recorded (the caller left while
//     the transport was sending, or the store failed to record its
//     answer) is handed to the transport again under the same MessageID,
//     judged by the rules of now, and its outcome recorded;
//   - customer-service windows are announced: a [WindowEvent] when one
//     comes within Config.WindowWarning of closing and another when it
//     closes.
//
// What it could not finish is in the error and is tried again next time.
func (d *Desk) Tick(ctx context.Context) error {
	now := d.now()
	decs, err := d.expire(ctx, now)
	d.conclude(ctx, after{decs: decs, now: now})
	errs := []error{err}
	if d.shared() {
		decs, err := d.syncAgents(ctx, now)
		d.conclude(ctx, after{decs: decs, now: now})
		errs = append(errs, err)
	}
	errs = append(errs, d.repairDrift(ctx, now), d.resend(ctx, now))
	events, err := d.windowEvents(ctx, now)
	d.publish(ctx, events...)
	return errors.Join(append(errs, err)...)
}

// DefaultWindowWarning is how long before a customer-service window closes
// Tick publishes "window expiring" when Config.WindowWarning is zero.
const DefaultWindowWarning = time.Hour

// The window notices ("window expiring", "window closed") are published by
// Tick, once per window: a window is one (business, contact) pair until
// one instant, and a message from the contact makes a new one. Each notice
// is claimed in the window store (Config.Windows) before it is published:
// of desks sharing the store, the one whose mark lands publishes it.

// windowEvents publishes, for every window in the window store (whichever
// desk received its message), "window expiring" once one closes within the
// warning and "window closed" once it has closed, each marked dealt with
// in the store once claimed (a failed one is tried again at the next
// Tick), then forgets closed windows (session.Store's Prune). The store
// then reads such a pair as never opened; the Desk's own checks do not
// mind, as they read the window from the conversation's LastInboundAt.
func (d *Desk) windowEvents(ctx context.Context, now time.Time) ([]Event, error) {
	notices, err := d.windows.Notices(ctx, now, d.warnWithin)
	if err != nil {
		return nil, err
	}
	var events []Event
	var errs []error
	for _, n := range notices {
		ev, err := d.windowNotice(ctx, n, now)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if ev != nil {
			events = append(events, *ev)
		}
	}
	if len(errs) == 0 {
		_, err := d.windows.Prune(ctx, now)
		errs = append(errs, err)
	}
	return events, errors.Join(errs...)
}

// windowNotice claims and returns notice n for the open
// conversation it belongs to; nil when there is none, when another desk
// claimed the notice, or when the contact wrote since (to another desk):
// the window n describes no longer exists.
func (d *Desk) windowNotice(ctx context.Context, n session.Notice, now time.Time) (*WindowEvent, error) {
	tp := d.touchpointAt(n.Key.Business)
	if tp == nil {
		return nil, nil
	}
	c, err := d.store.FindOpen(ctx, conversation.Key{Touchpoint: tp.ID, ContactID: n.Key.Contact.String()})
	switch {
	case errors.Is(err, conversation.ErrNotFound):
		// Nobody to tell: the notice is dealt with all the same.
		_, err := d.windows.Noticed(ctx, n.Key, n.ExpiresAt, n.Closed)
		return nil, err
	case err != nil:
		return nil, err
	case c.LastInboundAt.After(n.Window.LastInbound):
		// A message the window store has not heard of refreshed the
		// window: learn it, and let a later Tick judge the new one.
		_, err := d.windows.Touch(ctx, n.Key, c.LastInboundAt)
		return nil, err
	}
	// The mark is the claim: of desks racing for this notice, only the
	// one that makes it announces it.
	if claimed, err := d.windows.Noticed(ctx, n.Key, n.ExpiresAt, n.Closed); err != nil || !claimed {
		return nil, err
	}
	return &WindowEvent{
		EventHeader: conversation.EventHeader{ConversationID: c.ID, At: now},
		Touchpoint:  tp.ID,
		Contact:     n.Key.Contact,
		ClosesAt:    n.ExpiresAt,
		Closed:      n.Closed,
	}, nil
}

// expire acts on the routing deadlines due at now; a shared router is
// asked only when one is due, so idle ticks write nothing.
func (d *Desk) expire(ctx context.Context, now time.Time) ([]routing.Decision, error) {
	due := false
	if err := d.routes.view(ctx, func(r *routing.Router) { due = r.Due(now) }); err != nil || !due {
		return nil, err
	}
	return d.routes.apply(ctx, routing.Op{Kind: routing.OpExpire, At: now})
}

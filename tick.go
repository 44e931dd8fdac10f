package parley

import (
	"context"
	"errors"
	"slices"
	"strings"
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
// is claimed in the store, as a tag on the open conversation it concerns,
// before it is published, so desks sharing a store publish it once between
// them; the tag names the window's closing time, so a later window is
// noticed afresh.
const tagWindowNotice = "parley:window-"

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
		ev, err := d.windowNotice(ctx, n.Tracked, n.Closed, now)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if ev != nil {
			events = append(events, *ev)
		}
		if err := d.windows.Noticed(ctx, n.Key, n.ExpiresAt, n.Closed); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) == 0 {
		_, err := d.windows.Prune(ctx, now)
		errs = append(errs, err)
	}
	return events, errors.Join(errs...)
}

// windowNotice claims and returns the notice of window t for the open
// conversation it belongs to; nil when there is none, when another desk
// claimed the notice, or when the contact wrote since (to another desk):
// the window t describes no longer exists.
func (d *Desk) windowNotice(ctx context.Context, t session.Tracked, closed bool, now time.Time) (*WindowEvent, error) {
	tp := d.touchpointAt(t.Key.Business)
	if tp == nil {
		return nil, nil
	}
	c, err := d.store.FindOpen(ctx, conversation.Key{Touchpoint: tp.ID, ContactID: t.Key.Contact.String()})
	if errors.Is(err, conversation.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if c.LastInboundAt.After(t.Window.LastInbound) {
		// A message another desk received refreshed the window: learn it,
		// and let a later Tick judge the new one.
		_, err := d.windows.Touch(ctx, t.Key, c.LastInboundAt)
		return nil, err
	}
	at := t.ExpiresAt.UTC().Format(time.RFC3339Nano)
	closedTag := tagWindowNotice + "closed:" + at
	tag := tagWindowNotice + "expiring:" + at
	if closed {
		tag = closedTag
	}
	claimed := false
	_, err = d.inConversation(c.ID, func() (after, error) {
		_, err := d.mutateFrom(ctx, c, func(c *conversation.Conversation) error {
			claimed = false
			// "Window closed" claimed covers "window expiring": a desk
			// slow to claim the warning does not send it after the close.
			if slices.Contains(c.Tags, tag) || slices.Contains(c.Tags, closedTag) {
				return errUnchanged
			}
			c.Tags = slices.DeleteFunc(c.Tags, func(s string) bool { return strings.HasPrefix(s, tagWindowNotice) })
			c.Tags = append(c.Tags, tag)
			claimed = true
			return nil
		})
		return after{}, err
	})
	if err != nil || !claimed {
		return nil, err
	}
	return &WindowEvent{
		EventHeader: conversation.EventHeader{ConversationID: c.ID, At: now},
		Touchpoint:  tp.ID,
		Contact:     t.Key.Contact,
		ClosesAt:    t.ExpiresAt,
		Closed:      closed,
	}, nil
}

// expire acts on the routing deadlines due at now; a shared router is
// asked only when one is due, so idle ticks write nothing.
func (d *Desk) expire(ctx context.Context, now time.Time) ([]routing.Decision, error) {
	due := false
	if err := d.routes.view(ctx, func(r *routing.Router) { due = r.Due(now) }); err != nil || !due {
		return nil, err
	}
	return d.routeOp(ctx, routing.Op{Kind: routing.OpExpire, At: now})
}

package parley

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
)

// suspects are conversations whose store and router may disagree: an
// action changed one and failed to change the other (a store write failed
// after the router moved, or the router failed after the store was
// written). Tick brings each back in line with the store, which is the
// truth, and keeps it until that succeeds.
type suspects struct {
	mu  sync.Mutex
	ids map[conversation.ID]struct{}
}

func (s *suspects) add(id conversation.ID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ids == nil {
		s.ids = make(map[conversation.ID]struct{})
	}
	s.ids[id] = struct{}{}
}

func (s *suspects) remove(id conversation.ID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.ids, id)
}

func (s *suspects) list() []conversation.ID {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]conversation.ID, 0, len(s.ids))
	for id := range s.ids {
		out = append(out, id)
	}
	return out
}

// drifted records that conversation id's store and router may disagree
// after err, and logs it: Tick repairs it.
func (d *Desk) drifted(ctx context.Context, id conversation.ID, err error) {
	d.drift.add(id)
	d.log.WarnContext(ctx, "parley: store and router disagree; Tick repairs it", "conversation", id.String(), "err", err)
}

// repairDrift brings every suspect conversation's routing in line with
// the store (Tick).
func (d *Desk) repairDrift(ctx context.Context, now time.Time) error {
	var errs []error
	for _, id := range d.drift.list() {
		err := d.withConversation(ctx, id, func() (after, error) {
			decs, err := d.repair(ctx, id, now)
			return after{decs: decs, now: now}, err
		})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		d.drift.remove(id)
	}
	return errors.Join(errs...)
}

// repair makes the router hold conversation id as the store says: charged
// to its assignee when Assigned, waiting in the inbox when Queued, freed
// otherwise (or when it is gone). The caller holds id's lock.
func (d *Desk) repair(ctx context.Context, id conversation.ID, now time.Time) ([]routing.Decision, error) {
	p, held, err := d.routes.placement(ctx, id.String())
	if err != nil {
		return nil, err
	}
	c, err := d.store.Get(ctx, id)
	if errors.Is(err, conversation.ErrNotFound) {
		c, err = &conversation.Conversation{ID: id, Status: conversation.Closed}, nil
	}
	if err != nil {
		return nil, err
	}
	switch {
	case c.Status == conversation.Assigned && held && p.Outcome == routing.Assigned && p.AgentID == c.AssigneeID:
		return nil, nil
	case c.Status == conversation.Assigned && held && p.Outcome == routing.Assigned:
		return d.routeConv(ctx, routing.OpTransfer, id.String(), c.AssigneeID, now)
	case c.Status == conversation.Assigned:
		if !held {
			it := d.item(c)
			it.Touchpoint = "" // entered for this agent, not routed by its mode
			if _, err := d.routes.enqueue(ctx, it, now); err != nil {
				return nil, err
			}
		}
		return d.routeConv(ctx, routing.OpAssign, id.String(), c.AssigneeID, now)
	case c.Status == conversation.Queued:
		if held && p.Outcome == routing.Assigned {
			return d.routeConv(ctx, routing.OpSendToInbox, id.String(), "", now)
		}
		return nil, nil
	case held:
		return d.routeConv(ctx, routing.OpRelease, id.String(), "", now)
	case d.shared():
		// Assigned by another desk: its reservation is freed in the Ledger.
		_, err := d.ledger.Release(ctx, id.String())
		return nil, err
	}
	return nil, nil
}

// unsent are outbound messages whose outcome is not recorded: the caller
// left while the transport was sending, or the store failed to record what
// the transport answered. Each is stored pending; Tick hands it to the
// transport again under the same MessageID (the transport's idempotency
// key, so a message the provider took is not sent twice) and records the
// outcome, judging it by today's rules first: one that may no longer go
// out (the contact opted out meanwhile) fails with that reason instead.
type unsent struct {
	mu   sync.Mutex
	msgs map[conversation.ID]unsentMessage // by message ID
}

// unsentMessage is what re-driving a message needs: its conversation and
// the request it was sent with, under its stored ID.
type unsentMessage struct {
	conv conversation.ID
	dr   sendRequest
}

func (u *unsent) add(conv conversation.ID, m *conversation.Message, dr sendRequest) {
	dr.id, dr.render = m.ID, nil
	dr.text, dr.attachments, dr.template = m.Text, m.Attachments, m.Template
	u.put(m.ID, unsentMessage{conv: conv, dr: dr})
}

func (u *unsent) put(id conversation.ID, um unsentMessage) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.msgs == nil {
		u.msgs = make(map[conversation.ID]unsentMessage)
	}
	u.msgs[id] = um
}

func (u *unsent) take() map[conversation.ID]unsentMessage {
	u.mu.Lock()
	defer u.mu.Unlock()
	out := u.msgs
	u.msgs = nil
	return out
}

// resend re-drives every unsent message (Tick). One whose outcome still
// cannot be recorded stays for the next Tick and is reported in the error;
// one whose conversation is gone (erased, purged) is dropped.
func (d *Desk) resend(ctx context.Context, now time.Time) error {
	var errs []error
	for id, um := range d.unsent.take() {
		err := d.withConversation(ctx, um.conv, func() (after, error) {
			c, err := d.store.Get(ctx, um.conv)
			if errors.Is(err, conversation.ErrNotFound) {
				return after{}, nil // erased or purged: nothing left to send or record
			}
			if err != nil {
				return after{}, err
			}
			_, events, _, err := d.deliver(ctx, c, um.dr, now)
			return after{events: events, now: now}, err
		})
		if err != nil {
			d.unsent.put(id, um)
			errs = append(errs, fmt.Errorf("parley: message %s still pending: %w", id, err))
		}
	}
	return errors.Join(errs...)
}

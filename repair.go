package parley

import (
	"context"
	"errors"
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
	p, held := d.router.Conversation(id.String())
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
		return d.router.Transfer(ctx, id.String(), c.AssigneeID, now)
	case c.Status == conversation.Assigned:
		if !held {
			it := d.item(c)
			it.Touchpoint = "" // entered for this agent, not routed by its mode
			if _, err := d.router.Enqueue(ctx, it, now); err != nil {
				return nil, err
			}
		}
		return nil, d.router.Assign(ctx, id.String(), c.AssigneeID, now)
	case c.Status == conversation.Queued:
		if held && p.Outcome == routing.Assigned {
			return d.router.SendToInbox(ctx, id.String(), now)
		}
		return nil, nil
	case held:
		return d.router.Release(ctx, id.String(), now)
	case d.shared():
		// Assigned by another desk: its reservation is freed in the Ledger.
		_, err := d.ledger.Release(ctx, id.String())
		return nil, err
	}
	return nil, nil
}

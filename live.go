package parley

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
)

// LiveView is the desk at one moment, as [Desk.Live] reads it: each
// agent's presence, load and conversations, each queue's waiting work.
type LiveView struct {
	// At is the Desk's time of the reading.
	At time.Time
	// Agents are sorted by ID; Queues by name.
	Agents []AgentView
	Queues []QueueView
}

// AgentView is one agent in a [LiveView].
type AgentView struct {
	ID       string
	Queues   []string
	Presence routing.Presence
	// Load is the points the agent holds, Capacity its total (rule 2 of
	// package routing): Load/Capacity is its occupancy now.
	Load, Capacity int
	// Held are the conversations assigned to the agent, Offered those
	// offered to it and not yet accepted (their room is held too).
	Held, Offered []conversation.ID
}

// QueueView is one queue in a [LiveView]: the conversations waiting in its
// inbox, unassigned and not offered, as [Desk.Inbox] lists them.
type QueueView struct {
	Name string
	// Waiting counts them; Offered counts the queue's conversations
	// offered to an agent who has not answered yet.
	Waiting, Offered int
	// OldestWait is how long the longest-waiting one (Longest) has
	// waited, from its creation (routing.Item.Enqueued): time with a bot
	// before the hand-off included, unlike the report's wait; zero and a
	// zero ID when none waits.
	OldestWait time.Duration
	Longest    conversation.ID
}

// Live reads the desk now, in three steps that are not one instant:
//
//  1. At is the Desk's clock, read first; every wait is measured to it.
//  2. The agents, with their loads and held and offered conversations,
//     and the offered counts of the queues, come from one snapshot of
//     the router taken at once (with Config.Routing, of this desk's
//     replica after it caught up with the shared log; with a shared
//     Config.Ledger and no Config.Routing, this desk's own view, whose
//     loads are reloaded on every Tick).
//  3. Then the waiting conversations: the store's queued conversations,
//     page by page, each dropped when the router, asked again for that
//     conversation, has it offered or assigned, as [Desk.Inbox] filters
//     them.
//
// Routing goes on between and during steps 2 and 3, so a conversation
// assigned meanwhile may be missing from both an agent's Held and the
// queue's Waiting, or, when routed back, in both; each step agrees with
// routing at the moment it is read. A queue's OldestWait runs from the
// routing item's Enqueued, which the Desk sets to the conversation's
// creation: it includes time spent with a bot before the hand-off, which
// the report's wait (package report, rule 7) does not count.
func (d *Desk) Live(ctx context.Context) (LiveView, error) {
	v := LiveView{At: d.now()}
	queues := map[string]*QueueView{}
	queue := func(name string) *QueueView {
		q := queues[name]
		if q == nil {
			q = &QueueView{Name: name}
			queues[name] = q
		}
		return q
	}
	for _, tp := range d.tps {
		for _, q := range tp.Queues {
			queue(q)
		}
	}
	var snap routing.Snapshot
	if err := d.routes.view(ctx, func(r *routing.Router) { snap = r.Snapshot() }); err != nil {
		return LiveView{}, err
	}
	offered := make(map[string]routing.ConversationSnapshot)
	for _, c := range snap.Conversations {
		if c.Outcome == routing.Offered {
			offered[c.Item.ConversationID] = c
		}
	}
	for _, a := range snap.Agents {
		av := AgentView{ID: a.ID, Queues: a.Queues, Presence: a.Presence, Capacity: a.Capacity, Load: a.Load}
		for _, s := range a.Held {
			cid, err := conversation.ParseID(s)
			if err != nil {
				continue
			}
			if c, ok := offered[s]; ok {
				av.Offered = append(av.Offered, cid)
				for _, q := range c.Item.Queues {
					queue(q).Offered++
				}
				continue
			}
			av.Held = append(av.Held, cid)
		}
		for _, q := range a.Queues {
			queue(q)
		}
		v.Agents = append(v.Agents, av)
	}
	err := d.waiting(ctx, func(c *conversation.Conversation, enqueued time.Time) {
		wait := max(v.At.Sub(enqueued), 0)
		for _, name := range c.Queues {
			q := queue(name)
			q.Waiting++
			if q.Longest.IsZero() || wait > q.OldestWait || (wait == q.OldestWait && c.ID.Compare(q.Longest) < 0) {
				q.OldestWait, q.Longest = wait, c.ID
			}
		}
	})
	if err != nil {
		return LiveView{}, err
	}
	for _, q := range queues {
		v.Queues = append(v.Queues, *q)
	}
	slices.SortFunc(v.Queues, func(x, y QueueView) int { return cmp.Compare(x.Name, y.Name) })
	return v, nil
}

// waiting calls fn with every conversation waiting in an inbox, with when
// it entered routing: queued in the store and neither offered nor
// assigned in the router, as Inbox filters them.
func (d *Desk) waiting(ctx context.Context, fn func(c *conversation.Conversation, enqueued time.Time)) error {
	q := conversation.Query{Viewer: conversation.Viewer{Supervisor: true}, Statuses: []conversation.Status{conversation.Queued},
		Sort: conversation.Oldest, Limit: conversation.MaxLimit}
	for {
		page, err := d.store.Search(ctx, q)
		if err != nil {
			return err
		}
		for _, c := range page.Conversations {
			enqueued := d.item(c).Enqueued
			p, held, err := d.routes.placement(ctx, c.ID.String())
			if err != nil {
				return err
			}
			if held {
				if p.Outcome == routing.Offered || p.Outcome == routing.Assigned {
					continue
				}
				enqueued = p.Item.Enqueued
			}
			fn(c, enqueued)
		}
		if page.Next == "" {
			return nil
		}
		q.Cursor = page.Next
	}
}

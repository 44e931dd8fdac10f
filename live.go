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
	// waited, from when it entered routing; zero and a zero ID when none
	// waits.
	OldestWait time.Duration
	Longest    conversation.ID
}

// Live reads the desk now: every agent's presence, load against capacity
// and conversations, as the router holds them, and every queue's waiting
// conversations, read from the store and the router as [Desk.Inbox]
// reads them. Each agent is read in one step; the view is not one atomic
// snapshot across agents, as routing goes on meanwhile. With a shared
// Config.Ledger, loads are this desk's view, reloaded on every Tick.
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
	for _, id := range d.roster.all() {
		a, ok := d.router.Agent(id)
		if !ok {
			continue // removed meanwhile
		}
		av := AgentView{ID: id, Queues: a.Queues, Presence: a.Presence, Capacity: a.Capacity}
		if av.Capacity == 0 {
			av.Capacity = routing.DefaultCapacity
		}
		av.Load, _ = d.router.Load(id)
		held, _ := d.router.Held(id)
		for _, s := range held {
			cid, err := conversation.ParseID(s)
			if err != nil {
				continue
			}
			p, ok := d.router.Conversation(s)
			switch {
			case !ok:
			case p.Outcome == routing.Offered:
				av.Offered = append(av.Offered, cid)
				for _, q := range p.Item.Queues {
					queue(q).Offered++
				}
			default:
				av.Held = append(av.Held, cid)
			}
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
			if p, held := d.router.Conversation(c.ID.String()); held {
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

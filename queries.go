package parley

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/session"
)

// Conversation returns the stored conversation id as actorID may see it:
// an error matching conversation.ErrNotFound when there is none,
// routing.ErrNotVisible when the actor may not see it (an agent sees an
// unassigned conversation of its queues and its own; a supervisor and
// SystemActor see all), routing.ErrUnknownAgent for an unknown actor.
func (d *Desk) Conversation(ctx context.Context, actorID string, id conversation.ID) (*conversation.Conversation, error) {
	v, err := d.actor(ctx, actorID)
	if err != nil {
		return nil, err
	}
	c, err := d.store.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := see(v, c); err != nil {
		return nil, err
	}
	return c, nil
}

// Messages returns one page of the messages of q.ConversationID, which
// actorID must be able to see (as for [Desk.Conversation]); q.Text
// searches inside them.
func (d *Desk) Messages(ctx context.Context, actorID string, q conversation.MessageQuery) (conversation.MessagePage, error) {
	if _, err := d.Conversation(ctx, actorID, q.ConversationID); err != nil {
		return conversation.MessagePage{}, err
	}
	return d.store.Messages(ctx, q)
}

// Inbox returns the conversations waiting in agentID's queues, unassigned,
// that the agent may take: by priority, then age (oldest first unless
// order says newest first; WindowClosingFirst puts WhatsApp windows that
// close soonest first within a priority). It reads the conversation store,
// so desks sharing a store show the same inbox: what one desk received,
// another lists, and what one assigned, none lists. A conversation this
// desk has offered to an agent is not listed while the offer stands.
func (d *Desk) Inbox(ctx context.Context, agentID string, order routing.Order) ([]*conversation.Conversation, error) {
	v, err := d.viewer(ctx, agentID)
	if err != nil || len(v.Queues) == 0 {
		return nil, err
	}
	// The agent's queues, not everything a supervisor may see: the inbox
	// is the work the agent may take.
	q := conversation.Query{Viewer: v, Statuses: []conversation.Status{conversation.Queued}, Queues: v.Queues,
		Sort: conversation.Oldest, Limit: conversation.MaxLimit}
	var out []*conversation.Conversation
	var items []routing.Item
	for {
		page, err := d.store.Search(ctx, q)
		if err != nil {
			return nil, err
		}
		out = slices.Grow(out, len(page.Conversations))
		items = slices.Grow(items, len(page.Conversations))
		for _, c := range page.Conversations {
			p, held, err := d.routes.placement(ctx, c.ID.String())
			if err != nil {
				return nil, err
			}
			if held && (p.Outcome == routing.Offered || p.Outcome == routing.Assigned) {
				continue // offered here, or assigned and the store not told yet
			}
			out = append(out, c)
			items = append(items, d.item(c))
		}
		if page.Next == "" {
			break
		}
		q.Cursor = page.Next
	}
	idx := make([]int, len(out))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(i, j int) int {
		if c := order.Compare(&items[i], &items[j]); c != 0 {
			return c
		}
		if order == routing.NewestFirst {
			return cmp.Compare(j, i)
		}
		return cmp.Compare(i, j)
	})
	sorted := make([]*conversation.Conversation, len(out))
	for k, i := range idx {
		sorted[k] = out[i]
	}
	return sorted, nil
}

// Search runs q for actorID: only what the actor may see is returned,
// whatever q.Viewer says: an unassigned conversation in one of the
// agent's queues, one assigned to the agent, or anything for a supervisor
// or SystemActor.
func (d *Desk) Search(ctx context.Context, actorID string, q conversation.Query) (conversation.Page, error) {
	v, err := d.actor(ctx, actorID)
	if err != nil {
		return conversation.Page{}, err
	}
	q.Viewer = v
	return d.store.Search(ctx, q)
}

// History returns a contact's conversations that actorID may see, newest
// first, one page at a time.
func (d *Desk) History(ctx context.Context, actorID, contactID, cursor string) (conversation.Page, error) {
	return d.Search(ctx, actorID, conversation.Query{ContactID: contactID, Cursor: cursor})
}

// Composer is what an agent's reply box shows: whether the agent may reply
// now (the customer-service window), why, since and until when, and
// whether the contact has opted out of SMS.
type Composer struct {
	session.Composer
	// OptedOut reports that the contact opted out of the touchpoint's
	// scope: nothing may be sent until they opt back in.
	OptedOut bool
	// Assigned reports that the agent owns the conversation; a reply to an
	// unassigned one assigns it first.
	Assigned bool
}

// Composer returns the composer state of conversation id for agentID.
func (d *Desk) Composer(ctx context.Context, agentID string, id conversation.ID) (Composer, error) {
	v, err := d.viewer(ctx, agentID)
	if err != nil {
		return Composer{}, err
	}
	c, err := d.store.Get(ctx, id)
	if err != nil {
		return Composer{}, err
	}
	if err := see(v, c); err != nil {
		return Composer{}, err
	}
	now := d.now()
	w := session.Window{Channel: c.Channel, LastInbound: c.LastInboundAt}
	out := Composer{Composer: d.sessions.Composer(w, true, now), Assigned: c.AssigneeID == agentID && c.Status == conversation.Assigned}
	if c.Channel == channel.SMS {
		tp, err := d.touchpoint(c.Touchpoint)
		if err != nil {
			return Composer{}, err
		}
		to, err := recipient(c)
		if err != nil {
			return Composer{}, err
		}
		if out.OptedOut, _, err = d.consent.OptedOut(ctx, tp.scope, to); err != nil {
			return Composer{}, err
		}
		if out.OptedOut {
			out.CanReply, out.Templates = false, false
		}
	}
	if !c.Status.Open() {
		out.CanReply, out.Templates = false, false
	}
	return out, nil
}

// ExpiringWindows lists the customer-service windows open now that close
// within d, soonest first, whichever desk sharing Config.Windows received
// the message that opened them, so a host can show agents "expires in
// 1 h" at any time. The events go by themselves: [Desk.Tick] publishes a
// [WindowEvent] when a window comes within Config.WindowWarning of
// closing and when it closes.
//
// The list names contacts of every queue, so only a supervisor or
// SystemActor may read it (ErrForbidden): an agent reads its own
// conversations' windows in [Desk.Composer].
func (d *Desk) ExpiringWindows(ctx context.Context, actorID string, within time.Duration) ([]session.Tracked, error) {
	if err := d.supervising(ctx, actorID, "list every expiring window"); err != nil {
		return nil, err
	}
	return d.windows.Expiring(ctx, d.now(), within)
}

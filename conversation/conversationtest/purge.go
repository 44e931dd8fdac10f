package conversationtest

import (
	"errors"
	"time"

	"github.com/parleyhq/parley/conversation"
)

// purgeCases check [conversation.Purger], the optional retention call.
// They are skipped when the store lacks it.
var purgeCases = []storeCase{
	{"PurgeEnded", "Purger: Purge removes ended conversations last changed before the cutoff, with their messages and provider IDs, and nothing else", func(f *storeFixture) {
		p := purger(f)
		old := f.create(spec{contact: "ana", name: "Ana", queues: []string{"q"}})
		f.appendNew(f.inbound(old, "wamid.OLD", "old news"))
		f.closeConv(old)
		ended := f.create(spec{contact: "bob", queues: []string{"q"}})
		f.assign(ended, "agent-1")
		_, err := ended.End(ended.CreatedAt.Add(time.Hour))
		f.must(err, "End")
		f.must(f.s.Update(f.ctx, ended), "Update after End")
		stillOpen := f.create(spec{contact: "cy", queues: []string{"q"}})
		f.appendNew(f.inbound(stillOpen, "wamid.OPEN", "still here"))
		cutoff := suiteEpoch.Add(24 * time.Hour)
		recent := f.create(spec{contact: "ana", name: "Ana", queues: []string{"q"}})
		f.closeConv(recent)
		recent.Tags = append(recent.Tags, "late-note")
		recent.UpdatedAt = cutoff.Add(time.Hour) // changed after it ended
		f.must(f.s.Update(f.ctx, recent), "Update after the cutoff")

		got, err := p.Purge(f.ctx, cutoff)
		if err != nil {
			f.fatalf("Purge: %v", err)
		}
		if got != (conversation.Purged{Conversations: 2, Messages: 1}) {
			f.errorf("Purge counted %+v, want 2 conversations and 1 message", got)
		}
		for _, id := range []conversation.ID{old.ID, ended.ID} {
			if _, err := f.s.Get(f.ctx, id); !errors.Is(err, conversation.ErrNotFound) {
				f.errorf("Get of a purged conversation: got %v, want ErrNotFound", err)
			}
			if _, err := f.s.Messages(f.ctx, conversation.MessageQuery{ConversationID: id}); !errors.Is(err, conversation.ErrNotFound) {
				f.errorf("Messages of a purged conversation: got %v, want ErrNotFound", err)
			}
		}
		if _, err := f.s.MessageByProvider(f.ctx, "tp-whatsapp", "ana", "wamid.OLD"); !errors.Is(err, conversation.ErrNotFound) {
			f.errorf("MessageByProvider of a purged message: got %v, want ErrNotFound", err)
		}
		for _, q := range []conversation.Query{{}, {ContactID: "ana"}, {Text: "ana"}, {Statuses: []conversation.Status{conversation.Closed}}} {
			q.Viewer, q.Sort = supervisor, conversation.Oldest
			for _, c := range f.search(q) {
				if c.ID == old.ID || c.ID == ended.ID {
					f.errorf("Search %+v still finds purged %v", q, c.ID)
				}
			}
		}
		if got := convIDs(f.search(conversation.Query{Viewer: supervisor, Sort: conversation.Oldest})); !sameIDs(got, []conversation.ID{stillOpen.ID, recent.ID}) {
			f.errorf("Search after Purge: got %v, want the open and the recent one", got)
		}
		if n := len(f.allMessages(stillOpen.ID, "", 0)); n != 1 {
			f.errorf("an open conversation's messages changed: %d, want 1", n)
		}
		again := f.create(spec{contact: "ana", name: "Ana", queues: []string{"q"}})
		if _, created, err := f.s.AppendMessage(f.ctx, f.inbound(again, "wamid.OLD", "new")); err != nil || !created {
			f.errorf("AppendMessage with a purged message's provider ID: created %v, %v; want stored as new", created, err)
		}
	}},
	{"PurgeNeverOpen", "Purger: Purge never removes an open conversation, however old", func(f *storeFixture) {
		p := purger(f)
		open := f.create(spec{contact: "ana", queues: []string{"q"}})
		got, err := p.Purge(f.ctx, suiteEpoch.Add(1000*time.Hour))
		if err != nil || got != (conversation.Purged{}) {
			f.errorf("Purge of a store with only an open conversation: %+v, %v; want nothing removed", got, err)
		}
		f.get(open.ID)
	}},
	{"PurgeKeepsComments", "Purger: Purge keeps comments, which are about the contact", func(f *storeFixture) {
		p := purger(f)
		cs, ok := f.s.(conversation.CommentStore)
		if !ok {
			f.t.Skip("the store does not implement conversation.CommentStore, which is optional")
		}
		c := f.create(spec{contact: "ana", queues: []string{"q"}})
		f.closeConv(c)
		cm, err := conversation.NewComment(f.ids(), "ana", "agent-1", "prefers e-mail", suiteEpoch)
		f.must(err, "NewComment")
		f.must(cs.AddComment(f.ctx, cm), "AddComment")
		if _, err := p.Purge(f.ctx, suiteEpoch.Add(1000*time.Hour)); err != nil {
			f.fatalf("Purge: %v", err)
		}
		if left, err := cs.Comments(f.ctx, "ana"); err != nil || len(left) != 1 {
			f.errorf("comments after Purge: %v, %v; want the one", left, err)
		}
	}},
	{"PurgeZeroCutoff", "Purger: Purge with a zero cutoff fails with ErrInvalid", func(f *storeFixture) {
		_, err := purger(f).Purge(f.ctx, time.Time{})
		f.wantErr(err, conversation.ErrInvalid, "Purge(zero time)")
	}},
}

// purger returns the store as a Purger, or skips the case.
func purger(f *storeFixture) conversation.Purger {
	f.t.Helper()
	p, ok := f.s.(conversation.Purger)
	if !ok {
		f.t.Skip("the store does not implement conversation.Purger, which is optional")
	}
	return p
}

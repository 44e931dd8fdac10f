package conversationtest

import (
	"errors"

	"github.com/parleyhq/parley/conversation"
)

// eraseCases check [conversation.Eraser], the optional capability behind
// the right to be forgotten. They are skipped when the store lacks it.
var eraseCases = []storeCase{
	{"Erase", "Eraser: erasing a contact removes its conversations, messages and comments, and nobody else's", func(f *storeFixture) {
		e, ok := f.s.(conversation.Eraser)
		if !ok {
			f.t.Skip("the store does not implement conversation.Eraser, which is optional")
		}
		gone := f.create(spec{contact: "forget-me", queues: []string{"q"}})
		f.appendNew(f.inbound(gone, "wamid.F", "my data"))
		f.closeConv(gone)
		gone2 := f.create(spec{contact: "forget-me", queues: []string{"q"}})
		kept := f.create(spec{contact: "keep-me", queues: []string{"q"}})
		f.appendNew(f.inbound(kept, "wamid.K", "stay"))
		cs, hasComments := f.s.(conversation.CommentStore)
		if hasComments {
			cm, err := conversation.NewComment(f.ids(), "forget-me", "agent-1", "VIP, ask @bob", suiteEpoch)
			f.must(err, "NewComment")
			f.must(cs.AddComment(f.ctx, cm), "AddComment")
		}
		got, err := e.Erase(f.ctx, "forget-me")
		if err != nil {
			f.fatalf("Erase: %v", err)
		}
		if got.Conversations != 2 || got.Messages != 1 {
			f.errorf("Erase counted %+v, want 2 conversations and 1 message", got)
		}
		for _, id := range []conversation.ID{gone.ID, gone2.ID} {
			if _, err := f.s.Get(f.ctx, id); !errors.Is(err, conversation.ErrNotFound) {
				f.errorf("Get of an erased conversation: got %v, want ErrNotFound", err)
			}
		}
		if _, err := f.s.FindOpen(f.ctx, gone2.Key()); !errors.Is(err, conversation.ErrNotFound) {
			f.errorf("FindOpen of an erased contact: got %v, want ErrNotFound", err)
		}
		if got := convIDs(f.search(conversation.Query{Viewer: supervisor})); !sameIDs(got, []conversation.ID{kept.ID}) {
			f.errorf("Search after erasure: got %v, want only %v", got, kept.ID)
		}
		if n := len(f.allMessages(kept.ID, "", 0)); n != 1 {
			f.errorf("another contact's messages changed: %d, want 1", n)
		}
		if hasComments {
			left, err := cs.Comments(f.ctx, "forget-me")
			if err != nil || len(left) != 0 {
				f.errorf("comments after erasure: %v, %v; want none", left, err)
			}
		}
	}},
}

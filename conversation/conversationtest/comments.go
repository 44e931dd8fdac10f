package conversationtest

import (
	"time"

	"github.com/parleyhq/parley/conversation"
)

// commentCases check [conversation.CommentStore], the optional store of
// comments agents leave on contacts. They are skipped when the store lacks
// it.
var commentCases = []storeCase{
	{"Comments", "CommentStore: comments belong to the contact, come back oldest first with their mentions, IDs are unique", func(f *storeFixture) {
		cs, ok := f.s.(conversation.CommentStore)
		if !ok {
			f.t.Skip("the store does not implement conversation.CommentStore, which is optional")
		}
		first, err := conversation.NewComment(f.ids(), "ana", "agent-1", "prefers e-mail, cc @bob", suiteEpoch)
		f.must(err, "NewComment")
		second, err := conversation.NewComment(f.ids(), "ana", "agent-2", "@carla follow up", suiteEpoch.Add(time.Minute))
		f.must(err, "NewComment")
		f.must(cs.AddComment(f.ctx, first), "AddComment")
		f.must(cs.AddComment(f.ctx, second), "AddComment")
		f.wantErr(cs.AddComment(f.ctx, first), conversation.ErrDuplicateID, "AddComment with a taken ID")
		f.wantErr(cs.AddComment(f.ctx, &conversation.Comment{ID: f.ids(), ContactID: "ana"}), conversation.ErrInvalid, "AddComment without author or text")
		got, err := cs.Comments(f.ctx, "ana")
		f.must(err, "Comments")
		if len(got) != 2 || got[0].ID != first.ID || got[1].ID != second.ID ||
			len(got[0].Mentions) != 1 || got[0].Mentions[0] != "bob" {
			f.errorf("Comments = %+v, want the two comments oldest first with mentions", got)
		}
		none, err := cs.Comments(f.ctx, "nobody")
		if err != nil || len(none) != 0 {
			f.errorf("Comments of an unknown contact = %v, %v; want none and no error", none, err)
		}
	}},
}

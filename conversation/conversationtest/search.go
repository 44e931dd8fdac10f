package conversationtest

import (
	"fmt"
	"time"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
)

var supervisor = conversation.Viewer{Supervisor: true}

// search pages through every result of q.
func (f *storeFixture) search(q conversation.Query) []*conversation.Conversation {
	f.t.Helper()
	var out []*conversation.Conversation
	for pages := 0; ; pages++ {
		if pages > 1000 {
			f.fatalf("Search never returned an empty Next")
		}
		p, err := f.s.Search(f.ctx, q)
		f.must(err, "Search")
		out = append(out, p.Conversations...)
		if p.Next == "" {
			return out
		}
		q.Cursor = p.Next
	}
}

func (f *storeFixture) assign(c *conversation.Conversation, agent string) {
	f.t.Helper()
	_, err := c.Assign(agent, conversation.AssignManual, c.CreatedAt.Add(time.Second))
	f.must(err, "Assign")
	f.must(f.s.Update(f.ctx, c), "Update after Assign")
}

func convIDs(cs []*conversation.Conversation) []conversation.ID {
	out := make([]conversation.ID, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

var searchCases = []storeCase{
	{"SearchVisibility", "Search returns only what the viewer may see: unassigned to its queues' agents, assigned to the assignee, all to supervisors", func(f *storeFixture) {
		inSales := f.create(spec{contact: "c1", queues: []string{"sales"}})
		inSupport := f.create(spec{contact: "c2", queues: []string{"support"}})
		mine := f.create(spec{contact: "c3", queues: []string{"support"}})
		f.assign(mine, "agent-1")
		theirs := f.create(spec{contact: "c4", queues: []string{"sales"}})
		f.assign(theirs, "agent-2")
		cases := []struct {
			viewer conversation.Viewer
			want   []conversation.ID
		}{
			{conversation.Viewer{AgentID: "agent-1", Queues: []string{"sales"}}, []conversation.ID{inSales.ID, mine.ID}},
			{conversation.Viewer{AgentID: "agent-2", Queues: []string{"support"}}, []conversation.ID{inSupport.ID, theirs.ID}},
			{supervisor, []conversation.ID{inSales.ID, inSupport.ID, mine.ID, theirs.ID}},
			{conversation.Viewer{}, nil},
		}
		for _, tc := range cases {
			got := convIDs(f.search(conversation.Query{Viewer: tc.viewer, Sort: conversation.Oldest}))
			if !sameIDs(got, tc.want) {
				f.errorf("viewer %+v saw %v, want %v", tc.viewer, got, tc.want)
			}
		}
	}},
	{"SearchFilters", "Search filters by contact text, contact ID, channel, touchpoint, queues, status, assignee and date range", func(f *storeFixture) {
		ana := f.create(spec{contact: "ana", name: "Ana Lima", addr: "whatsapp:+14155550100", queues: []string{"sales"}})
		bob := f.create(spec{contact: "bob", name: "Bob", addr: "email:bob@example.com", touchpoint: "tp-mail", kind: channel.Email, queues: []string{"support"}})
		cy := f.create(spec{contact: "cy", name: "Cy", addr: "sms:+442071838750", touchpoint: "tp-sms", kind: channel.SMS, queues: []string{"sales"}})
		f.assign(cy, "agent-9")
		cases := []struct {
			name string
			q    conversation.Query
			want []conversation.ID
		}{
			{"name, any case", conversation.Query{Text: "ana li"}, []conversation.ID{ana.ID}},
			{"phone number digits", conversation.Query{Text: "4155550100"}, []conversation.ID{ana.ID}},
			{"e-mail", conversation.Query{Text: "BOB@EXAMPLE"}, []conversation.ID{bob.ID}},
			{"contact", conversation.Query{ContactID: "bob"}, []conversation.ID{bob.ID}},
			{"channel", conversation.Query{Channels: []channel.Kind{channel.Email, channel.SMS}}, []conversation.ID{bob.ID, cy.ID}},
			{"touchpoint", conversation.Query{Touchpoints: []string{"tp-whatsapp"}}, []conversation.ID{ana.ID}},
			{"queues", conversation.Query{Queues: []string{"sales"}}, []conversation.ID{ana.ID, cy.ID}},
			{"status", conversation.Query{Statuses: []conversation.Status{conversation.Assigned}}, []conversation.ID{cy.ID}},
			{"assignee", conversation.Query{AssigneeID: "agent-9"}, []conversation.ID{cy.ID}},
			{"since is inclusive", conversation.Query{Since: bob.CreatedAt}, []conversation.ID{bob.ID, cy.ID}},
			{"until is exclusive", conversation.Query{Until: bob.CreatedAt}, []conversation.ID{ana.ID}},
			{"filters combine", conversation.Query{Queues: []string{"sales"}, Text: "cy"}, []conversation.ID{cy.ID}},
			{"no match", conversation.Query{Text: "nobody"}, nil},
		}
		for _, tc := range cases {
			tc.q.Viewer, tc.q.Sort = supervisor, conversation.Oldest
			if got := convIDs(f.search(tc.q)); !sameIDs(got, tc.want) {
				f.errorf("%s: got %v, want %v", tc.name, got, tc.want)
			}
		}
	}},
	{"SearchPaging", "Search sorts by creation, newest or oldest first, and pages without repeats or gaps while conversations arrive", func(f *storeFixture) {
		var want []conversation.ID
		for i := 0; i < 17; i++ {
			want = append(want, f.create(spec{contact: fmt.Sprintf("c%02d", i), queues: []string{"q"}}).ID)
		}
		if got := convIDs(f.search(conversation.Query{Viewer: supervisor, Sort: conversation.Oldest, Limit: 4})); !sameIDs(got, want) {
			f.errorf("oldest first in pages of 4: got %v, want %v", got, want)
		}
		var seen []conversation.ID
		q := conversation.Query{Viewer: supervisor, Sort: conversation.Newest, Limit: 5}
		for pages := 0; pages < 100; pages++ {
			p, err := f.s.Search(f.ctx, q)
			f.must(err, "Search newest first")
			if len(p.Conversations) > 5 {
				f.errorf("page of %d conversations, limit 5", len(p.Conversations))
			}
			seen = append(seen, convIDs(p.Conversations)...)
			f.create(spec{contact: fmt.Sprintf("late%02d", pages)}) // newer: above the cursor
			if p.Next == "" {
				break
			}
			q.Cursor = p.Next
		}
		reversed := make([]conversation.ID, len(want))
		for i, id := range want {
			reversed[len(want)-1-i] = id
		}
		if !sameIDs(seen, reversed) {
			f.errorf("newest first while creating: got %v, want %v", seen, reversed)
		}
		_, err := f.s.Search(f.ctx, conversation.Query{Viewer: supervisor, Cursor: "not-a-cursor"})
		f.wantErr(err, conversation.ErrBadCursor, "Search with a cursor the store never gave")
	}},
}

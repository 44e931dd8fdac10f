package conversationtest

import (
	"fmt"
	"slices"

	"github.com/parleyhq/parley/conversation"
)

// searchPagingCases check paging while a filter narrows the results, in
// both orders: a store that answers a filter from an index of its own
// must page through it as it pages through everything.
var searchPagingCases = []storeCase{
	{"SearchPagingFiltered", "Search pages a filtered result (contact, queue, status, text), newest or oldest first, without repeats or gaps", func(f *storeFixture) {
		// 24 conversations of 6 contacts over 2 queues, each on a
		// touchpoint of its own; every third is closed, and of the rest
		// every fourth assigned.
		type made struct {
			c                *conversation.Conversation
			contact, queue   string
			closed, assigned bool
		}
		var all []made
		for i := 0; i < 24; i++ {
			contact := []string{"ana", "bob", "cy"}[i%3]
			queue := []string{"sales", "support"}[i/3%2]
			name := map[string]string{"ana": "Ana Lima", "bob": "Bob Stone", "cy": "Cy Ana"}[contact]
			c := f.create(spec{touchpoint: fmt.Sprintf("tp-%02d", i), contact: fmt.Sprintf("%s-%d", contact, i/12), name: name, queues: []string{queue}, addr: fmt.Sprintf("whatsapp:+1415555%04d", i%3)})
			m := made{c: c, contact: c.Contact.ID, queue: queue}
			switch {
			case i%3 == 0:
				f.closeConv(c)
				m.closed = true
			case i%4 == 1:
				f.assign(c, "agent-1")
				m.assigned = true
			}
			all = append(all, m)
		}
		cases := []struct {
			name string
			q    conversation.Query
			keep func(m made) bool
		}{
			{"contact", conversation.Query{ContactID: "ana-0"}, func(m made) bool { return m.contact == "ana-0" }},
			{"queued in a queue", conversation.Query{Statuses: []conversation.Status{conversation.Queued}, Queues: []string{"sales"}},
				func(m made) bool { return !m.closed && !m.assigned && m.queue == "sales" }},
			{"open statuses", conversation.Query{Statuses: []conversation.Status{conversation.Queued, conversation.Assigned}},
				func(m made) bool { return !m.closed }},
			{"closed", conversation.Query{Statuses: []conversation.Status{conversation.Closed}}, func(m made) bool { return m.closed }},
			{"queued in either queue", conversation.Query{Statuses: []conversation.Status{conversation.Queued}, Queues: []string{"sales", "support"}},
				func(m made) bool { return !m.closed && !m.assigned }},
			{"text in a name", conversation.Query{Text: "ANA"}, func(m made) bool { return m.contact[0] != 'b' }},
			{"text in a number", conversation.Query{Text: "5550001"}, func(m made) bool { return m.contact[0] == 'b' }},
			{"text and status", conversation.Query{Text: "lima", Statuses: []conversation.Status{conversation.Closed}},
				func(m made) bool { return m.contact[0] == 'a' && m.closed }},
		}
		for _, tc := range cases {
			var want []conversation.ID
			for _, m := range all {
				if tc.keep(m) {
					want = append(want, m.c.ID)
				}
			}
			for _, sort := range []conversation.Sort{conversation.Oldest, conversation.Newest} {
				q := tc.q
				q.Viewer, q.Sort, q.Limit = supervisor, sort, 2
				w := want
				if sort == conversation.Newest {
					w = slices.Clone(want)
					slices.Reverse(w)
				}
				if got := convIDs(f.search(q)); !sameIDs(got, w) {
					f.errorf("%s, %v first, pages of 2: got %v, want %v", tc.name, sort, got, w)
				}
			}
		}
	}},
}

package memory

import (
	"slices"

	"github.com/parleyhq/parley/conversation"
)

// The store indexes what a desk looks up, so that no lookup scans the
// history (conversation_search.go picks one per query):
//
//   - by contact: each contact's conversations, newest first, chained
//     through convRecord.older (Desk.Start and Receive ask for the
//     contact's last conversation; a contact's history);
//   - by open status and queue: the open conversations, in search order,
//     per (status, queue) and per status (an inbox);
//   - by text: the contacts' names and address IDs (text_index.go).
//
// The open-status lists hold only open conversations, so their cost grows
// with a desk's live work, not its history.

// contactEntry is what the indexes keep per contact number.
type contactEntry struct {
	newest *convRecord // the contact's newest conversation, nil for none
	text   uint32      // the contact's last string in the text index, as its offset + 1; 0 for none
	// mixed is set when a text hit on the contact may not hold for each
	// of its conversations: they carry different names or addresses, or
	// the index keeps a string none carries now (see addText).
	mixed bool
}

// openKey names an open-status list: one status, in one queue, or in any
// queue when queue is "".
type openKey struct {
	status conversation.Status
	queue  string
}

// index enters a new record r into every index. The caller holds s.mu for
// writing.
func (s *ConversationStore) index(r *convRecord) {
	s.linkContact(r)
	s.addOpen(r)
	s.addText(r)
}

// contact returns the entry of contact number n, growing the table.
func (s *ConversationStore) contact(n uint32) *contactEntry {
	if int(n) >= len(s.contacts) {
		s.contacts = slices.Grow(s.contacts, int(n)+1-len(s.contacts))[:n+1]
	}
	return &s.contacts[n]
}

// linkContact places r in its contact's chain, which stays in search
// order, newest first; a new conversation is nearly always the newest.
func (s *ConversationStore) linkContact(r *convRecord) {
	e := s.contact(r.contact)
	if e.newest == nil || compareRecords(e.newest, r) < 0 {
		r.older, e.newest = e.newest, r
		return
	}
	p := e.newest
	for p.older != nil && compareRecords(p.older, r) > 0 {
		p = p.older
	}
	r.older, p.older = p.older, r
}

// unlinkContact takes r out of its contact's chain.
func (s *ConversationStore) unlinkContact(r *convRecord) {
	e := s.contact(r.contact)
	if e.newest == r {
		e.newest, r.older = r.older, nil
		return
	}
	for p := e.newest; p != nil; p = p.older {
		if p.older == r {
			p.older, r.older = r.older, nil
			return
		}
	}
}

// openKeys calls f with every open-status list r belongs in: none unless
// r is open.
func openKeys(c *conversation.Conversation, f func(openKey)) {
	if !c.Status.Open() {
		return
	}
	f(openKey{status: c.Status})
	for i, q := range c.Queues {
		if q != "" && !slices.Contains(c.Queues[:i], q) {
			f(openKey{status: c.Status, queue: q})
		}
	}
}

func (s *ConversationStore) addOpen(r *convRecord) {
	openKeys(&r.c, func(k openKey) {
		l := s.openIx[k]
		i, _ := slices.BinarySearchFunc(l, r, compareRecords)
		s.openIx[k] = slices.Insert(l, i, r)
	})
}

func (s *ConversationStore) removeOpen(r *convRecord) {
	openKeys(&r.c, func(k openKey) {
		l := s.openIx[k]
		if i, ok := slices.BinarySearchFunc(l, r, compareRecords); ok {
			l = slices.Delete(l, i, i+1)
		}
		if len(l) == 0 {
			delete(s.openIx, k)
		} else {
			s.openIx[k] = l
		}
	})
}

// reindexing reports whether storing c over r moves r between open-status
// lists.
func (s *ConversationStore) reindexing(r *convRecord, c *conversation.Conversation) bool {
	if !r.c.Status.Open() && !c.Status.Open() {
		return false
	}
	return r.c.Status != c.Status || !slices.Equal(r.c.Queues, c.Queues)
}

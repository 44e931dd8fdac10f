package memory

import (
	"context"
	"slices"

	"github.com/parleyhq/parley/conversation"
)

// Erase forgets a contact: every conversation, message and comment of
// theirs (the right to be forgotten), and their names and addresses in the
// search index. It finds the conversations by the contact index, then
// rewrites the search order and the text index, which is fine for a
// request that comes rarely.
func (s *ConversationStore) Erase(ctx context.Context, contactID string) (conversation.Erasure, error) {
	if err := ctx.Err(); err != nil {
		return conversation.Erasure{}, err
	}
	if contactID == "" {
		return conversation.Erasure{}, &conversation.FieldError{Field: "contact ID", Problem: "is required"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var e conversation.Erasure
	if n, ok := s.authors.ids[contactID]; ok {
		ce := s.contact(n)
		for r := ce.newest; r != nil; r = r.older {
			e.Messages += s.forget(r)
			e.Conversations++
		}
		ce.newest = nil
		s.text.erase(ce, n)
	}
	s.authors.forget(contactID)
	if e.Conversations > 0 {
		s.sorted = slices.DeleteFunc(s.sorted, func(r *convRecord) bool { return r.c.Contact.ID == contactID })
	}
	for _, c := range s.comments[contactID] {
		delete(s.commentIDs, c.ID)
	}
	e.Comments = len(s.comments[contactID])
	delete(s.comments, contactID)
	s.compactIfWorth()
	return e, nil
}

// forget removes conversation r and its messages from everything but the
// search order (s.sorted) and its contact's chain, which the caller
// rewrites once for all it forgets, and returns how many messages it had.
// The caller holds s.mu for writing.
func (s *ConversationStore) forget(r *convRecord) int {
	s.releaseSlot(r)
	s.removeOpen(r)
	for _, ref := range r.msgs {
		s.eraseRecord(r, ref)
	}
	delete(s.convs, r.c.ID)
	s.list[r.pos] = nil
	s.dead += 1 + len(r.msgs)
	return len(r.msgs)
}

// eraseRecord forgets message ref of conversation r: out of the indexes,
// its strings zeroed, its record (but for its ID) and extras cleared. The
// caller holds s.mu for writing.
func (s *ConversationStore) eraseRecord(r *convRecord, ref msgRef) {
	m := s.records.at(ref)
	s.byID.remove(m.id, ref)
	if m.providerID.n != 0 {
		r.byProvider.remove(s.providerKey(s.sender(m), s.strings.view(m.providerID)), ref)
	}
	s.strings.erase(m.text)
	s.strings.erase(m.providerID)
	if m.extra != 0 {
		s.extras[m.extra] = msgExtra{}
	}
	// The ID stays, so the ID index's slice stays sorted (idindex.go).
	*m = msgRecord{id: m.id, flags: flagErased}
}

// AddComment stores a comment on a contact; see [conversation.CommentStore].
func (s *ConversationStore) AddComment(ctx context.Context, c *conversation.Comment) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.commentIDs[c.ID]; ok {
		return conversation.ErrDuplicateID
	}
	s.commentIDs[c.ID] = struct{}{}
	s.comments[c.ContactID] = append(s.comments[c.ContactID], cloneComment(c))
	return nil
}

// Comments returns copies of a contact's comments, oldest first.
func (s *ConversationStore) Comments(ctx context.Context, contactID string) ([]*conversation.Comment, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	list := s.comments[contactID]
	out := make([]*conversation.Comment, len(list))
	for i, c := range list {
		out[i] = cloneComment(c)
	}
	return out, nil
}

func cloneComment(c *conversation.Comment) *conversation.Comment {
	d := *c
	d.Mentions = slices.Clone(c.Mentions)
	return &d
}

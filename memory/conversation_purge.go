package memory

import (
	"context"
	"slices"
	"time"

	"github.com/parleyhq/parley/conversation"
)

// Compile-time check: the store implements the optional retention call.
var _ conversation.Purger = (*ConversationStore)(nil)

// Purge deletes the ended conversations last changed before before, with
// their messages; see [conversation.Purger] for the contract. It reads
// only the conversations created before before, in search order, and
// then compacts the store when what it freed outweighs what is left.
func (s *ConversationStore) Purge(ctx context.Context, before time.Time) (conversation.Purged, error) {
	if err := ctx.Err(); err != nil {
		return conversation.Purged{}, err
	}
	if before.IsZero() {
		return conversation.Purged{}, &conversation.FieldError{Field: "before", Problem: "is required"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// A conversation is changed no earlier than it is created, so the
	// ones to purge are all created before before.
	end, _ := slices.BinarySearchFunc(s.sorted, before, func(r *convRecord, t time.Time) int { return r.c.CreatedAt.Compare(t) })
	var p conversation.Purged
	kept := s.sorted[:0]
	for _, r := range s.sorted[:end] {
		if !r.c.Purgeable(before) {
			kept = append(kept, r)
			continue
		}
		s.unlinkContact(r)
		p.Messages += s.forget(r)
		p.Conversations++
	}
	if p.Conversations > 0 {
		s.sorted = append(kept, s.sorted[end:]...)
		clear(s.sorted[len(s.sorted):cap(s.sorted)])
	}
	s.compactIfWorth()
	return p, nil
}

// compactMin is the least number of forgotten conversations and messages
// worth a compaction.
const compactMin = 4096

// compactIfWorth compacts the store when more has been forgotten since the
// last compaction than is kept, so a compaction, which costs what is
// kept, is paid for by what was forgotten. The caller holds s.mu for
// writing.
func (s *ConversationStore) compactIfWorth() {
	live := len(s.list) + s.records.n - s.dead
	if s.dead >= compactMin && s.dead > live {
		s.compact()
	}
}

// compact rebuilds the store from what it keeps, as a fresh store holding
// only that would be: the message arena, records, extras, the authors, the
// ID, provider and search indexes and the maps hold nothing of an erased
// or purged conversation afterwards. The caller holds s.mu for writing.
func (s *ConversationStore) compact() {
	ns := &ConversationStore{state: newState()}
	moved := make([]*convRecord, len(s.list))
	for i, r := range s.list {
		if r != nil {
			moved[i] = ns.insert(&r.c)
		}
	}
	// Messages go in their append order, which keeps each conversation's
	// order and the ID index's (nearly sorted) order.
	for ref := msgRef(1); int(ref) <= s.records.n; ref++ {
		rec := s.records.at(ref)
		if rec.flags&flagErased != 0 {
			continue
		}
		m := s.message(ref, "")
		var h uint32
		if m.ProviderID != "" {
			h = ns.providerKey(senderOf(moved[rec.conv], m), m.ProviderID)
		}
		ns.applyAppend(moved[rec.conv], m, h)
	}
	for id, list := range s.comments {
		ns.comments[id] = list
		for _, c := range list {
			ns.commentIDs[c.ID] = struct{}{}
		}
	}
	s.state = ns.state
}

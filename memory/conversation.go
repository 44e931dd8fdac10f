package memory

import (
	"context"
	"hash/maphash"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
)

// ConversationStore is the in-memory [conversation.Store]. It also
// implements [conversation.Receiver], [conversation.Eraser],
// [conversation.Purger], [conversation.CommentStore] and
// [conversation.VisitorSequence].
//
// It is safe for concurrent use by multiple goroutines. One mutex guards
// everything, so each method is atomic: the slot checks of Create, the
// version check of Update and the duplicate check of AppendMessage cannot
// interleave with another writer, and no update is ever lost. The zero value
// is not usable; call [NewConversationStore].
type ConversationStore struct {
	mu sync.RWMutex
	state
	// visitors is the last visitor number given (NextVisitor); it lives
	// outside state, so compaction keeps it.
	visitors atomic.Uint64
}

// state is everything a ConversationStore keeps, apart so that compaction
// can build a fresh one from the live records and swap it in.
type state struct {
	convs map[conversation.ID]*convRecord
	// open holds the open conversation of each slot; outbound the open
	// outbound conversation of each (touchpoint, contact), of which there
	// may be one at a time.
	open     map[conversation.Key]*convRecord
	outbound map[outboundKey]*convRecord
	// sorted holds every conversation ordered by (CreatedAt, ID), the
	// search order; conversations arrive roughly in that order, so inserts
	// are appends.
	sorted []*convRecord

	// list holds every conversation by the position messages name it by
	// (convRecord.pos); an erased one leaves nil.
	list []*convRecord

	// The messages, kept free of pointers (arena.go): records, their
	// strings, the authors they share and the rare fields few have.
	records msgSlabs
	strings byteArena
	authors interner
	extras  []msgExtra // extras[0] is unused: a record's 0 means none

	// byProvider indexes messages by provider key, one index per
	// touchpoint: (touchpoint, sender, provider ID) for inbound messages,
	// (touchpoint, provider ID) for outbound ones. seed hashes the IDs,
	// senderSeed the senders.
	byProvider map[string]*providerIndex
	seed       maphash.Seed
	senderSeed maphash.Seed
	byID       idIndex

	comments   map[string][]*conversation.Comment
	commentIDs map[conversation.ID]struct{}

	// The search indexes (conversation_index.go, text_index.go).
	contacts []contactEntry // by contact number (authors)
	openIx   map[openKey][]*convRecord
	text     textIndex

	// dead counts conversations and message records forgotten since the
	// last compaction (conversation_purge.go).
	dead int
}

// Compile-time checks of the interfaces ConversationStore implements.
var (
	_ conversation.Store           = (*ConversationStore)(nil)
	_ conversation.Receiver        = (*ConversationStore)(nil)
	_ conversation.Eraser          = (*ConversationStore)(nil)
	_ conversation.CommentStore    = (*ConversationStore)(nil)
	_ conversation.VisitorSequence = (*ConversationStore)(nil)
)

// NextVisitor returns the next anonymous visitor number, from 1: desks
// sharing the store never give two visitors one number
// ([conversation.VisitorSequence]).
func (s *ConversationStore) NextVisitor(ctx context.Context) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	return s.visitors.Add(1), nil
}

type outboundKey struct{ touchpoint, contactID string }

type convRecord struct {
	c   conversation.Conversation
	pos uint32 // position in ConversationStore.list
	// contact is the contact's ID numbered by ConversationStore.authors,
	// the author of most of its messages.
	contact uint32
	msgs    []msgRef // in append order
	// byProvider is the provider index of c's touchpoint, which never
	// changes, so appends skip the outer lookup.
	byProvider *providerIndex
	// older is the contact's conversation before this one in search
	// order (conversation_index.go).
	older *convRecord
}

// NewConversationStore returns an empty store.
func NewConversationStore() *ConversationStore {
	return &ConversationStore{state: newState()}
}

func newState() state {
	return state{
		openIx:     make(map[openKey][]*convRecord),
		convs:      make(map[conversation.ID]*convRecord),
		open:       make(map[conversation.Key]*convRecord),
		outbound:   make(map[outboundKey]*convRecord),
		strings:    newByteArena(),
		authors:    newInterner(),
		extras:     make([]msgExtra, 1),
		byProvider: make(map[string]*providerIndex),
		seed:       maphash.MakeSeed(),
		senderSeed: maphash.MakeSeed(),
		comments:   make(map[string][]*conversation.Comment),
		commentIDs: make(map[conversation.ID]struct{}),
	}
}

// Create stores a new conversation and sets c.Version to 1; see
// [conversation.Store] for the errors.
func (s *ConversationStore) Create(ctx context.Context, c *conversation.Conversation) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := conversation.CheckStored(c); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.convs[c.ID]; ok {
		return conversation.ErrDuplicateID
	}
	if err := s.checkSlot(c, nil); err != nil {
		return err
	}
	r := s.insert(c)
	r.c.Version = 1
	c.Version = 1
	return nil
}

// insert stores a copy of c, checked, as a new record with c's version,
// and indexes it. The caller holds s.mu for writing.
func (s *ConversationStore) insert(c *conversation.Conversation) *convRecord {
	r := &convRecord{byProvider: s.providerIndex(c.Touchpoint), pos: uint32(len(s.list)), contact: s.authors.id(c.Contact.ID)}
	s.list = append(s.list, r)
	copyConversation(&r.c, c)
	s.convs[c.ID] = r
	s.claimSlot(r)
	if n := len(s.sorted); n == 0 || compareRecords(s.sorted[n-1], r) < 0 {
		s.sorted = append(s.sorted, r)
	} else {
		i, _ := slices.BinarySearchFunc(s.sorted, r, compareRecords)
		s.sorted = slices.Insert(s.sorted, i, r)
	}
	s.index(r)
	return r
}

// Get returns a copy of the conversation, or ErrNotFound.
func (s *ConversationStore) Get(ctx context.Context, id conversation.ID) (*conversation.Conversation, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, ok := s.convs[id]
	if !ok {
		return nil, conversation.ErrNotFound
	}
	return clone(&r.c), nil
}

// Update stores c if c.Version is current and bumps it; see
// [conversation.Store] for the errors.
func (s *ConversationStore) Update(ctx context.Context, c *conversation.Conversation) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := conversation.CheckStored(c); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.checkUpdate(c)
	if err != nil {
		return err
	}
	s.applyUpdate(r, c)
	return nil
}

// checkUpdate finds c's record and checks that c may replace it: same
// version, same identity, a free slot when it reopens. The caller holds
// s.mu.
func (s *ConversationStore) checkUpdate(c *conversation.Conversation) (*convRecord, error) {
	r, ok := s.convs[c.ID]
	if !ok {
		return nil, conversation.ErrNotFound
	}
	return r, s.checkUpdateOf(r, c)
}

// checkUpdateOf is checkUpdate for r, c's record, already found. The
// caller holds s.mu.
func (s *ConversationStore) checkUpdateOf(r *convRecord, c *conversation.Conversation) error {
	if c.Version != r.c.Version {
		return &conversation.ConflictError{ID: c.ID, Version: c.Version, Current: r.c.Version}
	}
	if err := conversation.CheckIdentity(&r.c, c); err != nil {
		return err
	}
	if c.Status.Open() && !r.c.Status.Open() {
		return s.checkSlot(c, r)
	}
	return nil
}

// applyUpdate stores c over r, checked by checkUpdate. The caller holds
// s.mu.
func (s *ConversationStore) applyUpdate(r *convRecord, c *conversation.Conversation) {
	wasOpen, isOpen := r.c.Status.Open(), c.Status.Open()
	if wasOpen && !isOpen {
		s.releaseSlot(r)
	}
	v := r.c.Version + 1
	reopen := s.reindexing(r, c)
	if reopen {
		s.removeOpen(r)
	}
	copyConversation(&r.c, c)
	r.c.Version = v
	if isOpen && !wasOpen {
		s.claimSlot(r)
	}
	if reopen {
		s.addOpen(r)
	}
	s.addText(r)
	c.Version = v
}

// FindOpen returns a copy of the open conversation in slot k, or
// ErrNotFound.
func (s *ConversationStore) FindOpen(ctx context.Context, k conversation.Key) (*conversation.Conversation, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, ok := s.open[k]
	if !ok {
		return nil, conversation.ErrNotFound
	}
	return clone(&r.c), nil
}

// checkSlot enforces one open conversation per slot and one open outbound
// conversation per (touchpoint, contact). self is the
// record being updated, which does not conflict with itself.
func (s *ConversationStore) checkSlot(c *conversation.Conversation, self *convRecord) error {
	if !c.Status.Open() {
		return nil
	}
	k := c.Key()
	if c.Direction == conversation.Outbound {
		if o, ok := s.outbound[outboundKey{k.Touchpoint, k.ContactID}]; ok && o != self {
			return &conversation.ExistsError{Key: k, Existing: o.c.ID, Outbound: true}
		}
	}
	if o, ok := s.open[k]; ok && o != self {
		return &conversation.ExistsError{Key: k, Existing: o.c.ID}
	}
	return nil
}

func (s *ConversationStore) claimSlot(r *convRecord) {
	if !r.c.Status.Open() {
		return
	}
	s.open[r.c.Key()] = r
	if r.c.Direction == conversation.Outbound {
		s.outbound[outboundKey{r.c.Touchpoint, r.c.Contact.ID}] = r
	}
}

func (s *ConversationStore) releaseSlot(r *convRecord) {
	k := r.c.Key()
	if s.open[k] == r {
		delete(s.open, k)
	}
	ok := outboundKey{k.Touchpoint, k.ContactID}
	if s.outbound[ok] == r {
		delete(s.outbound, ok)
	}
}

// copyConversation copies c into dst, slices included, so the store never
// shares memory with its caller. A slice of dst equal to c's is kept: the
// store never hands its slices out, and most updates change no slice.
func copyConversation(dst, c *conversation.Conversation) {
	queues, tags, addrs := dst.Queues, dst.Tags, dst.Contact.Addresses
	*dst = *c
	dst.Queues = keepOrClone(queues, c.Queues)
	dst.Tags = keepOrClone(tags, c.Tags)
	dst.Contact.Addresses = keepOrClone(addrs, c.Contact.Addresses)
}

// keepOrClone returns own when it equals s, nil or empty alike, else a
// clone of s.
func keepOrClone[S ~[]E, E comparable](own, s S) S {
	if (own == nil) == (s == nil) && slices.Equal(own, s) {
		return own
	}
	return slices.Clone(s)
}

// cloned is a conversation handed to a caller together with room for the
// one queue and one address most conversations have: one allocation.
type cloned struct {
	c     conversation.Conversation
	queue [1]string
	addr  [1]channel.Address
}

// clone returns a deep copy of c, like [conversation.Conversation.Clone].
// Its slices are capped at their length, so a caller that appends to one
// gets a new array and never writes into the block it shares with the
// conversation.
func clone(c *conversation.Conversation) *conversation.Conversation {
	if len(c.Queues) > 1 || len(c.Contact.Addresses) > 1 {
		return c.Clone()
	}
	b := &cloned{c: *c}
	if c.Queues != nil {
		n := copy(b.queue[:], c.Queues)
		b.c.Queues = b.queue[:n:n]
	}
	if c.Contact.Addresses != nil {
		n := copy(b.addr[:], c.Contact.Addresses)
		b.c.Contact.Addresses = b.addr[:n:n]
	}
	b.c.Tags = slices.Clone(c.Tags)
	return &b.c
}

func compareRecords(a, b *convRecord) int {
	if n := a.c.CreatedAt.Compare(b.c.CreatedAt); n != 0 {
		return n
	}
	return a.c.ID.Compare(b.c.ID)
}

package memory

import (
	"context"
	"hash/maphash"
	"math"
	"strconv"
	"time"

	"github.com/parleyhq/parley/conversation"
)

// providerIndex returns the index of touchpoint, made on first use. The
// caller holds s.mu for writing.
func (s *ConversationStore) providerIndex(touchpoint string) *providerIndex {
	ix, ok := s.byProvider[touchpoint]
	if !ok {
		ix = newProviderIndex()
		s.byProvider[touchpoint] = ix
	}
	return ix
}

// providerKey is the index hash of provider key (from, providerID): the
// ID's hash, mixed for an inbound message with its sender's, so contacts
// reusing one ID spread over the table instead of sharing one probe run.
// from is "" for an outbound message.
func (s *ConversationStore) providerKey(from, providerID string) uint32 {
	h := maphash.String(s.seed, providerID)
	if from != "" {
		h ^= maphash.String(s.senderSeed, from)
	}
	return uint32(h)
}

// sender is the from of message r's provider key: its conversation's
// contact for an inbound message, "" for an outbound one. The caller
// holds s.mu.
func (s *ConversationStore) sender(r *msgRecord) string {
	if r.flags&flagOutbound != 0 {
		return ""
	}
	return s.list[r.conv].c.Contact.ID
}

// senderOf is sender for message m of conv, before it is stored.
func senderOf(conv *convRecord, m *conversation.Message) string {
	if m.Direction == conversation.Outbound {
		return ""
	}
	return conv.c.Contact.ID
}

// findProvider returns the record stored in ix with provider key (from,
// providerID), whose hash is h, or 0. The caller holds s.mu.
func (s *ConversationStore) findProvider(ix *providerIndex, h uint32, from, providerID string) msgRef {
	return ix.find(h, func(ref msgRef) bool {
		r := s.records.at(ref)
		return s.strings.view(r.providerID) == providerID && s.sender(r) == from
	})
}

// indexProvider records providerID, whose key hashes to h, as ref's in ix.
// The caller holds s.mu for writing and has checked that no record in ix
// has the key.
func (s *ConversationStore) indexProvider(ix *providerIndex, h uint32, ref msgRef, providerID string) {
	s.records.at(ref).providerID = s.strings.put(providerID)
	ix.add(h, ref)
}

// msgRecord is how the store keeps a message: in 64 bytes, free of
// pointers (see TestMessageRecordIs64Bytes). Times are Unix nanoseconds,
// so they come back in UTC, as from most databases. What few messages have
// lives beside the records, in ConversationStore.extras.
type msgRecord struct {
	id         conversation.ID
	created    int64
	deliveryAt int64
	text       span
	providerID span
	conv       uint32 // the conversation's position in ConversationStore.list
	author     uint32 // the author's ID, numbered by ConversationStore.authors
	extra      uint32 // position in ConversationStore.extras, 0 for none
	authorKind conversation.AuthorKind
	notice     conversation.Notice
	status     conversation.DeliveryStatus
	flags      uint8
}

const (
	// flagOutbound is the direction, Inbound or Outbound, the only two a
	// stored message can have (conversation.Message.Validate).
	flagOutbound = 1 << iota
	flagInternal
	flagImported
	flagErased // the message was erased; only its ID is kept (idindex.go)
)

// direction returns the direction r keeps in its flags.
func (r *msgRecord) direction() conversation.Direction {
	if r.flags&flagOutbound != 0 {
		return conversation.Outbound
	}
	return conversation.Inbound
}

type msgExtra struct {
	attachments []conversation.Attachment
	template    *conversation.TemplateRef
	reason      string
	code        string // Delivery.Code
}

// zeroTime encodes the zero time.Time, which has no Unix nanosecond value.
const zeroTime = math.MinInt64

func encodeTime(t time.Time) int64 {
	if t.IsZero() {
		return zeroTime
	}
	return t.UnixNano()
}

func decodeTime(n int64) time.Time {
	if n == zeroTime {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// addRecord stores m as a record of conv and returns its reference; the
// provider ID is indexed by the caller. The caller holds s.mu for writing.
func (s *ConversationStore) addRecord(m *conversation.Message, conv *convRecord) msgRef {
	ref, r := s.records.add()
	*r = msgRecord{
		id:         m.ID,
		created:    encodeTime(m.CreatedAt),
		deliveryAt: encodeTime(m.Delivery.At),
		text:       s.strings.put(m.Text),
		conv:       conv.pos,
		author:     conv.contact,
		authorKind: m.Author.Kind,
		notice:     m.Notice,
		status:     m.Delivery.Status,
	}
	if m.Author.ID != conv.c.Contact.ID {
		r.author = s.authors.id(m.Author.ID)
	}
	if m.Direction == conversation.Outbound {
		r.flags |= flagOutbound
	}
	if m.Internal {
		r.flags |= flagInternal
	}
	if m.Imported {
		r.flags |= flagImported
	}
	if len(m.Attachments) > 0 || m.Template != nil || m.Delivery.Reason != "" || m.Delivery.Code != "" {
		c := m.Clone()
		r.extra = s.addExtra(msgExtra{attachments: c.Attachments, template: c.Template, reason: m.Delivery.Reason, code: m.Delivery.Code})
	}
	return ref
}

func (s *ConversationStore) addExtra(e msgExtra) uint32 {
	s.extras = append(s.extras, e)
	return uint32(len(s.extras) - 1)
}

// message returns a copy of the message of ref. providerID is its
// provider ID when the caller found it by that ID (the copy then shares
// the caller's string), else "". The caller holds s.mu.
func (s *ConversationStore) message(ref msgRef, providerID string) *conversation.Message {
	r := s.records.at(ref)
	if providerID == "" {
		providerID = s.strings.string(r.providerID)
	}
	m := &conversation.Message{
		ID:             r.id,
		ConversationID: s.list[r.conv].c.ID,
		Direction:      r.direction(),
		Internal:       r.flags&flagInternal != 0,
		Imported:       r.flags&flagImported != 0,
		Notice:         r.notice,
		Author:         conversation.Author{Kind: r.authorKind, ID: s.authors.names[r.author]},
		Text:           s.strings.string(r.text),
		ProviderID:     providerID,
		Delivery:       conversation.Delivery{Status: r.status, At: decodeTime(r.deliveryAt)},
		CreatedAt:      decodeTime(r.created),
	}
	if r.extra != 0 {
		x := &s.extras[r.extra]
		m.Attachments = x.attachments
		m.Template = x.template
		m.Delivery.Reason = x.reason
		m.Delivery.Code = x.code
		m = m.Clone() // the caller must not share the stored slices
	}
	return m
}

// AppendMessage stores m unless its provider key is already stored; see
// [conversation.MessageStore] for the contract.
func (s *ConversationStore) AppendMessage(ctx context.Context, m *conversation.Message) (*conversation.Message, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	if err := m.Validate(); err != nil {
		return nil, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	conv, ok := s.convs[m.ConversationID]
	if !ok {
		return nil, false, conversation.ErrNotFound
	}
	old, h, err := s.checkAppend(conv, m)
	if old != nil || err != nil {
		return old, false, err
	}
	s.applyAppend(conv, m, h)
	return m, true, nil
}

// Record stores m and the change to its conversation c as one step: both
// or, on any error or a provider retry, neither.
func (s *ConversationStore) Record(ctx context.Context, c *conversation.Conversation, m *conversation.Message) (*conversation.Message, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	if err := m.Validate(); err != nil {
		return nil, false, err
	}
	if err := conversation.CheckStored(c); err != nil {
		return nil, false, err
	}
	if m.ConversationID != c.ID {
		return nil, false, &conversation.FieldError{Field: "Message.ConversationID", Problem: "is not the conversation recorded with it"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	conv, ok := s.convs[m.ConversationID]
	if !ok {
		return nil, false, conversation.ErrNotFound
	}
	old, h, err := s.checkAppend(conv, m)
	if old != nil || err != nil {
		return old, false, err
	}
	if err := s.checkUpdateOf(conv, c); err != nil { // conv is c's record: m.ConversationID == c.ID
		return nil, false, err
	}
	s.applyAppend(conv, m, h)
	s.applyUpdate(conv, c)
	return m, true, nil
}

// ReceiveOpen takes inbound message m into the open conversation of slot
// k in one step; see [conversation.Receiver] for the contract. It applies
// [conversation.Conversation.Receive] to the stored conversation itself,
// under the lock, so the copy it hands out is the one copy made.
func (s *ConversationStore) ReceiveOpen(ctx context.Context, k conversation.Key, m *conversation.Message) (conversation.Received, error) {
	if err := ctx.Err(); err != nil {
		return conversation.Received{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.open[k]
	if !ok {
		return conversation.Received{}, conversation.ErrNotFound
	}
	m.ConversationID = r.c.ID
	if err := m.Validate(); err != nil {
		return conversation.Received{}, err
	}
	old, h, err := s.checkAppend(r, m)
	if old != nil || err != nil {
		return conversation.Received{Message: old}, err
	}
	first := r.c.AwaitsFirstMessage()
	// Receive checks before it changes anything, and it leaves the
	// status (so the slot) as it is.
	if _, err := r.c.Receive(m); err != nil {
		return conversation.Received{}, err
	}
	r.c.Version++
	s.applyAppend(r, m, h)
	return conversation.Received{Conversation: clone(&r.c), Message: m, Created: true, First: first}, nil
}

// checkAppend returns the message already stored with m's provider key,
// or an error if m's ID is taken; h is the key's hash (0 without a
// provider ID), for applyAppend. The caller holds s.mu.
func (s *ConversationStore) checkAppend(conv *convRecord, m *conversation.Message) (old *conversation.Message, h uint32, err error) {
	if m.ProviderID != "" {
		from := senderOf(conv, m)
		h = s.providerKey(from, m.ProviderID)
		if ref := s.findProvider(conv.byProvider, h, from, m.ProviderID); ref != 0 {
			return s.message(ref, m.ProviderID), h, nil
		}
	}
	if s.byID.find(&s.records, m.ID) != 0 {
		return nil, h, conversation.ErrDuplicateID
	}
	return nil, h, nil
}

// applyAppend stores m, checked by checkAppend with the same h. The caller
// holds s.mu.
func (s *ConversationStore) applyAppend(conv *convRecord, m *conversation.Message, h uint32) {
	ref := s.addRecord(m, conv)
	conv.msgs = append(conv.msgs, ref)
	s.byID.add(&s.records, m.ID, ref)
	if m.ProviderID != "" {
		s.indexProvider(conv.byProvider, h, ref, m.ProviderID)
	}
}

// UpdateDelivery moves one message's delivery status forward; see
// [conversation.MessageStore] for the contract.
func (s *ConversationStore) UpdateDelivery(ctx context.Context, u conversation.DeliveryUpdate) (*conversation.Message, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	if err := u.Validate(); err != nil {
		return nil, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var ref msgRef
	if !u.MessageID.IsZero() {
		ref = s.byID.find(&s.records, u.MessageID)
	} else if ix, ok := s.byProvider[u.Touchpoint]; ok {
		ref = s.findProvider(ix, s.providerKey("", u.ProviderID), "", u.ProviderID)
	}
	if ref == 0 {
		return nil, false, conversation.ErrNotFound
	}
	r := s.records.at(ref)
	changed := false
	if !u.MessageID.IsZero() && u.ProviderID != "" && s.strings.view(r.providerID) != u.ProviderID {
		if r.providerID.n != 0 {
			return nil, false, &conversation.FieldError{Field: "DeliveryUpdate.ProviderID", Problem: "differs from the one recorded (" + s.strings.string(r.providerID) + ")"}
		}
		if r.flags&flagInternal != 0 {
			return nil, false, &conversation.FieldError{Field: "DeliveryUpdate.ProviderID", Problem: "cannot be set on an internal note"}
		}
		ix, from := s.list[r.conv].byProvider, s.sender(r)
		h := s.providerKey(from, u.ProviderID)
		if s.findProvider(ix, h, from, u.ProviderID) != 0 {
			return nil, false, conversation.ErrDuplicateID
		}
		s.indexProvider(ix, h, ref, u.ProviderID)
		changed = true
	}
	if u.Status != conversation.DeliveryNone && r.flags&flagInternal == 0 {
		d := conversation.Delivery{Status: r.status, At: decodeTime(r.deliveryAt)}
		if d.Apply(u) {
			r.status, r.deliveryAt = d.Status, encodeTime(d.At)
			if d.Status == conversation.DeliveryFailed && (d.Reason != "" || d.Code != "") {
				if r.extra == 0 {
					r.extra = s.addExtra(msgExtra{})
				}
				x := &s.extras[r.extra]
				x.reason, x.code = d.Reason, d.Code
			}
			changed = true
		}
	}
	return s.message(ref, u.ProviderID), changed, nil
}

// MessageByProvider returns a copy of the message with provider key
// (touchpoint, from, providerID): the inbound message contact from sent,
// or with from empty the outbound one; see [conversation.MessageStore] for
// the contract. It reads the index AppendMessage and UpdateDelivery keep.
func (s *ConversationStore) MessageByProvider(ctx context.Context, touchpoint, from, providerID string) (*conversation.Message, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	switch {
	case touchpoint == "":
		return nil, &conversation.FieldError{Field: "Touchpoint", Problem: "is required"}
	case providerID == "":
		return nil, &conversation.FieldError{Field: "ProviderID", Problem: "is required"}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	ix, ok := s.byProvider[touchpoint]
	if !ok {
		return nil, conversation.ErrNotFound
	}
	ref := s.findProvider(ix, s.providerKey(from, providerID), from, providerID)
	if ref == 0 {
		return nil, conversation.ErrNotFound
	}
	return s.message(ref, providerID), nil
}

// Messages returns one page of a conversation's messages in append order;
// see [conversation.MessageQuery]. The cursor is the position to continue
// from.
func (s *ConversationStore) Messages(ctx context.Context, q conversation.MessageQuery) (conversation.MessagePage, error) {
	if err := ctx.Err(); err != nil {
		return conversation.MessagePage{}, err
	}
	limit, err := conversation.PageLimit(q.Limit)
	if err != nil {
		return conversation.MessagePage{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	conv, ok := s.convs[q.ConversationID]
	if !ok {
		return conversation.MessagePage{}, conversation.ErrNotFound
	}
	n := len(conv.msgs)
	// pos is the boundary between what was returned and what is left:
	// oldest first continues at pos, newest first below it.
	pos := 0
	if q.Sort == conversation.Newest {
		pos = n
	}
	if q.Cursor != "" {
		p, err := strconv.Atoi(q.Cursor)
		if err != nil || p < 0 || p > n {
			return conversation.MessagePage{}, conversation.ErrBadCursor
		}
		pos = p
	}
	var page conversation.MessagePage
	step := 1
	if q.Sort == conversation.Newest {
		step = -1
	}
	for {
		i := pos
		if step < 0 {
			i = pos - 1
		}
		if i < 0 || i >= n {
			return page, nil
		}
		ref := conv.msgs[i]
		if q.Text == "" || conversation.MatchText(s.strings.view(s.records.at(ref).text), q.Text) {
			if len(page.Messages) == limit {
				// Another match exists: the page has a successor.
				page.Next = strconv.Itoa(pos)
				return page, nil
			}
			page.Messages = append(page.Messages, s.message(ref, ""))
		}
		pos += step
	}
}

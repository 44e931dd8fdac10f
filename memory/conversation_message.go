package memory

import (
	"context"
	"math"
	"strconv"
	"time"

	"github.com/parleyhq/parley/conversation"
)

// providerIndex finds a touchpoint's messages by provider message ID, the
// idempotency key of messages with the touchpoint (DESIGN.md §3.6).
// Inbound messages enter it on append, outbound ones when UpdateDelivery
// records the transport's ID.
type providerIndex map[string]*msgRecord

// providerIndex returns the index of touchpoint, made on first use. The
// caller holds s.mu for writing.
func (s *ConversationStore) providerIndex(touchpoint string) providerIndex {
	ix, ok := s.byProvider[touchpoint]
	if !ok {
		ix = make(providerIndex)
		s.byProvider[touchpoint] = ix
	}
	return ix
}

// msgRecord is how the store keeps a message: compact, because DESIGN.md §6
// allows at most 256 bytes per message beyond its text. Times are Unix
// nanoseconds (so they come back in UTC, like from most databases) and the
// fields most messages lack live behind one pointer.
type msgRecord struct {
	id         conversation.ID
	conv       *convRecord
	text       string
	providerID string
	authorID   string
	created    int64
	deliveryAt int64
	extra      *msgExtra
	direction  conversation.Direction
	authorKind conversation.AuthorKind
	notice     conversation.Notice
	status     conversation.DeliveryStatus
	flags      uint8
}

const (
	flagInternal = 1 << iota
	flagImported
)

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

func newRecord(m *conversation.Message, conv *convRecord) *msgRecord {
	r := &msgRecord{
		id:         m.ID,
		conv:       conv,
		text:       m.Text,
		providerID: m.ProviderID,
		authorID:   m.Author.ID,
		created:    encodeTime(m.CreatedAt),
		deliveryAt: encodeTime(m.Delivery.At),
		direction:  m.Direction,
		authorKind: m.Author.Kind,
		notice:     m.Notice,
		status:     m.Delivery.Status,
	}
	if m.Internal {
		r.flags |= flagInternal
	}
	if m.Imported {
		r.flags |= flagImported
	}
	if len(m.Attachments) > 0 || m.Template != nil || m.Delivery.Reason != "" || m.Delivery.Code != "" {
		c := m.Clone()
		r.extra = &msgExtra{attachments: c.Attachments, template: c.Template, reason: m.Delivery.Reason, code: m.Delivery.Code}
	}
	return r
}

func (r *msgRecord) message() *conversation.Message {
	m := &conversation.Message{
		ID:             r.id,
		ConversationID: r.conv.c.ID,
		Direction:      r.direction,
		Internal:       r.flags&flagInternal != 0,
		Imported:       r.flags&flagImported != 0,
		Notice:         r.notice,
		Author:         conversation.Author{Kind: r.authorKind, ID: r.authorID},
		Text:           r.text,
		ProviderID:     r.providerID,
		Delivery:       conversation.Delivery{Status: r.status, At: decodeTime(r.deliveryAt)},
		CreatedAt:      decodeTime(r.created),
	}
	if r.extra != nil {
		m.Attachments = r.extra.attachments
		m.Template = r.extra.template
		m.Delivery.Reason = r.extra.reason
		m.Delivery.Code = r.extra.code
		m = m.Clone() // the caller must not share the stored slices
	}
	return m
}

// AppendMessage stores m unless its (touchpoint, provider ID) is already
// stored; see [conversation.MessageStore] for the contract.
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
	if old, err := s.checkAppend(conv, m); old != nil || err != nil {
		return old, false, err
	}
	s.applyAppend(conv, m)
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
	if err := checkConversation(c); err != nil {
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
	if old, err := s.checkAppend(conv, m); old != nil || err != nil {
		return old, false, err
	}
	if err := s.checkUpdateOf(conv, c); err != nil { // conv is c's record: m.ConversationID == c.ID
		return nil, false, err
	}
	s.applyAppend(conv, m)
	s.applyUpdate(conv, c)
	return m, true, nil
}

// checkAppend returns the message already stored with m's provider ID on
// the touchpoint, or an error if m's ID is taken. The caller holds s.mu.
func (s *ConversationStore) checkAppend(conv *convRecord, m *conversation.Message) (*conversation.Message, error) {
	if m.ProviderID != "" {
		if old, ok := conv.byProvider[m.ProviderID]; ok {
			return old.message(), nil
		}
	}
	if _, ok := s.byID[m.ID]; ok {
		return nil, conversation.ErrDuplicateID
	}
	return nil, nil
}

// applyAppend stores m, checked by checkAppend. The caller holds s.mu.
func (s *ConversationStore) applyAppend(conv *convRecord, m *conversation.Message) {
	r := newRecord(m, conv)
	conv.msgs = append(conv.msgs, r)
	s.byID[m.ID] = r
	if m.ProviderID != "" {
		conv.byProvider[m.ProviderID] = r
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
	var r *msgRecord
	if !u.MessageID.IsZero() {
		r = s.byID[u.MessageID]
	} else {
		r = s.byProvider[u.Touchpoint][u.ProviderID]
	}
	if r == nil {
		return nil, false, conversation.ErrNotFound
	}
	changed := false
	if !u.MessageID.IsZero() && u.ProviderID != "" && r.providerID != u.ProviderID {
		if r.providerID != "" {
			return nil, false, &conversation.FieldError{Field: "DeliveryUpdate.ProviderID", Problem: "differs from the one recorded (" + r.providerID + ")"}
		}
		if r.flags&flagInternal != 0 {
			return nil, false, &conversation.FieldError{Field: "DeliveryUpdate.ProviderID", Problem: "cannot be set on an internal note"}
		}
		if _, taken := r.conv.byProvider[u.ProviderID]; taken {
			return nil, false, conversation.ErrDuplicateID
		}
		r.providerID = u.ProviderID
		r.conv.byProvider[u.ProviderID] = r
		changed = true
	}
	if u.Status != conversation.DeliveryNone && r.flags&flagInternal == 0 {
		d := conversation.Delivery{Status: r.status, At: decodeTime(r.deliveryAt)}
		if d.Apply(u) {
			r.status, r.deliveryAt = d.Status, encodeTime(d.At)
			if d.Status == conversation.DeliveryFailed && (d.Reason != "" || d.Code != "") {
				if r.extra == nil {
					r.extra = &msgExtra{}
				}
				r.extra.reason, r.extra.code = d.Reason, d.Code
			}
			changed = true
		}
	}
	return r.message(), changed, nil
}

// MessageByProvider returns a copy of the message stored on touchpoint with
// providerID, inbound or outbound; see [conversation.MessageStore] for the
// contract. It reads the index AppendMessage and UpdateDelivery keep, so it
// costs one map lookup and the copy.
func (s *ConversationStore) MessageByProvider(ctx context.Context, touchpoint, providerID string) (*conversation.Message, error) {
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
	r, ok := s.byProvider[touchpoint][providerID]
	if !ok {
		return nil, conversation.ErrNotFound
	}
	return r.message(), nil
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
	if q.Order == conversation.NewestFirst {
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
	if q.Order == conversation.NewestFirst {
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
		r := conv.msgs[i]
		if conversation.MatchText(r.text, q.Text) {
			if len(page.Messages) == limit {
				// Another match exists: the page has a successor.
				page.Next = strconv.Itoa(pos)
				return page, nil
			}
			page.Messages = append(page.Messages, r.message())
		}
		pos += step
	}
}

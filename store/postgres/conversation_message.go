package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/conversation"
)

// msgColumns are the columns of parley_messages a message is read from,
// in the order scanMessage takes them.
const msgColumns = `id, conversation_id, direction, internal, imported, notice, author_kind, author_id,
	text, attachments, template, provider_id, delivery_status, delivery_reason, delivery_code,
	delivery_at, created_at, seq`

// deliveryRank orders delivery statuses in SQL as DeliveryStatus does in Go.
const deliveryRank = `array_position('{none,pending,sent,delivered,read,failed}'::text[], `

// AppendMessage stores m unless a message with its provider key is
// stored; see [conversation.MessageStore]. The provider keys are unique
// indexes, so concurrent duplicates store one message whichever process
// they reach.
func (s *ConversationStore) AppendMessage(ctx context.Context, m *conversation.Message) (*conversation.Message, bool, error) {
	if err := m.Validate(); err != nil {
		return nil, false, err
	}
	var (
		old     *conversation.Message
		created bool
	)
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		old, created, err = s.insertMessage(ctx, tx, m)
		return err
	})
	if err != nil {
		return nil, false, err
	}
	if created {
		return m, true, nil
	}
	return old, false, nil
}

// insertMessage stores m in its conversation unless its provider key is
// taken, in which case it returns the message that holds it. It fails with
// ErrNotFound for an unknown conversation and ErrDuplicateID for a taken
// message ID.
func (s *ConversationStore) insertMessage(ctx context.Context, q querier, m *conversation.Message) (*conversation.Message, bool, error) {
	args, err := messageArgs(m)
	if err != nil {
		return nil, false, err
	}
	tag, err := q.Exec(ctx, insertMessageSQL, args...)
	if err != nil {
		return nil, false, storeError(err)
	}
	if tag.RowsAffected() == 1 {
		return nil, true, nil
	}
	old, err := s.notInserted(ctx, q, m)
	return old, false, err
}

// insertMessageSQL inserts a message, $1 to $18 as messageArgs gives
// them, taking its touchpoint and sender from its conversation; it
// inserts nothing for an unknown conversation or a taken key.
const insertMessageSQL = `INSERT INTO parley_messages (id, conversation_id, touchpoint, sender, direction,
		internal, imported, notice, author_kind, author_id, text, text_fold, attachments, template,
		provider_id, delivery_status, delivery_reason, delivery_code, delivery_at, created_at)
		SELECT $1, c.id, c.touchpoint, CASE WHEN $3 = 'inbound' THEN c.contact_id END, $3,
		$4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18
		FROM parley_conversations c WHERE c.id = $2
		ON CONFLICT DO NOTHING`

// messageArgs returns insertMessageSQL's arguments for m.
func messageArgs(m *conversation.Message) ([]any, error) {
	var attachments, template []byte
	var err error
	if m.Attachments != nil {
		if attachments, err = json.Marshal(m.Attachments); err != nil {
			return nil, &conversation.FieldError{Field: "Message.Attachments", Problem: "cannot be encoded: " + err.Error()}
		}
	}
	if m.Template != nil {
		if template, err = json.Marshal(m.Template); err != nil {
			return nil, &conversation.FieldError{Field: "Message.Template", Problem: "cannot be encoded: " + err.Error()}
		}
	}
	var textFold any
	if f := fold(m.Text); f != m.Text {
		textFold = f
	}
	return []any{uuidArg(m.ID), uuidArg(m.ConversationID), m.Direction.String(), m.Internal, m.Imported,
		m.Notice.String(), m.Author.Kind.String(), m.Author.ID, m.Text, textFold, attachments, template,
		nullString(m.ProviderID), m.Delivery.Status.String(), m.Delivery.Reason, m.Delivery.Code,
		tsArg(m.Delivery.At), tsArg(m.CreatedAt)}, nil
}

// notInserted says why insertMessageSQL inserted nothing for m: the
// message holding its provider key, or ErrNotFound or ErrDuplicateID.
func (s *ConversationStore) notInserted(ctx context.Context, q querier, m *conversation.Message) (*conversation.Message, error) {
	// Nothing inserted: no conversation, a provider retry, or a taken ID,
	// decided in the contract's order.
	var touchpoint, contact string
	if err := q.QueryRow(ctx, `SELECT touchpoint, contact_id FROM parley_conversations WHERE id = $1`,
		uuidArg(m.ConversationID)).Scan(&touchpoint, &contact); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, conversation.ErrNotFound
		}
		return nil, storeError(err)
	}
	if m.ProviderID != "" {
		sender := ""
		if m.Direction == conversation.Inbound {
			sender = contact
		}
		old, err := s.byProvider(ctx, q, touchpoint, sender, m.ProviderID)
		if !errors.Is(err, conversation.ErrNotFound) {
			return old, err
		}
	}
	return nil, conversation.ErrDuplicateID
}

// Record stores m and the change to its conversation c atomically: both,
// or on any error or a provider retry, neither. The common case is one
// statement (recordSQL); when c is not at the stored version or its
// identity differs, a transaction that locks c's row first, as
// ReceiveOpen's does, says which rule failed.
func (s *ConversationStore) Record(ctx context.Context, c *conversation.Conversation, m *conversation.Message) (*conversation.Message, bool, error) {
	if err := m.Validate(); err != nil {
		return nil, false, err
	}
	if err := checkConversation(c); err != nil {
		return nil, false, err
	}
	if m.ConversationID != c.ID {
		return nil, false, &conversation.FieldError{Field: "Message.ConversationID", Problem: "is not the conversation recorded with it"}
	}
	args, err := convArgs(c)
	if err != nil {
		return nil, false, err
	}
	margs, err := messageArgs(m)
	if err != nil {
		return nil, false, err
	}
	// The message's conversation ID (margs[1]) is read from the row.
	args = append(args, c.Version, margs[0])
	args = append(args, margs[2:]...)
	var (
		current, inserted bool
		version           *int64
	)
	err = s.pool.QueryRow(ctx, recordSQL, args...).Scan(&current, &inserted, &version)
	switch {
	case err != nil:
		return nil, false, s.slotError(ctx, c, err)
	case !current:
		return s.recordLocked(ctx, c, m)
	case !inserted:
		old, err := s.notInserted(ctx, s.pool, m)
		return old, false, err
	case version == nil:
		// The statement's own lock forbids it.
		return nil, false, fmt.Errorf("postgres: record: conversation %s: message stored without its update", c.ID)
	}
	c.Version = *version
	return m, true, nil
}

// recordSQL is Record in one statement: if the conversation ($1 to $32 as
// convArgs gives them) is stored at version $33 with c's identity, it
// locks its row, inserts the message ($34 to $50: messageArgs without the
// conversation ID) unless its provider key or ID is taken, and only then
// writes the conversation. The row says whether the conversation matched,
// whether the message was inserted, and the new version.
const recordSQL = `WITH cur AS (
	SELECT id, touchpoint, contact_id FROM parley_conversations
	WHERE id = $1 AND version = $33 AND touchpoint = $2 AND channel = $3 AND direction = $4
	AND contact_id = $8 AND interaction_id = $13 AND created_at = $23
	FOR NO KEY UPDATE
), ins AS (
	INSERT INTO parley_messages (id, conversation_id, touchpoint, sender, direction,
		internal, imported, notice, author_kind, author_id, text, text_fold, attachments, template,
		provider_id, delivery_status, delivery_reason, delivery_code, delivery_at, created_at)
	SELECT $34, cur.id, cur.touchpoint, CASE WHEN $35 = 'inbound' THEN cur.contact_id END, $35,
		$36, $37, $38, $39, $40, $41, $42, $43, $44, $45, $46, $47, $48, $49, $50
	FROM cur
	ON CONFLICT DO NOTHING
	RETURNING 1
), upd AS (
	UPDATE parley_conversations SET version = version + 1,
		status = $5, assign_mode = $6, bot_paused = $7, contact_name = $9, contact_addresses = $10,
		contact_locale = $11, contact_anonymous = $12, subject = $14, assignee_id = $15, queues = $16,
		priority = $17, previous = $18, unread = $19, closing_note = $20, disposition = $21, tags = $22,
		updated_at = $24, assigned_at = $25, ended_at = $26, closed_at = $27, last_inbound_at = $28,
		last_message_at = $29, search_name = $30, search_addresses = $31, search_text = $32
	WHERE id = $1 AND EXISTS (SELECT FROM ins)
	RETURNING version
)
SELECT EXISTS (SELECT FROM cur), EXISTS (SELECT FROM ins), (SELECT version FROM upd)`

// recordLocked is Record in a transaction that locks c's row first, for
// the cases recordSQL does not decide: an unknown conversation, a stale
// version, another identity.
func (s *ConversationStore) recordLocked(ctx context.Context, c *conversation.Conversation, m *conversation.Message) (*conversation.Message, bool, error) {
	var (
		old     *conversation.Message
		created bool
		version int64
	)
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := s.getOne(ctx, tx, `SELECT `+convColumns+` FROM parley_conversations WHERE id = $1 FOR NO KEY UPDATE`, uuidArg(c.ID)); err != nil {
			return err
		}
		var err error
		if old, created, err = s.insertMessage(ctx, tx, m); err != nil || !created {
			return err
		}
		version, err = s.update(ctx, tx, c)
		return err
	})
	switch {
	case err != nil:
		return nil, false, err
	case !created:
		return old, false, nil
	}
	c.Version = version
	return m, true, nil
}

// ReceiveOpen takes inbound message m into the open conversation of slot
// k; see [conversation.Receiver]. It never returns ErrConflict. A
// follow-up takes two round trips and no transaction block: it reads the
// conversation, then one statement locks it if still at the version read,
// stores the message and writes what the message moved. When another
// writer came in between, it takes the message again in a transaction
// that locks the conversation first.
func (s *ConversationStore) ReceiveOpen(ctx context.Context, k conversation.Key, m *conversation.Message) (conversation.Received, error) {
	c, err := s.FindOpen(ctx, k)
	if err != nil {
		return conversation.Received{}, err
	}
	r, retry, err := s.receiveIn(ctx, s.pool, c, m, false)
	if err != nil {
		return conversation.Received{}, err
	}
	if !retry {
		return r, nil
	}
	pc, err := s.pool.Acquire(ctx)
	if err != nil {
		return conversation.Received{}, err
	}
	defer pc.Release()
	conn := pc.Conn()
	r, err = s.receiveLocked(ctx, conn, k, m)
	switch conn.PgConn().TxStatus() {
	case 'T':
		if err == nil {
			_, err = conn.Exec(ctx, `COMMIT`)
			err = storeError(err)
			break
		}
		fallthrough
	case 'E':
		// Release closes a connection this could not roll back.
		_, _ = conn.Exec(ctx, `ROLLBACK`)
	}
	if err != nil {
		return conversation.Received{}, err
	}
	return r, nil
}

// lockOpenSQL reads and locks the open conversation of a slot.
const lockOpenSQL = `SELECT ` + convColumns + ` FROM parley_conversations
	WHERE touchpoint = $1 AND contact_id = $2 AND interaction_id = $3
	AND status IN ('bot', 'queued', 'assigned') FOR NO KEY UPDATE`

// receiveLocked is ReceiveOpen holding the conversation's row lock, on
// conn: BEGIN goes with the locking SELECT. It leaves the transaction
// open, to be committed or rolled back by the caller, unless it committed
// it.
func (s *ConversationStore) receiveLocked(ctx context.Context, conn *pgx.Conn, k conversation.Key, m *conversation.Message) (conversation.Received, error) {
	b := &pgx.Batch{}
	b.Queue(`BEGIN`)
	b.Queue(lockOpenSQL, k.Touchpoint, k.ContactID, k.InteractionID)
	br := conn.SendBatch(ctx, b)
	_, err := br.Exec()
	var c *conversation.Conversation
	if err == nil {
		var rows pgx.Rows
		rows, err = br.Query()
		if err == nil {
			c, err = pgx.CollectExactlyOneRow(rows, scanConversation)
		}
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return conversation.Received{}, conversation.ErrNotFound
	case err != nil:
		return conversation.Received{}, storeError(err)
	}
	r, retry, err := s.receiveIn(ctx, conn, c, m, true)
	if err == nil && retry {
		// The lock forbids it.
		err = fmt.Errorf("postgres: receive: conversation %s changed under its lock", c.ID)
	}
	return r, err
}

// receiveIn takes m into c, the open conversation of its slot as read at
// c.Version, with q. Unless locked (q a transaction holding c's row
// lock), it writes only if c is still at that version, and asks for a
// retry otherwise. Locked, the write that stores the message also
// commits, in the same round trip.
func (s *ConversationStore) receiveIn(ctx context.Context, q querier, c *conversation.Conversation, m *conversation.Message, locked bool) (r conversation.Received, retry bool, err error) {
	m.ConversationID = c.ID
	if err := m.Validate(); err != nil {
		return r, false, err
	}
	first := c.AwaitsFirstMessage()
	before := *c
	if _, recvErr := c.Receive(m); recvErr != nil {
		// Refused: a retry or a taken ID still reports as such first.
		old, err := s.byProvider(ctx, q, c.Touchpoint, senderOf(c, m), m.ProviderID)
		switch {
		case err == nil:
			r.Message = old
			return r, false, nil
		case !errors.Is(err, conversation.ErrNotFound) && !errors.Is(err, conversation.ErrInvalid):
			return r, false, err
		}
		var taken bool
		if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT FROM parley_messages WHERE id = $1)`, uuidArg(m.ID)).Scan(&taken); err != nil {
			return r, false, storeError(err)
		}
		if taken {
			return r, false, conversation.ErrDuplicateID
		}
		return r, false, recvErr
	}
	moved := before
	moved.Unread, moved.LastInboundAt, moved.UpdatedAt, moved.LastMessageAt = c.Unread, c.LastInboundAt, c.UpdatedAt, c.LastMessageAt
	var (
		old *conversation.Message
		v   int64
	)
	switch {
	case reflect.DeepEqual(&moved, c):
		old, v, retry, err = s.receivedWrite(ctx, q, c, m, locked)
	case !locked:
		// Receive changed more than a message moves: the full update
		// needs the lock.
		return r, true, nil
	default:
		var created bool
		if old, created, err = s.insertMessage(ctx, q, m); err == nil && created {
			v, err = s.update(ctx, q, c)
		}
	}
	if err != nil || retry || old != nil {
		r.Message = old
		return r, retry, err
	}
	c.Version = v
	truncateTimes(c)
	return conversation.Received{Conversation: c, Message: m, Created: true, First: first}, false, nil
}

// receiveSQL stores a received message ($1 to $18, see insertMessageSQL)
// in its conversation and writes the fields a received message moves in
// the conversation ($19 to $22), if the conversation is still at version
// $23: one statement, atomic without a transaction block. It locks the
// conversation's row at that version first, so the update finds the row
// the insert read; the row says whether the version matched, whether the
// message was inserted (not a provider retry or a taken ID), and the new
// version.
const receiveSQL = `WITH cur AS (
	SELECT id, touchpoint, contact_id FROM parley_conversations
	WHERE id = $2 AND version = $23 FOR NO KEY UPDATE
), ins AS (
	INSERT INTO parley_messages (id, conversation_id, touchpoint, sender, direction,
		internal, imported, notice, author_kind, author_id, text, text_fold, attachments, template,
		provider_id, delivery_status, delivery_reason, delivery_code, delivery_at, created_at)
	SELECT $1, cur.id, cur.touchpoint, CASE WHEN $3 = 'inbound' THEN cur.contact_id END, $3,
		$4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18
	FROM cur
	ON CONFLICT DO NOTHING
	RETURNING 1
), upd AS (
	UPDATE parley_conversations SET version = version + 1,
		unread = $19, last_inbound_at = $20, updated_at = $21, last_message_at = $22
	WHERE id = $2 AND EXISTS (SELECT FROM ins)
	RETURNING version
)
SELECT EXISTS (SELECT FROM cur), EXISTS (SELECT FROM ins), (SELECT version FROM upd)`

// receivedWrite stores m and the fields of c a received message moves
// with receiveSQL, and returns c's new version; or, when m was not
// inserted, the message holding its provider key (or ErrNotFound or
// ErrDuplicateID); or retry when c is no longer at c.Version. Locked, it
// sends COMMIT with the statement.
func (s *ConversationStore) receivedWrite(ctx context.Context, q querier, c *conversation.Conversation, m *conversation.Message, locked bool) (old *conversation.Message, v int64, retry bool, err error) {
	args, err := messageArgs(m)
	if err != nil {
		return nil, 0, false, err
	}
	args = append(args, c.Unread, tsArg(c.LastInboundAt), tsArg(c.UpdatedAt), tsArg(c.LastMessageAt), c.Version)
	var (
		current, inserted bool
		version           *int64
	)
	if conn, ok := q.(*pgx.Conn); ok && locked {
		b := &pgx.Batch{}
		b.Queue(receiveSQL, args...)
		b.Queue(`COMMIT`)
		br := conn.SendBatch(ctx, b)
		err = br.QueryRow().Scan(&current, &inserted, &version)
		if cerr := br.Close(); err == nil {
			err = cerr
		}
	} else {
		err = q.QueryRow(ctx, receiveSQL, args...).Scan(&current, &inserted, &version)
	}
	switch {
	case err != nil:
		return nil, 0, false, storeError(err)
	case !current:
		return nil, 0, true, nil
	case !inserted:
		// Nothing was written; the lookups need no lock.
		old, err := s.notInserted(ctx, q, m)
		return old, 0, false, err
	case version == nil:
		// The statement's own lock forbids it.
		return nil, 0, false, fmt.Errorf("postgres: receive: conversation %s: message stored without its update", c.ID)
	}
	return nil, *version, false, nil
}

// senderOf is the sender of m's provider key in conversation c: its
// contact for an inbound message, "" for an outbound one.
func senderOf(c *conversation.Conversation, m *conversation.Message) string {
	if m.Direction == conversation.Outbound {
		return ""
	}
	return c.Contact.ID
}

// UpdateDelivery moves one message's delivery status forward in one
// conditional UPDATE, which a late or duplicate callback leaves
// untouched; see [conversation.MessageStore]. Recording a provider ID
// takes a transaction: the ID, then the status.
func (s *ConversationStore) UpdateDelivery(ctx context.Context, u conversation.DeliveryUpdate) (*conversation.Message, bool, error) {
	if err := u.Validate(); err != nil {
		return nil, false, err
	}
	key, keyArgs := `id = $1`, []any{uuidArg(u.MessageID)}
	if u.MessageID.IsZero() {
		key, keyArgs = `touchpoint = $1 AND provider_id = $2 AND direction = 'outbound'`, []any{u.Touchpoint, u.ProviderID}
	}
	if u.MessageID.IsZero() || u.ProviderID == "" {
		return s.advance(ctx, s.pool, u, key, keyArgs)
	}
	var (
		m       *conversation.Message
		changed bool
	)
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		old, err := s.oneMessage(ctx, tx, `SELECT `+msgColumns+` FROM parley_messages WHERE id = $1 FOR UPDATE`, uuidArg(u.MessageID))
		if err != nil {
			return err
		}
		recorded := false
		switch {
		case old.ProviderID == u.ProviderID:
		case old.ProviderID != "":
			return &conversation.FieldError{Field: "DeliveryUpdate.ProviderID", Problem: "differs from the one recorded (" + old.ProviderID + ")"}
		case old.Internal:
			return &conversation.FieldError{Field: "DeliveryUpdate.ProviderID", Problem: "cannot be set on an internal note"}
		default:
			if _, err := tx.Exec(ctx, `UPDATE parley_messages SET provider_id = $2 WHERE id = $1`, uuidArg(u.MessageID), u.ProviderID); err != nil {
				if c := constraint(err); c == "parley_messages_inbound_key" || c == "parley_messages_outbound_key" {
					return conversation.ErrDuplicateID
				}
				return storeError(err)
			}
			recorded = true
		}
		m, changed, err = s.advance(ctx, tx, u, key, keyArgs)
		changed = changed || recorded
		return err
	})
	if err != nil {
		return nil, false, err
	}
	return m, changed, nil
}

// advance applies u's status to the message key selects, as
// [conversation.Delivery.Apply] would, in one conditional statement:
// forward only, failed terminal and taken only before delivery.
func (s *ConversationStore) advance(ctx context.Context, q querier, u conversation.DeliveryUpdate, key string, keyArgs []any) (*conversation.Message, bool, error) {
	if u.Status != conversation.DeliveryNone {
		n := len(keyArgs)
		args := append(keyArgs[:n:n], u.Status.String(), tsArg(u.At), u.Reason, u.Code)
		p := func(i int) string { return "$" + strconv.Itoa(n+i) }
		m, err := s.oneMessage(ctx, q, `UPDATE parley_messages SET delivery_status = `+p(1)+`, delivery_at = `+p(2)+`,
			delivery_reason = CASE WHEN `+p(1)+` = 'failed' THEN `+p(3)+` ELSE delivery_reason END,
			delivery_code = CASE WHEN `+p(1)+` = 'failed' THEN `+p(4)+` ELSE delivery_code END
			WHERE `+key+` AND NOT internal AND delivery_status <> 'failed'
			AND CASE WHEN `+p(1)+` = 'failed' THEN delivery_status IN ('none', 'pending', 'sent')
				ELSE `+deliveryRank+p(1)+`) > `+deliveryRank+`delivery_status) END
			RETURNING `+msgColumns, args...)
		if !errors.Is(err, conversation.ErrNotFound) {
			return m, err == nil, err
		}
	}
	m, err := s.oneMessage(ctx, q, `SELECT `+msgColumns+` FROM parley_messages WHERE `+key, keyArgs...)
	return m, false, err
}

// MessageByProvider returns the message with provider key (touchpoint,
// from, providerID), read from the unique index that deduplicates it;
// see [conversation.MessageStore].
func (s *ConversationStore) MessageByProvider(ctx context.Context, touchpoint, from, providerID string) (*conversation.Message, error) {
	return s.byProvider(ctx, s.pool, touchpoint, from, providerID)
}

func (s *ConversationStore) byProvider(ctx context.Context, q querier, touchpoint, from, providerID string) (*conversation.Message, error) {
	switch {
	case touchpoint == "":
		return nil, &conversation.FieldError{Field: "Touchpoint", Problem: "is required"}
	case providerID == "":
		return nil, &conversation.FieldError{Field: "ProviderID", Problem: "is required"}
	case from == "":
		return s.oneMessage(ctx, q, `SELECT `+msgColumns+` FROM parley_messages
			WHERE touchpoint = $1 AND provider_id = $2 AND direction = 'outbound'`, touchpoint, providerID)
	}
	return s.oneMessage(ctx, q, `SELECT `+msgColumns+` FROM parley_messages
		WHERE touchpoint = $1 AND sender = $2 AND provider_id = $3 AND direction = 'inbound'`, touchpoint, from, providerID)
}

// Messages returns one page of a conversation's messages in append order;
// see [conversation.MessageQuery]. The cursor is the last message's
// position in append order.
func (s *ConversationStore) Messages(ctx context.Context, q conversation.MessageQuery) (conversation.MessagePage, error) {
	limit, err := conversation.PageLimit(q.Limit)
	if err != nil {
		return conversation.MessagePage{}, err
	}
	if q.Sort > conversation.Oldest {
		return conversation.MessagePage{}, &conversation.FieldError{Field: "Sort", Problem: "is not valid"}
	}
	w := where{}
	w.add(`conversation_id = ` + w.arg(uuidArg(q.ConversationID)))
	if q.Text != "" {
		if !utf8.ValidString(q.Text) {
			return conversation.MessagePage{}, &conversation.FieldError{Field: "Text", Problem: "is not valid UTF-8"}
		}
		w.add(`coalesce(text_fold, text) LIKE ` + w.arg(likePattern(fold(q.Text))))
	}
	order, op := `ASC`, `>`
	if q.Sort == conversation.Newest {
		order, op = `DESC`, `<`
	}
	if q.Cursor != "" {
		seq, err := strconv.ParseInt(q.Cursor, 10, 64)
		if err != nil || seq < 0 {
			return conversation.MessagePage{}, conversation.ErrBadCursor
		}
		w.add(`seq ` + op + ` ` + w.arg(seq))
	}
	rows, err := s.pool.Query(ctx, `SELECT `+msgColumns+` FROM parley_messages`+w.sql()+
		` ORDER BY seq `+order+` LIMIT `+strconv.Itoa(limit+1), w.args...)
	if err != nil {
		return conversation.MessagePage{}, storeError(err)
	}
	msgs, err := pgx.CollectRows(rows, scanMessage)
	if err != nil {
		return conversation.MessagePage{}, storeError(err)
	}
	if len(msgs) == 0 {
		var exists bool
		if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT FROM parley_conversations WHERE id = $1)`,
			uuidArg(q.ConversationID)).Scan(&exists); err != nil {
			return conversation.MessagePage{}, storeError(err)
		}
		if !exists {
			return conversation.MessagePage{}, conversation.ErrNotFound
		}
	}
	var page conversation.MessagePage
	if len(msgs) > limit {
		msgs = msgs[:limit]
		page.Next = strconv.FormatInt(msgs[limit-1].seq, 10)
	}
	page.Messages = make([]*conversation.Message, len(msgs))
	for i, r := range msgs {
		page.Messages[i] = r.m
	}
	return page, nil
}

// oneMessage runs a query for at most one message: ErrNotFound for none.
func (s *ConversationStore) oneMessage(ctx context.Context, q querier, sql string, args ...any) (*conversation.Message, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, storeError(err)
	}
	r, err := pgx.CollectExactlyOneRow(rows, scanMessage)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, conversation.ErrNotFound
	}
	if err != nil {
		return nil, storeError(err)
	}
	return r.m, nil
}

// msgRow is a message with its position in append order.
type msgRow struct {
	m   *conversation.Message
	seq int64
}

// scanMessage reads a row of msgColumns.
func scanMessage(row pgx.CollectableRow) (msgRow, error) {
	var (
		m                         conversation.Message
		id, conv                  [16]byte
		dir, notice, kind, status string
		attachments, template     []byte
		providerID                *string
		deliveryAt, created       *time.Time
		seq                       int64
	)
	err := row.Scan(&id, &conv, &dir, &m.Internal, &m.Imported, &notice, &kind, &m.Author.ID,
		&m.Text, &attachments, &template, &providerID, &status, &m.Delivery.Reason, &m.Delivery.Code,
		&deliveryAt, &created, &seq)
	if err != nil {
		return msgRow{}, err
	}
	m.ID, m.ConversationID = id, conv
	if m.Direction, err = conversation.ParseDirection(dir); err != nil {
		return msgRow{}, corrupt(m.ID, err)
	}
	if m.Notice, err = conversation.ParseNotice(notice); err != nil {
		return msgRow{}, corrupt(m.ID, err)
	}
	if m.Author.Kind, err = conversation.ParseAuthorKind(kind); err != nil {
		return msgRow{}, corrupt(m.ID, err)
	}
	if m.Delivery.Status, err = conversation.ParseDeliveryStatus(status); err != nil {
		return msgRow{}, corrupt(m.ID, err)
	}
	if attachments != nil {
		if err := json.Unmarshal(attachments, &m.Attachments); err != nil {
			return msgRow{}, corrupt(m.ID, err)
		}
	}
	if template != nil {
		m.Template = new(conversation.TemplateRef)
		if err := json.Unmarshal(template, m.Template); err != nil {
			return msgRow{}, corrupt(m.ID, err)
		}
	}
	if providerID != nil {
		m.ProviderID = *providerID
	}
	m.Delivery.At, m.CreatedAt = fromTS(deliveryAt), fromTS(created)
	return msgRow{m: &m, seq: seq}, nil
}

// nullString passes "" as NULL.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// truncateTimes rounds c's times down to the microsecond, as stored, so a
// conversation the store builds itself equals what Get reads back.
func truncateTimes(c *conversation.Conversation) {
	for _, t := range []*time.Time{&c.CreatedAt, &c.UpdatedAt, &c.AssignedAt, &c.EndedAt, &c.ClosedAt, &c.LastInboundAt, &c.LastMessageAt} {
		*t = t.Truncate(time.Microsecond)
	}
}

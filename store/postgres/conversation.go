package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
)

// ConversationStore is the [conversation.Store] on PostgreSQL. It also
// implements [conversation.Receiver], [conversation.Eraser],
// [conversation.Purger], [conversation.CommentStore] and
// [conversation.VisitorSequence], as package memory's store does.
//
// It is safe for concurrent use, from any number of processes on one
// database: the slot rules and the provider keys are unique indexes,
// versions are checked by the UPDATE that writes, and the writes that
// touch two rows (Record, ReceiveOpen) are atomic: one statement, or one
// transaction when another writer came in between.
// Times are kept to the microsecond, as PostgreSQL keeps them: a
// nanosecond part is truncated, and times come back in UTC.
type ConversationStore struct {
	pool *pgxpool.Pool
}

// Compile-time checks of the interfaces ConversationStore implements.
var (
	_ conversation.Store        = (*ConversationStore)(nil)
	_ conversation.Receiver     = (*ConversationStore)(nil)
	_ conversation.Eraser       = (*ConversationStore)(nil)
	_ conversation.Purger       = (*ConversationStore)(nil)
	_ conversation.CommentStore = (*ConversationStore)(nil)
)

// Constraint names the store maps to the contract's errors.
const (
	ixOpenSlot     = "parley_conversations_open_slot"
	ixOpenOutbound = "parley_conversations_open_outbound"
)

// convColumns are the columns of parley_conversations a conversation is
// read from, in the order scanConversation takes them.
const convColumns = `id, version, touchpoint, channel, direction, status, assign_mode, bot_paused,
	contact_id, contact_name, contact_addresses, contact_locale, contact_anonymous,
	interaction_id, subject, assignee_id, queues, priority, previous, unread,
	closing_note, disposition, tags, created_at, updated_at, assigned_at,
	ended_at, closed_at, last_inbound_at, last_message_at`

// Create stores a new conversation and sets c.Version to 1; see
// [conversation.Store] for the errors. The slot rules are the partial
// unique indexes parley_conversations_open_slot and _open_outbound.
func (s *ConversationStore) Create(ctx context.Context, c *conversation.Conversation) error {
	if err := checkConversation(c); err != nil {
		return err
	}
	args, err := convArgs(c)
	if err != nil {
		return err
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO parley_conversations (`+convColumns+`,
		search_name, search_addresses, search_text)
		VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
		$16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32)`, args...)
	if err != nil {
		if constraint(err) == "parley_conversations_pkey" {
			return conversation.ErrDuplicateID
		}
		return s.slotError(ctx, c, err)
	}
	c.Version = 1
	return nil
}

// convArgs returns c's columns in convColumns order, without the version,
// then the search columns.
func convArgs(c *conversation.Conversation) ([]any, error) {
	var addrs []byte
	if c.Contact.Addresses != nil {
		b, err := json.Marshal(c.Contact.Addresses)
		if err != nil {
			return nil, &conversation.FieldError{Field: "Contact.Addresses", Problem: "cannot be encoded: " + err.Error()}
		}
		addrs = b
	}
	name, addresses, text := searchColumns(&c.Contact)
	return []any{
		uuidArg(c.ID), c.Touchpoint, c.Channel.String(), c.Direction.String(), c.Status.String(),
		c.AssignMode.String(), c.BotPaused, c.Contact.ID, c.Contact.Name, addrs, c.Contact.Locale,
		c.Contact.Anonymous, c.InteractionID, c.Subject, c.AssigneeID, c.Queues, c.Priority,
		uuidArg(c.Previous), c.Unread, c.ClosingNote, c.Disposition, c.Tags, c.CreatedAt,
		tsArg(c.UpdatedAt), tsArg(c.AssignedAt), tsArg(c.EndedAt), tsArg(c.ClosedAt),
		tsArg(c.LastInboundAt), tsArg(c.LastMessageAt), name, addresses, text,
	}, nil
}

// Get returns the conversation, or ErrNotFound.
func (s *ConversationStore) Get(ctx context.Context, id conversation.ID) (*conversation.Conversation, error) {
	return s.getOne(ctx, s.pool, `SELECT `+convColumns+` FROM parley_conversations WHERE id = $1`, uuidArg(id))
}

// FindOpen returns the open conversation of slot k, or ErrNotFound. It
// reads the slot index.
func (s *ConversationStore) FindOpen(ctx context.Context, k conversation.Key) (*conversation.Conversation, error) {
	return s.getOne(ctx, s.pool, `SELECT `+convColumns+` FROM parley_conversations
		WHERE touchpoint = $1 AND contact_id = $2 AND interaction_id = $3
		AND status IN ('bot', 'queued', 'assigned')`, k.Touchpoint, k.ContactID, k.InteractionID)
}

// querier is a pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

func (s *ConversationStore) getOne(ctx context.Context, q querier, sql string, args ...any) (*conversation.Conversation, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, storeError(err)
	}
	c, err := pgx.CollectExactlyOneRow(rows, scanConversation)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, conversation.ErrNotFound
	}
	return c, storeError(err)
}

// Update stores c if c.Version is current and bumps it, in one
// conditional UPDATE; see [conversation.Store] for the errors.
func (s *ConversationStore) Update(ctx context.Context, c *conversation.Conversation) error {
	if err := checkConversation(c); err != nil {
		return err
	}
	v, err := s.update(ctx, s.pool, c)
	if err != nil {
		return err
	}
	c.Version = v
	return nil
}

// update writes c over the stored conversation when the stored version is
// c.Version and the identity fields are c's, and returns the new version;
// otherwise it reads the row to say which rule failed.
func (s *ConversationStore) update(ctx context.Context, q querier, c *conversation.Conversation) (int64, error) {
	args, err := convArgs(c)
	if err != nil {
		return 0, err
	}
	args = append(args, c.Version)
	var v int64
	err = q.QueryRow(ctx, `UPDATE parley_conversations SET version = version + 1,
		status = $5, assign_mode = $6, bot_paused = $7, contact_name = $9, contact_addresses = $10,
		contact_locale = $11, contact_anonymous = $12, subject = $14, assignee_id = $15, queues = $16,
		priority = $17, previous = $18, unread = $19, closing_note = $20, disposition = $21, tags = $22,
		updated_at = $24, assigned_at = $25, ended_at = $26, closed_at = $27, last_inbound_at = $28,
		last_message_at = $29, search_name = $30, search_addresses = $31, search_text = $32
		WHERE id = $1 AND version = $33 AND touchpoint = $2 AND channel = $3 AND direction = $4
		AND contact_id = $8 AND interaction_id = $13 AND created_at = $23
		RETURNING version`, args...).Scan(&v)
	switch {
	case err == nil:
		return v, nil
	case !errors.Is(err, pgx.ErrNoRows):
		return 0, s.slotError(ctx, c, err)
	}
	old, err := s.getOne(ctx, q, `SELECT `+convColumns+` FROM parley_conversations WHERE id = $1`, uuidArg(c.ID))
	if err != nil {
		return 0, err
	}
	if old.Version != c.Version {
		return 0, &conversation.ConflictError{ID: c.ID, Version: c.Version, Current: old.Version}
	}
	if err := sameIdentity(old, c); err != nil {
		return 0, err
	}
	// The row matched when read again: it changed in between.
	return 0, &conversation.ConflictError{ID: c.ID, Version: c.Version, Current: old.Version}
}

// slotError turns a violation of a slot index into the contract's
// [*conversation.ExistsError], naming the conversation that holds the
// slot; other errors go through storeError.
func (s *ConversationStore) slotError(ctx context.Context, c *conversation.Conversation, err error) error {
	name := constraint(err)
	if name != ixOpenSlot && name != ixOpenOutbound {
		return storeError(err)
	}
	k := c.Key()
	e := &conversation.ExistsError{Key: k}
	// Checked in memory's order: the outbound rule first.
	if c.Direction == conversation.Outbound {
		var id [16]byte
		if s.pool.QueryRow(ctx, `SELECT id FROM parley_conversations WHERE touchpoint = $1 AND contact_id = $2
			AND direction = 'outbound' AND status IN ('bot', 'queued', 'assigned') AND id <> $3`,
			k.Touchpoint, k.ContactID, uuidArg(c.ID)).Scan(&id) == nil {
			e.Existing, e.Outbound = conversation.ID(id), true
			return e
		}
	}
	var id [16]byte
	if s.pool.QueryRow(ctx, `SELECT id FROM parley_conversations WHERE touchpoint = $1 AND contact_id = $2
		AND interaction_id = $3 AND status IN ('bot', 'queued', 'assigned') AND id <> $4`,
		k.Touchpoint, k.ContactID, k.InteractionID, uuidArg(c.ID)).Scan(&id) == nil {
		e.Existing = conversation.ID(id)
	}
	e.Outbound = e.Existing.IsZero() && name == ixOpenOutbound
	return e
}

// scanConversation reads a row of convColumns.
func scanConversation(row pgx.CollectableRow) (*conversation.Conversation, error) {
	var (
		c                                                      conversation.Conversation
		id                                                     [16]byte
		prev                                                   pgtype.UUID
		kind, dir, status, mode                                string
		addrs                                                  []byte
		created                                                time.Time
		updated, assigned, ended, closed, lastInbound, lastMsg pgtype.Timestamptz
	)
	err := row.Scan(&id, &c.Version, &c.Touchpoint, &kind, &dir, &status, &mode, &c.BotPaused,
		&c.Contact.ID, &c.Contact.Name, &addrs, &c.Contact.Locale, &c.Contact.Anonymous,
		&c.InteractionID, &c.Subject, &c.AssigneeID, &c.Queues, &c.Priority, &prev, &c.Unread,
		&c.ClosingNote, &c.Disposition, &c.Tags, &created, &updated, &assigned,
		&ended, &closed, &lastInbound, &lastMsg)
	if err != nil {
		return nil, err
	}
	c.ID = conversation.ID(id)
	if prev.Valid {
		c.Previous = conversation.ID(prev.Bytes)
	}
	if c.Channel, err = channel.ParseKind(kind); err != nil {
		return nil, corrupt(c.ID, err)
	}
	if c.Direction, err = conversation.ParseDirection(dir); err != nil {
		return nil, corrupt(c.ID, err)
	}
	if c.Status, err = conversation.ParseStatus(status); err != nil {
		return nil, corrupt(c.ID, err)
	}
	if c.AssignMode, err = conversation.ParseAssignMode(mode); err != nil {
		return nil, corrupt(c.ID, err)
	}
	if addrs != nil {
		if c.Contact.Addresses, err = decodeAddresses(addrs); err != nil {
			return nil, corrupt(c.ID, err)
		}
	}
	c.CreatedAt = created.UTC()
	c.UpdatedAt, c.AssignedAt, c.EndedAt = fromTZ(updated), fromTZ(assigned), fromTZ(ended)
	c.ClosedAt, c.LastInboundAt, c.LastMessageAt = fromTZ(closed), fromTZ(lastInbound), fromTZ(lastMsg)
	return &c, nil
}

// decodeAddresses reads contact_addresses, a JSON array of "kind:id" as
// [channel.Address.MarshalText] writes them, back as they were stored: they
// are not normalised again, so an update of the numbering plans never
// makes a stored conversation unreadable. Kept parse-free: see bench's
// PostgreSQL rows.
func decodeAddresses(b []byte) ([]channel.Address, error) {
	var texts []string
	if err := json.Unmarshal(b, &texts); err != nil || texts == nil {
		return nil, err
	}
	addrs := make([]channel.Address, len(texts))
	for i, t := range texts {
		if t == "" {
			continue
		}
		name, id, _ := strings.Cut(t, ":")
		k, err := channel.ParseKind(name)
		if err != nil {
			return nil, fmt.Errorf("contact address %q: %w", t, err)
		}
		addrs[i] = channel.Address{Kind: k, ID: id}
	}
	return addrs, nil
}

// ErrCorrupt: a stored row holds a value the store cannot read back (an
// enum name it does not know, say), written by something else. Check it
// with errors.Is.
var ErrCorrupt = errors.New("postgres: stored value cannot be read")

func corrupt(id conversation.ID, err error) error {
	return fmt.Errorf("%w: %s: %w", ErrCorrupt, id, err)
}

// checkConversation refuses what the contract calls invalid, and enums
// that have no name to store.
func checkConversation(c *conversation.Conversation) error {
	if err := conversation.CheckStored(c); err != nil {
		return err
	}
	switch {
	case !c.Channel.Valid():
		return &conversation.FieldError{Field: "Channel", Problem: "is not valid"}
	case !c.Direction.Valid():
		return &conversation.FieldError{Field: "Direction", Problem: "is not valid"}
	case c.AssignMode > conversation.AssignDedicated:
		return &conversation.FieldError{Field: "AssignMode", Problem: "is not valid"}
	}
	return nil
}

// sameIdentity is conversation.CheckIdentity with times compared at the
// microsecond, as stored.
func sameIdentity(old, c *conversation.Conversation) error {
	at := *c
	at.CreatedAt = c.CreatedAt.Truncate(time.Microsecond)
	return conversation.CheckIdentity(old, &at)
}

// uuidArg passes an ID as a uuid, the zero ID as NULL.
func uuidArg(id conversation.ID) any {
	if id.IsZero() {
		return nil
	}
	return pgtype.UUID{Bytes: [16]byte(id), Valid: true}
}

// tsArg passes a time as a timestamptz, the zero time as NULL.
func tsArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// fromTS reads a nullable timestamptz, NULL as the zero time.
func fromTS(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// fromTZ reads a scanned nullable timestamptz, NULL as the zero time.
func fromTZ(t pgtype.Timestamptz) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

// constraint returns the name of the constraint err violated, or "".
func constraint(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.ConstraintName
	}
	return ""
}

// storeError maps the database's refusals to the contract's errors: a
// string PostgreSQL cannot hold (a NUL byte, invalid UTF-8) is
// ErrInvalid, so callers do not retry it forever. Other errors pass
// through.
func storeError(err error) error {
	var pe *pgconn.PgError
	if err == nil || !errors.As(err, &pe) {
		return err
	}
	switch pe.Code {
	case "22021", "22P05": // invalid byte sequence; untranslatable character (jsonb \u0000)
		return &conversation.FieldError{Field: "text", Problem: "cannot be stored: " + pe.Message}
	case "23503": // foreign key: the message's conversation is gone
		return conversation.ErrNotFound
	}
	return err
}

package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/conversation"
)

// Erase forgets a contact: every conversation of theirs, its messages,
// their comments and the report events of those conversations (which
// carry the messages' text), in one statement; see [conversation.Eraser].
// The provider keys go with the messages, so the contact's IDs may be
// used again.
func (s *ConversationStore) Erase(ctx context.Context, contactID string) (conversation.Erasure, error) {
	if contactID == "" {
		return conversation.Erasure{}, &conversation.FieldError{Field: "contact ID", Problem: "is required"}
	}
	var e conversation.Erasure
	err := s.pool.QueryRow(ctx, `WITH c AS (DELETE FROM parley_conversations WHERE contact_id = $1 RETURNING id),
		m AS (DELETE FROM parley_messages WHERE conversation_id IN (SELECT id FROM c) RETURNING 1),
		k AS (DELETE FROM parley_comments WHERE contact_id = $1 RETURNING 1),
		r AS (DELETE FROM parley_report_events WHERE conversation_id IN (SELECT id FROM c))
		SELECT (SELECT count(*) FROM c), (SELECT count(*) FROM m), (SELECT count(*) FROM k)`,
		contactID).Scan(&e.Conversations, &e.Messages, &e.Comments)
	if err != nil {
		return conversation.Erasure{}, storeError(err)
	}
	return e, nil
}

// Purge deletes the ended conversations last changed before before, with
// their messages, in one statement; see [conversation.Purger]. It reads
// the ended conversations through the (status, created_at, id) index and
// checks updated_at on each: an index on updated_at, which every message
// changes, would keep follow-ups from being HOT updates.
func (s *ConversationStore) Purge(ctx context.Context, before time.Time) (conversation.Purged, error) {
	if before.IsZero() {
		return conversation.Purged{}, &conversation.FieldError{Field: "before", Problem: "is required"}
	}
	var p conversation.Purged
	err := s.pool.QueryRow(ctx, `WITH c AS (DELETE FROM parley_conversations
			WHERE status IN ('wrap_up', 'closed') AND updated_at < $1 RETURNING id),
		m AS (DELETE FROM parley_messages WHERE conversation_id IN (SELECT id FROM c) RETURNING 1)
		SELECT (SELECT count(*) FROM c), (SELECT count(*) FROM m)`, before).Scan(&p.Conversations, &p.Messages)
	if err != nil {
		return conversation.Purged{}, storeError(err)
	}
	return p, nil
}

// AddComment stores a comment on a contact; see [conversation.CommentStore].
func (s *ConversationStore) AddComment(ctx context.Context, c *conversation.Comment) error {
	if err := c.Validate(); err != nil {
		return err
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO parley_comments (id, contact_id, author_id, text, mentions, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, uuidArg(c.ID), c.ContactID, c.AuthorID, c.Text, c.Mentions, tsArg(c.CreatedAt))
	if constraint(err) == "parley_comments_pkey" {
		return conversation.ErrDuplicateID
	}
	return storeError(err)
}

// Comments returns a contact's comments, oldest first.
func (s *ConversationStore) Comments(ctx context.Context, contactID string) ([]*conversation.Comment, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, contact_id, author_id, text, mentions, created_at
		FROM parley_comments WHERE contact_id = $1 ORDER BY created_at, seq`, contactID)
	if err != nil {
		return nil, storeError(err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*conversation.Comment, error) {
		var (
			c       conversation.Comment
			id      [16]byte
			created *time.Time
		)
		if err := row.Scan(&id, &c.ContactID, &c.AuthorID, &c.Text, &c.Mentions, &created); err != nil {
			return nil, err
		}
		c.ID, c.CreatedAt = id, fromTS(created)
		return &c, nil
	})
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return nil, storeError(err)
	}
	return out, nil
}

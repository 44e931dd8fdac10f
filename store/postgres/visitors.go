package postgres

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley/conversation"
)

var _ conversation.VisitorSequence = (*ConversationStore)(nil)

// NextVisitor returns the next anonymous visitor number from the sequence
// parley_visitor_numbers, so desks on the database never give two
// visitors one number and numbers go on after a restart
// ([conversation.VisitorSequence]). A number a failed caller took is not
// given again: numbers may skip.
func (s *ConversationStore) NextVisitor(ctx context.Context) (uint64, error) {
	var n int64
	if err := s.pool.QueryRow(ctx, `SELECT nextval('parley_visitor_numbers')`).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: next visitor: %w", err)
	}
	return uint64(n), nil
}

package postgres

import "github.com/parleyhq/parley/conversation"

// SearchSQL returns the statement and arguments Search runs for q, for
// tests that EXPLAIN it.
func SearchSQL(q conversation.Query) (string, []any, error) {
	sql, args, _, err := searchSQL(q)
	return sql, args, err
}

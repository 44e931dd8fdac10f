package memory

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/parleyhq/parley/conversation"
)

// Search returns one page of the conversations q selects and q.Viewer may
// see, sorted by (CreatedAt, ID); see [conversation.Query]. It scans in
// sort order from the cursor, so a page costs the conversations it skips,
// which suits an embedded default; a database store would use an index.
func (s *ConversationStore) Search(ctx context.Context, q conversation.Query) (conversation.Page, error) {
	if err := ctx.Err(); err != nil {
		return conversation.Page{}, err
	}
	limit, err := conversation.PageLimit(q.Limit)
	if err != nil {
		return conversation.Page{}, err
	}
	newest := q.Sort == conversation.Newest
	s.mu.RLock()
	defer s.mu.RUnlock()
	// i is the next index to look at.
	i := 0
	if newest {
		i = len(s.sorted) - 1
	}
	if q.Cursor != "" {
		at, id, err := parseCursor(q.Cursor)
		if err != nil {
			return conversation.Page{}, err
		}
		key := &convRecord{c: conversation.Conversation{ID: id, CreatedAt: at}}
		j, found := slices.BinarySearchFunc(s.sorted, key, compareRecords)
		switch {
		case newest:
			i = j - 1
		case found:
			i = j + 1
		default:
			i = j
		}
	}
	step := 1
	if newest {
		step = -1
	}
	var page conversation.Page
	var last *convRecord
	for ; i >= 0 && i < len(s.sorted); i += step {
		r := s.sorted[i]
		if !q.Matches(&r.c) {
			continue
		}
		if len(page.Conversations) == limit {
			// Another match exists: the page has a successor.
			page.Next = formatCursor(last)
			break
		}
		page.Conversations = append(page.Conversations, clone(&r.c))
		last = r
	}
	return page, nil
}

// A search cursor is the sort key of the last conversation returned,
// "<CreatedAt RFC 3339>_<ID>", so it stays valid while conversations are
// added or erased.
func formatCursor(r *convRecord) string {
	return r.c.CreatedAt.UTC().Format(time.RFC3339Nano) + "_" + r.c.ID.String()
}

func parseCursor(s string) (time.Time, conversation.ID, error) {
	ts, ids, ok := strings.Cut(s, "_")
	if !ok {
		return time.Time{}, conversation.ID{}, conversation.ErrBadCursor
	}
	at, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return time.Time{}, conversation.ID{}, conversation.ErrBadCursor
	}
	id, err := conversation.ParseID(ids)
	if err != nil {
		return time.Time{}, conversation.ID{}, conversation.ErrBadCursor
	}
	return at, id, nil
}

package memory

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/parleyhq/parley/conversation"
)

// Search returns one page of the conversations q selects and q.Viewer may
// see, sorted by (CreatedAt, ID); see [conversation.Query]. It reads the
// narrowest index the query allows (conversation_index.go): the contact's
// conversations for a ContactID, the open-status lists when every status
// asked for is open, the text index for a Text; otherwise it scans in
// sort order from the cursor, which costs the conversations it skips.
func (s *ConversationStore) Search(ctx context.Context, q conversation.Query) (conversation.Page, error) {
	if err := ctx.Err(); err != nil {
		return conversation.Page{}, err
	}
	limit, err := conversation.PageLimit(q.Limit)
	if err != nil {
		return conversation.Page{}, err
	}
	var from *convRecord // the cursor's position; nil for the top
	if q.Cursor != "" {
		at, id, err := parseCursor(q.Cursor)
		if err != nil {
			return conversation.Page{}, err
		}
		from = &convRecord{c: conversation.Conversation{ID: id, CreatedAt: at}}
	}
	newest := q.Sort == conversation.Newest
	s.mu.RLock()
	defer s.mu.RUnlock()
	var found []*convRecord
	switch {
	case q.ContactID != "":
		found = sortRecords(s.searchContacts(nil, &q, s.contactNumbers(q.ContactID), from, newest, false), newest)
	case allOpen(q.Statuses):
		for _, st := range q.Statuses {
			if len(q.Queues) == 0 {
				found = scanSorted(found, s.openIx[openKey{status: st}], &q, from, newest, limit+1)
				continue
			}
			for _, queue := range q.Queues {
				found = scanSorted(found, s.openIx[openKey{status: st, queue: queue}], &q, from, newest, limit+1)
			}
		}
		found = sortRecords(found, newest)
	default:
		var buf [16]uint32
		hits, long, ok := []uint32(nil), []uint32(nil), false
		if q.Text != "" {
			hits, long, ok = s.text.candidates(q.Text, buf[:0])
		}
		if !ok {
			found = scanSorted(nil, s.sorted, &q, from, newest, limit+1)
			break
		}
		found = s.searchContacts(nil, &q, hits, from, newest, true)
		for _, n := range long {
			if _, dup := slices.BinarySearch(hits, n); !dup {
				found = s.searchContacts(found, &q, []uint32{n}, from, newest, false)
			}
		}
		found = sortRecords(found, newest)
	}
	var page conversation.Page
	if len(found) > limit {
		found = found[:limit]
		page.Next = formatCursor(found[limit-1])
	}
	page.Conversations = make([]*conversation.Conversation, len(found))
	for i, r := range found {
		page.Conversations[i] = clone(&r.c)
	}
	return page, nil
}

// allOpen reports whether statuses names only open statuses, and some.
func allOpen(statuses []conversation.Status) bool {
	return len(statuses) > 0 && !slices.ContainsFunc(statuses, func(st conversation.Status) bool { return !st.Open() })
}

// contactNumbers returns the number of contact id, if it has one.
func (s *ConversationStore) contactNumbers(id string) []uint32 {
	if n, ok := s.authors.ids[id]; ok {
		return []uint32{n}
	}
	return nil
}

// searchContacts appends to out the conversations of contacts that q
// selects, past from. hit says that the text index found q.Text in each
// contact's strings, which proves it matches every conversation of a
// contact that is not mixed (addText), so only q's other fields are
// checked for those.
func (s *ConversationStore) searchContacts(out []*convRecord, q *conversation.Query, contacts []uint32, from *convRecord, newest, hit bool) []*convRecord {
	bare := q
	if hit && q.Text != "" {
		b := *q
		b.Text = ""
		bare = &b
	}
	for _, n := range contacts {
		if int(n) >= len(s.contacts) {
			continue
		}
		e := &s.contacts[n]
		check := q
		if hit && !e.mixed {
			check = bare
		}
		for r := e.newest; r != nil; r = r.older {
			if after(r, from, newest) && check.Matches(&r.c) {
				out = append(out, r)
			}
		}
	}
	return out
}

// sortRecords sorts rs in search order and drops repeats (a conversation
// found in two queues' lists).
func sortRecords(rs []*convRecord, newest bool) []*convRecord {
	slices.SortFunc(rs, func(a, b *convRecord) int {
		if newest {
			return compareRecords(b, a)
		}
		return compareRecords(a, b)
	})
	return slices.Compact(rs)
}

// after reports whether r comes after the cursor position from in search
// order.
func after(r, from *convRecord, newest bool) bool {
	switch {
	case from == nil:
		return true
	case newest:
		return compareRecords(r, from) < 0
	}
	return compareRecords(r, from) > 0
}

// scanSorted appends to out up to n records of list, which is in
// (CreatedAt, ID) order, that q selects, in search order from the cursor
// position from.
func scanSorted(out, list []*convRecord, q *conversation.Query, from *convRecord, newest bool, n int) []*convRecord {
	// i is the next index to look at.
	i, step := 0, 1
	if newest {
		i, step = len(list)-1, -1
	}
	if from != nil {
		j, found := slices.BinarySearchFunc(list, from, compareRecords)
		switch {
		case newest:
			i = j - 1
		case found:
			i = j + 1
		default:
			i = j
		}
	}
	if step > 0 {
		out = slices.Grow(out, max(0, min(n, len(list)-i)))
	} else {
		out = slices.Grow(out, max(0, min(n, i+1)))
	}
	for end := len(out) + n; i >= 0 && i < len(list) && len(out) < end; i += step {
		if r := list[i]; q.Matches(&r.c) {
			out = append(out, r)
		}
	}
	return out
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

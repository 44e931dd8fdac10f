package postgres

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/conversation"
)

// Search returns one page of the conversations q selects that q.Viewer
// may see, sorted by (CreatedAt, ID); see [conversation.Query]. Every
// filter is SQL over an index (docs/storage.md lists them); text goes
// through the trigram index on the folded name and addresses. The cursor
// is the last conversation's (CreatedAt, ID), so conversations created
// while a caller pages never shift a page.
func (s *ConversationStore) Search(ctx context.Context, q conversation.Query) (conversation.Page, error) {
	sql, args, limit, err := searchSQL(q)
	if err != nil {
		return conversation.Page{}, err
	}
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return conversation.Page{}, storeError(err)
	}
	convs, err := pgx.CollectRows(rows, scanConversation)
	if err != nil {
		return conversation.Page{}, storeError(err)
	}
	var page conversation.Page
	if len(convs) > limit {
		convs = convs[:limit]
		last := convs[limit-1]
		page.Next = searchCursor(last.CreatedAt, last.ID)
	}
	page.Conversations = convs
	return page, nil
}

// searchSQL returns the statement Search runs for q, its arguments, and
// the page size.
func searchSQL(q conversation.Query) (string, []any, int, error) {
	limit, err := conversation.PageLimit(q.Limit)
	if err != nil {
		return "", nil, 0, err
	}
	if q.Sort > conversation.Oldest {
		return "", nil, 0, &conversation.FieldError{Field: "Sort", Problem: "is not valid"}
	}
	w := where{}
	if v := q.Viewer; !v.Supervisor {
		w.add(`((assignee_id <> '' AND assignee_id = ` + w.arg(v.AgentID) + `) OR (assignee_id = '' AND queues && ` + w.arg(nonNil(v.Queues)) + `))`)
	}
	if q.ContactID != "" {
		w.add(`contact_id = ` + w.arg(q.ContactID))
	}
	if len(q.Channels) > 0 {
		names := make([]string, len(q.Channels))
		for i, k := range q.Channels {
			names[i] = k.String()
		}
		w.add(`channel = ANY(` + w.arg(names) + `)`)
	}
	if len(q.Touchpoints) > 0 {
		w.add(`touchpoint = ANY(` + w.arg(q.Touchpoints) + `)`)
	}
	if len(q.Statuses) > 0 {
		w.add(`status = ANY(` + w.arg(statusNames(q.Statuses)) + `)`)
	}
	if len(q.Queues) > 0 {
		w.add(`queues && ` + w.arg(q.Queues))
	}
	if q.AssigneeID != "" {
		w.add(`assignee_id = ` + w.arg(q.AssigneeID))
	}
	if !q.Since.IsZero() {
		w.add(`created_at >= ` + w.arg(q.Since))
	}
	if !q.Until.IsZero() {
		w.add(`created_at < ` + w.arg(q.Until))
	}
	if q.Text != "" {
		if !utf8.ValidString(q.Text) {
			return "", nil, 0, &conversation.FieldError{Field: "Text", Problem: "is not valid UTF-8"}
		}
		// The trigram index finds candidates in search_text; the second
		// test keeps a match inside one field.
		p := w.arg(likePattern(fold(q.Text)))
		w.add(`search_text LIKE ` + p + ` AND (search_name LIKE ` + p + ` OR EXISTS (SELECT FROM unnest(search_addresses) a WHERE a LIKE ` + p + `))`)
	}
	order := `ASC`
	if q.Sort == conversation.Newest {
		order = `DESC`
	}
	after := ""
	if q.Cursor != "" {
		at, id, ok := parseSearchCursor(q.Cursor)
		if !ok {
			return "", nil, 0, conversation.ErrBadCursor
		}
		op := `>`
		if q.Sort == conversation.Newest {
			op = `<`
		}
		after = op + ` (` + w.arg(at) + `, ` + w.arg(uuidArg(id)) + `)`
		w.add(`(created_at, id) ` + after)
	}
	orderBy := ` ORDER BY created_at ` + order + `, id ` + order + ` LIMIT ` + strconv.Itoa(limit+1)
	if !inInbox(q) {
		return `SELECT ` + convColumns + ` FROM parley_conversations` + w.sql() + orderBy, w.args, limit, nil
	}
	// The inbox: each queue's open conversations in order from
	// parley_conversation_queues, a page at most per queue, each checked
	// against every filter; the page is the first of their union. OFFSET 0
	// keeps the check a test of each row read in order: folded into a join,
	// the planner would rather read every match of the filters and sort.
	queues := w.arg(q.Queues)
	statuses := w.arg(statusNames(q.Statuses))
	cursor := ""
	if after != "" {
		cursor = ` AND (i.created_at, i.conversation_id) ` + after
	}
	sql := `SELECT ` + convColumns + ` FROM parley_conversations WHERE id IN (
		SELECT p.id FROM unnest(` + queues + `::text[]) AS u(queue) CROSS JOIN LATERAL (
			SELECT i.conversation_id AS id FROM parley_conversation_queues i
			WHERE i.queue = u.queue AND i.status = ANY(` + statuses + `::text[])` + cursor + `
			AND EXISTS (SELECT FROM parley_conversations WHERE id = i.conversation_id AND ` + strings.Join(w.conds, ` AND `) + ` OFFSET 0)
			ORDER BY i.created_at ` + order + `, i.conversation_id ` + order + ` LIMIT ` + strconv.Itoa(limit+1) + `) p)` + orderBy
	return sql, w.args, limit, nil
}

// inInbox reports whether q selects only open conversations of given
// queues, which parley_conversation_queues lists.
func inInbox(q conversation.Query) bool {
	if len(q.Queues) == 0 || len(q.Statuses) == 0 {
		return false
	}
	for _, st := range q.Statuses {
		if !st.Open() {
			return false
		}
	}
	return true
}

func statusNames(ss []conversation.Status) []string {
	names := make([]string, len(ss))
	for i, st := range ss {
		names[i] = st.String()
	}
	return names
}

// where builds a WHERE clause with numbered arguments.
type where struct {
	conds []string
	args  []any
}

// arg adds v as an argument and returns its placeholder.
func (w *where) arg(v any) string {
	w.args = append(w.args, v)
	return "$" + strconv.Itoa(len(w.args))
}

func (w *where) add(cond string) { w.conds = append(w.conds, cond) }

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// searchCursor encodes a position in search order: microseconds since
// the epoch, then the ID, base64url.
func searchCursor(at time.Time, id conversation.ID) string {
	var b [24]byte
	binary.BigEndian.PutUint64(b[:8], uint64(at.UnixMicro()))
	copy(b[8:], id[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func parseSearchCursor(s string) (time.Time, conversation.ID, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) != 24 {
		return time.Time{}, conversation.ID{}, false
	}
	at := time.UnixMicro(int64(binary.BigEndian.Uint64(b[:8]))).UTC()
	return at, conversation.ID(b[8:]), true
}

// searchColumns returns the folded contact name, address IDs, and both
// joined by newlines, for the search columns.
func searchColumns(ct *conversation.Contact) (name string, addresses []string, text string) {
	name = fold(ct.Name)
	addresses = make([]string, len(ct.Addresses))
	var b strings.Builder
	b.WriteString(name)
	for i, a := range ct.Addresses {
		addresses[i] = fold(a.ID)
		b.WriteByte('\n')
		b.WriteString(addresses[i])
	}
	return name, addresses, b.String()
}

// fold maps every rune of s to one representative of its simple case
// folding orbit (the orbit's least rune, lower-cased when it is an ASCII
// capital), so that strings equal under [conversation.MatchText]'s
// comparison fold to equal strings and a substring test on folded text
// is MatchText's test.
func fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		b.WriteRune(foldRune(r))
	}
	return b.String()
}

func foldRune(r rune) rune {
	least := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		least = min(least, f)
	}
	if 'A' <= least && least <= 'Z' {
		least += 'a' - 'A'
	}
	return least
}

// likePattern returns a LIKE pattern that finds sub anywhere, its
// wildcards escaped.
func likePattern(sub string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(sub) + "%"
}

package conversation

import (
	"errors"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/parleyhq/parley/channel"
)

// Sort is the order of a page of search results or messages. It is not
// routing.Order, which orders an agent's inbox.
type Sort uint8

// The sort orders. The zero value is Newest.
const (
	// Newest: most recent first.
	Newest Sort = iota
	// Oldest: oldest first.
	Oldest
)

var sortNames = [...]string{Newest: "newest", Oldest: "oldest"}

// ErrUnknownSort is returned for a sort order that is not one of the two.
// Check it with errors.Is.
var ErrUnknownSort = errors.New("conversation: unknown sort order")

// String returns "newest", "oldest" or "sort(N)".
func (o Sort) String() string { return stringOf(sortNames[:], o, "sort") }

// ParseSort returns the order named s, as [Sort.String] spells it, or an
// error matching [ErrUnknownSort].
func ParseSort(s string) (Sort, error) { return parseName[Sort](sortNames[:], s, ErrUnknownSort) }

// MarshalText encodes the order by name; an invalid one is an error
// matching [ErrUnknownSort].
func (o Sort) MarshalText() ([]byte, error) { return marshalName(sortNames[:], o, ErrUnknownSort) }

// UnmarshalText decodes an order name, as [ParseSort] does.
func (o *Sort) UnmarshalText(b []byte) error {
	v, err := ParseSort(string(b))
	if err != nil {
		return err
	}
	*o = v
	return nil
}

// Page sizes: a zero Limit means DefaultLimit; larger than MaxLimit is
// capped to MaxLimit.
const (
	DefaultLimit = 50
	MaxLimit     = 1000
)

// Viewer is who asks, for visibility: an unassigned
// conversation is visible only to agents in at least one of its queues; an
// assigned one only to its assignee; a supervisor (or the host itself)
// sees everything. The zero Viewer sees nothing.
type Viewer struct {
	AgentID    string
	Queues     []string
	Supervisor bool
}

// VisibleTo reports whether v may see c.
func (c *Conversation) VisibleTo(v Viewer) bool {
	if v.Supervisor {
		return true
	}
	if c.AssigneeID != "" {
		return v.AgentID != "" && v.AgentID == c.AssigneeID
	}
	return c.InQueues(v.Queues)
}

// InQueues reports whether c belongs to one of queues, assigned or not.
func (c *Conversation) InQueues(queues []string) bool {
	return overlaps(c.Queues, queues)
}

func overlaps(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

// Query selects conversations for [Store.Search], an agent's inbox or a
// search. Empty filters select everything; set filters must all match.
// Results are sorted by (CreatedAt, ID), newest or oldest first, which is
// stable: paging with Cursor never repeats or skips a conversation, even
// while new ones arrive.
type Query struct {
	// Viewer limits the results to what it may see; required in effect,
	// since the zero Viewer sees nothing.
	Viewer Viewer
	// Text matches the contact's name or any of its address IDs (number,
	// e-mail) by substring, ignoring case (see [MatchText]).
	Text string
	// ContactID: the conversation's contact must be this one (a contact's
	// history).
	ContactID string
	// Channels, Touchpoints, Statuses: the conversation's must be one of them.
	Channels    []channel.Kind
	Touchpoints []string
	Statuses    []Status
	// Queues: the conversation must carry at least one of them.
	Queues []string
	// AssigneeID: the conversation's assignee must be this agent.
	AssigneeID string
	// Since and Until bound CreatedAt to [Since, Until); zero means unbounded.
	Since, Until time.Time
	// Sort sorts by creation, newest first by default.
	Sort Sort
	// Cursor continues from a previous Page.Next; empty starts at the top.
	Cursor string
	// Limit caps the page size; see DefaultLimit and MaxLimit.
	Limit int
}

// Matches reports whether c passes q's filters and visibility (not its
// cursor, order or limit). Stores that filter in Go use it; stores that
// filter in SQL must agree with it.
func (q *Query) Matches(c *Conversation) bool {
	switch {
	case !c.VisibleTo(q.Viewer):
		return false
	case q.ContactID != "" && c.Contact.ID != q.ContactID:
		return false
	case len(q.Channels) > 0 && !slices.Contains(q.Channels, c.Channel):
		return false
	case len(q.Touchpoints) > 0 && !slices.Contains(q.Touchpoints, c.Touchpoint):
		return false
	case len(q.Statuses) > 0 && !slices.Contains(q.Statuses, c.Status):
		return false
	case len(q.Queues) > 0 && !overlaps(c.Queues, q.Queues):
		return false
	case q.AssigneeID != "" && c.AssigneeID != q.AssigneeID:
		return false
	case !q.Since.IsZero() && c.CreatedAt.Before(q.Since):
		return false
	case !q.Until.IsZero() && !c.CreatedAt.Before(q.Until):
		return false
	}
	return q.Text == "" || matchContact(&c.Contact, q.Text)
}

func matchContact(ct *Contact, text string) bool {
	if MatchText(ct.Name, text) {
		return true
	}
	for _, a := range ct.Addresses {
		if MatchText(a.ID, text) {
			return true
		}
	}
	return false
}

// PageLimit returns the page size for a requested limit: DefaultLimit for
// 0, capped at MaxLimit. Negative limits are invalid (ErrInvalid).
func PageLimit(limit int) (int, error) {
	switch {
	case limit < 0:
		return 0, invalid("Limit", "cannot be negative")
	case limit == 0:
		return DefaultLimit, nil
	case limit > MaxLimit:
		return MaxLimit, nil
	}
	return limit, nil
}

// Page is one page of [Store.Search] results.
type Page struct {
	Conversations []*Conversation
	// Next continues after this page; empty when there is no more.
	Next string
}

// MessageQuery selects one conversation's messages for
// [MessageStore.Messages], in the order they were appended (newest first by
// default). Paging is stable: appends never repeat or skip a message.
type MessageQuery struct {
	ConversationID ID
	// Text keeps only messages whose text contains it, ignoring case: the
	// search inside one conversation.
	Text   string
	Sort   Sort
	Cursor string
	Limit  int
}

// MessagePage is one page of [MessageStore.Messages] results.
type MessagePage struct {
	Messages []*Message
	// Next continues after this page; empty when there is no more.
	Next string
}

// MatchText reports whether text contains sub, comparing by Unicode simple
// case folding ("ANA" matches "Ana", "ß" only "ß"). An empty sub matches
// everything. Search and in-conversation search both use it, so hosts
// filtering in SQL know what to agree with (ILIKE '%sub%' for ASCII).
// Bytes that are contained exactly always match, even when sub is not valid
// UTF-8 and falls inside one of text's characters.
func MatchText(text, sub string) bool {
	if strings.Contains(text, sub) {
		return true
	}
	for i := 0; i < len(text); {
		if hasFoldPrefix(text[i:], sub) {
			return true
		}
		_, n := utf8.DecodeRuneInString(text[i:])
		i += n
	}
	return false
}

func hasFoldPrefix(s, prefix string) bool {
	for prefix != "" {
		if s == "" {
			return false
		}
		a, na := utf8.DecodeRuneInString(s)
		b, nb := utf8.DecodeRuneInString(prefix)
		if a != b && !foldEqual(a, b) {
			return false
		}
		s, prefix = s[na:], prefix[nb:]
	}
	return true
}

// foldEqual walks a's simple-fold orbit, as strings.EqualFold does.
func foldEqual(a, b rune) bool {
	if a < utf8.RuneSelf && b < utf8.RuneSelf {
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		return a == b
	}
	for r := unicode.SimpleFold(a); r != a; r = unicode.SimpleFold(r) {
		if r == b {
			return true
		}
	}
	return false
}

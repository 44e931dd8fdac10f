package report

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
)

// Format is an export's file format.
type Format uint8

// The export formats.
const (
	// JSONLines writes one JSON object per line.
	JSONLines Format = iota
	// CSV writes a header row, then one row per record (RFC 4180).
	CSV
)

var formatNames = [...]string{JSONLines: "jsonl", CSV: "csv"}

// ErrUnknownFormat is returned for a format that is neither "jsonl" nor
// "csv". Check it with errors.Is.
var ErrUnknownFormat = errors.New("report: unknown export format")

// String returns "jsonl", "csv" or "format(N)".
func (f Format) String() string {
	if int(f) < len(formatNames) {
		return formatNames[f]
	}
	return fmt.Sprintf("format(%d)", uint8(f))
}

// ParseFormat returns the format named s ("jsonl" or "csv", any case), or
// an error matching ErrUnknownFormat.
func ParseFormat(s string) (Format, error) {
	for f, name := range formatNames {
		if strings.EqualFold(s, name) {
			return Format(f), nil
		}
	}
	return 0, fmt.Errorf("%w: %q", ErrUnknownFormat, s)
}

// The kinds of [Record].
const (
	KindConversation = "conversation"
	KindMessage      = "message"
	KindEvent        = "event"
)

// Record is one line of an export (rule 21): a conversation, one of its
// messages, or one of its events. Fields a kind does not use are empty.
type Record struct {
	// Kind is KindConversation, KindMessage or KindEvent.
	Kind string `json:"kind"`
	// ConversationID is the conversation's ID, in the canonical form a
	// URL path carries as it is; Link is the host's link to it, when the
	// export was given one.
	ConversationID string `json:"conversation_id"`
	Link           string `json:"link,omitempty"`
	// At is when the conversation started, the message was written, or
	// the event happened.
	At time.Time `json:"at"`
	// Name is the event's name, or the message's author kind.
	Name string `json:"name,omitempty"`
	// Status is the conversation's status, or the message's delivery
	// status.
	Status     string `json:"status,omitempty"`
	Touchpoint string `json:"touchpoint,omitempty"`
	Channel    string `json:"channel,omitempty"`
	Direction  string `json:"direction,omitempty"`
	ContactID  string `json:"contact_id,omitempty"`
	// AgentID is the conversation's assignee, or the message's author.
	AgentID   string `json:"agent_id,omitempty"`
	MessageID string `json:"message_id,omitempty"`
	// Text is the message's text, or the conversation's subject.
	Text string `json:"text,omitempty"`
	// Data is the event itself, as JSON; [Record.Event] decodes it.
	Data json.RawMessage `json:"data,omitempty"`
}

// columns are the CSV header, in order.
var columns = []string{"kind", "conversation_id", "link", "at", "name", "status", "touchpoint", "channel",
	"direction", "contact_id", "agent_id", "message_id", "text", "data"}

func (r *Record) row() []string {
	return []string{r.Kind, r.ConversationID, r.Link, r.At.UTC().Format(time.RFC3339Nano), r.Name, r.Status, r.Touchpoint,
		r.Channel, r.Direction, r.ContactID, r.AgentID, r.MessageID, r.Text, string(r.Data)}
}

// Source is what an export reads: a conversation.Store's search and
// messages.
type Source interface {
	Search(ctx context.Context, q conversation.Query) (conversation.Page, error)
	Messages(ctx context.Context, q conversation.MessageQuery) (conversation.MessagePage, error)
}

// ExportOptions say what [Export] writes. The zero value exports every
// conversation as JSON Lines, without events.
type ExportOptions struct {
	Format Format
	// Since and Until bound the conversations' start to [Since, Until);
	// zero means unbounded.
	Since, Until time.Time
	// Log, when set, adds each conversation's events after its messages.
	Log Log
	// Link, when set, gives each record the host's link to its
	// conversation.
	Link func(conversation.ID) string
	// PageSize is how many conversations and messages are read at once;
	// zero means 100. Memory stays within one page whatever the range.
	PageSize int
}

// Export streams every conversation started in the range, oldest first,
// each followed by its messages, oldest first, and, with a Log, its
// events (rule 21). It holds one page at a time, whatever the range, and
// returns how many records it wrote. An error from src, the log or w stops
// it; what was written stays written.
func Export(ctx context.Context, w io.Writer, src Source, opts ExportOptions) (int, error) {
	ew, err := NewWriter(w, opts.Format)
	if err != nil {
		return 0, err
	}
	n, err := export(ctx, src, &opts, ew.Write)
	return n, errors.Join(err, ew.Flush())
}

// Writer writes export records in one format, one at a time; the CSV
// header goes first. Call Flush when done.
type Writer struct {
	json *json.Encoder
	csv  *csv.Writer
}

// NewWriter returns a Writer of format f to w, or an error matching
// ErrUnknownFormat.
func NewWriter(w io.Writer, f Format) (*Writer, error) {
	switch f {
	case JSONLines:
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		return &Writer{json: enc}, nil
	case CSV:
		cw := csv.NewWriter(w)
		if err := cw.Write(columns); err != nil {
			return nil, err
		}
		return &Writer{csv: cw}, nil
	}
	return nil, fmt.Errorf("%w: %s", ErrUnknownFormat, f)
}

// Write writes one record.
func (w *Writer) Write(r *Record) error {
	if w.json != nil {
		return w.json.Encode(r)
	}
	return w.csv.Write(r.row())
}

// Flush writes what is buffered and returns the first error met.
func (w *Writer) Flush() error {
	if w.csv != nil {
		w.csv.Flush()
		return w.csv.Error()
	}
	return nil
}

func export(ctx context.Context, src Source, opts *ExportOptions, write func(*Record) error) (int, error) {
	limit := opts.PageSize
	if limit <= 0 {
		limit = 100
	}
	q := conversation.Query{Viewer: conversation.Viewer{Supervisor: true}, Since: opts.Since, Until: opts.Until,
		Sort: conversation.Oldest, Limit: limit}
	n := 0
	emit := func(r *Record) error {
		n++
		return write(r)
	}
	for {
		page, err := src.Search(ctx, q)
		if err != nil {
			return n, err
		}
		for _, c := range page.Conversations {
			if err := exportOne(ctx, src, opts, c, limit, emit); err != nil {
				return n, err
			}
		}
		if page.Next == "" {
			return n, nil
		}
		q.Cursor = page.Next
	}
}

// exportOne writes one conversation, its messages and its events.
func exportOne(ctx context.Context, src Source, opts *ExportOptions, c *conversation.Conversation, limit int, emit func(*Record) error) error {
	link := ""
	if opts.Link != nil {
		link = opts.Link(c.ID)
	}
	id := c.ID.String()
	err := emit(&Record{Kind: KindConversation, ConversationID: id, Link: link, At: c.CreatedAt, Status: c.Status.String(),
		Touchpoint: c.Touchpoint, Channel: c.Channel.String(), Direction: c.Direction.String(), ContactID: c.Contact.ID,
		AgentID: c.AssigneeID, Text: c.Subject})
	if err != nil {
		return err
	}
	mq := conversation.MessageQuery{ConversationID: c.ID, Sort: conversation.Oldest, Limit: limit}
	for {
		page, err := src.Messages(ctx, mq)
		if err != nil {
			return err
		}
		for _, m := range page.Messages {
			r := Record{Kind: KindMessage, ConversationID: id, Link: link, At: m.CreatedAt, Name: m.Author.Kind.String(),
				Direction: m.Direction.String(), AgentID: m.Author.ID, MessageID: m.ID.String(), Text: m.Text}
			if m.Direction == conversation.Outbound && !m.Internal {
				r.Status = m.Delivery.Status.String()
			}
			if err := emit(&r); err != nil {
				return err
			}
		}
		if page.Next == "" {
			break
		}
		mq.Cursor = page.Next
	}
	if opts.Log == nil {
		return nil
	}
	return opts.Log.Events(ctx, LogQuery{ConversationID: c.ID}, func(e parley.Event) error {
		r, err := EventRecord(e)
		if err != nil {
			return err
		}
		r.Link = link
		return emit(&r)
	})
}

// EventRecord returns e as an export record, the event itself in Data.
func EventRecord(e parley.Event) (Record, error) {
	data, err := json.Marshal(e)
	if err != nil {
		return Record{}, fmt.Errorf("report: encoding %s: %w", e.Name(), err)
	}
	return Record{Kind: KindEvent, ConversationID: e.Conversation().String(), At: e.Time(), Name: e.Name(), Data: data}, nil
}

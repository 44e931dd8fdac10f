package report

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
)

// ErrBadRecord is returned when a line of an export cannot be read back:
// the error is a *RecordError saying which line and why. Check it with
// errors.Is.
var ErrBadRecord = errors.New("report: bad export record")

// MaxLine is the longest JSON line [ReadJSONL] reads: 4 MiB.
const MaxLine = 4 << 20

// RecordError is the refusal of one line of an export. It matches
// ErrBadRecord and its cause.
type RecordError struct {
	// Line is the line's number, from 1; for CSV, the record's.
	Line int
	// Reason says what is wrong.
	Reason string
	Err    error
}

// Error returns "report: line N: reason".
func (e *RecordError) Error() string { return fmt.Sprintf("report: line %d: %s", e.Line, e.Reason) }

// Is matches ErrBadRecord.
func (e *RecordError) Is(target error) bool { return target == ErrBadRecord }

// Unwrap returns the cause.
func (e *RecordError) Unwrap() error { return e.Err }

// ReadJSONL reads back an export written as JSON Lines, calling fn with
// each record in turn and stopping at fn's first error, which it
// returns. A line that is not a valid record is a *RecordError; empty
// lines are skipped. It holds one line at a time (at most MaxLine).
func ReadJSONL(r io.Reader, fn func(Record) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxLine)
	for line := 1; sc.Scan(); line++ {
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var rec Record
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rec); err != nil {
			return &RecordError{Line: line, Reason: err.Error(), Err: err}
		}
		if dec.More() {
			return &RecordError{Line: line, Reason: "more than one value on the line"}
		}
		if err := rec.validate(); err != nil {
			return &RecordError{Line: line, Reason: err.Error(), Err: err}
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return &RecordError{Reason: err.Error(), Err: err}
	}
	return nil
}

// ReadCSV reads back an export written as CSV, whose first row must be
// the export's header, calling fn with each record in turn and stopping
// at fn's first error, which it returns. A row that is not a valid record
// is a *RecordError.
func ReadCSV(r io.Reader, fn func(Record) error) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = len(columns)
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err == io.EOF {
		return &RecordError{Line: 1, Reason: "no header"}
	}
	if err != nil {
		return &RecordError{Line: 1, Reason: err.Error(), Err: err}
	}
	if !slices.Equal(head, columns) {
		return &RecordError{Line: 1, Reason: fmt.Sprintf("header %q is not the export's", head)}
	}
	for line := 2; ; line++ {
		row, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return &RecordError{Line: line, Reason: err.Error(), Err: err}
		}
		rec := Record{Kind: row[0], ConversationID: row[1], Link: row[2], Name: row[4], Status: row[5], Touchpoint: row[6],
			Channel: row[7], Direction: row[8], ContactID: row[9], AgentID: row[10], MessageID: row[11], Text: row[12]}
		if row[13] != "" {
			rec.Data = json.RawMessage(row[13])
		}
		if rec.At, err = time.Parse(time.RFC3339Nano, row[3]); err != nil {
			return &RecordError{Line: line, Reason: "at: " + err.Error(), Err: err}
		}
		if err := rec.validate(); err != nil {
			return &RecordError{Line: line, Reason: err.Error(), Err: err}
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
}

// validate checks what every record has: a known kind, a conversation ID
// and, for an event, its data.
func (r *Record) validate() error {
	switch r.Kind {
	case KindConversation, KindMessage:
	case KindEvent:
		if r.Name == "" || len(r.Data) == 0 {
			return errors.New("an event record needs its name and data")
		}
	default:
		return fmt.Errorf("unknown kind %q", r.Kind)
	}
	if len(r.Data) > 0 && !json.Valid(r.Data) {
		return errors.New("data is not JSON")
	}
	if y := r.At.UTC().Year(); y < 1 || y > 9999 {
		return fmt.Errorf("at: year %d is outside 1–9999", y)
	}
	if _, err := conversation.ParseID(r.ConversationID); err != nil {
		return fmt.Errorf("conversation_id: %w", err)
	}
	return nil
}

// ErrUnknownEvent is returned by [Record.Event] for an event name it does
// not know. Check it with errors.Is.
var ErrUnknownEvent = errors.New("report: unknown event")

// Event decodes an event record back into the Desk's event, so that an
// export replays into an Accumulator (rule 19). It fails with
// ErrUnknownEvent for a name it does not know, and with ErrBadRecord when
// the data does not decode to an event of that name.
func (r *Record) Event() (parley.Event, error) {
	if r.Kind != KindEvent {
		return nil, &RecordError{Reason: fmt.Sprintf("a %s record is no event", r.Kind)}
	}
	dec, ok := decoders[r.Name]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownEvent, r.Name)
	}
	e, err := dec(r.Data)
	if err != nil {
		return nil, &RecordError{Reason: r.Name + ": " + err.Error(), Err: err}
	}
	if e.Name() != r.Name {
		return nil, &RecordError{Reason: fmt.Sprintf("data of %s decodes to %s", r.Name, e.Name())}
	}
	return e, nil
}

func decode[E parley.Event](b []byte) (parley.Event, error) {
	var e E
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&e); err != nil {
		return nil, err
	}
	return e, nil
}

// decoders decode each event the Desk publishes, by name.
var decoders = map[string]func([]byte) (parley.Event, error){
	conversation.StartedEvent{}.Name():         decode[conversation.StartedEvent],
	conversation.HandedOffEvent{}.Name():       decode[conversation.HandedOffEvent],
	conversation.AssignedEvent{}.Name():        decode[conversation.AssignedEvent],
	conversation.TransferredEvent{}.Name():     decode[conversation.TransferredEvent],
	conversation.SentToInboxEvent{}.Name():     decode[conversation.SentToInboxEvent],
	conversation.EndedEvent{}.Name():           decode[conversation.EndedEvent],
	conversation.ClosedEvent{}.Name():          decode[conversation.ClosedEvent],
	conversation.MessageReceivedEvent{}.Name(): decode[conversation.MessageReceivedEvent],
	conversation.MessageSentEvent{}.Name():     decode[conversation.MessageSentEvent],
	conversation.MessageFailedEvent{}.Name():   decode[conversation.MessageFailedEvent],
	conversation.DeliveryChangedEvent{}.Name(): decode[conversation.DeliveryChangedEvent],
	parley.OfferedEvent{}.Name():               decode[parley.OfferedEvent],
	"conversation.offer_rejected":              decode[parley.OfferEndedEvent],
	"conversation.offer_expired":               decode[parley.OfferEndedEvent],
	parley.AllAgentsBusyEvent{}.Name():         decode[parley.AllAgentsBusyEvent],
	parley.AwayEvent{}.Name():                  decode[parley.AwayEvent],
	parley.EscalatedEvent{}.Name():             decode[parley.EscalatedEvent],
	"contact.opted_out":                        decode[parley.OptOutEvent],
	"contact.opted_in":                         decode[parley.OptOutEvent],
	"session.window_expiring":                  decode[parley.WindowEvent],
	"session.window_closed":                    decode[parley.WindowEvent],
}

package report_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/optout"
	"github.com/parleyhq/parley/parleytest"
	"github.com/parleyhq/parley/report"
	"github.com/parleyhq/parley/routing"
)

// Every event the Desk publishes goes into an export record and comes
// back as it was.
func TestEventRecordRoundTrip(t *testing.T) {
	h := conversation.EventHeader{ConversationID: cid(1), At: t0}
	msg := conversation.Message{ID: cid(9), ConversationID: cid(1), Direction: conversation.Outbound,
		Author: conversation.Author{Kind: conversation.AuthorAgent, ID: "ana"}, Text: "hi", CreatedAt: t0,
		Delivery: conversation.Delivery{Status: conversation.DeliverySent, At: t0}}
	events := []parley.Event{
		conversation.StartedEvent{EventHeader: h, Touchpoint: "wa", Channel: channel.WhatsApp, Direction: conversation.Inbound, ContactID: "c", Status: conversation.Queued},
		conversation.HandedOffEvent{EventHeader: h, Queues: []string{"support"}},
		conversation.AssignedEvent{EventHeader: h, AgentID: "ana", Mode: conversation.AssignAuto},
		conversation.TransferredEvent{EventHeader: h, FromAgentID: "ana", ToAgentID: "bo", Mode: conversation.AssignManual},
		conversation.SentToInboxEvent{EventHeader: h, FromAgentID: "bo", Queues: []string{"support"}},
		conversation.EndedEvent{EventHeader: h, AgentID: "bo"},
		conversation.ClosedEvent{EventHeader: h, From: conversation.WrapUp, AgentID: "bo", Note: "done", Disposition: "solved"},
		conversation.MessageReceivedEvent{EventHeader: h, Message: conversation.Message{ID: cid(8), ConversationID: cid(1), Direction: conversation.Inbound,
			Author: conversation.Author{Kind: conversation.AuthorContact, ID: "c"}, Text: "hello", ProviderID: "p1", CreatedAt: t0}},
		conversation.MessageSentEvent{EventHeader: h, Message: msg},
		conversation.MessageFailedEvent{EventHeader: h, MessageID: cid(9), Reason: "invalid number"},
		conversation.DeliveryChangedEvent{EventHeader: h, MessageID: cid(9), Status: conversation.DeliveryRead},
		parley.OfferedEvent{EventHeader: h, AgentID: "ana", Deadline: t0.Add(2 * mn)},
		parley.OfferEndedEvent{EventHeader: h, AgentID: "ana"},
		parley.OfferEndedEvent{EventHeader: h, AgentID: "ana", Expired: true},
		parley.AllAgentsBusyEvent{EventHeader: h, Queues: []string{"support"}},
		parley.AwayEvent{EventHeader: h, NextOpening: t0.Add(hr)},
		parley.EscalatedEvent{EventHeader: h, AgentID: "ana"},
		parley.OptOutEvent{EventHeader: h, Action: optout.OptOut, Address: channel.Address{Kind: channel.SMS, ID: "+14155550101"}, Scope: "default", Keyword: "STOP"},
		parley.OptOutEvent{EventHeader: h, Action: optout.OptIn, Address: channel.Address{Kind: channel.SMS, ID: "+14155550101"}, Scope: "default", Keyword: "START"},
		parley.WindowEvent{EventHeader: h, Touchpoint: "wa", Contact: channel.Address{Kind: channel.WhatsApp, ID: "+14155550101"}, ClosesAt: t0.Add(24 * hr)},
		parley.WindowEvent{EventHeader: h, Touchpoint: "wa", Contact: channel.Address{Kind: channel.WhatsApp, ID: "+14155550101"}, ClosesAt: t0.Add(24 * hr), Closed: true},
	}
	for _, e := range events {
		t.Run(e.Name(), func(t *testing.T) {
			r, err := report.EventRecord(e)
			require.NoError(t, err)
			back, err := r.Event()
			require.NoError(t, err)
			assert.Equal(t, e, back)
		})
	}
	t.Run("unknown name", func(t *testing.T) {
		r := report.Record{Kind: report.KindEvent, Name: "conversation.teleported", Data: []byte("{}")}
		_, err := r.Event()
		assert.ErrorIs(t, err, report.ErrUnknownEvent)
	})
	t.Run("data of another event", func(t *testing.T) {
		r, err := report.EventRecord(parley.OptOutEvent{EventHeader: h, Action: optout.OptIn})
		require.NoError(t, err)
		r.Name = "contact.opted_out"
		_, err = r.Event()
		assert.ErrorIs(t, err, report.ErrBadRecord)
	})
}

func TestParseFormat(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want report.Format
		err  error
	}{{"jsonl", report.JSONLines, nil}, {"CSV", report.CSV, nil}, {"xml", 0, report.ErrUnknownFormat}, {"", 0, report.ErrUnknownFormat}} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := report.ParseFormat(tc.in)
			assert.ErrorIs(t, err, tc.err)
			assert.Equal(t, tc.want, got)
		})
	}
}

// scriptedDesk runs a small day on a Desk that logs its events: two
// conversations answered and closed, one still waiting the next day.
func scriptedDesk(t testing.TB, pubs ...parley.Publisher) (*parleytest.Desk, *report.MemoryLog, conversation.Store) {
	t.Helper()
	log := report.NewMemoryLog()
	store := memoryStore()
	f := parleytest.NewDesk(t, parley.Config{
		Touchpoints: []parley.Touchpoint{
			{ID: "wa", Kind: channel.WhatsApp, Address: "+14155550000", Queues: []string{"support"}},
			{ID: "sms", Kind: channel.SMS, Address: "+14155550001", Queues: []string{"support"}, AutoReply: "We will answer shortly."},
		},
		Agents:        []routing.Agent{{ID: "ana", Queues: []string{"support"}}, {ID: "bo", Queues: []string{"support"}}},
		Conversations: store,
		Publisher:     report.Tee(append([]parley.Publisher{log}, pubs...)...),
	})
	ctx := context.Background()
	rc, err := f.Receive(ctx, parley.Inbound{Touchpoint: "wa", From: channel.Address{Kind: channel.WhatsApp, ID: "+14155550101"}, ProviderID: "w1", Text: "Where is my order?"})
	require.NoError(t, err)
	first := rc.Conversation.ID
	f.Clock.Advance(2 * mn)
	require.NoError(t, f.Assign(ctx, "ana", first, "ana"))
	f.Clock.Advance(mn)
	_, err = f.Reply(ctx, "ana", first, "It ships today.")
	require.NoError(t, err)
	f.Clock.Advance(10 * mn)
	require.NoError(t, f.End(ctx, "ana", first))
	f.Clock.Advance(2 * mn)
	require.NoError(t, f.CloseWith(ctx, "ana", first, conversation.Closing{Disposition: "solved"}))

	rc, err = f.Receive(ctx, parley.Inbound{Touchpoint: "sms", From: channel.Address{Kind: channel.SMS, ID: "+14155550202"}, ProviderID: "s1", Text: "Hello"})
	require.NoError(t, err)
	second := rc.Conversation.ID
	f.Clock.Advance(30 * sec)
	require.NoError(t, f.Assign(ctx, "bo", second, "bo"))
	f.Clock.Advance(30 * sec)
	_, err = f.Reply(ctx, "bo", second, "Hi, how can I help?")
	require.NoError(t, err)
	f.Clock.Advance(5 * mn)
	require.NoError(t, f.Close(ctx, "bo", second, ""))

	f.Clock.Advance(24 * hr)
	_, err = f.Receive(ctx, parley.Inbound{Touchpoint: "wa", From: channel.Address{Kind: channel.WhatsApp, ID: "+14155550103"}, ProviderID: "w2", Text: "Anyone?"})
	require.NoError(t, err)
	return f, log, store
}

// Rule 21: the export streams conversations, their transcript and events;
// CSV and JSON Lines carry the same records and read back.
func TestExport(t *testing.T) {
	_, log, store := scriptedDesk(t)
	ctx := context.Background()
	link := func(id conversation.ID) string { return "https://desk.example/c/" + id.String() }
	read := func(format report.Format, opts report.ExportOptions) []report.Record {
		t.Helper()
		opts.Format = format
		var buf bytes.Buffer
		n, err := report.Export(ctx, &buf, store, opts)
		require.NoError(t, err)
		var recs []report.Record
		collect := func(r report.Record) error { recs = append(recs, r); return nil }
		if format == report.CSV {
			require.NoError(t, report.ReadCSV(&buf, collect))
		} else {
			require.NoError(t, report.ReadJSONL(&buf, collect))
		}
		require.Len(t, recs, n)
		return recs
	}
	all := read(report.JSONLines, report.ExportOptions{Log: log, Link: link})
	assert.Equal(t, all, read(report.CSV, report.ExportOptions{Log: log, Link: link}), "CSV and JSON Lines carry the same records")

	var kinds []string
	for _, r := range all {
		kinds = append(kinds, r.Kind+" "+r.Name)
		assert.Equal(t, link(mustID(t, r.ConversationID)), r.Link)
	}
	assert.Equal(t, []string{
		"conversation ", "message contact", "message agent",
		"event conversation.started", "event message.received", "event conversation.assigned", "event message.sent", "event conversation.ended", "event conversation.closed",
		"conversation ", "message contact", "message system", "message agent",
		"event conversation.started", "event message.received", "event message.sent", "event conversation.assigned", "event message.sent", "event conversation.closed",
		"conversation ", "message contact", "event conversation.started", "event message.received",
	}, kinds)
	assert.Equal(t, "It ships today.", all[2].Text)
	assert.Equal(t, "ana", all[2].AgentID)
	assert.Equal(t, "closed", all[0].Status)

	t.Run("a range selects by start", func(t *testing.T) {
		day := read(report.CSV, report.ExportOptions{Since: parleytest.Epoch, Until: parleytest.Epoch.Add(24 * hr)})
		var convs int
		for _, r := range day {
			if r.Kind == report.KindConversation {
				convs++
			}
			assert.NotEqual(t, report.KindEvent, r.Kind, "no log, no events")
		}
		assert.Equal(t, 2, convs)
	})
	t.Run("the events replay into the same figures", func(t *testing.T) {
		a, err := report.New(report.Config{})
		require.NoError(t, err)
		for _, r := range all {
			if r.Kind == report.KindEvent {
				e, err := r.Event()
				require.NoError(t, err)
				a.Observe(e)
			}
		}
		b, err := report.Rebuild(ctx, log, report.Config{}, report.LogQuery{})
		require.NoError(t, err)
		assert.Equal(t, b.Total(), a.Total())
	})
	t.Run("unknown format", func(t *testing.T) {
		_, err := report.Export(ctx, io.Discard, store, report.ExportOptions{Format: 7})
		assert.ErrorIs(t, err, report.ErrUnknownFormat)
	})
}

func mustID(t *testing.T, s string) conversation.ID {
	t.Helper()
	id, err := conversation.ParseID(s)
	require.NoError(t, err)
	return id
}

// pagedSource serves n conversations of two messages each, made page by
// page, and remembers the largest page asked for.
type pagedSource struct {
	n, served, maxLimit int
}

func (s *pagedSource) Search(_ context.Context, q conversation.Query) (conversation.Page, error) {
	s.maxLimit = max(s.maxLimit, q.Limit)
	start := 0
	if q.Cursor != "" {
		fmt.Sscan(q.Cursor, &start)
	}
	var p conversation.Page
	for i := start; i < s.n && i < start+q.Limit; i++ {
		p.Conversations = append(p.Conversations, &conversation.Conversation{ID: conversation.ID{0: byte(i >> 8), 1: byte(i), 6: 0x70, 8: 0x80},
			Touchpoint: "wa", Channel: channel.WhatsApp, Direction: conversation.Inbound, Status: conversation.Closed, CreatedAt: t0})
		s.served++
	}
	if start+q.Limit < s.n {
		p.Next = fmt.Sprint(start + q.Limit)
	}
	return p, nil
}

func (s *pagedSource) Messages(_ context.Context, q conversation.MessageQuery) (conversation.MessagePage, error) {
	s.maxLimit = max(s.maxLimit, q.Limit)
	return conversation.MessagePage{Messages: []*conversation.Message{
		{ID: cid(1), ConversationID: q.ConversationID, Direction: conversation.Inbound, Author: conversation.Author{Kind: conversation.AuthorContact}, Text: "a", CreatedAt: t0},
		{ID: cid(2), ConversationID: q.ConversationID, Direction: conversation.Outbound, Author: conversation.Author{Kind: conversation.AuthorAgent, ID: "ana"}, Text: "b", CreatedAt: t0},
	}}, nil
}

// The export reads a page at a time, whatever the range.
func TestExportStreams(t *testing.T) {
	src := &pagedSource{n: 1000}
	n, err := report.Export(context.Background(), io.Discard, src, report.ExportOptions{Format: report.CSV, PageSize: 50})
	require.NoError(t, err)
	assert.Equal(t, 3000, n)
	assert.Equal(t, 1000, src.served)
	assert.Equal(t, 50, src.maxLimit)
}

// A writer that fails stops the export with its error.
func TestExportWriteError(t *testing.T) {
	boom := errors.New("disk full")
	_, err := report.Export(context.Background(), failWriter{boom}, &pagedSource{n: 3}, report.ExportOptions{})
	assert.ErrorIs(t, err, boom)
}

type failWriter struct{ err error }

func (w failWriter) Write([]byte) (int, error) { return 0, w.err }

// Reading back refuses what is not an export, saying which line.
func TestReadBackRefuses(t *testing.T) {
	id := cid(1).String()
	cases := []struct {
		name, csv, jsonl string
		line             int
	}{
		{name: "unknown kind", jsonl: `{"kind":"x","conversation_id":"` + id + `","at":"2026-11-02T09:00:00Z"}`, line: 1},
		{name: "bad id", jsonl: `{"kind":"message","conversation_id":"nope","at":"2026-11-02T09:00:00Z"}`, line: 1},
		{name: "unknown field", jsonl: `{"kind":"message","conversation_id":"` + id + `","at":"2026-11-02T09:00:00Z","x":1}`, line: 1},
		{name: "event without data", jsonl: "\n" + `{"kind":"event","name":"conversation.started","conversation_id":"` + id + `","at":"2026-11-02T09:00:00Z"}`, line: 2},
		{name: "not the header", csv: "a,b\n", line: 1},
		{name: "bad time", csv: strings.Join([]string{"kind", "conversation_id", "link", "at", "name", "status", "touchpoint", "channel", "direction", "contact_id", "agent_id", "message_id", "text", "data"}, ",") +
			"\nmessage," + id + ",,yesterday,,,,,,,,,,\n", line: 2},
		{name: "empty CSV", csv: "", line: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.csv != "" || tc.jsonl == "" {
				err = report.ReadCSV(strings.NewReader(tc.csv), func(report.Record) error { return nil })
			} else {
				err = report.ReadJSONL(strings.NewReader(tc.jsonl), func(report.Record) error { return nil })
			}
			require.ErrorIs(t, err, report.ErrBadRecord)
			var re *report.RecordError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, tc.line, re.Line)
		})
	}
}

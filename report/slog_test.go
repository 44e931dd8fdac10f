package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/parleytest"
	"github.com/parleyhq/parley/report"
)

// Rule 20: each event logs its name and conversation ID, and the message
// and agent IDs it names.
func TestLogEvents(t *testing.T) {
	msgID := cid(9)
	cases := []struct {
		event          parley.Event
		message, agent string
	}{
		{event: started(1, 0)},
		{event: assigned(1, mn, "ana"), agent: "ana"},
		{event: transferred(1, mn, "ana", "bo"), agent: "bo"},
		{event: conversation.MessageReceivedEvent{EventHeader: hdr(1, 0), Message: conversation.Message{ID: msgID}}, message: msgID.String()},
		{event: conversation.MessageSentEvent{EventHeader: hdr(1, 0), Message: conversation.Message{ID: msgID, Author: conversation.Author{Kind: conversation.AuthorAgent, ID: "ana"}}},
			message: msgID.String(), agent: "ana"},
		{event: conversation.DeliveryChangedEvent{EventHeader: hdr(1, 0), MessageID: msgID, Status: conversation.DeliveryRead}, message: msgID.String()},
		{event: conversation.MessageFailedEvent{EventHeader: hdr(1, 0), MessageID: msgID, Reason: "x"}, message: msgID.String()},
		{event: offered(1, 0, "cy", mn), agent: "cy"},
		{event: offerEnded(1, 0, "cy", true), agent: "cy"},
		{event: closed(1, hr, conversation.Assigned, "bo"), agent: "bo"},
	}
	for _, tc := range cases {
		t.Run(tc.event.Name(), func(t *testing.T) {
			var buf bytes.Buffer
			pub := report.LogEvents(slog.New(slog.NewJSONHandler(&buf, nil)), slog.LevelInfo)
			require.NoError(t, pub.Publish(context.Background(), tc.event))
			var line map[string]any
			require.NoError(t, json.Unmarshal(buf.Bytes(), &line))
			assert.Equal(t, tc.event.Name(), line["event"])
			assert.Equal(t, cid(1).String(), line["conversation"])
			if tc.message != "" {
				assert.Equal(t, tc.message, line["message"])
			} else {
				assert.NotContains(t, line, "message")
			}
			if tc.agent != "" {
				assert.Equal(t, tc.agent, line["agent"])
			} else {
				assert.NotContains(t, line, "agent")
			}
		})
	}
	t.Run("below the logger's level: nothing", func(t *testing.T) {
		var buf bytes.Buffer
		pub := report.LogEvents(slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn})), slog.LevelDebug)
		require.NoError(t, pub.Publish(context.Background(), started(1, 0)))
		assert.Zero(t, buf.Len())
	})
}

// Rule 20: the event lines and the Desk's own lines name a conversation
// under the same key, so one search finds both.
func TestLogEventsUsesTheDesksKeys(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	failing := parley.PublisherFunc(func(context.Context, parley.Event) error { return assert.AnError })
	d := parleytest.NewDesk(t, parley.Config{Logger: logger, Publisher: report.Tee(report.LogEvents(logger, slog.LevelInfo), failing),
		Touchpoints: []parley.Touchpoint{{ID: "wa", Kind: channel.WhatsApp, Address: "+14155550000", Queues: []string{"support"}}}})
	rc, err := d.Receive(context.Background(), parley.Inbound{Touchpoint: "wa", From: channel.Address{Kind: channel.WhatsApp, ID: "+14155550101"}, ProviderID: "p1", Text: "hi"})
	require.NoError(t, err)
	var desk, events int
	for _, b := range bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n")) {
		var line map[string]any
		require.NoError(t, json.Unmarshal(b, &line))
		if line["msg"] == "parley: publish failed" {
			desk++
		} else {
			events++
		}
		assert.Equal(t, rc.Conversation.ID.String(), line["conversation"], "line %s", b)
	}
	require.Positive(t, desk, "the Desk logged its failures")
	require.Positive(t, events, "LogEvents logged the events")
}

// Tee hands each event to every publisher, even after one fails.
func TestTee(t *testing.T) {
	var got []string
	fail := parley.PublisherFunc(func(context.Context, parley.Event) error { return assert.AnError })
	rec := parley.PublisherFunc(func(_ context.Context, e parley.Event) error { got = append(got, e.Name()); return nil })
	err := report.Tee(fail, rec).Publish(context.Background(), started(1, 0))
	assert.ErrorIs(t, err, assert.AnError)
	assert.Equal(t, []string{"conversation.started"}, got)
}

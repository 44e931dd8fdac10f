package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/report"
	"github.com/parleyhq/parley/report/reporttest"
	"github.com/parleyhq/parley/store/postgres"
	"github.com/parleyhq/parley/store/postgres/internal/pgtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The report's event log keeps report.Log's and report.Feed's contract.
func TestReportLog(t *testing.T) {
	reporttest.RunLog(t, func(t *testing.T) report.Log {
		_, pool := pgtest.Schema(t)
		return postgres.NewReportLog(pool)
	})
}

// Erasing a contact forgets the report events of their conversations,
// which carry their messages' text; other contacts' events stay.
func TestEraseForgetsTheContactsReportEvents(t *testing.T) {
	ctx := context.Background()
	_, pool := pgtest.Schema(t)
	st := postgres.New(pool)
	at := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	ids := conversation.SequentialIDs(at)
	var convs []*conversation.Conversation
	for _, contact := range []string{"whatsapp:+14155550290", "whatsapp:+14155550291"} {
		c := &conversation.Conversation{ID: ids(), Touchpoint: "wa", Channel: channel.WhatsApp, Direction: conversation.Inbound,
			Status: conversation.Queued, Contact: conversation.Contact{ID: contact}, Queues: []string{"support"}, CreatedAt: at, UpdatedAt: at}
		require.NoError(t, st.Conversations.Create(ctx, c))
		require.NoError(t, st.Reports.Append(ctx, conversation.StartedEvent{EventHeader: conversation.EventHeader{ConversationID: c.ID, At: at},
			Touchpoint: "wa", Channel: channel.WhatsApp, Direction: conversation.Inbound, ContactID: contact, Status: conversation.Queued}))
		convs = append(convs, c)
	}
	_, err := st.Conversations.Erase(ctx, convs[0].Contact.ID)
	require.NoError(t, err)
	count := func(id conversation.ID) int {
		n := 0
		require.NoError(t, st.Reports.Events(ctx, report.LogQuery{ConversationID: id}, func(parley.Event) error { n++; return nil }))
		return n
	}
	assert.Zero(t, count(convs[0].ID), "the erased contact's events are gone")
	assert.Equal(t, 1, count(convs[1].ID), "another contact's stay")
}

package report_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/report"
)

// Rule 19: the log yields what a query selects, in append order.
func TestMemoryLog(t *testing.T) {
	ctx := context.Background()
	log := report.NewMemoryLog()
	for _, e := range []parley.Event{started(1, 0), started(2, mn), fromContact(1, 2*mn), fromContact(2, 3*mn), closed(1, hr, 0, "")} {
		require.NoError(t, log.Append(ctx, e))
	}
	cases := []struct {
		name string
		q    report.LogQuery
		want []string
	}{
		{"everything", report.LogQuery{}, []string{"1 conversation.started", "2 conversation.started", "1 message.received", "2 message.received", "1 conversation.closed"}},
		{"one conversation", report.LogQuery{ConversationID: cid(2)}, []string{"2 conversation.started", "2 message.received"}},
		{"a time range, until excluded", report.LogQuery{Since: at(mn), Until: at(3 * mn)}, []string{"2 conversation.started", "1 message.received"}},
		{"one conversation in a range", report.LogQuery{ConversationID: cid(1), Since: at(mn)}, []string{"1 message.received", "1 conversation.closed"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			require.NoError(t, log.Events(ctx, tc.q, func(e parley.Event) error {
				got = append(got, string('0'+e.Conversation()[15])+" "+e.Name())
				return nil
			}))
			assert.Equal(t, tc.want, got)
		})
	}
	t.Run("yield's error stops it", func(t *testing.T) {
		n := 0
		err := log.Events(ctx, report.LogQuery{}, func(parley.Event) error { n++; return assert.AnError })
		assert.ErrorIs(t, err, assert.AnError)
		assert.Equal(t, 1, n)
	})
	t.Run("nil refused", func(t *testing.T) {
		assert.ErrorIs(t, log.Append(ctx, nil), report.ErrNilEvent)
		assert.Equal(t, 5, log.Len())
	})
}

// Appends and reads race safely.
func TestMemoryLogConcurrent(t *testing.T) {
	ctx := context.Background()
	log := report.NewMemoryLog()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 100 {
				assert.NoError(t, log.Append(ctx, started(byte(w), 0)))
				if i%10 == 0 {
					assert.NoError(t, log.Events(ctx, report.LogQuery{ConversationID: cid(byte(w))}, func(parley.Event) error { return nil }))
				}
			}
		})
	}
	wg.Wait()
	assert.Equal(t, 400, log.Len())
}

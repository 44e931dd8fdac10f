package report_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/internal/deskmodel"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/optout"
	"github.com/parleyhq/parley/parleytest"
	"github.com/parleyhq/parley/report"
	"github.com/parleyhq/parley/routing"
)

// modelConfig attributes the model test's touchpoints to its one queue.
func modelConfig() report.Config {
	var tps []parley.Touchpoint
	for _, id := range []string{"wa", "sms", "chat", "auto", "ded", "cust"} {
		tps = append(tps, parley.Touchpoint{ID: id, Queues: []string{"support"}})
	}
	return report.Config{Touchpoints: tps, Agents: []routing.Agent{{ID: "ana"}, {ID: "bo"}, {ID: "cy", Capacity: 40}}}
}

// Rule 19: figures rebuilt from the stored event log equal the figures
// kept live, on a model-test run (sequential and concurrent, with store
// conflicts and transport failures), and the volumes the store keeps
// agree with both.
func TestRebuildEqualsLive(t *testing.T) {
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, stores deskmodel.Stores, opts deskmodel.Options)
	}{
		{"sequential", func(t *testing.T, s deskmodel.Stores, o deskmodel.Options) { deskmodel.Run(t, s, o) }},
		{"concurrent", deskmodel.RunConcurrent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			live, err := report.New(modelConfig())
			require.NoError(t, err)
			log := report.NewMemoryLog()
			var store conversation.Store
			stores := func(*testing.T) (conversation.Store, optout.Store, routing.Ledger) {
				store = memory.NewConversationStore()
				return store, memory.NewOptOutStore(), memory.NewLedger()
			}
			tc.run(t, stores, deskmodel.Options{Seed: 23, Ops: 3000, Publisher: report.NewRecorder(log, live)})
			require.Positive(t, log.Len())

			rebuilt, err := report.Rebuild(ctx, log, modelConfig(), report.LogQuery{})
			require.NoError(t, err)
			now := parleytest.Epoch.AddDate(0, 0, 30)
			assert.Equal(t, live.Total(), rebuilt.Total())
			assert.Equal(t, live.Day(parleytest.Epoch), rebuilt.Day(parleytest.Epoch))
			assert.Equal(t, live.ByAgent(), rebuilt.ByAgent())
			assert.Equal(t, live.ByQueue(), rebuilt.ByQueue())
			assert.Equal(t, live.ByTouchpoint(), rebuilt.ByTouchpoint())
			assert.Equal(t, live.ByChannel(), rebuilt.ByChannel())
			assert.Equal(t, live.Leaderboard(now), rebuilt.Leaderboard(now))
			assert.Equal(t, live.Open(), rebuilt.Open())

			f := live.Total()
			require.Positive(t, f.Started)
			require.Positive(t, f.Closed)
			require.Positive(t, f.FirstResponse.Count, "the run answered contacts")
			var convs, closedN, in int64
			q := conversation.Query{Viewer: conversation.Viewer{Supervisor: true}, Sort: conversation.Oldest, Limit: conversation.MaxLimit}
			for {
				page, err := store.Search(ctx, q)
				require.NoError(t, err)
				for _, c := range page.Conversations {
					convs++
					if c.Status == conversation.Closed {
						closedN++
					}
					mq := conversation.MessageQuery{ConversationID: c.ID, Sort: conversation.Oldest, Limit: conversation.MaxLimit}
					for {
						mp, err := store.Messages(ctx, mq)
						require.NoError(t, err)
						for _, m := range mp.Messages {
							if m.Direction == conversation.Inbound && !m.Imported {
								in++
							}
						}
						if mp.Next == "" {
							break
						}
						mq.Cursor = mp.Next
					}
				}
				if page.Next == "" {
					break
				}
				q.Cursor = page.Next
			}
			assert.Equal(t, convs, f.Started, "conversations stored and started")
			assert.Equal(t, closedN, f.Closed, "conversations stored closed and closed")
			assert.Equal(t, in, f.MessagesIn, "contact messages stored and received")
			assert.Equal(t, int(convs-closedN), live.Open(), "state held for exactly the conversations not closed")
		})
	}
}

package report_test

import (
	"context"
	"sync"
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

// restarting is a publisher that logs every event and feeds three
// accumulators: one uninterrupted; one replaced, after event restartAt,
// by a Rebuild from the log (a restart part-way through the run) and fed
// on from there; and one that only follows the log with Follow every
// followEvery events, as a reporting process apart from the desks does.
type restarting struct {
	t           *testing.T
	mu          sync.Mutex
	log         *report.MemoryLog
	live        *report.Accumulator
	restarted   *report.Accumulator
	followed    *report.Accumulator
	pos         uint64
	n           int
	restartAt   int
	followEvery int
}

func (r *restarting) Publish(ctx context.Context, e parley.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.log.Append(ctx, e); err != nil {
		return err
	}
	r.n++
	r.live.Observe(e)
	if r.n == r.restartAt {
		rebuilt, err := report.Rebuild(ctx, r.log, modelConfig(), report.LogQuery{})
		require.NoError(r.t, err)
		r.restarted = rebuilt
	} else {
		r.restarted.Observe(e)
	}
	if r.n%r.followEvery == 0 {
		pos, err := report.Follow(ctx, r.log, r.followed, r.pos)
		require.NoError(r.t, err)
		r.pos = pos
	}
	return nil
}

// Rule 19: an accumulator rebuilt from the log part-way through a
// model-test run and fed on, and one that follows the log, end with the
// figures of one that ran uninterrupted.
func TestRebuildPartWayThenFeed(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, stores deskmodel.Stores, opts deskmodel.Options)
	}{
		{"sequential", func(t *testing.T, s deskmodel.Stores, o deskmodel.Options) { deskmodel.Run(t, s, o) }},
		{"concurrent", deskmodel.RunConcurrent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			newAcc := func() *report.Accumulator {
				a, err := report.New(modelConfig())
				require.NoError(t, err)
				return a
			}
			r := &restarting{t: t, log: report.NewMemoryLog(), live: newAcc(), restarted: newAcc(), followed: newAcc(), restartAt: 700, followEvery: 97}
			stores := func(*testing.T) (conversation.Store, optout.Store, routing.Ledger) {
				return memory.NewConversationStore(), memory.NewOptOutStore(), memory.NewLedger()
			}
			tc.run(t, stores, deskmodel.Options{Seed: 29, Ops: 3000, Publisher: r})
			require.Greater(t, r.n, r.restartAt, "the restart came part-way")
			_, err := report.Follow(ctx, r.log, r.followed, r.pos)
			require.NoError(t, err)
			now := parleytest.Epoch.AddDate(0, 0, 30)
			for name, got := range map[string]*report.Accumulator{"restarted": r.restarted, "followed": r.followed} {
				t.Run(name, func(t *testing.T) {
					assert.Equal(t, r.live.Total(), got.Total())
					assert.Equal(t, r.live.ByAgent(), got.ByAgent())
					assert.Equal(t, r.live.ByQueue(), got.ByQueue())
					assert.Equal(t, r.live.ByTouchpoint(), got.ByTouchpoint())
					assert.Equal(t, r.live.ByChannel(), got.ByChannel())
					assert.Equal(t, r.live.Day(parleytest.Epoch), got.Day(parleytest.Epoch))
					assert.Equal(t, r.live.Leaderboard(now), got.Leaderboard(now))
					assert.Equal(t, r.live.Open(), got.Open())
				})
			}
			f := r.live.Total()
			require.Positive(t, f.Closed)
			require.Positive(t, f.FirstResponse.Count)
		})
	}
}

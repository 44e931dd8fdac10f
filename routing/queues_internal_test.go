package routing

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
)

// queueStates counts the queues the router keeps state for, and checks
// that its name cache points at none it has dropped.
func queueStates(t *testing.T, r *Router) int {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, q := range r.qcache {
		if q != nil {
			assert.Same(t, r.queues[q.name], q, "queue %q cached but not kept", q.name)
		}
	}
	return len(r.queues)
}

// A queue is kept while an agent serves it or a conversation names it;
// once agents leave and conversations drain, no queue state is left.
func TestQueueStatesAreFreed(t *testing.T) {
	ctx, t0 := context.Background(), time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	r, err := New(Config{
		Agents:   []Agent{{ID: "a", Queues: []string{"q1", "q2"}}, {ID: "b", Queues: []string{"q2", "q3"}}},
		Policies: []Policy{{ID: "auto", Mode: Automatic}},
	})
	require.NoError(t, err)
	require.Equal(t, 3, queueStates(t, r))

	_, err = r.Enqueue(ctx, Item{ConversationID: "held", Kind: channel.WhatsApp, Touchpoint: "auto", Queues: []string{"q1"}}, t0)
	require.NoError(t, err)
	_, err = r.Enqueue(ctx, Item{ConversationID: "nobody", Kind: channel.WhatsApp, Queues: []string{"q4"}}, t0)
	require.NoError(t, err)
	_, err = r.Enqueue(ctx, Item{ConversationID: "moved", Kind: channel.SMS, Queues: []string{"q2"}}, t0)
	require.NoError(t, err)
	_, err = r.TransferToQueues(ctx, "moved", []string{"q5", "q5"}, t0)
	require.NoError(t, err)
	assert.Equal(t, 5, queueStates(t, r), "q1-q3 served, q4 and q5 named by waiting conversations")

	_, err = r.UpdateAgent(ctx, Agent{ID: "b", Queues: []string{"q2"}}, t0)
	require.NoError(t, err)
	assert.Equal(t, 4, queueStates(t, r), "q3 served by nobody and named by nothing")

	for _, id := range []string{"a", "b"} {
		_, err := r.RemoveAgent(ctx, id, t0)
		require.NoError(t, err)
	}
	assert.Equal(t, 3, queueStates(t, r), "q1 (held went back to it), q4 and q5 still named")
	_, err = r.AddAgent(ctx, Agent{ID: "c", Queues: []string{"q4"}}, t0)
	require.NoError(t, err)
	inbox, err := r.Inbox("c", OldestFirst)
	require.NoError(t, err)
	assert.Len(t, inbox, 1, "a waiting conversation's queue kept its inbox")
	_, err = r.RemoveAgent(ctx, "c", t0)
	require.NoError(t, err)

	for _, id := range []string{"held", "nobody", "moved"} {
		_, err := r.Release(ctx, id, t0)
		require.NoError(t, err)
	}
	assert.Zero(t, queueStates(t, r))
	assert.NoError(t, r.Check())

	_, err = r.Enqueue(ctx, Item{ConversationID: "refused", Kind: channel.WhatsApp, Queues: []string{"q6"}}, t0)
	require.NoError(t, err)
	_, err = r.Enqueue(ctx, Item{ConversationID: "refused", Kind: channel.WhatsApp, Queues: []string{"q7"}}, t0)
	require.ErrorIs(t, err, ErrDuplicate)
	_, err = r.Release(ctx, "refused", t0)
	require.NoError(t, err)
	assert.Zero(t, queueStates(t, r), "a refused Enqueue leaves no queue behind")
}

// Agents joining and leaving and conversations coming and going from
// many goroutines leave no queue state behind once all have gone.
func TestQueueStatesAreFreedConcurrently(t *testing.T) {
	ctx, t0 := context.Background(), time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	r, err := New(Config{Policies: []Policy{{ID: "auto", Mode: Automatic}}})
	require.NoError(t, err)
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Go(func() {
			for i := range 200 {
				q := fmt.Sprintf("q%d", (w+i)%9)
				agent := fmt.Sprintf("agent-%d", w)
				conv := fmt.Sprintf("conv-%d-%d", w, i)
				tp := ""
				if i%2 == 0 {
					tp = "auto"
				}
				_, err := r.AddAgent(ctx, Agent{ID: agent, Queues: []string{q, fmt.Sprintf("q%d", i%9)}}, t0)
				assert.NoError(t, err)
				_, err = r.Enqueue(ctx, Item{ConversationID: conv, Kind: channel.SMS, Touchpoint: tp, Queues: []string{q}}, t0)
				assert.NoError(t, err)
				if i%3 == 0 {
					_, err = r.TransferToQueues(ctx, conv, []string{fmt.Sprintf("q%d", (i+4)%9)}, t0)
					assert.NoError(t, err)
				}
				_, err = r.RemoveAgent(ctx, agent, t0)
				assert.NoError(t, err)
				_, err = r.Release(ctx, conv, t0)
				assert.NoError(t, err)
			}
		})
	}
	wg.Wait()
	assert.NoError(t, r.Check())
	assert.Zero(t, queueStates(t, r))
}

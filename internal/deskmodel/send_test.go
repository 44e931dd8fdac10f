package deskmodel

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
)

// TestSendCrashAtEveryWrite does the same for an agent's message: each
// store write of SendDraft fails in turn, the agent's UI retries with the same
// Draft ID, and the Desk ends as a run without the failure — the message
// stored and sent once, the conversation assigned once.
func TestSendCrashAtEveryWrite(t *testing.T) {
	ctx := context.Background()
	scenarios := []struct {
		name  string
		setup func(h *harness) conversation.ID
	}{
		{"reply assigns an unassigned conversation", func(h *harness) conversation.ID {
			return mustReceive(h, parley.Inbound{Touchpoint: "wa", From: wa("+14155550101"), ProviderID: "w1", Text: "hi"}).Conversation.ID
		}},
		{"reply in an assigned conversation", func(h *harness) conversation.ID {
			rc := mustReceive(h, parley.Inbound{Touchpoint: "sms", From: sms("+14155550201"), ProviderID: "s1", Text: "hi"})
			require.NoError(h.t, h.d.Assign(ctx, parley.SystemActor, rc.Conversation.ID, "ana"))
			return rc.Conversation.ID
		}},
	}
	draft := parley.Draft{ID: conversation.MustParseID("01a19b7c-a680-7000-8000-00000000fffe"), Text: "on it"}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			clean := newHarness(t, 1, Memory)
			id := sc.setup(clean)
			_, err := clean.d.SendDraft(ctx, "ana", id, draft)
			require.NoError(t, err)
			want := snapshot(t, clean)

			for n := 1; ; n++ {
				h := newHarness(t, 1, Memory)
				id := sc.setup(h)
				h.store.failWrite(n)
				_, err := h.d.SendDraft(ctx, "ana", id, draft)
				h.store.failAt.Store(0)
				if h.store.injected.Load() == 0 {
					require.NoError(t, err)
					require.Greater(t, n, 1, "Send writes at least once")
					t.Logf("%d write positions tried", n-1)
					return // every write position was tried
				}
				assert.ErrorIs(t, err, errCrash, "write %d failed: Send must say so, so the agent's UI retries", n)
				m, err := h.d.SendDraft(ctx, "ana", id, draft) // the UI's retry
				require.NoError(t, err, "retry after a failure at write %d", n)
				assert.Equal(t, conversation.DeliverySent, m.Delivery.Status)
				assert.Equal(t, want, snapshot(t, h), "crash at write %d, then a retry, must end as a run without the crash", n)
			}
		})
	}
}

package parley_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
)

// TestReceiveCrashAtEveryWrite fails each store write of one Receive in
// turn (the process dies there), lets the provider retry the webhook with
// the same provider ID, and checks that the Desk ends exactly where a run
// without the failure ends (DESIGN.md §7: Receive is idempotent on
// (touchpoint, provider ID), even after a failure half-way).
func TestReceiveCrashAtEveryWrite(t *testing.T) {
	ctx := context.Background()
	scenarios := []struct {
		name  string
		setup func(h *harness)
		in    parley.Inbound
	}{
		{"first message starts a conversation", func(*harness) {},
			parley.Inbound{Touchpoint: "wa", From: wa("+14155550101"), ProviderID: "w2", Text: "hello"}},
		{"message to an assigned conversation", func(h *harness) {
			rc := mustReceive(h, parley.Inbound{Touchpoint: "wa", From: wa("+14155550101"), ProviderID: "w1", Text: "hi"})
			require.NoError(h.t, h.d.Assign(ctx, rc.Conversation.ID, "ana"))
			h.d.Clock.Advance(time.Minute) // the next message is newer; see the README for equal times
		}, parley.Inbound{Touchpoint: "wa", From: wa("+14155550101"), ProviderID: "w2", Text: "anyone?"}},
		{"follow-up keeps the agent", func(h *harness) {
			rc := mustReceive(h, parley.Inbound{Touchpoint: "wa", From: wa("+14155550101"), ProviderID: "w1", Text: "hi"})
			require.NoError(h.t, h.d.Assign(ctx, rc.Conversation.ID, "bo"))
			require.NoError(h.t, h.d.Close(ctx, rc.Conversation.ID, "solved"))
		}, parley.Inbound{Touchpoint: "wa", From: wa("+14155550101"), ProviderID: "w2", Text: "one more thing"}},
		{"SMS STOP with its confirmation", func(*harness) {},
			parley.Inbound{Touchpoint: "sms", From: sms("+14155550201"), ProviderID: "s1", Text: "STOP"}},
		{"SMS HELP to an open conversation", func(h *harness) {
			mustReceive(h, parley.Inbound{Touchpoint: "sms", From: sms("+14155550201"), ProviderID: "s0", Text: "hello"})
			h.d.Clock.Advance(time.Minute)
		}, parley.Inbound{Touchpoint: "sms", From: sms("+14155550201"), ProviderID: "s1", Text: "HELP"}},
	}
	// The Desk writes a message to an open conversation in one step when
	// the store can (conversation.Receiver), and in FindOpen, Receive and
	// Record otherwise: every write of both ways is failed in turn.
	paths := []struct {
		name string
		wire []func(*parley.Config)
	}{
		{"one-step", nil},
		{"plain", []func(*parley.Config){func(c *parley.Config) { c.Conversations = plainStore{c.Conversations} }}},
	}
	for _, path := range paths {
		for _, sc := range scenarios {
			t.Run(path.name+"/"+sc.name, func(t *testing.T) {
				clean := newHarness(t, 1, path.wire...)
				sc.setup(clean)
				mustReceive(clean, sc.in)
				want := snapshot(t, clean)

				for n := 1; ; n++ {
					h := newHarness(t, 1, path.wire...)
					sc.setup(h)
					h.store.failWrite(n)
					_, err := h.d.Receive(ctx, sc.in)
					h.store.failAt.Store(0)
					if h.store.injected.Load() == 0 {
						require.NoError(t, err)
						require.Greater(t, n, 1, "Receive writes at least once")
						t.Logf("%d write positions tried", n-1)
						return // n is past Receive's last write: every position was tried
					}
					rc, rerr := h.d.Receive(ctx, sc.in) // the provider's retry
					require.NoError(t, rerr, "retry after a failure at write %d", n)
					assert.Equal(t, sc.in.Text, rc.Message.Text)
					got := snapshot(t, h)
					assert.ErrorIs(t, err, errCrash, "write %d failed: Receive must say so, so the provider retries", n)
					assert.Equal(t, want, got, "crash at write %d, then a retry, must end as a run without the crash", n)
				}
			})
		}
	}
}

// TestSendCrashAtEveryWrite does the same for an agent's message: each
// store write of Send fails in turn, the agent's UI retries with the same
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
			require.NoError(h.t, h.d.Assign(ctx, rc.Conversation.ID, "ana"))
			return rc.Conversation.ID
		}},
	}
	draft := parley.Draft{ID: conversation.MustParseID("01a19b7c-a680-7000-8000-00000000fffe"), Text: "on it"}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			clean := newHarness(t, 1)
			id := sc.setup(clean)
			_, err := clean.d.Send(ctx, "ana", id, draft)
			require.NoError(t, err)
			want := snapshot(t, clean)

			for n := 1; ; n++ {
				h := newHarness(t, 1)
				id := sc.setup(h)
				h.store.failWrite(n)
				_, err := h.d.Send(ctx, "ana", id, draft)
				h.store.failAt.Store(0)
				if h.store.injected.Load() == 0 {
					require.NoError(t, err)
					require.Greater(t, n, 1, "Send writes at least once")
					t.Logf("%d write positions tried", n-1)
					return // every write position was tried
				}
				assert.ErrorIs(t, err, errCrash, "write %d failed: Send must say so, so the agent's UI retries", n)
				m, err := h.d.Send(ctx, "ana", id, draft) // the UI's retry
				require.NoError(t, err, "retry after a failure at write %d", n)
				assert.Equal(t, conversation.DeliverySent, m.Delivery.Status)
				assert.Equal(t, want, snapshot(t, h), "crash at write %d, then a retry, must end as a run without the crash", n)
			}
		})
	}
}

func mustReceive(h *harness, in parley.Inbound) parley.Receipt {
	h.t.Helper()
	rc, err := h.d.Receive(context.Background(), in)
	require.NoError(h.t, err)
	return rc
}

// snapshot is the observable state: every conversation with its status,
// assignee, unread count and messages, what was sent, and every agent's
// load.
func snapshot(t *testing.T, h *harness) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	page, err := h.store.Search(ctx, conversation.Query{Viewer: conversation.Viewer{Supervisor: true}, Order: conversation.OldestFirst, Limit: 100})
	require.NoError(t, err)
	// IDs a failed attempt drew are not reused, so conversations are
	// named by their order and Previous by the index it points at.
	index := map[conversation.ID]int{}
	for i, c := range page.Conversations {
		index[c.ID] = i + 1
		out = append(out, fmt.Sprintf("conversation %d %s %q unread %d previous %d", i+1, c.Status, c.AssigneeID, c.Unread, index[c.Previous]))
		msgs, err := h.messages(ctx, c.ID)
		require.NoError(t, err)
		for _, m := range msgs {
			out = append(out, fmt.Sprintf("  %s %q %s %s", m.Direction, m.Text, m.Delivery.Status, m.ProviderID))
		}
	}
	for _, s := range h.d.Transport.Sent() {
		out = append(out, fmt.Sprintf("sent %q to %s", s.Text, s.To))
	}
	for _, a := range modelAgents {
		out = append(out, fmt.Sprintf("load %s %d", a, h.ledger.agentLoad(a)))
	}
	return out
}

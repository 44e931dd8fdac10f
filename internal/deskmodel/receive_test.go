package deskmodel

import (
	"context"
	"sync"
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
// without the failure ends (rule 6: Receive is idempotent on
// (touchpoint, sender, provider ID), even after a failure half-way).
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
			require.NoError(h.t, h.d.Assign(ctx, parley.SystemActor, rc.Conversation.ID, "ana"))
			h.d.Clock.Advance(time.Minute) // a minute newer, so the two messages have a definite order
		}, parley.Inbound{Touchpoint: "wa", From: wa("+14155550101"), ProviderID: "w2", Text: "anyone?"}},
		{"follow-up keeps the agent", func(h *harness) {
			rc := mustReceive(h, parley.Inbound{Touchpoint: "wa", From: wa("+14155550101"), ProviderID: "w1", Text: "hi"})
			require.NoError(h.t, h.d.Assign(ctx, parley.SystemActor, rc.Conversation.ID, "bo"))
			require.NoError(h.t, h.d.Close(ctx, parley.SystemActor, rc.Conversation.ID, "solved"))
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
				clean := newHarness(t, 1, Memory, path.wire...)
				sc.setup(clean)
				mustReceive(clean, sc.in)
				want := snapshot(t, clean)

				for n := 1; ; n++ {
					h := newHarness(t, 1, Memory, path.wire...)
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

// An agent closing the contact's conversation while its next webhook is
// being received must not bury the message in the closed conversation
// (rule 6: nothing lost): Receive succeeds and the message is announced to
// agents. Failing, the provider's retry would find the message stored, a
// duplicate counted nowhere. The race is between FindOpen and Record, so
// the test takes those steps (plainStore): the one-step write
// (conversation.Receiver) leaves no moment between them for a close.
func TestReceiveRacingCloseKeepsTheMessage(t *testing.T) {
	h := newHarness(t, 1, Memory, func(c *parley.Config) { c.Conversations = plainStore{c.Conversations} })
	ctx := context.Background()
	first, err := h.d.Receive(ctx, parley.Inbound{Touchpoint: "wa", From: wa("+14155550101"), ProviderID: "w1", Text: "hello"})
	require.NoError(t, err)
	require.NoError(t, h.d.Assign(ctx, parley.SystemActor, first.Conversation.ID, "ana"))

	var once sync.Once
	var closing sync.WaitGroup
	h.store.onFindOpen = func(c *conversation.Conversation) {
		once.Do(func() {
			closed := make(chan struct{})
			closing.Go(func() {
				assert.NoError(t, h.d.Close(ctx, parley.SystemActor, c.ID, "solved"))
				close(closed)
			})
			// Give the close every chance to win the race;
			// the Desk must make it wait for the message instead.
			select {
			case <-closed:
			case <-time.After(100 * time.Millisecond):
			}
		})
	}
	rc, err := h.d.Receive(ctx, parley.Inbound{Touchpoint: "wa", From: wa("+14155550101"), ProviderID: "w2", Text: "one more thing"})
	closing.Wait()
	require.NoError(t, err, "the webhook must be accepted, not lost to the close")
	assert.False(t, rc.Duplicate)
	assert.Equal(t, 1, h.pub.count("message.received")-1, "the message is announced to agents")
	if rc.Started {
		assert.Equal(t, first.Conversation.ID, rc.Conversation.Previous, "a follow-up of the closed conversation")
	} else {
		assert.Equal(t, first.Conversation.ID, rc.Conversation.ID, "received before the close, then closed")
	}
}

package parley_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/parleytest"
	"github.com/parleyhq/parley/routing"
)

// TransferToQueues refuses queues the router would refuse before the
// store is written: an invalid list changes nothing and is an error.
func TestReviewTransferToInvalidQueuesChangesNothing(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		queues []string
	}{
		{"none", nil},
		{"blank", []string{" "}},
		{"control", []string{"sales\x00"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			id := receive(t, f, "wa", wa("+14155550100"), "w1", "hello").Conversation.ID
			require.NoError(t, f.Assign(ctx, "ana", id, "ana"))
			before, err := f.Conversation(ctx, parley.SystemActor, id)
			require.NoError(t, err)

			err = f.TransferToQueues(ctx, "ana", id, tc.queues)
			assert.ErrorIs(t, err, routing.ErrInvalid)
			after, err := f.Conversation(ctx, parley.SystemActor, id)
			require.NoError(t, err)
			assert.Equal(t, before, after, "a refused transfer changes nothing")
		})
	}
}

// leavePending replies in conversation id with the caller leaving before
// the transport answers, so the reply stays pending for Tick.
func leavePending(t *testing.T, f *parleytest.Desk, id conversation.ID) *conversation.Message {
	t.Helper()
	f.Transport.Delay(time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	m, err := f.Reply(ctx, "ana", id, "on it")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	f.Transport.Delay(0)
	require.NotNil(t, m)
	return m
}

// A pending message whose conversation is gone by the next Tick (the
// contact erased, or the history purged) has nothing left to send or
// record: Tick drops it rather than failing for ever, and never hands
// the erased contact's text to the transport.
func TestReviewTickForgetsAPendingMessageOfAnErasedContact(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	id := receive(t, f, "wa", wa("+14155550100"), "w1", "Hello").Conversation.ID
	leavePending(t, f, id)
	_, err := f.Erase(ctx, parley.SystemActor, wa("+14155550100"))
	require.NoError(t, err)

	assert.NoError(t, f.Tick(ctx), "nothing is left to re-drive")
	assert.NoError(t, f.Tick(ctx))
	assert.Empty(t, f.Transport.Sent(), "the erased contact gets nothing")
}

// A pending message whose conversation was closed before Tick re-drives
// it is judged by the rules of now, and its outcome recorded: never left
// pending.
func TestReviewTickRecordsAPendingMessageOfAClosedConversation(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	id := receive(t, f, "wa", wa("+14155550100"), "w1", "Hello").Conversation.ID
	m := leavePending(t, f, id)
	require.NoError(t, f.Close(ctx, "ana", id, "done"))

	require.NoError(t, f.Tick(ctx))
	for _, s := range storedMessages(t, f, id) {
		if s.ID == m.ID {
			assert.NotEqual(t, conversation.DeliveryPending, s.Delivery.Status, "recorded, not left pending")
		}
	}
	require.NoError(t, f.Tick(ctx))
}

// Tick re-driving a pending message races a manual retry of the same
// draft: under -race, the message is sent once and recorded sent.
func TestReviewTickRacesAManualRetry(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	id := receive(t, f, "wa", wa("+14155550100"), "w1", "Hello").Conversation.ID
	draft := parley.Draft{ID: conversation.ID{0x01, 0x9a, 0, 0, 0, 0, 0x70, 0, 0x80, 0, 0, 0, 0, 0, 0, 0x42}, Text: "on it"}
	f.Transport.Delay(time.Hour)
	cctx, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	_, err := f.SendDraft(cctx, "ana", id, draft)
	cancel()
	require.ErrorIs(t, err, context.DeadlineExceeded)
	f.Transport.Delay(0)

	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); assert.NoError(t, f.Tick(ctx)) }()
	go func() {
		defer wg.Done()
		_, err := f.SendDraft(ctx, "ana", id, draft)
		assert.NoError(t, err)
	}()
	wg.Wait()
	require.NoError(t, f.Tick(ctx))
	var sent int
	for _, o := range f.Transport.Sent() {
		if o.MessageID == draft.ID {
			sent++
		}
	}
	assert.GreaterOrEqual(t, sent, 1)
	msgs := storedMessages(t, f, id)
	assert.Equal(t, conversation.DeliverySent, msgs[len(msgs)-1].Delivery.Status)
}

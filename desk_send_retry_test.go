package parley_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/parleytest"
	"github.com/parleyhq/parley/session"
)

// A retry with the same Draft.ID after a transport failure must not report
// success: failed is terminal (DESIGN.md §3.6), so the message is not sent
// again and the retry gets the first attempt's failure back, kind and all.
func TestSendRetryAfterTransportFailureReturnsStoredFailure(t *testing.T) {
	tests := []struct {
		name      string
		fail      error
		kind      error
		retryable bool
	}{
		{"temporary", errors.New("connection reset"), parley.ErrTemporary, true},
		{"permanent", parleytest.Permanent("invalid recipient"), parley.ErrPermanent, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			rc := receive(t, f, "wa", wa("+14155550100"), "w1", "Hello")
			d := parley.Draft{ID: conversation.NewID(), Text: "your refund is on its way"}

			f.Transport.FailNext(tt.fail)
			first, err := f.Send(ctx, "ana", rc.Conversation.ID, d)
			require.ErrorIs(t, err, tt.kind)
			require.NotNil(t, first)
			require.Equal(t, conversation.DeliveryFailed, first.Delivery.Status)
			attempts := len(f.Transport.Attempts())

			again, err := f.Send(ctx, "ana", rc.Conversation.ID, d)
			require.Error(t, err, "a retry of a failed message must not report success")
			assert.ErrorIs(t, err, parley.ErrAlreadyFailed)
			assert.ErrorIs(t, err, tt.kind, "the retry's error is the first attempt's kind")
			var se *parley.SendError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tt.retryable, se.Retryable())
			assert.NotContains(t, se.Error(), "send failure: parley:", "the rebuilt error does not repeat its prefix")
			var fe *parley.FailedError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, d.ID, fe.MessageID)
			require.NotNil(t, again)
			assert.Equal(t, d.ID, again.ID)
			assert.Equal(t, conversation.DeliveryFailed, again.Delivery.Status)
			assert.Equal(t, first.Delivery.Reason, again.Delivery.Reason, "failed keeps its reason")
			assert.Len(t, f.Transport.Attempts(), attempts, "the failed message is not sent again")
			assert.Empty(t, f.Transport.Sent())

			// A resend is a new message, with a new ID.
			d.ID = conversation.NewID()
			m, err := f.Send(ctx, "ana", rc.Conversation.ID, d)
			require.NoError(t, err)
			assert.Equal(t, conversation.DeliverySent, m.Delivery.Status)
			assert.Len(t, f.Transport.Sent(), 1)
		})
	}
}

// A message refused by the rules is failed for good too: when the rule
// has since relented (the contact wrote again), the retry still gets the
// refusal, not a success, and nothing is sent.
func TestSendRetryOfRefusedMessageKeepsTheRefusal(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rc := receive(t, f, "wa", wa("+14155550100"), "w1", "Hello")
	require.NoError(t, f.Assign(ctx, rc.Conversation.ID, "ana"))
	f.Clock.Advance(25 * time.Hour)
	d := parley.Draft{ID: conversation.NewID(), Text: "still there?"}
	_, err := f.Send(ctx, "ana", rc.Conversation.ID, d)
	require.ErrorIs(t, err, session.ErrWindowClosed)

	receive(t, f, "wa", wa("+14155550100"), "w2", "yes") // the window opens again
	again, err := f.Send(ctx, "ana", rc.Conversation.ID, d)
	assert.ErrorIs(t, err, parley.ErrAlreadyFailed)
	assert.ErrorIs(t, err, session.ErrWindowClosed)
	require.NotNil(t, again)
	assert.Equal(t, conversation.DeliveryFailed, again.Delivery.Status)
	assert.Empty(t, f.Transport.Attempts())
}

// A retry of a message that was sent is idempotent: the message, no error,
// nothing sent again — even when the rules would refuse it now.
func TestSendRetryAfterSuccessIsIdempotent(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rc := receive(t, f, "wa", wa("+14155550100"), "w1", "Hello")
	d := parley.Draft{ID: conversation.NewID(), Text: "done"}
	first, err := f.Send(ctx, "ana", rc.Conversation.ID, d)
	require.NoError(t, err)

	again, err := f.Send(ctx, "ana", rc.Conversation.ID, d)
	require.NoError(t, err)
	assert.Equal(t, first.ID, again.ID)
	assert.Equal(t, conversation.DeliverySent, again.Delivery.Status)

	f.Clock.Advance(25 * time.Hour) // the window closes
	late, err := f.Send(ctx, "ana", rc.Conversation.ID, d)
	require.NoError(t, err, "a late retry of a sent message is not refused")
	assert.Equal(t, conversation.DeliverySent, late.Delivery.Status)
	assert.Len(t, f.Transport.Sent(), 1)
}

// outcomeLostStore loses the transport's outcome: UpdateDelivery fails
// while failUpdates is set, leaving the message pending. It hides
// ReceiveOpen, so its webhooks take the plain steps; Send never uses it.
type outcomeLostStore struct {
	conversation.Store
	failUpdates atomic.Bool
}

func (s *outcomeLostStore) UpdateDelivery(ctx context.Context, u conversation.DeliveryUpdate) (*conversation.Message, bool, error) {
	if s.failUpdates.Load() {
		return nil, false, errors.New("store: unavailable")
	}
	return s.Store.UpdateDelivery(ctx, u)
}

// A message an attempt left pending that the rules refuse by the time of
// the retry is failed with today's refusal, not sent and not left pending.
func TestSendRetryOfPendingMessageNowRefused(t *testing.T) {
	store := &outcomeLostStore{Store: memory.NewConversationStore()}
	f := newFixture(t, func(c *parley.Config) { c.Conversations = store })
	ctx := context.Background()
	rc := receive(t, f, "wa", wa("+14155550100"), "w1", "Hello")
	d := parley.Draft{ID: conversation.NewID(), Text: "on it"}
	store.failUpdates.Store(true)
	_, err := f.Send(ctx, "ana", rc.Conversation.ID, d)
	require.Error(t, err)
	store.failUpdates.Store(false)

	f.Clock.Advance(25 * time.Hour)
	m, err := f.Send(ctx, "ana", rc.Conversation.ID, d)
	assert.ErrorIs(t, err, session.ErrWindowClosed)
	require.NotNil(t, m)
	assert.Equal(t, d.ID, m.ID)
	assert.Equal(t, conversation.DeliveryFailed, m.Delivery.Status)
	assert.Len(t, f.Transport.Attempts(), 1, "refused now: not handed to the transport again")
}

package parley_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
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

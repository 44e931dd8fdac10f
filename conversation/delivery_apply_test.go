package conversation_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/parleyhq/parley/conversation"
)

func TestDeliveryApplyKeepsFailureCode(t *testing.T) {
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name        string
		from        conversation.Delivery
		u           conversation.DeliveryUpdate
		wantChanged bool
		want        conversation.Delivery
	}{
		{"failure records reason and code",
			conversation.Delivery{Status: conversation.DeliveryPending},
			conversation.DeliveryUpdate{Status: conversation.DeliveryFailed, Reason: "timeout", Code: "temporary", At: at},
			true, conversation.Delivery{Status: conversation.DeliveryFailed, Reason: "timeout", Code: "temporary", At: at}},
		{"a second failure keeps the first code",
			conversation.Delivery{Status: conversation.DeliveryFailed, Reason: "timeout", Code: "temporary", At: at},
			conversation.DeliveryUpdate{Status: conversation.DeliveryFailed, Reason: "later", Code: "permanent", At: at.Add(time.Hour)},
			false, conversation.Delivery{Status: conversation.DeliveryFailed, Reason: "timeout", Code: "temporary", At: at}},
		{"a code on a success is not recorded",
			conversation.Delivery{Status: conversation.DeliveryPending},
			conversation.DeliveryUpdate{Status: conversation.DeliverySent, Code: "stray", At: at},
			true, conversation.Delivery{Status: conversation.DeliverySent, At: at}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := tt.from
			assert.Equal(t, tt.wantChanged, d.Apply(tt.u))
			assert.Equal(t, tt.want, d)
		})
	}
}

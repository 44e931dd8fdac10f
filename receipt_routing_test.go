package parley_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/parleytest"
	"github.com/parleyhq/parley/routing"
)

// A receipt's Routing says what this call routed: the outcome for a new
// conversation, and routing.NotRouted, never "queued", for a message that
// routed nothing (a further message, a provider retry).
func TestReceiptRoutingSaysWhatWasRouted(t *testing.T) {
	tests := []struct {
		name    string
		mode    routing.Mode
		started routing.Outcome // the new conversation's outcome
		assign  bool            // an agent takes the conversation before the retry
	}{
		{name: "simplified, still in the inbox", mode: routing.Simplified, started: routing.Queued},
		{name: "simplified, taken by an agent", mode: routing.Simplified, started: routing.Queued, assign: true},
		{name: "automatic", mode: routing.Automatic, started: routing.Assigned},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			d := parleytest.NewDesk(t, parley.Config{
				Touchpoints: []parley.Touchpoint{{ID: "wa", Kind: channel.WhatsApp, Address: "+14155550000", Queues: []string{"support"},
					Routing: routing.Policy{Mode: tt.mode}}},
				Agents: []routing.Agent{{ID: "ana", Queues: []string{"support"}}},
			})
			from := channel.Address{Kind: channel.WhatsApp, ID: "+14155550100"}
			in := func(pid, text string) parley.Receipt {
				t.Helper()
				rc, err := d.Receive(ctx, parley.Inbound{Touchpoint: "wa", From: from, ProviderID: pid, Text: text})
				require.NoError(t, err)
				return rc
			}

			first := in("wamid.1", "hello")
			require.True(t, first.Started, "precondition: the first message starts a conversation")
			assert.Equal(t, tt.started, first.Routing.Outcome, "a new conversation's receipt")
			if tt.started == routing.Assigned {
				assert.Equal(t, "ana", first.Routing.AgentID)
			}
			if tt.assign {
				require.NoError(t, d.Assign(ctx, first.Conversation.ID, "ana"))
			}

			further := in("wamid.2", "anyone?")
			require.False(t, further.Started, "precondition: the open conversation takes it")
			assert.Equal(t, routing.NotRouted, further.Routing.Outcome, "a further message's receipt")
			assert.Equal(t, routing.Decision{}, further.Routing)

			for _, pid := range []string{"wamid.1", "wamid.2"} {
				dup := in(pid, "retry")
				require.True(t, dup.Duplicate, "precondition: %s is a provider retry", pid)
				assert.Equal(t, routing.NotRouted, dup.Routing.Outcome, "the retry of %s", pid)
				assert.Equal(t, "not_routed", dup.Routing.Outcome.String())
			}

			c, err := d.Conversation(ctx, first.Conversation.ID)
			require.NoError(t, err)
			want := conversation.Queued
			if tt.assign || tt.started == routing.Assigned {
				want = conversation.Assigned
			}
			assert.Equal(t, want, c.Status, "routing itself is unchanged")
		})
	}
}

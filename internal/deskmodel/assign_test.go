package deskmodel

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/routing"
)

// Escalation charges the voice weight to the conversation's agent
// (rule 3); a conversation only offered to an agent has none yet, so it is
// refused and the offer keeps its channel's weight.
func TestEscalateNeedsAnAssignedConversation(t *testing.T) {
	h := newHarness(t, 1, Memory)
	ctx := context.Background()
	rc, err := h.d.Receive(ctx, parley.Inbound{Touchpoint: "auto", From: wa("+14155550111"), ProviderID: "a1", Text: "hello"})
	require.NoError(t, err)
	require.Equal(t, routing.Offered, rc.Routing.Outcome, "precondition")
	require.ErrorIs(t, h.d.Escalate(ctx, parley.SystemActor, rc.Conversation.ID), routing.ErrUnknownConversation)
	hc, _ := h.ledger.holder(rc.Conversation.ID.String())
	assert.NotEqual(t, routing.VoiceWeight, hc.weight, "the offer still weighs what WhatsApp weighs")
	assert.Zero(t, h.pub.count("conversation.escalated"))

	require.NoError(t, h.d.Accept(ctx, rc.Routing.AgentID, rc.Conversation.ID))
	require.NoError(t, h.d.Escalate(ctx, parley.SystemActor, rc.Conversation.ID), "assigned, it may be escalated")
	hc, _ = h.ledger.holder(rc.Conversation.ID.String())
	assert.Equal(t, routing.VoiceWeight, hc.weight)
}

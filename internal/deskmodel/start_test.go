package deskmodel

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
)

// A conversation the business starts is the starting agent's, on a
// dedicated or automatic touchpoint too, and the Ledger charges that agent
// (rule 4): it is not routed by its touchpoint's mode, which would give it
// to the owner, or offer it, first.
func TestStartIsTheAgentsWhateverTheMode(t *testing.T) {
	h := newHarness(t, 1, Memory)
	ctx := context.Background()
	for _, tc := range []struct{ tp, agent, to string }{{"ded", "bo", "+14155550211"}, {"ded", "ana", "+14155550202"}, {"auto", "cy", ""}} {
		o := parley.Opening{Touchpoint: tc.tp, To: sms(tc.to), Text: "hello"}
		if tc.tp == "auto" {
			o.To, o.Text = wa("+14155550111"), ""
			o.Template = &parley.TemplateMessage{Name: "order_update", Language: "en_US", Params: map[string]string{"1": "#1"}}
		}
		c, m, err := h.d.Start(ctx, tc.agent, o)
		require.NoError(t, err, "%s by %s", tc.tp, tc.agent)
		assert.Equal(t, conversation.DeliverySent, m.Delivery.Status)
		assert.Equal(t, conversation.Assigned, c.Status)
		assert.Equal(t, tc.agent, c.AssigneeID)
		hc, held := h.ledger.holder(c.ID.String())
		assert.True(t, held && hc.agent == tc.agent, "%s by %s: the Ledger charges %+v", tc.tp, tc.agent, hc)
	}
	assert.Zero(t, h.pub.count("conversation.offered"))
	assert.Empty(t, h.v.take())
}

// An agent who may not take the conversation it starts (no room, offline)
// gets its first message back failed with the reason, stored in the
// conversation, which is closed and holds nothing (rule 6: a refusal is
// never silently dropped). No empty conversation is left holding the
// contact's slot.
func TestStartRefusedForTheAgentIsRecorded(t *testing.T) {
	h := newHarness(t, 1, Memory)
	ctx := context.Background()
	require.NoError(t, h.d.SetPresence(ctx, "ana", routing.Offline))
	c, m, err := h.d.Start(ctx, "ana", parley.Opening{Touchpoint: "sms", To: sms("+14155550201"), Text: "hello"})
	require.ErrorIs(t, err, routing.ErrUnavailable)
	require.NotNil(t, m)
	assert.Equal(t, conversation.DeliveryFailed, m.Delivery.Status)
	assert.NotEmpty(t, m.Delivery.Reason)
	require.NotNil(t, c)
	assert.Equal(t, conversation.Closed, c.Status)
	stored, err := h.messages(ctx, c.ID)
	require.NoError(t, err)
	require.Len(t, stored, 1, "the refused first message is stored")
	assert.Equal(t, conversation.DeliveryFailed, stored[0].Delivery.Status)

	_, _, err = h.d.Start(ctx, "bo", parley.Opening{Touchpoint: "sms", To: sms("+14155550201"), Text: "hello again"})
	require.NoError(t, err, "the closed conversation does not hold the slot")
	assert.Equal(t, 1, h.pub.count("conversation.closed"))
	assert.Empty(t, h.v.take())
}

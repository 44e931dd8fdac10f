package conversation_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
)

var t0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

// in returns a conversation brought to status st through legal moves.
func in(t *testing.T, st conversation.Status) *conversation.Conversation {
	t.Helper()
	ids := conversation.SequentialIDs(t0)
	c, _, err := conversation.Start(conversation.Params{
		ID: ids(), Touchpoint: "tp", Channel: channel.WhatsApp, Direction: conversation.Inbound,
		Contact: conversation.Contact{ID: "ana"}, Queues: []string{"sales"}, Bot: st == conversation.Bot,
	}, t0)
	require.NoError(t, err)
	if st == conversation.Bot || st == conversation.Queued {
		return c
	}
	if st == conversation.Closed {
		_, err = c.Close(conversation.Closing{}, t0)
		require.NoError(t, err)
		return c
	}
	_, err = c.Assign("agent-1", conversation.AssignManual, t0)
	require.NoError(t, err)
	if st == conversation.WrapUp {
		_, err = c.End(t0)
		require.NoError(t, err)
	}
	return c
}

// move tries every method that could take c to `to` and returns the first
// success, or the last refusal.
func move(c *conversation.Conversation, to conversation.Status, now time.Time) error {
	var tries []func() error
	switch to {
	case conversation.Queued:
		tries = []func() error{
			func() error { _, err := c.HandOff(nil, now); return err },
			func() error { _, err := c.SendToInbox(nil, now); return err },
		}
	case conversation.Assigned:
		tries = []func() error{
			func() error { _, err := c.Assign("agent-2", conversation.AssignAuto, now); return err },
			func() error { _, err := c.Transfer("agent-2", conversation.AssignManual, now); return err },
		}
	case conversation.WrapUp:
		tries = []func() error{func() error { _, err := c.End(now); return err }}
	case conversation.Closed:
		tries = []func() error{func() error { _, err := c.Close(conversation.Closing{Note: "done"}, now); return err }}
	default:
		// No method moves a conversation back to Bot.
		return &conversation.TransitionError{From: c.Status, To: to}
	}
	var err error
	for _, try := range tries {
		if err = try(); err == nil {
			return nil
		}
	}
	return err
}

func TestTransitionsEveryPair(t *testing.T) {
	// Written from the package doc's rule 2, not from Allowed.
	allowed := map[[2]conversation.Status]bool{
		{conversation.Bot, conversation.Queued}:        true, // hand-off
		{conversation.Queued, conversation.Assigned}:   true, // assign
		{conversation.Assigned, conversation.Assigned}: true, // transfer
		{conversation.Assigned, conversation.Queued}:   true, // send to inbox
		{conversation.Assigned, conversation.WrapUp}:   true, // end
		{conversation.Bot, conversation.Closed}:        true, // close from any open status
		{conversation.Queued, conversation.Closed}:     true,
		{conversation.Assigned, conversation.Closed}:   true,
		{conversation.WrapUp, conversation.Closed}:     true, // close after wrap-up
	}
	later := t0.Add(time.Hour)
	for _, from := range conversation.Statuses() {
		for _, to := range conversation.Statuses() {
			want := allowed[[2]conversation.Status{from, to}]
			name := fmt.Sprintf("%s to %s refused", from, to)
			if want {
				name = fmt.Sprintf("%s to %s allowed", from, to)
			}
			t.Run(name, func(t *testing.T) {
				assert.Equal(t, want, conversation.Allowed(from, to), "Allowed(%s, %s)", from, to)
				c := in(t, from)
				before := *c
				err := move(c, to, later)
				if want {
					require.NoError(t, err)
					assert.Equal(t, to, c.Status)
					assert.Equal(t, later, c.UpdatedAt)
					return
				}
				var te *conversation.TransitionError
				require.ErrorAs(t, err, &te)
				assert.ErrorIs(t, err, conversation.ErrInvalidTransition)
				assert.Equal(t, conversation.TransitionError{From: from, To: to}, *te)
				assert.Equal(t, before, *c, "a refused move changed the conversation")
			})
		}
	}
}

func TestAssignPausesBotAndCloseMayResume(t *testing.T) {
	c := in(t, conversation.Bot)
	_, err := c.HandOff([]string{"support"}, t0)
	require.NoError(t, err)
	assert.False(t, c.BotPaused, "hand-off alone leaves the bot flag to the assignment")
	ev, err := c.Assign("agent-1", conversation.AssignAuto, t0)
	require.NoError(t, err)
	assert.True(t, c.BotPaused, "assigning an agent pauses the bot")
	assert.Equal(t, conversation.AssignAuto, ev.Mode)
	assert.Equal(t, []string{"support"}, c.Queues)
	_, err = c.Close(conversation.Closing{ResumeBot: true, Disposition: "resolved"}, t0)
	require.NoError(t, err)
	assert.False(t, c.BotPaused, "closing with ResumeBot resumes it")
	assert.Equal(t, "resolved", c.Disposition)
	assert.Equal(t, "agent-1", c.AssigneeID, "the assignee is kept as a record")
}

func TestTransitionArgumentsRefused(t *testing.T) {
	cases := []struct {
		name string
		do   func(c *conversation.Conversation) error
		from conversation.Status
	}{
		{"assign without agent", func(c *conversation.Conversation) error {
			_, err := c.Assign("", conversation.AssignManual, t0)
			return err
		}, conversation.Queued},
		{"assign without mode", func(c *conversation.Conversation) error {
			_, err := c.Assign("agent-1", 0, t0)
			return err
		}, conversation.Queued},
		{"transfer to the assignee", func(c *conversation.Conversation) error {
			_, err := c.Transfer("agent-1", conversation.AssignManual, t0)
			return err
		}, conversation.Assigned},
		{"transfer without agent", func(c *conversation.Conversation) error {
			_, err := c.Transfer("", conversation.AssignManual, t0)
			return err
		}, conversation.Assigned},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := in(t, tc.from)
			before := *c
			err := tc.do(c)
			assert.ErrorIs(t, err, conversation.ErrInvalid)
			assert.Equal(t, before, *c)
		})
	}
}

func TestEventsCarryTheFacts(t *testing.T) {
	c := in(t, conversation.Assigned)
	tr, err := c.Transfer("agent-2", conversation.AssignManual, t0.Add(time.Minute))
	require.NoError(t, err)
	assert.Equal(t, "agent-1", tr.FromAgentID)
	assert.Equal(t, "agent-2", tr.ToAgentID)
	assert.Equal(t, c.ID, tr.Conversation())
	assert.Equal(t, t0.Add(time.Minute), tr.Time())
	si, err := c.SendToInbox([]string{"billing"}, t0)
	require.NoError(t, err)
	assert.Equal(t, "agent-2", si.FromAgentID)
	assert.Equal(t, []string{"billing"}, si.Queues)
	assert.Empty(t, c.AssigneeID)
	names := map[string]bool{}
	for _, e := range []conversation.Event{conversation.StartedEvent{}, conversation.HandedOffEvent{}, conversation.AssignedEvent{},
		conversation.TransferredEvent{}, conversation.SentToInboxEvent{}, conversation.EndedEvent{}, conversation.ClosedEvent{},
		conversation.MessageReceivedEvent{}, conversation.MessageSentEvent{}, conversation.MessageFailedEvent{}, conversation.DeliveryChangedEvent{}} {
		assert.False(t, names[e.Name()], "event name %q used twice", e.Name())
		names[e.Name()] = true
	}
}

func TestFollowUp(t *testing.T) {
	open := in(t, conversation.Assigned)
	_, err := open.FollowUp(conversation.NewID())
	assert.ErrorIs(t, err, conversation.ErrInvalidTransition, "an open conversation takes the message itself")

	for _, ended := range []conversation.Status{conversation.WrapUp, conversation.Closed} {
		t.Run("after "+ended.String(), func(t *testing.T) {
			prev := in(t, ended)
			id := conversation.NewID()
			p, err := prev.FollowUp(id)
			require.NoError(t, err)
			next, ev, err := conversation.Start(p, t0.Add(time.Hour))
			require.NoError(t, err)
			assert.Equal(t, prev.ID, next.Previous)
			assert.Equal(t, prev.ID, ev.Previous)
			assert.Equal(t, prev.Key(), next.Key())
			assert.Equal(t, conversation.Queued, next.Status)
			assert.Equal(t, prev.AssigneeID, conversation.KeepAgent.Agent(prev), "default policy keeps the agent")
			assert.Empty(t, conversation.ToInbox.Agent(prev))
		})
	}
}

func TestStartRefusesBadParams(t *testing.T) {
	good := conversation.Params{ID: conversation.NewID(), Touchpoint: "tp", Channel: channel.Custom, Direction: conversation.Inbound, Contact: conversation.Contact{ID: "c"}}
	cases := []struct {
		field string
		edit  func(p *conversation.Params)
	}{
		{"ID", func(p *conversation.Params) { p.ID = conversation.ID{} }},
		{"Touchpoint", func(p *conversation.Params) { p.Touchpoint = "" }},
		{"Channel", func(p *conversation.Params) { p.Channel = 0 }},
		{"Direction", func(p *conversation.Params) { p.Direction = 0 }},
		{"Contact.ID", func(p *conversation.Params) { p.Contact.ID = "" }},
		{"InteractionID", func(p *conversation.Params) { p.Channel, p.InteractionID = channel.SMS, "i-1" }},
		{"Previous", func(p *conversation.Params) { p.Previous = p.ID }},
	}
	for _, tc := range cases {
		t.Run(tc.field, func(t *testing.T) {
			p := good
			tc.edit(&p)
			_, _, err := conversation.Start(p, t0)
			var fe *conversation.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tc.field, fe.Field)
		})
	}
	_, _, err := conversation.Start(good, t0)
	assert.NoError(t, err)
}

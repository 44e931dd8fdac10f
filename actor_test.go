package parley_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/parleytest"
	"github.com/parleyhq/parley/routing"
)

// withSupervisor adds sue, a supervisor who serves sales only: she sees
// every conversation because she supervises, not because of her queue.
func withSupervisor(c *parley.Config) {
	c.Agents = append(c.Agents, routing.Agent{ID: "sue", Queues: []string{"sales"}})
	c.Supervisors = []string{"sue"}
}

// Every action on a conversation knows who acts and applies the rules an
// agent meets in its inbox: its assignee, a supervisor and the system
// actor may act on an assigned conversation; an agent of other queues (cy,
// sales) is refused with routing.ErrNotVisible and an unknown actor with
// routing.ErrUnknownAgent, and a refused action changes nothing.
func TestEveryActionChecksItsActor(t *testing.T) {
	ctx := context.Background()
	actions := []struct {
		name string
		act  func(f *parleytest.Desk, actor string, id conversation.ID) error
	}{
		{"Conversation", func(f *parleytest.Desk, actor string, id conversation.ID) error {
			_, err := f.Conversation(ctx, actor, id)
			return err
		}},
		{"Messages", func(f *parleytest.Desk, actor string, id conversation.ID) error {
			_, err := f.Messages(ctx, actor, conversation.MessageQuery{ConversationID: id})
			return err
		}},
		{"Transfer", func(f *parleytest.Desk, actor string, id conversation.ID) error {
			return f.Transfer(ctx, actor, id, "bo")
		}},
		{"TransferToQueues", func(f *parleytest.Desk, actor string, id conversation.ID) error {
			return f.TransferToQueues(ctx, actor, id, []string{"sales"})
		}},
		{"SendToInbox", func(f *parleytest.Desk, actor string, id conversation.ID) error {
			return f.SendToInbox(ctx, actor, id)
		}},
		{"Escalate", func(f *parleytest.Desk, actor string, id conversation.ID) error {
			return f.Escalate(ctx, actor, id)
		}},
		{"End", func(f *parleytest.Desk, actor string, id conversation.ID) error {
			return f.End(ctx, actor, id)
		}},
		{"Close", func(f *parleytest.Desk, actor string, id conversation.ID) error {
			return f.Close(ctx, actor, id, "done")
		}},
		{"CloseWith", func(f *parleytest.Desk, actor string, id conversation.ID) error {
			return f.CloseWith(ctx, actor, id, conversation.Closing{Note: "done", Disposition: "solved"})
		}},
		{"PauseBot", func(f *parleytest.Desk, actor string, id conversation.ID) error {
			return f.PauseBot(ctx, actor, id)
		}},
		{"ResumeBot", func(f *parleytest.Desk, actor string, id conversation.ID) error {
			return f.ResumeBot(ctx, actor, id)
		}},
	}
	actors := []struct {
		actor string
		want  error // nil: allowed
	}{
		{"ana", nil}, // the assignee
		{"sue", nil}, // a supervisor of another queue
		{parley.SystemActor, nil},
		{"cy", routing.ErrNotVisible},
		{"bo", routing.ErrNotVisible}, // serves the queue, but ana holds it
		{"nobody", routing.ErrUnknownAgent},
	}
	for _, a := range actions {
		for _, who := range actors {
			t.Run(a.name+"/"+who.actor, func(t *testing.T) {
				f := newFixture(t, withSupervisor)
				id := receive(t, f, "wa", wa("+14155550100"), "w1", "hello").Conversation.ID
				require.NoError(t, f.Assign(ctx, "ana", id, "ana"), "precondition: ana takes it")
				if a.name == "ResumeBot" {
					require.NoError(t, f.PauseBot(ctx, "ana", id), "precondition: the bot is paused")
				}
				before, err := f.Conversation(ctx, parley.SystemActor, id)
				require.NoError(t, err)
				events := len(f.Publisher.Names())

				err = a.act(f, who.actor, id)
				if who.want == nil {
					assert.NoError(t, err)
					return
				}
				assert.ErrorIs(t, err, who.want)
				after, err := f.Conversation(ctx, parley.SystemActor, id)
				require.NoError(t, err)
				assert.Equal(t, before, after, "a refused action changes nothing")
				assert.Len(t, f.Publisher.Names(), events, "and publishes nothing")
			})
		}
	}
}

// Assign and HandOff check their actor too: an agent takes or hands to a
// colleague only what it sees.
func TestAssignAndHandOffCheckTheActor(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, withSupervisor)
	id := receive(t, f, "wa", wa("+14155550100"), "w1", "hello").Conversation.ID

	assert.ErrorIs(t, f.Assign(ctx, "cy", id, "cy"), routing.ErrNotVisible, "cy serves sales only")
	assert.ErrorIs(t, f.Assign(ctx, "nobody", id, "ana"), routing.ErrUnknownAgent)
	require.NoError(t, f.Assign(ctx, "bo", id, "ana"), "bo serves support and hands it to ana")
	assert.Equal(t, conversation.Assigned, mustStatus(t, f, id))

	bot := newFixture(t, withSupervisor, func(c *parley.Config) {
		touchpointOf(c, "chat").Bot = true
	})
	rc, err := bot.Receive(ctx, parley.Inbound{Touchpoint: "chat", From: channel.Address{Kind: channel.WebChat, ID: "v1"}, ProviderID: "c1", Text: "hi"})
	require.NoError(t, err)
	require.Equal(t, conversation.Bot, rc.Conversation.Status)
	assert.ErrorIs(t, bot.HandOff(ctx, "ana", rc.Conversation.ID), routing.ErrNotVisible, "ana does not serve sales")
	require.NoError(t, bot.HandOff(ctx, parley.SystemActor, rc.Conversation.ID))
}

func mustStatus(t *testing.T, f *parleytest.Desk, id conversation.ID) conversation.Status {
	t.Helper()
	s, _ := status(t, f, id)
	return s
}

// A transfer's target must serve one of the conversation's queues, or
// supervise: a conversation never lands with an agent outside the teams
// it was routed to. Capacity and presence are checked as for any new work.
func TestTransferTargetServesTheQueues(t *testing.T) {
	f := newFixture(t, withSupervisor)
	ctx := context.Background()
	id := receive(t, f, "wa", wa("+14155550100"), "w1", "hello").Conversation.ID
	require.NoError(t, f.Assign(ctx, "ana", id, "ana"))

	err := f.Transfer(ctx, "ana", id, "cy")
	var ve *routing.VisibilityError
	require.ErrorAs(t, err, &ve, "cy serves sales only")
	assert.Equal(t, "cy", ve.AgentID)
	_, assignee := status(t, f, id)
	assert.Equal(t, "ana", assignee, "the refused transfer left it with ana")

	require.NoError(t, f.SetPresence(ctx, "bo", routing.Offline))
	assert.ErrorIs(t, f.Transfer(ctx, "ana", id, "bo"), routing.ErrUnavailable)
	require.NoError(t, f.SetPresence(ctx, "bo", routing.Available))
	require.NoError(t, f.Transfer(ctx, "ana", id, "bo"))
	_, err = f.Composer(ctx, "bo", id)
	assert.NoError(t, err, "its new assignee sees it")
	assert.ErrorIs(t, f.Transfer(ctx, "ana", id, "ana"), routing.ErrNotVisible, "ana no longer holds it")

	require.NoError(t, f.Transfer(ctx, "bo", id, "sue"), "a supervisor may take any conversation")
	require.NoError(t, f.UpdateAgent(ctx, routing.Agent{ID: "ana", Queues: []string{"support"}, Capacity: 10}))
	assert.ErrorIs(t, f.Transfer(ctx, "sue", id, "ana"), routing.ErrOverCapacity)
}

// A snippet refused because the agent may not see the conversation is
// refused before it is rendered: the message returned carries the
// shortcut, not the contact's data.
func TestSendSnippetRefusedForVisibilityRendersNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rc, err := f.Receive(ctx, parley.Inbound{Touchpoint: "wa", From: wa("+14155550100"), ProviderID: "w1", Text: "hello", Name: "Alice Secret"})
	require.NoError(t, err)
	require.NoError(t, f.Assign(ctx, "ana", rc.Conversation.ID, "ana"))

	m, err := f.SendSnippet(ctx, "cy", rc.Conversation.ID, "greet", nil)
	require.ErrorIs(t, err, routing.ErrNotVisible)
	require.NotNil(t, m, "the refused message is returned")
	assert.Equal(t, "greet", m.Text)
	assert.NotContains(t, m.Text, "Alice")

	m, err = f.SendSnippet(ctx, "ana", rc.Conversation.ID, "greet", nil)
	require.NoError(t, err)
	assert.Equal(t, "Hi Alice, this is Acme.", m.Text, "its assignee's snippet is rendered")
}

// Only a supervisor or the system actor erases a contact, and an address
// that does not parse is refused, not answered by erasing nothing.
func TestEraseChecksActorAndAddress(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name    string
		actor   string
		contact channel.Address
		want    error
	}{
		{"an agent", "ana", wa("+14155550100"), parley.ErrForbidden},
		{"an unknown actor", "nobody", wa("+14155550100"), routing.ErrUnknownAgent},
		{"a number without +", "sue", wa("14155550100"), channel.ErrInvalidPhoneNumber},
		{"a lone +", "sue", wa("+"), channel.ErrInvalidAddress},
		{"an empty address", parley.SystemActor, channel.Address{}, channel.ErrInvalidAddress},
		{"a supervisor", "sue", wa("+14155550100"), nil},
		{"the system actor", parley.SystemActor, wa("+1 415 555 0100"), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, withSupervisor)
			id := receive(t, f, "wa", wa("+14155550100"), "w1", "hello").Conversation.ID
			_, err := f.Erase(ctx, tc.actor, tc.contact)
			_, gerr := f.Conversation(ctx, parley.SystemActor, id)
			if tc.want == nil {
				require.NoError(t, err)
				assert.ErrorIs(t, gerr, conversation.ErrNotFound, "erased")
				return
			}
			assert.ErrorIs(t, err, tc.want)
			assert.NoError(t, gerr, "nothing was erased")
		})
	}
}

// The list of every expiring window names contacts of every queue: a
// supervisor's or the system's to read, not an agent's.
func TestExpiringWindowsIsForSupervisors(t *testing.T) {
	f := newFixture(t, withSupervisor)
	receive(t, f, "wa", wa("+14155550100"), "w1", "hello")
	for _, tc := range []struct {
		actor string
		want  error
	}{
		{"ana", parley.ErrForbidden},
		{"nobody", routing.ErrUnknownAgent},
		{"sue", nil},
		{parley.SystemActor, nil},
	} {
		ws, err := f.ExpiringWindows(context.Background(), tc.actor, 25*time.Hour)
		if tc.want != nil {
			assert.ErrorIs(t, err, tc.want, tc.actor)
			assert.Empty(t, ws, tc.actor)
			continue
		}
		require.NoError(t, err, tc.actor)
		assert.Len(t, ws, 1, tc.actor)
	}
}

// No agent may take the system actor's ID: its actions would be taken for
// the system's.
func TestSystemActorIDIsReserved(t *testing.T) {
	_, err := parley.New(parley.Config{
		Transport:   parleytest.NewTransport(),
		Touchpoints: []parley.Touchpoint{{ID: "wa", Kind: channel.WhatsApp, Address: "+14155550000", Queues: []string{"support"}}},
		Agents:      []routing.Agent{{ID: parley.SystemActor, Queues: []string{"support"}}},
	})
	assert.ErrorIs(t, err, parley.ErrInvalidConfig)
	assert.ErrorIs(t, err, routing.ErrInvalid)

	f := newFixture(t)
	assert.ErrorIs(t, f.AddAgent(context.Background(), routing.Agent{ID: parley.SystemActor, Queues: []string{"support"}}), routing.ErrInvalid)
}

// SendSnippet refused for visibility returns no rendered text.
func TestSnippetRefusedRendersNothing(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	id, err := f.Receive(ctx, parley.Inbound{Touchpoint: "wa", From: wa("+14155550100"), ProviderID: "w1", Text: "hi", Name: "Alice Secret"})
	require.NoError(t, err)
	m, err := f.SendSnippet(ctx, "cy", id.Conversation.ID, "greet", nil)
	require.ErrorIs(t, err, routing.ErrNotVisible)
	if m != nil {
		assert.NotContains(t, m.Text, "Alice")
	}
	assert.NotContains(t, err.Error(), "Alice")
	for _, s := range storedMessages(t, f, id.Conversation.ID) {
		assert.NotContains(t, s.Text, "Alice", "nothing stored")
	}
}

// The refusal of an agent who serves the conversation's queue but may not
// see it (another agent holds it) does not claim the agent serves none.
func TestVisibilityErrorTellsTheTruth(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	id := receive(t, f, "wa", wa("+14155550100"), "w1", "hello").Conversation.ID
	require.NoError(t, f.Assign(ctx, "ana", id, "ana"))
	err := f.Close(ctx, "bo", id, "")
	require.ErrorIs(t, err, routing.ErrNotVisible)
	assert.NotContains(t, err.Error(), "in none of them", "bo serves support")
}

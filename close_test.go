package parley_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/parleytest"
	"github.com/parleyhq/parley/routing"
)

// updateFails is a store whose Update of one conversation fails. It
// hides ReceiveOpen, which the test does not need: its webhooks each start
// a conversation, which takes the plain steps anyway.
type updateFails struct {
	conversation.Store
	mu   sync.Mutex
	fail conversation.ID
}

func (s *updateFails) Update(ctx context.Context, c *conversation.Conversation) error {
	s.mu.Lock()
	fail := s.fail == c.ID
	s.mu.Unlock()
	if fail {
		return errors.New("store down")
	}
	return s.Store.Update(ctx, c)
}

// overUpdateFails fills ana (capacity 20) with one WhatsApp conversation
// on an automatic touchpoint, puts a second one waiting, and makes the
// store refuse every change to the first.
func overUpdateFails(t *testing.T) (f *parleytest.Desk, store *updateFails, first, second conversation.ID) {
	t.Helper()
	ctx := context.Background()
	store = &updateFails{Store: memory.NewConversationStore()}
	f = newFixture(t, func(c *parley.Config) {
		c.Conversations = store
		c.Agents = []routing.Agent{{ID: "ana", Queues: []string{"support"}, Capacity: 20}, {ID: "bo", Queues: []string{"support"}, Capacity: 20}}
		touchpointOf(c, "wa").Routing = routing.Policy{Mode: routing.Automatic}
	})
	require.NoError(t, f.SetPresence(ctx, "bo", routing.Away))
	one, err := f.Receive(ctx, parley.Inbound{Touchpoint: "wa", From: wa("+14155550100"), ProviderID: "w1", Text: "one"})
	require.NoError(t, err)
	require.Equal(t, "ana", one.Conversation.AssigneeID, "precondition: ana takes the first")
	two, err := f.Receive(ctx, parley.Inbound{Touchpoint: "wa", From: wa("+14155550101"), ProviderID: "w2", Text: "two"})
	require.NoError(t, err)
	require.Equal(t, conversation.Queued, two.Conversation.Status, "precondition: the second waits, ana is full")
	store.set(one.Conversation.ID)
	return f, store, one.Conversation.ID, two.Conversation.ID
}

func (s *updateFails) set(id conversation.ID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = id
}

// Ending or closing writes the store first: when the store refuses, the
// router has not moved either. The agent stays charged for what the store
// says it holds, the waiting conversation still waits, nothing is
// published, and a retry completes the action and dispatches.
func TestEndOrCloseFailingInTheStoreChangesNothing(t *testing.T) {
	ctx := context.Background()
	for _, action := range []struct {
		name string
		do   func(f *parleytest.Desk, id conversation.ID) error
		want conversation.Status
	}{
		{"end", func(f *parleytest.Desk, id conversation.ID) error { return f.End(ctx, "ana", id) }, conversation.WrapUp},
		{"close", func(f *parleytest.Desk, id conversation.ID) error { return f.Close(ctx, "ana", id, "") }, conversation.Closed},
		{"send to inbox", func(f *parleytest.Desk, id conversation.ID) error { return f.SendToInbox(ctx, "ana", id) }, conversation.Queued},
	} {
		t.Run(action.name, func(t *testing.T) {
			f, store, first, second := overUpdateFails(t)
			events := len(f.Publisher.Names())
			require.Error(t, action.do(f, first))

			assert.Equal(t, conversation.Assigned, mustStatus(t, f, first), "the store refused")
			assert.Equal(t, conversation.Queued, mustStatus(t, f, second), "the router gave ana's room to nobody")
			assert.Len(t, f.Publisher.Names(), events, "nothing published")
			_, err := f.Reply(ctx, "ana", second, "hi")
			assert.ErrorIs(t, err, routing.ErrOverCapacity, "ana is still charged for the first")

			store.set(conversation.ID{})
			require.NoError(t, action.do(f, first), "a retry completes it")
			if action.want != conversation.Queued {
				assert.Equal(t, action.want, mustStatus(t, f, first))
			}
			st, assignee := status(t, f, second)
			assert.Equal(t, conversation.Assigned, st, "the freed room went to the waiting one")
			assert.Equal(t, "ana", assignee)
		})
	}
}

// A transfer the store refuses is undone in the router: the target is not
// charged, the first agent still is.
func TestTransferFailingInTheStoreIsUndoneInTheRouter(t *testing.T) {
	ctx := context.Background()
	f, store, first, second := overUpdateFails(t)
	store.set(conversation.ID{})
	require.NoError(t, f.SetPresence(ctx, "bo", routing.Available))
	// bo takes the waiting one by himself once available: make room again.
	st, assignee := status(t, f, second)
	require.Equal(t, conversation.Assigned, st)
	require.Equal(t, "bo", assignee, "precondition: bo took the waiting one")
	third, err := f.Receive(ctx, parley.Inbound{Touchpoint: "sms", From: sms("+14155550102"), ProviderID: "s3", Text: "three"})
	require.NoError(t, err)
	require.NoError(t, f.End(ctx, "bo", second))

	store.set(first)
	require.Error(t, f.Transfer(ctx, "ana", first, "bo"))
	_, assignee = status(t, f, first)
	assert.Equal(t, "ana", assignee, "the store refused")
	require.NoError(t, f.Assign(ctx, "bo", third.Conversation.ID, "bo"), "bo was not charged for the refused transfer")
	assert.ErrorIs(t, f.Assign(ctx, parley.SystemActor, third.Conversation.ID, "ana"), conversation.ErrInvalidTransition)
	_, err = f.Reply(ctx, "ana", first, "still mine")
	require.NoError(t, err)
}

// updateFailStore fails every conversation write while failing is set.
type updateFailStore struct {
	conversation.Store
	failing atomic.Bool
}

// errStoreDown is the failure the fake stores answer with.
var errStoreDown = errors.New("store: down")

func (s *updateFailStore) Update(ctx context.Context, c *conversation.Conversation) error {
	if s.failing.Load() {
		return errStoreDown
	}
	return s.Store.Update(ctx, c)
}

// A failed store write leaves the router as the store says: the agent's
// load is what it holds (probed by assigning more than fits) before and
// after Tick, and Tick has nothing to repair.
func TestFailedStoreWriteLeavesTheRouterAsStored(t *testing.T) {
	ctx := context.Background()
	actions := []struct {
		name string
		act  func(f *parleytest.Desk, id conversation.ID) error
		// heldByAna: the store still says ana holds the conversation
		heldByAna bool
	}{
		{"End", func(f *parleytest.Desk, id conversation.ID) error { return f.End(ctx, "ana", id) }, true},
		{"Close", func(f *parleytest.Desk, id conversation.ID) error { return f.Close(ctx, "ana", id, "") }, true},
		{"SendToInbox", func(f *parleytest.Desk, id conversation.ID) error { return f.SendToInbox(ctx, "ana", id) }, true},
		{"TransferToQueues", func(f *parleytest.Desk, id conversation.ID) error {
			return f.TransferToQueues(ctx, "ana", id, []string{"sales"})
		}, true},
		{"Transfer", func(f *parleytest.Desk, id conversation.ID) error { return f.Transfer(ctx, "ana", id, "bo") }, true},
		{"Escalate", func(f *parleytest.Desk, id conversation.ID) error { return f.Escalate(ctx, "ana", id) }, true},
	}
	for _, a := range actions {
		t.Run(a.name, func(t *testing.T) {
			store := &updateFailStore{Store: memory.NewConversationStore()}
			f := newFixture(t, func(c *parley.Config) {
				c.Conversations = store
				c.Agents[0].Capacity = 39 // ana holds one conversation, not two
				c.Agents[1].Capacity = 39
			})
			id := receive(t, f, "wa", wa("+14155550100"), "w1", "hello").Conversation.ID
			other := receive(t, f, "wa", wa("+14155550101"), "w2", "hello").Conversation.ID
			require.NoError(t, f.Assign(ctx, "ana", id, "ana"))

			store.failing.Store(true)
			err := a.act(f, id)
			store.failing.Store(false)
			if a.name != "Escalate" {
				require.ErrorIs(t, err, errStoreDown)
			}
			probe := func(when string) {
				st, who := status(t, f, id)
				require.Equal(t, conversation.Assigned, st, when)
				require.Equal(t, "ana", who, when)
				assert.ErrorIs(t, f.Assign(ctx, "ana", other, "ana"), routing.ErrOverCapacity, "%s: ana is still charged", when)
			}
			probe("after the failure")
			require.NoError(t, f.Tick(ctx))
			probe("after Tick")
			// bo has room for what the store says he holds: nothing.
			require.NoError(t, f.Assign(ctx, "bo", other, "bo"))
		})
	}
}

// Assign whose store write fails leaves the agent uncharged.
func TestFailedAssignLeavesTheAgentFree(t *testing.T) {
	ctx := context.Background()
	store := &updateFailStore{Store: memory.NewConversationStore()}
	f := newFixture(t, func(c *parley.Config) {
		c.Conversations = store
		c.Agents[0].Capacity = 20
	})
	id := receive(t, f, "wa", wa("+14155550100"), "w1", "hello").Conversation.ID
	store.failing.Store(true)
	require.ErrorIs(t, f.Assign(ctx, "ana", id, "ana"), errStoreDown)
	store.failing.Store(false)
	require.NoError(t, f.Tick(ctx))
	st, _ := status(t, f, id)
	require.Equal(t, conversation.Queued, st)
	require.NoError(t, f.Assign(ctx, "ana", id, "ana"), "ana's room is free")
}

// onceFailStore fails the next n conversation writes.
type onceFailStore struct {
	conversation.Store
	n atomic.Int32
}

func (s *onceFailStore) Update(ctx context.Context, c *conversation.Conversation) error {
	if s.n.Add(-1) >= 0 {
		return errStoreDown
	}
	return s.Store.Update(ctx, c)
}

// A transfer the store refuses, whose freed room the router gave at once
// to a waiting conversation, cannot be undone in the router: Tick must
// still bring the router in line with the store, not fail for ever.
func TestTransferUndoneAfterTheRoomWasTaken(t *testing.T) {
	ctx := context.Background()
	store := &onceFailStore{Store: memory.NewConversationStore()}
	f := newFixture(t, withSupervisor, func(c *parley.Config) {
		c.Conversations = store
		touchpointOf(c, "wa").Routing.Mode = routing.Automatic
		c.Agents[0].Capacity = 20 // ana holds one conversation
	})
	require.NoError(t, f.SetPresence(ctx, "bo", routing.Away))
	c1 := receive(t, f, "wa", wa("+14155550100"), "w1", "hello")
	require.Equal(t, routing.Assigned, c1.Routing.Outcome)
	require.Equal(t, "ana", c1.Routing.AgentID)
	c2 := receive(t, f, "wa", wa("+14155550101"), "w2", "hello")
	require.NotEqual(t, routing.Assigned, c2.Routing.Outcome, "precondition: c2 waits")

	store.n.Store(1)
	err := f.Transfer(ctx, "ana", c1.Conversation.ID, "sue")
	require.ErrorIs(t, err, errStoreDown)
	// The router could not give c1 back (ana took c2 meanwhile): the move
	// it made is applied to the store, so both agree.
	_, who := status(t, f, c1.Conversation.ID)
	assert.Equal(t, "sue", who)

	assert.NoError(t, f.Tick(ctx), "Tick repairs the drift")
	assert.NoError(t, f.Tick(ctx), "and has nothing left to repair")
}

// A transfer the store refuses publishes nothing and leaves the
// conversation with its agent.
func TestRefusedTransferPublishesNothing(t *testing.T) {
	ctx := context.Background()
	store := &onceFailStore{Store: memory.NewConversationStore()}
	f := newFixture(t, func(c *parley.Config) { c.Conversations = store })
	id := receive(t, f, "wa", wa("+14155550100"), "w1", "hello").Conversation.ID
	require.NoError(t, f.Assign(ctx, "ana", id, "ana"))
	events := len(f.Publisher.Names())
	before, err := f.Conversation(ctx, parley.SystemActor, id)
	require.NoError(t, err)

	store.n.Store(1)
	require.ErrorIs(t, f.Transfer(ctx, "ana", id, "bo"), errStoreDown)
	assert.Equal(t, f.Publisher.Names()[events:], []string{}, "a refused transfer publishes nothing")
	after, err := f.Conversation(ctx, parley.SystemActor, id)
	require.NoError(t, err)
	assert.Equal(t, before.AssigneeID, after.AssigneeID)
	assert.Equal(t, before.Version, after.Version, "and writes nothing")
}

package parley_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/routing"
)

// recordHook is a store that runs hook once, just before the first Record
// it is asked for. Embedding the Store interface hides ReceiveOpen
// (conversation.Receiver), so every inbound message reaches Record; the
// webhook under test starts its conversation, which takes Record anyway.
type recordHook struct {
	conversation.Store
	once sync.Once
	hook func()
}

func (s *recordHook) Record(ctx context.Context, c *conversation.Conversation, m *conversation.Message) (*conversation.Message, bool, error) {
	s.once.Do(s.hook)
	return s.Store.Record(ctx, c, m)
}

// Two desks share a store. Desk A starts a conversation for a webhook;
// before A records the message, the provider's retry reaches desk B,
// which finds A's conversation open and stores the message there. A's
// Record then reports the message as stored already, and A resumes it in
// the conversation it started and still holds locked: it must not wait on
// its own lock.
func TestReceiveResumesTheConversationItStarted(t *testing.T) {
	ctx := context.Background()
	store := memory.NewConversationStore()
	in := parley.Inbound{Touchpoint: "wa", From: channel.Address{Kind: channel.WhatsApp, ID: "+14155550100"}, ProviderID: "wamid.retry", Text: "hello"}
	var b *parley.Desk
	hooked := &recordHook{Store: store}
	a := newFixture(t, func(c *parley.Config) { c.Conversations = hooked })
	b = newFixture(t, func(c *parley.Config) {
		c.Conversations = store
		c.NewID = conversation.SequentialIDs(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	}).Desk
	var bReceipt parley.Receipt
	var bErr error
	hooked.hook = func() { bReceipt, bErr = b.Receive(ctx, in) }

	done := make(chan struct{})
	var rc parley.Receipt
	var err error
	go func() {
		defer close(done)
		rc, err = a.Receive(ctx, in)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("desk A's Receive hangs: it waits on the conversation lock it holds")
	}
	require.NoError(t, bErr)
	require.NoError(t, err)
	assert.True(t, rc.Duplicate, "A finds the message B stored")
	assert.Equal(t, bReceipt.Message.ID, rc.Message.ID, "one message, stored once")
	assert.Equal(t, bReceipt.Conversation.ID, rc.Conversation.ID)
}

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

// Closing frees the agent and the router gives the freed room to a
// waiting conversation. When the store then refuses the close, that
// decision still stands in the router, so it must reach the store too:
// the waiting conversation is assigned there, not left Queued while the
// router and the Ledger count it as the agent's. A retry of the close
// completes it.
func TestCloseFailingInTheStoreStillAppliesTheDispatch(t *testing.T) {
	ctx := context.Background()
	store := &updateFails{Store: memory.NewConversationStore()}
	f := newFixture(t, func(c *parley.Config) {
		c.Conversations = store
		c.Agents = []routing.Agent{{ID: "ana", Queues: []string{"support"}, Capacity: 20}}
		c.Options = map[string]parley.TouchpointOptions{"wa": {Routing: routing.Touchpoint{Mode: routing.Automatic}}}
	})
	first, err := f.Receive(ctx, parley.Inbound{Touchpoint: "wa", From: wa("+14155550100"), ProviderID: "w1", Text: "one"})
	require.NoError(t, err)
	require.Equal(t, "ana", first.Conversation.AssigneeID, "precondition: ana takes the first")
	second, err := f.Receive(ctx, parley.Inbound{Touchpoint: "wa", From: wa("+14155550101"), ProviderID: "w2", Text: "two"})
	require.NoError(t, err)
	require.Equal(t, conversation.Queued, second.Conversation.Status, "precondition: the second waits, ana is full")

	store.mu.Lock()
	store.fail = first.Conversation.ID
	store.mu.Unlock()
	require.Error(t, f.Close(ctx, first.Conversation.ID, ""))

	got, err := f.Conversation(ctx, second.Conversation.ID)
	require.NoError(t, err)
	assert.Equal(t, conversation.Assigned, got.Status, "the dispatch the router made is in the store")
	assert.Equal(t, "ana", got.AssigneeID)

	store.mu.Lock()
	store.fail = conversation.ID{}
	store.mu.Unlock()
	require.NoError(t, f.Close(ctx, first.Conversation.ID, ""), "a retry of the close completes it")
	got, err = f.Conversation(ctx, first.Conversation.ID)
	require.NoError(t, err)
	assert.Equal(t, conversation.Closed, got.Status)
}

// createHook is a store that runs hook once, inside the first Create, after
// the conversation is stored. It hides ReceiveOpen, which Start never uses.
type createHook struct {
	conversation.Store
	once sync.Once
	hook func(c *conversation.Conversation)
}

func (s *createHook) Create(ctx context.Context, c *conversation.Conversation) error {
	if err := s.Store.Create(ctx, c); err != nil {
		return err
	}
	s.once.Do(func() { s.hook(c.Clone()) })
	return nil
}

// A conversation the business starts is in the inbox from the moment it is
// stored. Another agent replying to it then must wait until Start has
// made it the starting agent's: otherwise the reply takes it, Start's own
// assignment is refused, and Start closes the conversation the other agent
// just wrote into.
func TestStartHoldsItsConversationUntilItIsTheAgents(t *testing.T) {
	ctx := context.Background()
	hooked := &createHook{Store: memory.NewConversationStore()}
	f := newFixture(t, func(c *parley.Config) { c.Conversations = hooked })
	replied := make(chan error, 1)
	hooked.hook = func(c *conversation.Conversation) {
		go func() {
			_, err := f.Reply(ctx, "bo", c.ID, "I'll take this one")
			replied <- err
		}()
		// Give bo's reply the chance to run while Start is inside Create;
		// with Start holding the conversation, it waits instead.
		select {
		case err := <-replied:
			replied <- err
		case <-time.After(200 * time.Millisecond):
		}
	}
	c, m, err := f.Start(ctx, "ana", parley.Outbound{Touchpoint: "sms", To: sms("+14155550123"), Text: "Your order shipped"})
	require.NoError(t, err)
	assert.Equal(t, "ana", c.AssigneeID, "Start makes it the starting agent's")
	assert.Equal(t, conversation.Assigned, c.Status)
	assert.Equal(t, conversation.DeliverySent, m.Delivery.Status)
	assert.Error(t, <-replied, "bo's reply comes after, to a conversation that is ana's")
	got, err := f.Conversation(ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, conversation.Assigned, got.Status, "not closed under anyone")
	assert.Equal(t, "ana", got.AssigneeID)
}

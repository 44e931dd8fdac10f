package parley_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/memory"
)

// The business starts a WhatsApp conversation with an approved template
// only (free-form needs an open window), and never a web chat; the
// conversation is outbound and the starting agent's.
func TestStartOutbound(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	_, _, err := f.Start(ctx, "ana", parley.Opening{Touchpoint: "wa", To: wa("+14155550100"), Text: "hello"})
	assert.ErrorIs(t, err, parley.ErrBusinessInitiated, "free-form WhatsApp needs an open window")

	c, m, err := f.Start(ctx, "ana", parley.Opening{Touchpoint: "wa", To: wa("+14155550100"),
		Template: &parley.TemplateMessage{Name: "order_update", Language: "en_US", Params: map[string]string{"1": "#7"}}})
	require.NoError(t, err)
	assert.Equal(t, conversation.Outbound, c.Direction)
	assert.Equal(t, "ana", c.AssigneeID)
	assert.Equal(t, "Your order #7 has shipped.", m.Text)

	_, _, err = f.Start(ctx, "ana", parley.Opening{Touchpoint: "chat", To: channel.Address{Kind: channel.WebChat, ID: "v"}, Text: "hi"})
	assert.ErrorIs(t, err, parley.ErrBusinessInitiated)
}

// On the host's own channel the business may not open a second outbound
// conversation with a contact while one is open.
func TestOutboundOnCustomChannelOnlyOnce(t *testing.T) {
	f := newFixture(t, func(c *parley.Config) {
		c.Touchpoints = append(c.Touchpoints, parley.Touchpoint{ID: "app", Kind: channel.Custom, Address: "app-1", Queues: []string{"support"}})
	})
	ctx := context.Background()
	to := channel.Address{Kind: channel.Custom, ID: "user-7"}
	_, _, err := f.Start(ctx, "ana", parley.Opening{Touchpoint: "app", To: to, Text: "Your refund is ready", Subject: "Refund"})
	require.NoError(t, err)
	_, _, err = f.Start(ctx, "ana", parley.Opening{Touchpoint: "app", To: to, Text: "again"})
	assert.ErrorIs(t, err, conversation.ErrOutboundExists)
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
	c, m, err := f.Start(ctx, "ana", parley.Opening{Touchpoint: "sms", To: sms("+14155550123"), Text: "Your order shipped"})
	require.NoError(t, err)
	assert.Equal(t, "ana", c.AssigneeID, "Start makes it the starting agent's")
	assert.Equal(t, conversation.Assigned, c.Status)
	assert.Equal(t, conversation.DeliverySent, m.Delivery.Status)
	assert.Error(t, <-replied, "bo's reply comes after, to a conversation that is ana's")
	got, err := f.Conversation(ctx, parley.SystemActor, c.ID)
	require.NoError(t, err)
	assert.Equal(t, conversation.Assigned, got.Status, "not closed under anyone")
	assert.Equal(t, "ana", got.AssigneeID)
}

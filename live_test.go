package parley_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
)

// Live reads each agent's presence, load, held and offered conversations,
// and each queue's waiting count, oldest wait and longest-waiting
// conversation, as routing holds them.
func TestLive(t *testing.T) {
	f := newFixture(t, func(c *parley.Config) {
		touchpointOf(c, "chat").Routing = routing.Policy{Mode: routing.Automatic, Offer: true}
	})
	ctx := context.Background()
	first := receive(t, f, "wa", wa("+14155550101"), "p1", "hello").Conversation.ID
	f.Clock.Advance(2 * time.Minute)
	second := receive(t, f, "sms", sms("+14155550102"), "p2", "hi").Conversation.ID
	f.Clock.Advance(time.Minute)
	third := receive(t, f, "sms", sms("+14155550103"), "p3", "hey").Conversation.ID
	require.NoError(t, f.Assign(ctx, "ana", second, "ana"))
	chat := receive(t, f, "chat", channel.Address{Kind: channel.WebChat, ID: "v-1"}, "p4", "hi")
	require.Equal(t, routing.Offered, chat.Routing.Outcome, "precondition")
	require.NoError(t, f.SetPresence(ctx, "cy", routing.Away))
	f.Clock.Advance(30 * time.Second)

	v, err := f.Live(ctx)
	require.NoError(t, err)
	assert.Equal(t, f.Clock.Now(), v.At)
	byID := map[string]parley.AgentView{}
	for _, a := range v.Agents {
		byID[a.ID] = a
	}
	require.Len(t, v.Agents, 3)
	assert.Equal(t, []string{"ana", "bo", "cy"}, []string{v.Agents[0].ID, v.Agents[1].ID, v.Agents[2].ID}, "sorted by ID")
	ana := byID["ana"]
	assert.Equal(t, 5, ana.Load, "an SMS weighs 5")
	assert.Equal(t, 100, ana.Capacity)
	assert.Equal(t, []conversation.ID{second}, ana.Held)
	assert.Equal(t, routing.Available, ana.Presence)
	offeredTo := byID[chat.Routing.AgentID]
	assert.Equal(t, []conversation.ID{chat.Conversation.ID}, offeredTo.Offered)
	assert.Equal(t, 30, offeredTo.Load, "an offer holds the web chat's room")
	assert.Equal(t, routing.Away, byID["cy"].Presence)

	require.Len(t, v.Queues, 2)
	sales, support := v.Queues[0], v.Queues[1]
	assert.Equal(t, parley.QueueView{Name: "support", Waiting: 2, OldestWait: 3*time.Minute + 30*time.Second, Longest: first}, support)
	assert.Equal(t, parley.QueueView{Name: "sales", Offered: 1}, sales)
	_ = third
}

// Live reads while the Desk routes: under -race, concurrent readings and
// assignments.
func TestLiveConcurrent(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var ids []conversation.ID
	for i := range 20 {
		ids = append(ids, receive(t, f, "sms", sms(fmt.Sprintf("+141555502%02d", i)), fmt.Sprint("q", i), "hi").Conversation.ID)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for _, id := range ids {
			_ = f.Assign(ctx, "ana", id, "ana")
		}
	})
	for range 2 {
		wg.Go(func() {
			for range 20 {
				v, err := f.Live(ctx)
				assert.NoError(t, err)
				for _, a := range v.Agents {
					assert.LessOrEqual(t, a.Load, a.Capacity)
				}
			}
		})
	}
	wg.Wait()
	v, err := f.Live(ctx)
	require.NoError(t, err)
	assert.Equal(t, 100, v.Agents[0].Load, "ana: 20 SMS of 5 points")
	assert.Zero(t, v.Queues[1].Waiting)
}

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
	"github.com/parleyhq/parley/parleytest"
	"github.com/parleyhq/parley/routing"
)

func TestTransferSendToInboxAndEscalate(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rc := receive(t, f, "wa", wa("+14155550100"), "w1", "Hello")
	id := rc.Conversation.ID
	require.NoError(t, f.Assign(ctx, id, "ana"))

	assert.ErrorIs(t, f.Assign(ctx, id, "bo"), conversation.ErrInvalidTransition, "an assigned conversation is not in the inbox")
	require.NoError(t, f.Transfer(ctx, id, "bo"))
	c, err := f.Conversation(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, "bo", c.AssigneeID)

	require.NoError(t, f.Escalate(ctx, id))
	assert.Contains(t, f.Publisher.Names(), "conversation.escalated")

	require.NoError(t, f.SendToInbox(ctx, id))
	c, err = f.Conversation(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, conversation.Queued, c.Status)
	assert.Empty(t, c.AssigneeID)

	inbox, err := f.Inbox(ctx, "ana", routing.OldestFirst)
	require.NoError(t, err)
	require.Len(t, inbox, 1)
	assert.Equal(t, id, inbox[0].ID)
	inbox, err = f.Inbox(ctx, "cy", routing.OldestFirst)
	require.NoError(t, err)
	assert.Empty(t, inbox, "cy is not in the support queue")
}

func TestCapacityRefusesAndReleaseFrees(t *testing.T) {
	f := newFixture(t, func(c *parley.Config) {
		c.Agents = []routing.Agent{{ID: "ana", Queues: []string{"support"}, Capacity: 25}}
	})
	ctx := context.Background()
	a := receive(t, f, "wa", wa("+14155550101"), "w1", "1")
	b := receive(t, f, "wa", wa("+14155550102"), "w2", "2")
	require.NoError(t, f.Assign(ctx, a.Conversation.ID, "ana"))
	err := f.Assign(ctx, b.Conversation.ID, "ana")
	var ce *routing.CapacityError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 20, ce.Load)
	assert.Equal(t, 20, ce.Weight)
	_, err = f.Reply(ctx, "ana", b.Conversation.ID, "hi")
	assert.ErrorIs(t, err, routing.ErrOverCapacity, "a reply cannot auto-assign past capacity")
	assert.Empty(t, f.Transport.Sent())

	require.NoError(t, f.End(ctx, a.Conversation.ID))
	require.NoError(t, f.Assign(ctx, b.Conversation.ID, "ana"))
	assert.ErrorIs(t, f.End(ctx, a.Conversation.ID), conversation.ErrInvalidTransition, "ending twice")
	require.NoError(t, f.Close(ctx, a.Conversation.ID, "done"))
}

func TestOffersAcceptRejectAndExpire(t *testing.T) {
	f := newFixture(t, func(c *parley.Config) {
		c.Options = map[string]parley.TouchpointOptions{"wa": {Routing: routing.Touchpoint{Mode: routing.Automatic, Offer: true}}}
	})
	ctx := context.Background()
	rc := receive(t, f, "wa", wa("+14155550100"), "w1", "Hello")
	require.Equal(t, routing.Offered, rc.Routing.Outcome)
	first := rc.Routing.AgentID
	assert.Equal(t, f.Clock.Now().Add(routing.DefaultOfferTimeout), rc.Routing.Deadline)

	require.NoError(t, f.Reject(ctx, rc.Conversation.ID, first))
	next := lastOffer(f, rc.Conversation.ID)
	require.NotEmpty(t, next)
	assert.NotEqual(t, first, next, "never back to one who declined")

	f.Clock.Advance(routing.DefaultOfferTimeout)
	require.NoError(t, f.Tick(ctx))
	c, err := f.Conversation(ctx, rc.Conversation.ID)
	require.NoError(t, err)
	assert.Equal(t, conversation.Queued, c.Status, "both agents passed: it waits")

	rc2 := receive(t, f, "wa", wa("+14155550101"), "w2", "Hi")
	require.Equal(t, routing.Offered, rc2.Routing.Outcome)
	require.NoError(t, f.Accept(ctx, rc2.Conversation.ID, rc2.Routing.AgentID))
	c, err = f.Conversation(ctx, rc2.Conversation.ID)
	require.NoError(t, err)
	assert.Equal(t, conversation.Assigned, c.Status)
	assert.Equal(t, rc2.Routing.AgentID, c.AssigneeID)
	assert.Contains(t, f.Publisher.Names(), "conversation.offered")
}

// lastOffer returns the agent the conversation was last offered to, from
// the published events.
func lastOffer(f *parleytest.Desk, id conversation.ID) string {
	agent := ""
	for _, e := range f.Publisher.Events() {
		if o, ok := e.(parley.OfferedEvent); ok && o.Conversation() == id {
			agent = o.AgentID
		}
	}
	return agent
}

func TestDedicatedTouchpoint(t *testing.T) {
	f := newFixture(t, func(c *parley.Config) {
		c.Options = map[string]parley.TouchpointOptions{"sms": {Routing: routing.Touchpoint{Mode: routing.Dedicated, Agent: "bo"}}}
	})
	rc := receive(t, f, "sms", sms("+14155550100"), "s1", "hi")
	assert.Equal(t, routing.Assigned, rc.Routing.Outcome)
	assert.True(t, rc.Routing.Dedicated)
	assert.Equal(t, "bo", rc.Conversation.AssigneeID)
	assert.Equal(t, conversation.AssignDedicated, rc.Conversation.AssignMode)
}

func TestBotHandOffAndTranscript(t *testing.T) {
	f := newFixture(t, func(c *parley.Config) {
		c.Touchpoints = append(c.Touchpoints, channel.Touchpoint{ID: "app", Kind: channel.Custom, Address: "app-1", Queues: []string{"support"}})
		c.Options = map[string]parley.TouchpointOptions{"app": {Bot: true}}
	})
	ctx := context.Background()
	at := f.Clock.Now().Add(-time.Minute)
	rc, err := f.Receive(ctx, parley.Inbound{Touchpoint: "app", From: channel.Address{Kind: channel.Custom, ID: "user-7"},
		ProviderID: "i1", Text: "I want a human", InteractionID: "chat-1",
		Transcript: []parley.Turn{
			{Author: conversation.AuthorContact, Text: "hi bot", At: at},
			{Author: conversation.AuthorBot, Text: "hello! how can I help?", At: at.Add(time.Second)},
		}})
	require.NoError(t, err)
	assert.Equal(t, conversation.Bot, rc.Conversation.Status)
	assert.Equal(t, 1, rc.Conversation.Unread, "imported history is never unread")

	_, err = f.Reply(ctx, "ana", rc.Conversation.ID, "hi")
	assert.ErrorIs(t, err, routing.ErrNotVisible, "the bot holds it until hand-off")

	require.NoError(t, f.HandOff(ctx, rc.Conversation.ID))
	_, err = f.Reply(ctx, "ana", rc.Conversation.ID, "A human here")
	require.NoError(t, err)
	c, err := f.Conversation(ctx, rc.Conversation.ID)
	require.NoError(t, err)
	assert.True(t, c.BotPaused, "assigning an agent pauses the bot")

	page, err := f.Messages(ctx, conversation.MessageQuery{ConversationID: c.ID, Order: conversation.OldestFirst})
	require.NoError(t, err)
	require.Len(t, page.Messages, 4)
	assert.True(t, page.Messages[0].Imported)
	assert.True(t, page.Messages[1].Imported)
	assert.Equal(t, "I want a human", page.Messages[2].Text)

	// Another interaction of the same user is a conversation of its own.
	rc2, err := f.Receive(ctx, parley.Inbound{Touchpoint: "app", From: channel.Address{Kind: channel.Custom, ID: "user-7"}, ProviderID: "i2", Text: "other topic", InteractionID: "chat-2"})
	require.NoError(t, err)
	assert.True(t, rc2.Started)
	assert.NotEqual(t, rc.Conversation.ID, rc2.Conversation.ID)
}

func TestOutboundOnCustomChannelOnlyOnce(t *testing.T) {
	f := newFixture(t, func(c *parley.Config) {
		c.Touchpoints = append(c.Touchpoints, channel.Touchpoint{ID: "app", Kind: channel.Custom, Address: "app-1", Queues: []string{"support"}})
	})
	ctx := context.Background()
	to := channel.Address{Kind: channel.Custom, ID: "user-7"}
	_, _, err := f.Start(ctx, "ana", parley.Outbound{Touchpoint: "app", To: to, Text: "Your refund is ready", Subject: "Refund"})
	require.NoError(t, err)
	_, _, err = f.Start(ctx, "ana", parley.Outbound{Touchpoint: "app", To: to, Text: "again"})
	assert.ErrorIs(t, err, conversation.ErrOutboundExists)
}

func TestAttachmentsFollowTheChannel(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rc := receive(t, f, "sms", sms("+442071838750"), "s1", "hi")
	photo := conversation.Attachment{URL: "https://example.com/p.jpg", Attachment: channel.Attachment{Name: "p.jpg", MIMEType: "image/jpeg", Size: 100_000}}
	m, err := f.SendAttachments(ctx, "ana", rc.Conversation.ID, "", []conversation.Attachment{photo})
	assert.ErrorIs(t, err, channel.ErrMMSNotAllowed, "MMS only between US and Canadian numbers")
	require.NotNil(t, m)
	assert.Equal(t, conversation.DeliveryFailed, m.Delivery.Status)

	wrc := receive(t, f, "wa", wa("+14155550100"), "w1", "hi")
	big := conversation.Attachment{Attachment: channel.Attachment{Name: "big.jpg", MIMEType: "image/jpeg", Size: 6 << 20}}
	_, err = f.SendAttachments(ctx, "ana", wrc.Conversation.ID, "", []conversation.Attachment{big})
	assert.ErrorIs(t, err, channel.ErrAttachmentTooLarge, "WhatsApp images are at most 5 MB")

	note := conversation.Attachment{URL: "https://example.com/v.ogg", Attachment: channel.Attachment{Name: "v.ogg", MIMEType: "audio/ogg", Size: 50_000, Duration: time.Minute, VoiceNote: true}}
	_, err = f.SendAttachments(ctx, "ana", wrc.Conversation.ID, "", []conversation.Attachment{note})
	require.NoError(t, err)
	sent := f.Transport.Sent()
	require.NotEmpty(t, sent)
	assert.True(t, sent[len(sent)-1].Attachments[0].VoiceNote, "WhatsApp plays voice notes")
}

func TestNotesAreNeverSent(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rc := receive(t, f, "wa", wa("+14155550100"), "w1", "hi")
	m, err := f.Note(ctx, "ana", rc.Conversation.ID, "VIP customer, be nice")
	require.NoError(t, err)
	assert.True(t, m.Internal)
	assert.Empty(t, f.Transport.Sent())
	_, err = f.Note(ctx, "cy", rc.Conversation.ID, "peek")
	assert.ErrorIs(t, err, routing.ErrNotVisible)
}

func TestMarkReadSearchHistoryAndErase(t *testing.T) {
	f := newFixture(t, func(c *parley.Config) { c.Supervisors = []string{"cy"} })
	ctx := context.Background()
	rc := receive(t, f, "wa", wa("+14155550100"), "w1", "hi")
	receive(t, f, "wa", wa("+14155550100"), "w2", "hello?")
	require.NoError(t, f.Assign(ctx, rc.Conversation.ID, "ana"))
	require.NoError(t, f.MarkRead(ctx, "ana", rc.Conversation.ID))
	c, err := f.Conversation(ctx, rc.Conversation.ID)
	require.NoError(t, err)
	assert.Zero(t, c.Unread)

	page, err := f.Search(ctx, "bo", conversation.Query{Text: "4155550100"})
	require.NoError(t, err)
	assert.Empty(t, page.Conversations, "assigned to ana: bo may not see it")
	page, err = f.Search(ctx, "cy", conversation.Query{Text: "4155550100"})
	require.NoError(t, err)
	assert.Len(t, page.Conversations, 1, "a supervisor sees everything")
	page, err = f.History(ctx, "ana", "whatsapp:+14155550100", "")
	require.NoError(t, err)
	assert.Len(t, page.Conversations, 1)

	er, err := f.Erase(ctx, wa("+14155550100"))
	require.NoError(t, err)
	assert.Equal(t, 1, er.Conversations)
	assert.Equal(t, 2, er.Messages)
	_, err = f.Conversation(ctx, rc.Conversation.ID)
	assert.ErrorIs(t, err, conversation.ErrNotFound)
}

func TestAwayMessageAndAutoReply(t *testing.T) {
	weekdays := routing.Schedule{Location: time.UTC}
	for d := time.Monday; d <= time.Friday; d++ {
		weekdays.Week[d] = []routing.Span{{From: 9 * time.Hour, To: 17 * time.Hour}}
	}
	f := newFixture(t, func(c *parley.Config) {
		c.Options = map[string]parley.TouchpointOptions{
			"wa":  {Hours: &weekdays, AwayMessage: "We are closed; back at 9:00.", AutoReply: "Thanks, we will answer shortly."},
			"sms": {AutoReply: "Thanks, we will answer shortly."},
		}
	})
	receive(t, f, "wa", wa("+14155550100"), "w1", "during hours")
	f.Clock.Advance(10 * time.Hour) // Monday 19:00
	receive(t, f, "wa", wa("+14155550101"), "w2", "after hours")
	receive(t, f, "wa", wa("+14155550101"), "w3", "still there?")
	var texts []string
	for _, o := range f.Transport.Sent() {
		texts = append(texts, o.Text)
	}
	assert.Equal(t, []string{"Thanks, we will answer shortly.", "We are closed; back at 9:00."}, texts, "each automatic message once per conversation")
	assert.Contains(t, f.Publisher.Names(), "routing.outside_hours")
}

func TestVerifiedVisitorIsMatchedByEmail(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rc, err := f.Receive(ctx, parley.Inbound{Touchpoint: "chat", From: channel.Address{Kind: channel.WebChat, ID: "v-9"}, ProviderID: "c1", Text: "hi",
		Name: "Ana", Verified: channel.Address{Kind: channel.Email, ID: "Ana@Example.com"}})
	require.NoError(t, err)
	assert.Equal(t, "email:Ana@example.com", rc.Conversation.Contact.ID)
	assert.False(t, rc.Conversation.Contact.Anonymous)

	_, err = f.Receive(ctx, parley.Inbound{Touchpoint: "chat", From: channel.Address{Kind: channel.WebChat, ID: "v-9"}, ProviderID: "c2", Text: "hi",
		Verified: channel.Address{Kind: channel.Email, ID: "not an address"}})
	assert.ErrorIs(t, err, channel.ErrInvalidAddress)
}

// TestConcurrentReceiveAndReply drives one desk from many goroutines under
// -race: one conversation per contact, every message stored once, no agent
// over capacity.
func TestConcurrentReceiveAndReply(t *testing.T) {
	f := newFixture(t, func(c *parley.Config) {
		c.Options = map[string]parley.TouchpointOptions{"wa": {Routing: routing.Touchpoint{Mode: routing.Automatic}}}
	})
	ctx := context.Background()
	const contacts, perContact = 12, 10
	var wg sync.WaitGroup
	for i := range contacts {
		for j := range perContact {
			wg.Go(func() {
				from := wa(fmt.Sprintf("+1415555%04d", i))
				in := parley.Inbound{Touchpoint: "wa", From: from, ProviderID: fmt.Sprintf("w-%d-%d", i, j), Text: "hi"}
				rc, err := f.Receive(ctx, in)
				if !assert.NoError(t, err) {
					return
				}
				_, _ = f.Receive(ctx, in) // a provider retry, concurrently
				if rc.Conversation.AssigneeID != "" {
					_, _ = f.Reply(ctx, rc.Conversation.AssigneeID, rc.Conversation.ID, "on it")
				}
			})
		}
	}
	wg.Wait()

	byContact := map[string]int{}
	load := map[string]int{}
	for i := range contacts {
		hist, err := f.History(ctx, "bo", fmt.Sprintf("whatsapp:+1415555%04d", i), "")
		require.NoError(t, err)
		for _, c := range hist.Conversations {
			byContact[c.Contact.ID]++
			msgs, err := f.Messages(ctx, conversation.MessageQuery{ConversationID: c.ID, Limit: conversation.MaxLimit})
			require.NoError(t, err)
			inbound := 0
			for _, m := range msgs.Messages {
				if m.Direction == conversation.Inbound {
					inbound++
				}
			}
			assert.Equal(t, perContact, inbound, "every message stored exactly once")
			if c.Status == conversation.Assigned {
				load[c.AssigneeID] += 20
			}
		}
	}
	for contact, n := range byContact {
		assert.Equal(t, 1, n, "%s has one open conversation", contact)
	}
	for agent, l := range load {
		assert.LessOrEqual(t, l, routing.DefaultCapacity, "%s over capacity", agent)
	}
}

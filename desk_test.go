package parley_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/optout"
	"github.com/parleyhq/parley/parleytest"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/template"
)

func newFixture(t *testing.T, mutate ...func(*parley.Config)) *parleytest.Desk {
	t.Helper()
	lib := template.NewLibrary(template.Options{})
	require.NoError(t, lib.Add(template.Snippet{Shortcut: "greet", Title: "Greeting", Variants: []template.Variant{
		{Body: `Hi {{contact.first_name | default: "there"}}, this is {{company}}.`},
		{Language: language.Spanish, Body: `Hola {{contact.first_name | default: "amigo"}}, somos {{company}}.`},
	}}))
	cfg := parley.Config{
		Touchpoints: []channel.Touchpoint{
			{ID: "wa", Kind: channel.WhatsApp, Address: "+14155550000", Queues: []string{"support"}},
			{ID: "sms", Kind: channel.SMS, Address: "+14155550001", Queues: []string{"support"}},
			{ID: "sms2", Kind: channel.SMS, Address: "+14155550002", Queues: []string{"support"}},
			{ID: "chat", Kind: channel.WebChat, Address: "site", Queues: []string{"sales"}},
		},
		Agents: []routing.Agent{
			{ID: "ana", Queues: []string{"support"}},
			{ID: "bo", Queues: []string{"support", "sales"}},
			{ID: "cy", Queues: []string{"sales"}},
		},
		Snippets:  lib,
		Variables: map[string]string{"company": "Acme"},
		Templates: []template.WhatsApp{{
			Name: "order_update", Language: language.AmericanEnglish, Category: template.Utility,
			Status: template.Approved, Body: "Your order {{1}} has shipped.",
		}},
	}
	for _, m := range mutate {
		m(&cfg)
	}
	return parleytest.NewDesk(t, cfg)
}

func wa(id string) channel.Address  { return channel.Address{Kind: channel.WhatsApp, ID: id} }
func sms(id string) channel.Address { return channel.Address{Kind: channel.SMS, ID: id} }

func receive(t *testing.T, f *parleytest.Desk, tp string, from channel.Address, pid, text string) parley.Receipt {
	t.Helper()
	rc, err := f.Receive(context.Background(), parley.Inbound{Touchpoint: tp, From: from, ProviderID: pid, Text: text})
	require.NoError(t, err)
	return rc
}

func TestNewListsEveryProblem(t *testing.T) {
	_, err := parley.New(parley.Config{
		Touchpoints: []channel.Touchpoint{{ID: "wa", Kind: channel.WhatsApp, Address: "+14155550000"}},
		Options:     map[string]parley.TouchpointOptions{"nope": {}},
		Supervisors: []string{"ghost"},
	})
	var ce *parley.ConfigError
	require.ErrorAs(t, err, &ce)
	assert.ErrorIs(t, err, parley.ErrInvalidConfig)
	assert.GreaterOrEqual(t, len(ce.Problems), 3, "problems: %v", ce.Problems)
	assert.Contains(t, err.Error(), "Transport is required")
	assert.Contains(t, err.Error(), `unknown touchpoint "nope"`)
	assert.Contains(t, err.Error(), `supervisor "ghost"`)
}

func TestZeroConfigDeskWorks(t *testing.T) {
	d, err := parley.New(parley.Config{Transport: parleytest.NewTransport()})
	require.NoError(t, err)
	_, err = d.Receive(context.Background(), parley.Inbound{Touchpoint: "x", From: wa("+14155550100")})
	assert.ErrorIs(t, err, parley.ErrUnknownTouchpoint)
}

func TestReceiveOpensQueuedConversationAndDeduplicates(t *testing.T) {
	f := newFixture(t)
	rc := receive(t, f, "wa", wa("+1 (415) 555-0100"), "wamid.1", "Hello")
	require.True(t, rc.Started)
	assert.Equal(t, conversation.Queued, rc.Conversation.Status)
	assert.Equal(t, "whatsapp:+14155550100", rc.Conversation.Contact.ID)
	assert.Equal(t, 1, rc.Conversation.Unread)
	assert.Equal(t, routing.Queued, rc.Routing.Outcome)

	again := receive(t, f, "wa", wa("+14155550100"), "wamid.1", "Hello")
	assert.True(t, again.Duplicate)
	assert.Equal(t, rc.Message.ID, again.Message.ID)
	assert.Equal(t, 1, again.Conversation.Unread, "a retry must not count twice")

	second := receive(t, f, "wa", wa("+14155550100"), "wamid.2", "Anyone?")
	assert.False(t, second.Started)
	assert.Equal(t, rc.Conversation.ID, second.Conversation.ID)
	assert.Equal(t, 2, second.Conversation.Unread)

	_, err := f.Receive(context.Background(), parley.Inbound{Touchpoint: "wa", From: sms("+14155550100"), ProviderID: "x"})
	assert.ErrorIs(t, err, parley.ErrWrongChannel)
}

func TestReplyAssignsAndSends(t *testing.T) {
	f := newFixture(t)
	rc := receive(t, f, "wa", wa("+14155550100"), "wamid.1", "Hello")
	ctx := context.Background()

	_, err := f.Reply(ctx, "cy", rc.Conversation.ID, "I am in sales")
	assert.ErrorIs(t, err, routing.ErrNotVisible)
	assert.Empty(t, f.Transport.Sent())

	m, err := f.Reply(ctx, "ana", rc.Conversation.ID, "Hi, how can I help?")
	require.NoError(t, err)
	assert.Equal(t, conversation.DeliverySent, m.Delivery.Status)
	assert.Equal(t, "fake-1", m.ProviderID)
	c, err := f.Conversation(ctx, rc.Conversation.ID)
	require.NoError(t, err)
	assert.Equal(t, conversation.Assigned, c.Status)
	assert.Equal(t, "ana", c.AssigneeID)
	require.Len(t, f.Transport.Sent(), 1)
	assert.Equal(t, wa("+14155550100"), f.Transport.Sent()[0].To)

	_, err = f.Reply(ctx, "bo", rc.Conversation.ID, "me too")
	assert.ErrorIs(t, err, routing.ErrNotVisible, "an assigned conversation is its assignee's")
	assert.Contains(t, f.Publisher.Names(), "conversation.assigned")
	assert.Contains(t, f.Publisher.Names(), "message.sent")
}

func TestWindowLocksFreeFormButNotTemplates(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rc := receive(t, f, "wa", wa("+14155550100"), "wamid.1", "Hello")
	require.NoError(t, f.Assign(ctx, rc.Conversation.ID, "ana"))

	f.Clock.Advance(24*time.Hour - time.Millisecond)
	_, err := f.Reply(ctx, "ana", rc.Conversation.ID, "just in time")
	require.NoError(t, err)

	f.Clock.Advance(time.Millisecond)
	m, err := f.Reply(ctx, "ana", rc.Conversation.ID, "too late")
	var wc *session.WindowClosedError
	require.ErrorAs(t, err, &wc)
	assert.Equal(t, parleytest.Epoch.Add(24*time.Hour), wc.ClosedAt)
	require.NotNil(t, m, "the refused message is returned")
	assert.Equal(t, conversation.DeliveryFailed, m.Delivery.Status)
	assert.NotEmpty(t, m.Delivery.Reason)
	assert.Len(t, f.Transport.Sent(), 1, "nothing sent after the window closed")

	comp, err := f.Composer(ctx, "ana", rc.Conversation.ID)
	require.NoError(t, err)
	assert.False(t, comp.CanReply)
	assert.True(t, comp.Templates)

	m, err = f.SendTemplate(ctx, "ana", rc.Conversation.ID, "order_update", language.AmericanEnglish, map[string]string{"1": "#42"})
	require.NoError(t, err)
	assert.Equal(t, "Your order #42 has shipped.", m.Text)
	assert.Len(t, f.Transport.Sent(), 2)

	receive(t, f, "wa", wa("+14155550100"), "wamid.2", "Thanks!")
	_, err = f.Reply(ctx, "ana", rc.Conversation.ID, "You're welcome")
	assert.NoError(t, err, "the contact's message reopens the window")
}

func TestSMSStopAndStartAcrossTheScope(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rc := receive(t, f, "sms", sms("+14155550100"), "SM1", "stop.")
	assert.Equal(t, optout.OptOut, rc.Keyword)
	require.NotNil(t, rc.Reply)
	assert.Equal(t, conversation.DeliverySent, rc.Reply.Delivery.Status, "the STOP confirmation goes out")
	require.Len(t, f.Transport.Sent(), 1)

	m, err := f.Reply(ctx, "ana", rc.Conversation.ID, "Are you sure?")
	assert.ErrorIs(t, err, optout.ErrOptedOut)
	require.NotNil(t, m)
	assert.Equal(t, conversation.DeliveryFailed, m.Delivery.Status)

	// The opt-out covers the other number of the scope too.
	rc2 := receive(t, f, "sms2", sms("+14155550100"), "SM2", "hello?")
	_, err = f.Reply(ctx, "bo", rc2.Conversation.ID, "hi")
	assert.ErrorIs(t, err, optout.ErrOptedOut)
	assert.Len(t, f.Transport.Sent(), 1)

	rc3 := receive(t, f, "sms", sms("+14155550100"), "SM3", "START")
	assert.Equal(t, optout.OptIn, rc3.Keyword)
	_, err = f.Reply(ctx, "bo", rc2.Conversation.ID, "welcome back")
	assert.NoError(t, err)
	assert.Contains(t, f.Publisher.Names(), "contact.opted_out")
	assert.Contains(t, f.Publisher.Names(), "contact.opted_in")
}

func TestFollowUpKeepsAgent(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rc := receive(t, f, "wa", wa("+14155550100"), "w1", "Hello")
	require.NoError(t, f.Assign(ctx, rc.Conversation.ID, "bo"))
	require.NoError(t, f.Close(ctx, rc.Conversation.ID, "solved"))

	next := receive(t, f, "wa", wa("+14155550100"), "w2", "One more thing")
	require.True(t, next.Started)
	assert.Equal(t, rc.Conversation.ID, next.Conversation.Previous)
	assert.Equal(t, conversation.Assigned, next.Conversation.Status)
	assert.Equal(t, "bo", next.Conversation.AssigneeID)

	// A retry of the first message after the close is still a duplicate.
	dup := receive(t, f, "wa", wa("+14155550100"), "w1", "Hello")
	assert.True(t, dup.Duplicate)
	assert.Equal(t, rc.Conversation.ID, dup.Conversation.ID)
}

func TestAutomaticRoutingByCapacity(t *testing.T) {
	f := newFixture(t, func(c *parley.Config) {
		c.Agents = []routing.Agent{{ID: "ana", Queues: []string{"support"}, Capacity: 40}}
		c.Options = map[string]parley.TouchpointOptions{"wa": {
			Routing:     routing.Touchpoint{Mode: routing.Automatic},
			BusyMessage: "All our agents are busy; we will answer soon.",
		}}
	})
	ctx := context.Background()
	a := receive(t, f, "wa", wa("+14155550101"), "w1", "1")
	b := receive(t, f, "wa", wa("+14155550102"), "w2", "2")
	c := receive(t, f, "wa", wa("+14155550103"), "w3", "3")
	assert.Equal(t, routing.Assigned, a.Routing.Outcome)
	assert.Equal(t, routing.Assigned, b.Routing.Outcome)
	assert.Equal(t, routing.Waiting, c.Routing.Outcome, "20+20 fill 40; a third does not fit")
	assert.Equal(t, "ana", a.Conversation.AssigneeID)
	require.Len(t, f.Transport.Sent(), 1, "the busy message, once")
	assert.Equal(t, "All our agents are busy; we will answer soon.", f.Transport.Sent()[0].Text)

	receive(t, f, "wa", wa("+14155550103"), "w4", "hello??")
	assert.Len(t, f.Transport.Sent(), 1, "busy is said once per conversation")

	require.NoError(t, f.End(ctx, a.Conversation.ID))
	got, err := f.Conversation(ctx, c.Conversation.ID)
	require.NoError(t, err)
	assert.Equal(t, conversation.Assigned, got.Status, "freed capacity takes the waiting conversation")
	assert.Equal(t, "ana", got.AssigneeID)
}

func TestTransportFailureIsRecorded(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rc := receive(t, f, "wa", wa("+14155550100"), "w1", "Hello")
	f.Transport.FailNext(parleytest.Permanent("invalid recipient"))
	m, err := f.Reply(ctx, "ana", rc.Conversation.ID, "hi")
	assert.ErrorIs(t, err, parley.ErrPermanent)
	require.NotNil(t, m)
	assert.Equal(t, conversation.DeliveryFailed, m.Delivery.Status)
	assert.Contains(t, m.Delivery.Reason, "invalid recipient")

	f.Transport.FailNext(errors.New("connection reset"))
	_, err = f.Reply(ctx, "ana", rc.Conversation.ID, "hi again")
	assert.ErrorIs(t, err, parley.ErrTemporary)

	m, err = f.Reply(ctx, "ana", rc.Conversation.ID, "third time")
	require.NoError(t, err)
	changed, err := f.UpdateDelivery(ctx, parley.DeliveryReport{Touchpoint: "wa", ProviderID: m.ProviderID, Status: conversation.DeliveryRead})
	require.NoError(t, err)
	assert.True(t, changed)
	changed, err = f.UpdateDelivery(ctx, parley.DeliveryReport{Touchpoint: "wa", ProviderID: m.ProviderID, Status: conversation.DeliveryDelivered})
	require.NoError(t, err)
	assert.False(t, changed, "a late callback never moves status back")
}

func TestSnippetResolvesLanguageAndRenders(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rc, err := f.Receive(ctx, parley.Inbound{Touchpoint: "wa", From: wa("+14155550100"), ProviderID: "w1", Text: "Hola", Name: "María López", Locale: "es-MX"})
	require.NoError(t, err)
	m, err := f.SendSnippet(ctx, "ana", rc.Conversation.ID, "/greet", nil)
	require.NoError(t, err)
	assert.Equal(t, "Hola María, somos Acme.", m.Text)
}

func TestBlockedCountryRefused(t *testing.T) {
	f := newFixture(t)
	rc := receive(t, f, "wa", wa("+5372345678"), "w1", "hola")
	_, err := f.Reply(context.Background(), "ana", rc.Conversation.ID, "hi")
	assert.ErrorIs(t, err, parley.ErrBlockedCountry)
	assert.Empty(t, f.Transport.Sent())
}

func TestAnonymousVisitorsAreNamed(t *testing.T) {
	f := newFixture(t)
	rc := receive(t, f, "chat", channel.Address{Kind: channel.WebChat, ID: "v-1"}, "c1", "hi")
	assert.Equal(t, "Visitor #1", rc.Conversation.Contact.Name)
	rc = receive(t, f, "chat", channel.Address{Kind: channel.WebChat, ID: "v-2"}, "c2", "hi")
	assert.Equal(t, "Visitor #2", rc.Conversation.Contact.Name)
}

func TestStartOutbound(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	_, _, err := f.Start(ctx, "ana", parley.Outbound{Touchpoint: "wa", To: wa("+14155550100"), Text: "hello"})
	assert.ErrorIs(t, err, parley.ErrBusinessInitiated, "free-form WhatsApp needs an open window")

	c, m, err := f.Start(ctx, "ana", parley.Outbound{Touchpoint: "wa", To: wa("+14155550100"),
		Template: &parley.TemplateMessage{Name: "order_update", Language: "en_US", Params: map[string]string{"1": "#7"}}})
	require.NoError(t, err)
	assert.Equal(t, conversation.Outbound, c.Direction)
	assert.Equal(t, "ana", c.AssigneeID)
	assert.Equal(t, "Your order #7 has shipped.", m.Text)

	_, _, err = f.Start(ctx, "ana", parley.Outbound{Touchpoint: "chat", To: channel.Address{Kind: channel.WebChat, ID: "v"}, Text: "hi"})
	assert.ErrorIs(t, err, parley.ErrBusinessInitiated)
}

func TestHelpWhileOptedOutIsRecordedNotFailed(t *testing.T) {
	f := newFixture(t)
	receive(t, f, "sms", sms("+14155550100"), "SM1", "STOP")
	rc := receive(t, f, "sms", sms("+14155550100"), "SM2", "HELP")
	assert.Equal(t, optout.Help, rc.Keyword)
	require.NotNil(t, rc.Reply)
	assert.Equal(t, conversation.DeliveryFailed, rc.Reply.Delivery.Status, "only the STOP confirmation passes an opt-out")
	assert.Contains(t, rc.Reply.Delivery.Reason, "opted out")
	assert.Len(t, f.Transport.Sent(), 1)
}

func TestLateStopWebhookStillConfirmed(t *testing.T) {
	f := newFixture(t)
	f.Clock.Advance(3 * time.Hour)
	rc, err := f.Receive(context.Background(), parley.Inbound{Touchpoint: "sms", From: sms("+14155550100"), ProviderID: "SM1", Text: "STOP",
		At: f.Clock.Now().Add(-2 * time.Hour)}) // the provider retried for two hours
	require.NoError(t, err)
	require.NotNil(t, rc.Reply)
	assert.Equal(t, conversation.DeliverySent, rc.Reply.Delivery.Status)
}

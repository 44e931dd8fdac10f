package parley_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/parleytest"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/template"
)

// newFixture returns a ready Desk with its fakes: touchpoints wa
// (WhatsApp), sms and sms2 (SMS) for the support queue and chat (web
// chat) for sales; ana in support, bo in both, cy in sales; a /greet
// snippet in English and Spanish and an approved WhatsApp template.
// mutate changes the Config before the Desk is made.
// touchpointOf returns c's touchpoint id, for a test to set its routing,
// scope or automatic messages; it panics when c has none.
func touchpointOf(c *parley.Config, id string) *parley.Touchpoint {
	for i := range c.Touchpoints {
		if c.Touchpoints[i].ID == id {
			return &c.Touchpoints[i]
		}
	}
	panic("fixture has no touchpoint " + id)
}

func newFixture(t *testing.T, mutate ...func(*parley.Config)) *parleytest.Desk {
	t.Helper()
	lib := template.NewLibrary(template.Options{})
	require.NoError(t, lib.Add(template.Snippet{Shortcut: "greet", Title: "Greeting", Variants: []template.Variant{
		{Body: `Hi {{contact.first_name | default: "there"}}, this is {{company}}.`},
		{Language: language.Spanish, Body: `Hola {{contact.first_name | default: "amigo"}}, somos {{company}}.`},
	}}))
	cfg := parley.Config{
		Touchpoints: []parley.Touchpoint{
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

// wa and sms are a contact's address on WhatsApp and on SMS.
func wa(id string) channel.Address  { return channel.Address{Kind: channel.WhatsApp, ID: id} }
func sms(id string) channel.Address { return channel.Address{Kind: channel.SMS, ID: id} }

// receive delivers one webhook and requires the Desk to accept it.
func receive(t *testing.T, f *parleytest.Desk, tp string, from channel.Address, pid, text string) parley.Receipt {
	t.Helper()
	rc, err := f.Receive(context.Background(), parley.Inbound{Touchpoint: tp, From: from, ProviderID: pid, Text: text})
	require.NoError(t, err)
	return rc
}

// status returns the stored conversation's status and assignee.
func status(t *testing.T, f *parleytest.Desk, id conversation.ID) (conversation.Status, string) {
	t.Helper()
	c, err := f.Conversation(context.Background(), parley.SystemActor, id)
	require.NoError(t, err)
	return c.Status, c.AssigneeID
}

// storedMessages returns conversation id's messages, oldest first.
func storedMessages(t *testing.T, f *parleytest.Desk, id conversation.ID) []*conversation.Message {
	t.Helper()
	page, err := f.Messages(context.Background(), parley.SystemActor, conversation.MessageQuery{ConversationID: id, Sort: conversation.Oldest})
	require.NoError(t, err)
	return page.Messages
}

// requireRefused checks that a refusal is never silently dropped: an
// error to branch on, the refused message returned failed with its reason
// and stored as failed, and nothing sent.
func requireRefused(t *testing.T, f *parleytest.Desk, id conversation.ID, m *conversation.Message, err, want error) {
	t.Helper()
	require.ErrorIs(t, err, want)
	require.NotNil(t, m, "the refused message is returned")
	assert.Equal(t, conversation.DeliveryFailed, m.Delivery.Status)
	assert.NotEmpty(t, m.Delivery.Reason)
	assert.Empty(t, f.Transport.Attempts(), "nothing is sent")
	msgs := storedMessages(t, f, id)
	require.NotEmpty(t, msgs)
	last := msgs[len(msgs)-1]
	assert.Equal(t, m.ID, last.ID, "the refused message is stored")
	assert.Equal(t, conversation.DeliveryFailed, last.Delivery.Status)
	assert.Equal(t, m.Delivery.Reason, last.Delivery.Reason)
	assert.Contains(t, f.Publisher.Names(), "message.failed")
}

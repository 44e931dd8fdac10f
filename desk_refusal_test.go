package parley_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/parleytest"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/template"
)

// storedMessages returns conversation id's messages, oldest first.
func storedMessages(t *testing.T, f *parleytest.Desk, id conversation.ID) []*conversation.Message {
	t.Helper()
	page, err := f.Messages(context.Background(), conversation.MessageQuery{ConversationID: id, Order: conversation.OldestFirst})
	require.NoError(t, err)
	return page.Messages
}

// requireRefused checks the refusal rule of DESIGN.md §7: an error to
// branch on, the refused message returned failed with its reason and
// stored as failed, and nothing sent.
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

func TestReplyOverCapacityIsRefusedAndRecorded(t *testing.T) {
	f := newFixture(t, func(c *parley.Config) {
		c.Agents = []routing.Agent{{ID: "ana", Queues: []string{"support"}, Capacity: 25}}
	})
	ctx := context.Background()
	a := receive(t, f, "wa", wa("+14155550101"), "w1", "1")
	b := receive(t, f, "wa", wa("+14155550102"), "w2", "2")
	require.NoError(t, f.Assign(ctx, a.Conversation.ID, "ana"))

	m, err := f.Reply(ctx, "ana", b.Conversation.ID, "hi")
	requireRefused(t, f, b.Conversation.ID, m, err, routing.ErrOverCapacity)
	assert.Equal(t, "hi", m.Text)
	c, err := f.Conversation(ctx, b.Conversation.ID)
	require.NoError(t, err)
	assert.Equal(t, conversation.Queued, c.Status, "a refused reply assigns nobody")
}

// A reply to a conversation the agent may not see is returned failed but
// not stored: the conversation is not the agent's to write into.
func TestReplyNotVisibleIsReturnedNotStored(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rc := receive(t, f, "wa", wa("+14155550100"), "w1", "Hello") // queue support; cy is in sales

	m, err := f.Reply(ctx, "cy", rc.Conversation.ID, "hi")
	require.ErrorIs(t, err, routing.ErrNotVisible)
	require.NotNil(t, m, "the refused message is returned")
	assert.Equal(t, conversation.DeliveryFailed, m.Delivery.Status)
	assert.Contains(t, m.Delivery.Reason, "not visible")
	assert.Equal(t, "hi", m.Text)
	assert.Len(t, storedMessages(t, f, rc.Conversation.ID), 1, "only the inbound message is stored")
	assert.Empty(t, f.Transport.Attempts())
}

func TestSnippetThatCannotBeMadeIsRefusedAndRecorded(t *testing.T) {
	tests := []struct {
		name     string
		shortcut string
		want     error
	}{
		{"unknown shortcut", "/nope", template.ErrSnippetNotFound},
		{"missing variable", "/track", template.ErrMissingVariable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, func(c *parley.Config) {
				require.NoError(t, c.Snippets.Add(template.Snippet{Shortcut: "track", Title: "Tracking",
					Variants: []template.Variant{{Body: "Track it at {{tracking_url}}."}}}))
			})
			ctx := context.Background()
			rc := receive(t, f, "wa", wa("+14155550100"), "w1", "Hello")
			m, err := f.SendSnippet(ctx, "ana", rc.Conversation.ID, tt.shortcut, nil)
			requireRefused(t, f, rc.Conversation.ID, m, err, tt.want)
			assert.Equal(t, tt.shortcut, m.Text, "the refused message is what the agent asked for")
		})
	}
}

func TestTemplateThatCannotBeSentIsRefusedAndRecorded(t *testing.T) {
	tests := []struct {
		name string
		tmpl string
		want error
	}{
		{"unknown", "no_such_template", parley.ErrUnknownTemplate},
		{"not approved", "promo", template.ErrTemplateNotApproved},
		{"missing parameter", "order_update", template.ErrMissingVariable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, func(c *parley.Config) {
				c.Templates = append(c.Templates, template.WhatsApp{
					Name: "promo", Language: language.AmericanEnglish, Category: template.Marketing,
					Status: template.Pending, Body: "Sale on {{1}} today.",
				})
			})
			ctx := context.Background()
			rc := receive(t, f, "wa", wa("+14155550100"), "w1", "Hello")
			var params map[string]string
			if tt.tmpl == "promo" {
				params = map[string]string{"1": "shoes"}
			}
			m, err := f.SendTemplate(ctx, "ana", rc.Conversation.ID, tt.tmpl, language.AmericanEnglish, params)
			requireRefused(t, f, rc.Conversation.ID, m, err, tt.want)
			require.NotNil(t, m.Template)
			assert.Equal(t, tt.tmpl, m.Template.Name)
			assert.Equal(t, "en_US", m.Template.Language)
		})
	}
}

// WhatsApp templates go on WhatsApp only (DESIGN.md §3.4).
func TestTemplateOnAnotherChannelIsRefused(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rc := receive(t, f, "sms", sms("+14155550100"), "s1", "Hello")
	m, err := f.SendTemplate(ctx, "ana", rc.Conversation.ID, "order_update", language.AmericanEnglish, map[string]string{"1": "#1"})
	requireRefused(t, f, rc.Conversation.ID, m, err, parley.ErrWrongChannel)
	assert.Contains(t, err.Error(), "sms")
}

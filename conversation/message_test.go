package conversation_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/conversation"
)

func TestDeliveryAdvance(t *testing.T) {
	// Pending → sent → delivered → read; failed terminal;
	// late or duplicate callbacks ignored.
	cases := []struct {
		name        string
		from, to    conversation.DeliveryStatus
		wantChanged bool
	}{
		{"pending to sent", conversation.DeliveryPending, conversation.DeliverySent, true},
		{"sent to delivered", conversation.DeliverySent, conversation.DeliveryDelivered, true},
		{"delivered to read", conversation.DeliveryDelivered, conversation.DeliveryRead, true},
		{"skipping forward (pending to read)", conversation.DeliveryPending, conversation.DeliveryRead, true},
		{"duplicate sent", conversation.DeliverySent, conversation.DeliverySent, false},
		{"late sent after delivered", conversation.DeliveryDelivered, conversation.DeliverySent, false},
		{"late delivered after read", conversation.DeliveryRead, conversation.DeliveryDelivered, false},
		{"failed while pending", conversation.DeliveryPending, conversation.DeliveryFailed, true},
		{"failed after sent", conversation.DeliverySent, conversation.DeliveryFailed, true},
		{"failed after delivered is late", conversation.DeliveryDelivered, conversation.DeliveryFailed, false},
		{"failed after read is late", conversation.DeliveryRead, conversation.DeliveryFailed, false},
		{"read after failed", conversation.DeliveryFailed, conversation.DeliveryRead, false},
		{"failed twice", conversation.DeliveryFailed, conversation.DeliveryFailed, false},
		{"back to none", conversation.DeliverySent, conversation.DeliveryNone, false},
		{"invalid status", conversation.DeliverySent, conversation.DeliveryStatus(42), false},
	}
	at := t0.Add(time.Minute)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := conversation.Delivery{Status: tc.from, Reason: "kept", At: t0}
			changed := d.Advance(tc.to, "new reason", at)
			assert.Equal(t, tc.wantChanged, changed)
			if !tc.wantChanged {
				assert.Equal(t, conversation.Delivery{Status: tc.from, Reason: "kept", At: t0}, d, "an ignored update changed the delivery")
				return
			}
			assert.Equal(t, tc.to, d.Status)
			assert.Equal(t, at, d.At)
			if tc.to == conversation.DeliveryFailed {
				assert.Equal(t, "new reason", d.Reason)
			}
		})
	}
}

func message(c *conversation.Conversation, dir conversation.Direction, author conversation.AuthorKind) *conversation.Message {
	return &conversation.Message{
		ID: conversation.NewID(), ConversationID: c.ID, Direction: dir,
		Author: conversation.Author{Kind: author, ID: "x"}, Text: "hello", CreatedAt: t0.Add(time.Minute),
	}
}

func TestMessageValidate(t *testing.T) {
	c := in(t, conversation.Queued)
	cases := []struct {
		name  string
		edit  func(m *conversation.Message)
		field string
	}{
		{"no ID", func(m *conversation.Message) { m.ID = conversation.ID{} }, "Message.ID"},
		{"no conversation", func(m *conversation.Message) { m.ConversationID = conversation.ID{} }, "Message.ConversationID"},
		{"no direction", func(m *conversation.Message) { m.Direction = 0 }, "Message.Direction"},
		{"agent writing inbound", func(m *conversation.Message) { m.Author.Kind = conversation.AuthorAgent }, "Message.Author.Kind"},
		{"inbound note", func(m *conversation.Message) { m.Internal = true }, "Message.Internal"},
		{"no content", func(m *conversation.Message) { m.Text = "" }, "Message"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := message(c, conversation.Inbound, conversation.AuthorContact)
			tc.edit(m)
			var fe *conversation.FieldError
			require.ErrorAs(t, m.Validate(), &fe)
			assert.Equal(t, tc.field, fe.Field)
		})
	}
	note := message(c, conversation.Outbound, conversation.AuthorAgent)
	note.Internal = true
	note.ProviderID = "SM1"
	assert.ErrorIs(t, note.Validate(), conversation.ErrInvalid, "a note is never sent, so has no provider ID")
	assert.False(t, (&conversation.Message{Direction: conversation.Outbound, Internal: true}).Sendable())
}

func TestReceiveCountsUnreadAndRefusesEnded(t *testing.T) {
	c := in(t, conversation.Assigned)
	ev, err := c.Receive(message(c, conversation.Inbound, conversation.AuthorContact))
	require.NoError(t, err)
	assert.Equal(t, "hello", ev.Message.Text)
	imported := message(c, conversation.Inbound, conversation.AuthorContact)
	imported.Imported = true
	_, err = c.Receive(imported)
	require.NoError(t, err)
	assert.Equal(t, 1, c.Unread, "imported history is never unread")
	assert.True(t, c.MarkRead(t0))
	assert.Equal(t, 0, c.Unread)
	assert.False(t, c.MarkRead(t0), "nothing left to mark")

	ended := in(t, conversation.WrapUp)
	_, err = ended.Receive(message(ended, conversation.Inbound, conversation.AuthorContact))
	assert.ErrorIs(t, err, conversation.ErrEnded)
	assert.NoError(t, ended.Post(func() *conversation.Message {
		m := message(ended, conversation.Outbound, conversation.AuthorAgent)
		m.Internal = true
		return m
	}()), "notes are written during wrap-up")
	assert.ErrorIs(t, ended.Post(message(ended, conversation.Outbound, conversation.AuthorAgent)), conversation.ErrEnded)
	stray := message(c, conversation.Outbound, conversation.AuthorAgent)
	stray.ConversationID = conversation.NewID()
	assert.ErrorIs(t, c.Post(stray), conversation.ErrInvalid, "another conversation's message")
}

func TestUnsupportedNotice(t *testing.T) {
	c := in(t, conversation.Queued)
	m := conversation.UnsupportedNotice(conversation.NewID(), c.ID, "wamid.9", t0)
	require.NoError(t, m.Validate())
	assert.Equal(t, conversation.NoticeUnsupported, m.Notice)
	assert.Equal(t, conversation.AuthorSystem, m.Author.Kind)
	assert.Equal(t, "wamid.9", m.ProviderID, "kept so a retried webhook is still a duplicate")
	_, err := c.Receive(m)
	assert.NoError(t, err)
}

func TestDeliveryEvent(t *testing.T) {
	m := &conversation.Message{ID: conversation.NewID(), Delivery: conversation.Delivery{Status: conversation.DeliveryFailed, Reason: "blocked"}}
	fe, ok := conversation.DeliveryEvent(m).(conversation.MessageFailedEvent)
	require.True(t, ok)
	assert.Equal(t, "blocked", fe.Reason)
	m.Delivery = conversation.Delivery{Status: conversation.DeliveryRead}
	de, ok := conversation.DeliveryEvent(m).(conversation.DeliveryChangedEvent)
	require.True(t, ok)
	assert.Equal(t, conversation.DeliveryRead, de.Status)
}

func TestVisitorCounterConcurrent(t *testing.T) {
	var c conversation.VisitorCounter
	const workers, each = 8, 100
	names := make(chan string, workers*each)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				names <- c.Next()
			}
		}()
	}
	wg.Wait()
	close(names)
	seen := map[string]bool{}
	for n := range names {
		assert.False(t, seen[n], "%s handed out twice", n)
		seen[n] = true
	}
	assert.Len(t, seen, workers*each)
	assert.True(t, seen["Visitor #1"] && seen["Visitor #800"])
	assert.Equal(t, "Visitor #120", conversation.NewVisitorCounter(120).Next())
}

func TestIdentify(t *testing.T) {
	c := in(t, conversation.Queued)
	c.Contact = conversation.Contact{ID: "v1", Name: conversation.VisitorName(7), Anonymous: true}
	c.Identify("Ana", mustAddr(t, "email:ana@example.com"))
	assert.Equal(t, "Ana", c.Contact.Name)
	assert.False(t, c.Contact.Anonymous)
	c.Identify("", mustAddr(t, "email:ana@example.com"))
	assert.Len(t, c.Contact.Addresses, 1, "an address already known is not added twice")
}

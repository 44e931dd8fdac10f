package parley_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/optout"
	"github.com/parleyhq/parley/parleytest"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/session"
)

// A new contact's message opens a queued conversation; a retry with the
// same provider ID is a duplicate, never counted twice; an address of
// another channel than the touchpoint's is refused.
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

// A message after the conversation closed opens a follow-up linked to it
// and kept by the same agent; a retry of a message of the closed
// conversation is still a duplicate.
func TestFollowUpKeepsAgent(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rc := receive(t, f, "wa", wa("+14155550100"), "w1", "Hello")
	require.NoError(t, f.Assign(ctx, parley.SystemActor, rc.Conversation.ID, "bo"))
	require.NoError(t, f.Close(ctx, parley.SystemActor, rc.Conversation.ID, "solved"))

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

// Anonymous web-chat visitors are named Visitor #N until identified.
func TestAnonymousVisitorsAreNamed(t *testing.T) {
	f := newFixture(t)
	rc := receive(t, f, "chat", channel.Address{Kind: channel.WebChat, ID: "v-1"}, "c1", "hi")
	assert.Equal(t, "Visitor #1", rc.Conversation.Contact.Name)
	rc = receive(t, f, "chat", channel.Address{Kind: channel.WebChat, ID: "v-2"}, "c2", "hi")
	assert.Equal(t, "Visitor #2", rc.Conversation.Contact.Name)
}

// A visitor the host verified is matched by its normalised e-mail address;
// an address that is not valid is refused.
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

// SMS STOP opts the contact out across the number's opt-out scope, its
// confirmation being the last message it gets; START opts it back in.
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

// HELP from an opted-out contact is received, not failed; its reply is
// stored failed and not sent: only the STOP confirmation passes an
// opt-out.
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

// A STOP the provider delivers late (retried for two hours) is still
// confirmed.
func TestLateStopWebhookStillConfirmed(t *testing.T) {
	f := newFixture(t)
	f.Clock.Advance(3 * time.Hour)
	rc, err := f.Receive(context.Background(), parley.Inbound{Touchpoint: "sms", From: sms("+14155550100"), ProviderID: "SM1", Text: "STOP",
		At: f.Clock.Now().Add(-2 * time.Hour)}) // the provider retried for two hours
	require.NoError(t, err)
	require.NotNil(t, rc.Reply)
	assert.Equal(t, conversation.DeliverySent, rc.Reply.Delivery.Status)
}

// A provider timestamp ahead of the desk's clock must not open the
// WhatsApp window in the future: the window runs from when the desk took
// the message in, and closes 24 h after it.
func TestReceiveClampsFutureTimestamp(t *testing.T) {
	ctx := context.Background()
	clock := parleytest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	tr := parleytest.NewTransport()
	d, err := parley.New(parley.Config{
		Transport: tr, Clock: clock.Now,
		Touchpoints: []parley.Touchpoint{{ID: "wa", Kind: channel.WhatsApp, Address: "+14155550000", Queues: []string{"support"}}},
		Agents:      []routing.Agent{{ID: "ana", Queues: []string{"support"}}},
	})
	require.NoError(t, err)
	rc, err := d.Receive(ctx, parley.Inbound{Touchpoint: "wa", From: channel.Address{Kind: channel.WhatsApp, ID: "+14155550100"},
		ProviderID: "wamid.1", Text: "hi", At: clock.Now().Add(5 * 365 * 24 * time.Hour)})
	require.NoError(t, err)
	assert.Equal(t, clock.Now(), rc.Message.CreatedAt.In(time.UTC), "a future provider time is taken as now")

	clock.Advance(24 * time.Hour)
	_, err = d.Reply(ctx, "ana", rc.Conversation.ID, "sorry for the wait")
	assert.ErrorIs(t, err, session.ErrWindowClosed, "the window closes 24 h after the desk took the message in")
	assert.Empty(t, tr.Sent())
}

// Outside the touchpoint's hours the away message, and inside them the
// auto-reply, is sent once per conversation; a conversation arriving
// outside hours is announced.
func TestAwayMessageAndAutoReply(t *testing.T) {
	weekdays := routing.Schedule{Location: time.UTC}
	for d := time.Monday; d <= time.Friday; d++ {
		weekdays.Week[d] = []routing.Span{{From: 9 * time.Hour, To: 17 * time.Hour}}
	}
	f := newFixture(t, func(c *parley.Config) {
		wa := touchpointOf(c, "wa")
		wa.Hours, wa.AwayMessage, wa.AutoReply = &weekdays, "We are closed; back at 9:00.", "Thanks, we will answer shortly."
		touchpointOf(c, "sms").AutoReply = "Thanks, we will answer shortly."
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

// plainStore hides the memory store's one-step ReceiveOpen
// (conversation.Receiver), so the Desk takes FindOpen, Receive and Record.
type plainStore struct{ conversation.Store }

// A Desk on a store with ReceiveOpen and one on a store without it answer
// the same webhooks with the same receipts and publish the same events:
// the one-step write is only faster.
func TestReceiveOneStepMatchesThePlainPath(t *testing.T) {
	ctx := context.Background()
	_, hidden := any(plainStore{}).(conversation.Receiver)
	require.False(t, hidden, "precondition: plainStore hides ReceiveOpen")
	desks := []struct {
		name string
		d    *parleytest.Desk
		last *conversation.Conversation
	}{
		{name: "one-step", d: newFixture(t, func(c *parley.Config) { c.Conversations = memory.NewConversationStore() })},
		{name: "plain", d: newFixture(t, func(c *parley.Config) { c.Conversations = plainStore{memory.NewConversationStore()} })},
	}

	steps := []struct {
		name      string
		in        parley.Inbound
		closeLast bool // the agent closes the last conversation first
	}{
		{name: "a new contact starts a conversation", in: parley.Inbound{Touchpoint: "wa", From: wa("+14155550100"), ProviderID: "wamid.1", Text: "hi"}},
		{name: "a follow-up in the open conversation", in: parley.Inbound{Touchpoint: "wa", From: wa("+14155550100"), ProviderID: "wamid.2", Text: "anyone?"}},
		{name: "a provider retry", in: parley.Inbound{Touchpoint: "wa", From: wa("+14155550100"), ProviderID: "wamid.2", Text: "anyone?"}},
		{name: "an unsupported message", in: parley.Inbound{Touchpoint: "wa", From: wa("+14155550100"), ProviderID: "wamid.3", Unsupported: true}},
		{name: "an SMS", in: parley.Inbound{Touchpoint: "sms", From: sms("+14155550199"), ProviderID: "sm.1", Text: "hello"}},
		{name: "STOP in the open SMS conversation", in: parley.Inbound{Touchpoint: "sms", From: sms("+14155550199"), ProviderID: "sm.2", Text: "STOP"}},
		{name: "a message after the agent closed the conversation", in: parley.Inbound{Touchpoint: "sms", From: sms("+14155550199"), ProviderID: "sm.3", Text: "START"}, closeLast: true},
		{name: "a retry of a message of a closed conversation", in: parley.Inbound{Touchpoint: "sms", From: sms("+14155550199"), ProviderID: "sm.2", Text: "STOP"}},
	}
	for _, step := range steps {
		var got [2]parley.Receipt
		for i := range desks {
			u := &desks[i]
			if step.closeLast {
				require.NoError(t, u.d.Close(ctx, parley.SystemActor, u.last.ID, "done"), "%s: %s", u.name, step.name)
			}
			u.d.Clock.Advance(time.Minute)
			rc, err := u.d.Receive(ctx, step.in)
			require.NoError(t, err, "%s: %s", u.name, step.name)
			got[i], u.last = rc, rc.Conversation
		}
		a, b := got[0], got[1]
		assert.Equal(t, b.Message, a.Message, "%s: the message", step.name)
		assert.Equal(t, b.Conversation, a.Conversation, "%s: the conversation", step.name)
		assert.Equal(t, b.Duplicate, a.Duplicate, "%s: Duplicate", step.name)
		assert.Equal(t, b.Started, a.Started, "%s: Started", step.name)
		assert.Equal(t, b.Keyword, a.Keyword, "%s: Keyword", step.name)
		assert.Equal(t, b.Reply, a.Reply, "%s: the keyword reply", step.name)
		assert.Equal(t, b.Routing, a.Routing, "%s: routing", step.name)
	}
	assert.Equal(t, desks[1].d.Publisher.Events(), desks[0].d.Publisher.Events(), "the same events, in the same order")
	assert.NotEmpty(t, desks[0].d.Publisher.Events())
}

// conflictingReceiver is a memory store whose ReceiveOpen, when armed,
// lets another writer change the open conversation and then reports
// ErrConflict having stored nothing, as a SQL store that checks versions
// (UPDATE … WHERE version = $v) does under contention. It overrides the
// ReceiveOpen it embeds, so nothing bypasses it.
type conflictingReceiver struct {
	*memory.ConversationStore
	armed     atomic.Bool
	conflicts atomic.Int32
}

func (s *conflictingReceiver) ReceiveOpen(ctx context.Context, k conversation.Key, m *conversation.Message) (conversation.Received, error) {
	if !s.armed.CompareAndSwap(true, false) {
		return s.ConversationStore.ReceiveOpen(ctx, k, m)
	}
	c, err := s.FindOpen(ctx, k)
	if err != nil {
		return conversation.Received{}, err
	}
	read := c.Version
	c.Subject = "changed by another writer"
	if err := s.Update(ctx, c); err != nil {
		return conversation.Received{}, err
	}
	s.conflicts.Add(1)
	return conversation.Received{}, &conversation.ConflictError{ID: c.ID, Version: read, Current: c.Version}
}

// A one-step write that loses to another writer (ErrConflict, nothing
// stored) does not fail the webhook: the Desk takes FindOpen, Receive and
// Record instead, and the message is stored once, beside the other
// writer's change.
func TestReceiveOneStepConflictTakesThePlainSteps(t *testing.T) {
	ctx := context.Background()
	store := &conflictingReceiver{ConversationStore: memory.NewConversationStore()}
	f := newFixture(t, func(c *parley.Config) { c.Conversations = store })
	first := receive(t, f, "wa", wa("+14155550100"), "wamid.1", "hi")
	id := first.Conversation.ID

	store.armed.Store(true)
	f.Clock.Advance(time.Minute)
	in := parley.Inbound{Touchpoint: "wa", From: wa("+14155550100"), ProviderID: "wamid.2", Text: "anyone?"}
	rc, err := f.Receive(ctx, in)
	require.Equal(t, int32(1), store.conflicts.Load(), "precondition: the one-step write conflicted")
	require.NoError(t, err, "a conflict in the one-step write must not fail the webhook")
	assert.False(t, rc.Duplicate)
	assert.Equal(t, id, rc.Conversation.ID, "stored in the open conversation")
	assert.Equal(t, "anyone?", rc.Message.Text)

	again, err := f.Receive(ctx, in) // the provider's retry
	require.NoError(t, err)
	assert.True(t, again.Duplicate)
	assert.Equal(t, rc.Message.ID, again.Message.ID)

	page, err := store.Messages(ctx, conversation.MessageQuery{ConversationID: id, Sort: conversation.Oldest})
	require.NoError(t, err)
	var texts []string
	for _, m := range page.Messages {
		texts = append(texts, m.Text)
	}
	assert.Equal(t, []string{"hi", "anyone?"}, texts, "the message is stored once")
	got, err := f.Conversation(ctx, parley.SystemActor, id)
	require.NoError(t, err)
	assert.Equal(t, 2, got.Unread, "counted once")
	assert.Equal(t, "changed by another writer", got.Subject, "the other writer's change is kept")
	var received int
	for _, name := range f.Publisher.Names() {
		if name == "message.received" {
			received++
		}
	}
	assert.Equal(t, 2, received, "one message.received per message")
}

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

// TestConcurrentReceiveAndReply drives one desk from many goroutines under
// -race: one conversation per contact, every message stored once, no agent
// over capacity.
func TestConcurrentReceiveAndReply(t *testing.T) {
	f := newFixture(t, func(c *parley.Config) {
		touchpointOf(c, "wa").Routing = routing.Policy{Mode: routing.Automatic}
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
			msgs, err := f.Messages(ctx, parley.SystemActor, conversation.MessageQuery{ConversationID: c.ID, Limit: conversation.MaxLimit})
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

// BenchmarkReceive measures Desk.Receive with the memory stores: one new
// inbound message per op, spread over 1 000 open WhatsApp conversations
// (goal: at most 2 µs and 12 allocations per inbound message).
func BenchmarkReceive(b *testing.B) {
	d, err := parley.New(parley.Config{
		Transport:   parleytest.NewTransport(),
		Touchpoints: []parley.Touchpoint{{ID: "wa", Kind: channel.WhatsApp, Address: "+14155550000", Queues: []string{"support"}}},
		Agents:      []routing.Agent{{ID: "ana", Queues: []string{"support"}}},
	})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	const contacts = 1000
	in := make([]parley.Inbound, contacts)
	for i := range in {
		in[i] = parley.Inbound{Touchpoint: "wa", From: channel.Address{Kind: channel.WhatsApp, ID: "+1415556" + leftPad(i)}, Text: "Where is my order?"}
		in[i].ProviderID = "warm-" + strconv.Itoa(i)
		if _, err := d.Receive(ctx, in[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		msg := in[i%contacts]
		// One new string per message, as a webhook's decoder makes it. A
		// slice of b.N IDs made before the loop would stay live through it,
		// 32 bytes a message that every collection marks and the heap's
		// growth pages in, billed to Receive.
		var buf [32]byte
		msg.ProviderID = string(strconv.AppendInt(append(buf[:0], "wamid."...), int64(i), 10))
		if _, err := d.Receive(ctx, msg); err != nil {
			b.Fatal(err)
		}
	}
}

func leftPad(i int) string {
	s := strconv.Itoa(i)
	for len(s) < 4 {
		s = "0" + s
	}
	return s
}

// A receipt's Routing says what this call routed: the outcome for a new
// conversation, and routing.NotRouted, never "queued", for a message that
// routed nothing (a further message, a provider retry).
func TestReceiptRoutingSaysWhatWasRouted(t *testing.T) {
	tests := []struct {
		name    string
		mode    routing.Mode
		started routing.Outcome // the new conversation's outcome
		assign  bool            // an agent takes the conversation before the retry
	}{
		{name: "simplified, still in the inbox", mode: routing.Simplified, started: routing.Queued},
		{name: "simplified, taken by an agent", mode: routing.Simplified, started: routing.Queued, assign: true},
		{name: "automatic", mode: routing.Automatic, started: routing.Assigned},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			d := parleytest.NewDesk(t, parley.Config{
				Touchpoints: []parley.Touchpoint{{ID: "wa", Kind: channel.WhatsApp, Address: "+14155550000", Queues: []string{"support"},
					Routing: routing.Policy{Mode: tt.mode}}},
				Agents: []routing.Agent{{ID: "ana", Queues: []string{"support"}}},
			})
			from := channel.Address{Kind: channel.WhatsApp, ID: "+14155550100"}
			in := func(pid, text string) parley.Receipt {
				t.Helper()
				rc, err := d.Receive(ctx, parley.Inbound{Touchpoint: "wa", From: from, ProviderID: pid, Text: text})
				require.NoError(t, err)
				return rc
			}

			first := in("wamid.1", "hello")
			require.True(t, first.Started, "precondition: the first message starts a conversation")
			assert.Equal(t, tt.started, first.Routing.Outcome, "a new conversation's receipt")
			if tt.started == routing.Assigned {
				assert.Equal(t, "ana", first.Routing.AgentID)
			}
			if tt.assign {
				require.NoError(t, d.Assign(ctx, parley.SystemActor, first.Conversation.ID, "ana"))
			}

			further := in("wamid.2", "anyone?")
			require.False(t, further.Started, "precondition: the open conversation takes it")
			assert.Equal(t, routing.NotRouted, further.Routing.Outcome, "a further message's receipt")
			assert.Equal(t, routing.Decision{}, further.Routing)

			for _, pid := range []string{"wamid.1", "wamid.2"} {
				dup := in(pid, "retry")
				require.True(t, dup.Duplicate, "precondition: %s is a provider retry", pid)
				assert.Equal(t, routing.NotRouted, dup.Routing.Outcome, "the retry of %s", pid)
				assert.Equal(t, "not_routed", dup.Routing.Outcome.String())
			}

			c, err := d.Conversation(ctx, parley.SystemActor, first.Conversation.ID)
			require.NoError(t, err)
			want := conversation.Queued
			if tt.assign || tt.started == routing.Assigned {
				want = conversation.Assigned
			}
			assert.Equal(t, want, c.Status, "routing itself is unchanged")
		})
	}
}

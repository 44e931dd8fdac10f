package conversationtest

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/parleyhq/parley/conversation"
)

// receiver returns the store as a [conversation.Receiver], skipping the
// case when it is not one: ReceiveOpen is optional.
func (f *storeFixture) receiver() conversation.Receiver {
	f.t.Helper()
	r, ok := f.s.(conversation.Receiver)
	if !ok {
		f.t.Skip("the store does not implement conversation.Receiver, which is optional")
	}
	return r
}

// unaddressed returns a contact's message on c without its conversation,
// as the Desk hands it to ReceiveOpen.
func (f *storeFixture) unaddressed(c *conversation.Conversation, providerID, text string) *conversation.Message {
	m := f.inbound(c, providerID, text)
	m.ConversationID = conversation.ID{}
	return m
}

// receiverCases check ReceiveOpen, the one-step form of FindOpen, Receive
// and Record that a store may offer (conversation.Receiver): it must keep
// every rule Record keeps, with no writer in between.
var receiverCases = []storeCase{
	{"ReceiveOpenStoresBoth", "Receiver: ReceiveOpen stores the message in the slot's open conversation with the change Receive makes, bumps the version and returns a copy", func(f *storeFixture) {
		rs := f.receiver()
		c := f.create(spec{queues: []string{"sales"}})
		m := f.unaddressed(c, "wamid.O1", "hello")
		r, err := rs.ReceiveOpen(f.ctx, c.Key(), m)
		if err != nil || !r.Created || r.Message != m || r.Conversation == nil {
			f.fatalf("ReceiveOpen: got %+v, %v; want m stored, created, with the conversation", r, err)
		}
		if m.ConversationID != c.ID {
			f.errorf("m.ConversationID = %s, want the open conversation's %s", m.ConversationID, c.ID)
		}
		if !r.First {
			f.errorf("First = false for the first message of an inbound conversation")
		}
		want := c.Clone()
		if _, err := want.Receive(m); err != nil {
			f.fatalf("precondition: Receive: %v", err)
		}
		got := r.Conversation
		if got.ID != c.ID || got.Version != 2 || got.Unread != want.Unread || !got.LastInboundAt.Equal(want.LastInboundAt) ||
			!got.LastMessageAt.Equal(want.LastMessageAt) || !got.UpdatedAt.Equal(want.UpdatedAt) {
			f.errorf("returned conversation: version %d, unread %d, last inbound %v; want 2, %d, %v", got.Version, got.Unread, got.LastInboundAt, want.Unread, want.LastInboundAt)
		}
		f.wantCounts(c.ID, 1, 2, "stored conversation")
		got.Queues = append(got.Queues, "changed")
		got.Queues[0] = "changed"
		if stored := f.get(c.ID); len(stored.Queues) != 1 || stored.Queues[0] != "sales" {
			f.errorf("changing the returned copy changed the store: queues %v", stored.Queues)
		}
		second, err := rs.ReceiveOpen(f.ctx, c.Key(), f.unaddressed(c, "wamid.O2", "still there?"))
		if err != nil || !second.Created || second.First || second.Conversation.Version != 3 || second.Conversation.Unread != 2 {
			f.errorf("second ReceiveOpen: got %+v, %v; want created, not first, version 3, unread 2", second, err)
		}
		if msgs := f.allMessages(c.ID, "", 10); len(msgs) != 2 || msgs[0].ID != m.ID {
			f.errorf("stored messages %v, want 2, %s first", messageIDs(msgs), m.ID)
		}
	}},
	{"ReceiveOpenFirstOnlyForTheContactsStart", "Receiver: First is false in a conversation the business started", func(f *storeFixture) {
		rs := f.receiver()
		c := f.create(spec{dir: conversation.Outbound})
		r, err := rs.ReceiveOpen(f.ctx, c.Key(), f.unaddressed(c, "wamid.O3", "hi back"))
		if err != nil || !r.Created || r.First {
			f.errorf("ReceiveOpen in an outbound conversation: got %+v, %v; want created, not first", r, err)
		}
	}},
	{"ReceiveOpenNeedsAnOpenConversation", "Receiver: ReceiveOpen with no open conversation in the slot fails with ErrNotFound and stores nothing", func(f *storeFixture) {
		rs := f.receiver()
		closed := f.create(spec{})
		f.closeConv(closed)
		for _, k := range []conversation.Key{closed.Key(), {Touchpoint: "tp-whatsapp", ContactID: "nobody"}} {
			m := f.unaddressed(closed, "wamid.O4", "anyone?")
			r, err := rs.ReceiveOpen(f.ctx, k, m)
			f.wantErr(err, conversation.ErrNotFound, fmt.Sprintf("ReceiveOpen in slot %+v", k))
			if r.Created || r.Conversation != nil {
				f.errorf("ReceiveOpen with no open conversation returned %+v", r)
			}
		}
		if _, err := f.s.MessageByProvider(f.ctx, closed.Touchpoint, closed.Contact.ID, "wamid.O4"); !isNotFound(err) {
			f.errorf("a refused ReceiveOpen stored its message: %v", err)
		}
		f.wantCounts(closed.ID, 0, closed.Version, "a refused ReceiveOpen changed the ended conversation")
	}},
	{"ReceiveOpenRetryStoresNothing", "Receiver: ReceiveOpen of a provider ID the slot's contact already sent on the touchpoint returns that message, created == false, and changes nothing", func(f *storeFixture) {
		rs := f.receiver()
		c := f.create(spec{})
		first, err := rs.ReceiveOpen(f.ctx, c.Key(), f.unaddressed(c, "wamid.O5", "hello"))
		f.must(err, "first ReceiveOpen")
		retry := f.unaddressed(c, "wamid.O5", "hello")
		r, err := rs.ReceiveOpen(f.ctx, c.Key(), retry)
		if err != nil || r.Created || r.Conversation != nil || r.Message == nil || r.Message.ID != first.Message.ID {
			f.errorf("ReceiveOpen of a retry: got %+v, %v; want message %s, not created, no conversation", r, err, first.Message.ID)
		}
		f.wantCounts(c.ID, 1, 2, "a retry changed the conversation")
		if msgs := f.allMessages(c.ID, "", 10); len(msgs) != 1 {
			f.errorf("a retry stored a message: %d stored, want 1", len(msgs))
		}
	}},
	{"ReceiveOpenRefusesWithoutStoring", "Receiver: ReceiveOpen fails as Record does (ErrInvalid, ErrDuplicateID) and stores neither the message nor the change", func(f *storeFixture) {
		rs := f.receiver()
		c := f.create(spec{})
		stored, err := rs.ReceiveOpen(f.ctx, c.Key(), f.unaddressed(c, "wamid.O6", "hello"))
		f.must(err, "first ReceiveOpen")
		empty := f.unaddressed(c, "wamid.O7", "")
		_, err = rs.ReceiveOpen(f.ctx, c.Key(), empty)
		f.wantErr(err, conversation.ErrInvalid, "ReceiveOpen of a message with no content")
		taken := f.unaddressed(c, "wamid.O8", "again")
		taken.ID = stored.Message.ID
		_, err = rs.ReceiveOpen(f.ctx, c.Key(), taken)
		f.wantErr(err, conversation.ErrDuplicateID, "ReceiveOpen of a message whose ID is taken")
		f.wantCounts(c.ID, 1, 2, "refused ReceiveOpens changed the conversation")
		for _, p := range []string{"wamid.O7", "wamid.O8"} {
			if _, err := f.s.MessageByProvider(f.ctx, c.Touchpoint, c.Contact.ID, p); !isNotFound(err) {
				f.errorf("a refused ReceiveOpen left provider ID %s behind: %v", p, err)
			}
		}
	}},
	{"ReceiveOpenRetryOfAnEndedConversation", "Receiver: a provider retry is found on the whole touchpoint, for the same contact: a retry of a message stored in the slot's ended conversation returns that message, created == false, and leaves the open one alone", func(f *storeFixture) {
		rs := f.receiver()
		ended := f.create(spec{})
		first, err := rs.ReceiveOpen(f.ctx, ended.Key(), f.unaddressed(ended, "wamid.O9", "hello"))
		f.must(err, "ReceiveOpen in the first conversation")
		f.closeConv(f.get(ended.ID))
		endedBefore := f.get(ended.ID)
		open := f.create(spec{}) // the same slot: touchpoint, contact, interaction
		if open.Key() != ended.Key() {
			f.fatalf("precondition: the second conversation is in slot %+v, not the first's %+v", open.Key(), ended.Key())
		}
		r, err := rs.ReceiveOpen(f.ctx, open.Key(), f.unaddressed(open, "wamid.O9", "hello"))
		if err != nil || r.Created || r.Conversation != nil || r.Message == nil {
			f.fatalf("ReceiveOpen of a retry of the ended conversation's message: got %+v, %v; want that message, not created, no conversation", r, err)
		}
		if r.Message.ID != first.Message.ID || r.Message.ConversationID != ended.ID {
			f.errorf("the retry returned message %s of conversation %s, want %s of the ended %s", r.Message.ID, r.Message.ConversationID, first.Message.ID, ended.ID)
		}
		if got := f.get(open.ID); got.Version != open.Version || got.Unread != 0 || !got.LastInboundAt.IsZero() {
			f.errorf("a retry changed the open conversation: version %d, unread %d, last inbound %v; want %d, 0, none", got.Version, got.Unread, got.LastInboundAt, open.Version)
		}
		if n := len(f.allMessages(open.ID, "", 10)); n != 0 {
			f.errorf("a retry stored %d messages in the open conversation, want none", n)
		}
		if got := f.get(ended.ID); got.Version != endedBefore.Version || got.Unread != endedBefore.Unread || got.Status != conversation.Closed {
			f.errorf("a retry changed the ended conversation: version %d, unread %d, status %s", got.Version, got.Unread, got.Status)
		}
		if m, err := f.s.MessageByProvider(f.ctx, open.Touchpoint, open.Contact.ID, "wamid.O9"); err != nil || m.ID != first.Message.ID {
			f.errorf("MessageByProvider after the retry: got %v, %v; want the first message %s", m, err, first.Message.ID)
		}
	}},
	{"ReceiveOpenOtherTouchpointIsNoRetry", "Receiver: a retry is keyed on the touchpoint too: the same provider ID on another touchpoint is a new message", func(f *storeFixture) {
		rs := f.receiver()
		a := f.create(spec{})
		first, err := rs.ReceiveOpen(f.ctx, a.Key(), f.unaddressed(a, "wamid.O10", "hello"))
		f.must(err, "ReceiveOpen on the first touchpoint")
		b := f.create(spec{touchpoint: "tp-whatsapp-2"}) // the same contact
		m := f.unaddressed(b, "wamid.O10", "hello again")
		r, err := rs.ReceiveOpen(f.ctx, b.Key(), m)
		if err != nil || !r.Created || r.Message != m || r.Conversation == nil || r.Conversation.ID != b.ID {
			f.fatalf("ReceiveOpen of provider ID wamid.O10 on another touchpoint: got %+v, %v; want it stored in %s, created", r, err, b.ID)
		}
		f.wantCounts(b.ID, 1, 2, "conversation on the other touchpoint")
		for tp, want := range map[string]conversation.ID{a.Touchpoint: first.Message.ID, b.Touchpoint: m.ID} {
			if got, err := f.s.MessageByProvider(f.ctx, tp, a.Contact.ID, "wamid.O10"); err != nil || got.ID != want {
				f.errorf("MessageByProvider(%q, wamid.O10): got %v, %v; want message %s", tp, got, err, want)
			}
		}
	}},
	{"ReceiveOpenRefusesOutbound", "Receiver: ReceiveOpen of an outbound message, which Conversation.Receive refuses, fails with ErrInvalid and stores nothing", func(f *storeFixture) {
		rs := f.receiver()
		c := f.create(spec{})
		out := f.outbound(c, "not the contact's")
		out.ProviderID = "wamid.O11"
		out.ConversationID = conversation.ID{}
		r, err := rs.ReceiveOpen(f.ctx, c.Key(), out)
		f.wantErr(err, conversation.ErrInvalid, "ReceiveOpen of an outbound message")
		if r.Created || r.Conversation != nil || r.Message != nil {
			f.errorf("a refused ReceiveOpen returned %+v, want nothing", r)
		}
		if out.ConversationID != c.ID {
			f.errorf("m.ConversationID = %s after the refusal, want the open conversation's %s", out.ConversationID, c.ID)
		}
		if got := f.get(c.ID); got.Version != c.Version || got.Unread != 0 || !got.LastMessageAt.Equal(c.LastMessageAt) {
			f.errorf("a refused ReceiveOpen changed the conversation: version %d, unread %d", got.Version, got.Unread)
		}
		if n := len(f.allMessages(c.ID, "", 10)); n != 0 {
			f.errorf("a refused ReceiveOpen stored %d messages, want none", n)
		}
		for _, from := range []string{"", c.Contact.ID} {
			if _, err := f.s.MessageByProvider(f.ctx, c.Touchpoint, from, "wamid.O11"); !isNotFound(err) {
				f.errorf("a refused ReceiveOpen left provider ID wamid.O11 (sender %q) behind: %v", from, err)
			}
		}
		// Neither the message ID nor the provider ID was taken: the
		// contact's message with both is stored.
		in := f.unaddressed(c, "wamid.O11", "the contact's")
		in.ID = out.ID
		if r, err := rs.ReceiveOpen(f.ctx, c.Key(), in); err != nil || !r.Created {
			f.errorf("ReceiveOpen after the refusal, with its message and provider IDs: got %+v, %v; want created", r, err)
		}
	}},
	{"ConcurrentReceiveOpensLoseNone", "Receiver: concurrent ReceiveOpens and Updates of one conversation lose no message and no update; duplicates store one", func(f *storeFixture) {
		rs := f.receiver()
		c := f.create(spec{})
		const writers, each, updates = 8, 20, 40
		msgs := make([][]*conversation.Message, writers)
		for w := range msgs {
			for i := 0; i < each; i++ {
				// Writers 0 and 1 repeat each other's webhooks: one of
				// each pair is stored.
				p := fmt.Sprintf("wamid.C%d-%d", w, i)
				if w < 2 {
					p = fmt.Sprintf("wamid.C0-%d", i)
				}
				msgs[w] = append(msgs[w], f.unaddressed(c, p, fmt.Sprintf("writer %d message %d", w, i)))
			}
		}
		created := make([]int, writers+1)
		f.concurrently(writers+1, func(w int) {
			if w == writers { // an agent's changes, retried on conflict
				for i := 0; i < updates; i++ {
					if err := f.updateRetrying(c.ID, fmt.Sprintf("subject %d", i)); err != nil {
						f.errorf("update %d: %v", i, err)
						return
					}
				}
				return
			}
			for _, m := range msgs[w] {
				r, err := rs.ReceiveOpen(f.ctx, c.Key(), m)
				if err != nil {
					f.errorf("writer %d: ReceiveOpen of %s: %v", w, m.ID, err)
					return
				}
				if r.Created {
					created[w]++
				}
				runtime.Gosched()
			}
		})
		want := (writers - 1) * each
		if got := created[0] + created[1]; got != each {
			f.errorf("writers 0 and 1 stored %d of their %d shared webhooks, want each once", got, each)
		}
		if n := len(f.allMessages(c.ID, "", 0)); n != want {
			f.errorf("conversation holds %d messages, want %d", n, want)
		}
		got := f.get(c.ID)
		if got.Unread != want || got.Version != int64(1+want+updates) || got.Subject != fmt.Sprintf("subject %d", updates-1) {
			f.errorf("after %d messages and %d updates: unread %d, version %d, subject %q; want %d, %d and the last subject",
				want, updates, got.Unread, got.Version, got.Subject, want, 1+want+updates)
		}
	}},
}

// updateRetrying sets c's subject the way an agent's action does: Get,
// change, Update, and on ErrConflict start over. It may run on any
// goroutine: it reports instead of failing.
func (f *storeFixture) updateRetrying(id conversation.ID, subject string) error {
	for attempt := 0; attempt < maxRecordAttempts; attempt++ {
		c, err := f.s.Get(f.ctx, id)
		if err != nil {
			return fmt.Errorf("get: %w", err)
		}
		c.Subject = subject
		runtime.Gosched()
		err = f.s.Update(f.ctx, c)
		if !errors.Is(err, conversation.ErrConflict) {
			return err
		}
	}
	return fmt.Errorf("still ErrConflict after %d attempts", maxRecordAttempts)
}

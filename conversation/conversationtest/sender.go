package conversationtest

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/parleyhq/parley/conversation"
)

// senderCases check the provider key: (touchpoint, sender, provider ID)
// for an inbound message, (touchpoint, provider ID) for an outbound one.
// On web chat and the host's own channel the client picks IDs, so two
// contacts may send the same one; each must get its own message back,
// never the other's, and a delivery callback must find the outbound
// message, never an inbound one with the same ID.
var senderCases = []storeCase{
	{"ProviderKeyTable", "AppendMessage is idempotent on the provider key: the same sender's provider ID is a retry, another sender's is a message of its own, and inbound and outbound keys never match", func(f *storeFixture) {
		ca := f.create(spec{contact: "contact-a"})
		cb := f.create(spec{contact: "contact-b"})
		steps := []struct {
			what    string
			conv    *conversation.Conversation
			out     bool // an outbound message with the provider ID, as after the transport's answer
			pid     string
			created bool
			sameAs  int // the step whose message a duplicate returns
		}{
			{what: "A's message", conv: ca, pid: "msg-1", created: true},
			{what: "B's message reusing A's ID", conv: cb, pid: "msg-1", created: true},
			{what: "A's retry", conv: ca, pid: "msg-1", sameAs: 0},
			{what: "B's retry", conv: cb, pid: "msg-1", sameAs: 1},
			{what: "an outbound message with the inbound messages' ID", conv: ca, out: true, pid: "msg-1", created: true},
			{what: "an outbound message of B's conversation with that provider ID", conv: cb, out: true, pid: "msg-1", sameAs: 4},
			{what: "an outbound message stored first", conv: ca, out: true, pid: "out-7", created: true},
			{what: "A's message reusing the outbound ID", conv: ca, pid: "out-7", created: true},
			{what: "A's retry of it", conv: ca, pid: "out-7", sameAs: 7},
		}
		stored := make([]*conversation.Message, len(steps))
		for i, st := range steps {
			m := f.inbound(st.conv, st.pid, fmt.Sprintf("step %d", i))
			if st.out {
				m = f.outbound(st.conv, fmt.Sprintf("step %d", i))
				m.ProviderID, m.Delivery.Status = st.pid, conversation.DeliverySent
			}
			got, created, err := f.s.AppendMessage(f.ctx, m)
			if err != nil {
				f.fatalf("step %d, %s: AppendMessage: %v", i, st.what, err)
			}
			if created != st.created {
				f.fatalf("step %d, %s: created %v, want %v", i, st.what, created, st.created)
			}
			if created {
				stored[i] = got
				continue
			}
			if want := stored[st.sameAs]; got.ID != want.ID || got.ConversationID != want.ConversationID || got.Text != want.Text {
				f.errorf("step %d, %s: returned message %s of %s (%q), want step %d's %s of %s (%q)",
					i, st.what, got.ID, got.ConversationID, got.Text, st.sameAs, want.ID, want.ConversationID, want.Text)
			}
		}
		lookups := []struct {
			from, pid string
			want      int // step, or -1 for none
		}{
			{"contact-a", "msg-1", 0},
			{"contact-b", "msg-1", 1},
			{"", "msg-1", 4},
			{"contact-c", "msg-1", -1},
			{"", "out-7", 6},
			{"contact-a", "out-7", 7},
			{"contact-b", "out-7", -1},
		}
		for _, l := range lookups {
			got, err := f.s.MessageByProvider(f.ctx, ca.Touchpoint, l.from, l.pid)
			switch {
			case l.want < 0 && !isNotFound(err):
				f.errorf("MessageByProvider(%q, %q): got %v, %v; want ErrNotFound", l.from, l.pid, got, err)
			case l.want >= 0 && (err != nil || got.ID != stored[l.want].ID):
				f.errorf("MessageByProvider(%q, %q): got %v, %v; want step %d's message %s", l.from, l.pid, got, err, l.want, stored[l.want].ID)
			}
		}
		if n := len(f.allMessages(ca.ID, "", 0)); n != 4 {
			f.errorf("A's conversation holds %d messages, want 4", n)
		}
		if n := len(f.allMessages(cb.ID, "", 0)); n != 1 {
			f.errorf("B's conversation holds %d messages, want 1", n)
		}
	}},
	{"ProviderKeyRecord", "Record keys a retry on the sender: another sender's message reusing the provider ID is stored and counted in its own conversation", func(f *storeFixture) {
		ca := f.create(spec{contact: "contact-a"})
		cb := f.create(spec{contact: "contact-b"})
		record := func(c *conversation.Conversation, text string) (*conversation.Message, *conversation.Message, bool) {
			f.t.Helper()
			c = f.get(c.ID)
			m := f.inbound(c, "msg-1", text)
			if _, err := c.Receive(m); err != nil {
				f.fatalf("precondition: Receive: %v", err)
			}
			got, created, err := f.s.Record(f.ctx, c, m)
			f.must(err, "Record")
			return m, got, created
		}
		a, _, _ := record(ca, "from A")
		b, got, created := record(cb, "from B")
		if !created || got.ID != b.ID {
			f.errorf("Record of B's message reusing A's ID: got %v, created %v; want B's message %s stored", got, created, b.ID)
		}
		f.wantCounts(cb.ID, 1, 2, "B's conversation")
		for _, c := range []struct {
			conv *conversation.Conversation
			want *conversation.Message
		}{{ca, a}, {cb, b}} {
			_, got, created := record(c.conv, "retry")
			if created || got.ID != c.want.ID || got.ConversationID != c.conv.ID {
				f.errorf("Record of %s's retry: got %v, created %v; want its own message %s", c.conv.Contact.ID, got, created, c.want.ID)
			}
			f.wantCounts(c.conv.ID, 1, 2, c.conv.Contact.ID+"'s conversation after its retry")
		}
	}},
	{"ProviderKeyReceiveOpen", "Receiver: ReceiveOpen keys a retry on the slot's contact: another contact's message reusing the provider ID is stored in its own conversation, and each contact's retry returns its own message", func(f *storeFixture) {
		rs := f.receiver()
		ca := f.create(spec{contact: "contact-a"})
		cb := f.create(spec{contact: "contact-b"})
		ra, err := rs.ReceiveOpen(f.ctx, ca.Key(), f.unaddressed(ca, "msg-1", "from A"))
		f.must(err, "ReceiveOpen of A's message")
		mb := f.unaddressed(cb, "msg-1", "from B")
		rb, err := rs.ReceiveOpen(f.ctx, cb.Key(), mb)
		if err != nil || !rb.Created || rb.Message != mb || rb.Conversation == nil || rb.Conversation.ID != cb.ID {
			f.fatalf("ReceiveOpen of B's message reusing A's ID: got %+v, %v; want it stored in B's conversation %s", rb, err, cb.ID)
		}
		f.closeConv(f.get(cb.ID))
		cb2 := f.create(spec{contact: "contact-b"}) // B's next conversation, in the same slot
		for _, c := range []struct {
			conv *conversation.Conversation
			want *conversation.Message
		}{{ca, ra.Message}, {cb2, rb.Message}} {
			r, err := rs.ReceiveOpen(f.ctx, c.conv.Key(), f.unaddressed(c.conv, "msg-1", "retry"))
			if err != nil || r.Created || r.Conversation != nil || r.Message == nil || r.Message.ID != c.want.ID || r.Message.Text != c.want.Text {
				f.errorf("ReceiveOpen of %s's retry: got %+v, %v; want its own message %s (%q)", c.conv.Contact.ID, r, err, c.want.ID, c.want.Text)
			}
		}
		if n := len(f.allMessages(cb2.ID, "", 0)); n != 0 {
			f.errorf("B's retry stored %d messages in its new conversation, want none", n)
		}
	}},
	{"ProviderKeyDeliveryFindsOutbound", "UpdateDelivery by (touchpoint, provider ID) finds the outbound message, never an inbound one with the same ID, whichever was stored first", func(f *storeFixture) {
		c := f.create(spec{})
		in := f.appendNew(f.inbound(c, "SM-1", "the contact's, first"))
		out := f.appendNew(f.outbound(c, "the agent's"))
		_, changed, err := f.s.UpdateDelivery(f.ctx, conversation.DeliveryUpdate{MessageID: out.ID, ProviderID: "SM-1", Status: conversation.DeliverySent, At: suiteEpoch})
		if err != nil || !changed {
			f.fatalf("recording on an outbound message the provider ID of an inbound one: changed %v, %v; want recorded", changed, err)
		}
		out2 := f.appendNew(f.outbound(c, "the agent's, first"))
		_, _, err = f.s.UpdateDelivery(f.ctx, conversation.DeliveryUpdate{MessageID: out2.ID, ProviderID: "SM-2", Status: conversation.DeliverySent, At: suiteEpoch})
		f.must(err, "UpdateDelivery recording SM-2")
		in2 := f.appendNew(f.inbound(c, "SM-2", "the contact's, second"))

		for i, pair := range []struct {
			pid     string
			out, in *conversation.Message
		}{{"SM-1", out, in}, {"SM-2", out2, in2}} {
			got, changed, err := f.s.UpdateDelivery(f.ctx, conversation.DeliveryUpdate{Touchpoint: c.Touchpoint, ProviderID: pair.pid, Status: conversation.DeliveryDelivered, At: suiteEpoch.Add(time.Duration(i+1) * time.Second)})
			if err != nil || !changed || got.ID != pair.out.ID || got.Direction != conversation.Outbound || got.Delivery.Status != conversation.DeliveryDelivered {
				f.errorf("callback for %s: got %v, changed %v, %v; want outbound message %s delivered", pair.pid, got, changed, err, pair.out.ID)
			}
			if m, err := f.s.MessageByProvider(f.ctx, c.Touchpoint, c.Contact.ID, pair.pid); err != nil || m.ID != pair.in.ID || m.Delivery.Status != conversation.DeliveryNone {
				f.errorf("the inbound message with %s after the callback: got %v, %v; want %s untouched", pair.pid, m, err, pair.in.ID)
			}
		}
		f.appendNew(f.inbound(c, "SM-IN", "only inbound"))
		if got, _, err := f.s.UpdateDelivery(f.ctx, conversation.DeliveryUpdate{Touchpoint: c.Touchpoint, ProviderID: "SM-IN", Status: conversation.DeliveryRead}); !isNotFound(err) {
			f.errorf("callback naming only an inbound message's ID: got %v, %v; want ErrNotFound", got, err)
		}
		out3 := f.appendNew(f.outbound(c, "another"))
		if _, _, err := f.s.UpdateDelivery(f.ctx, conversation.DeliveryUpdate{MessageID: out3.ID, ProviderID: "SM-1", Status: conversation.DeliverySent}); !errors.Is(err, conversation.ErrDuplicateID) {
			f.errorf("recording on a second outbound message an outbound provider ID: got %v, want ErrDuplicateID", err)
		}
	}},
	{"ProviderKeyErase", "Eraser: erasing a contact frees its provider keys and keeps another sender's message with the same ID", func(f *storeFixture) {
		e, ok := f.s.(conversation.Eraser)
		if !ok {
			f.t.Skip("the store does not implement conversation.Eraser, which is optional")
		}
		ca := f.create(spec{contact: "contact-a"})
		cb := f.create(spec{contact: "contact-b"})
		f.appendNew(f.inbound(ca, "msg-1", "from A"))
		mb := f.appendNew(f.inbound(cb, "msg-1", "from B"))
		_, err := e.Erase(f.ctx, "contact-a")
		f.must(err, "Erase")
		if got, err := f.s.MessageByProvider(f.ctx, ca.Touchpoint, "contact-a", "msg-1"); !isNotFound(err) {
			f.errorf("the erased contact's message is still found: %v, %v", got, err)
		}
		if got, err := f.s.MessageByProvider(f.ctx, cb.Touchpoint, "contact-b", "msg-1"); err != nil || got.ID != mb.ID || got.Text != "from B" {
			f.errorf("another sender's message with the same ID after the erasure: got %v, %v; want %s", got, err, mb.ID)
		}
		again := f.create(spec{contact: "contact-a"})
		if _, created, err := f.s.AppendMessage(f.ctx, f.inbound(again, "msg-1", "back again")); err != nil || !created {
			f.errorf("the erased contact's provider ID used again: created %v, %v; want a new message", created, err)
		}
	}},
	{"ConcurrentWebhooksOfTwoSenders", "concurrent deliveries of one provider ID by two senders store exactly one message for each", func(f *storeFixture) {
		convs := []*conversation.Conversation{f.create(spec{contact: "contact-a"}), f.create(spec{contact: "contact-b"})}
		const n = 8
		var wg sync.WaitGroup
		got := make([][]conversation.ID, len(convs))
		var mu sync.Mutex
		for ci, c := range convs {
			for range n {
				m := f.inbound(c, "msg-1", "hello from "+c.Contact.ID)
				wg.Go(func() {
					stored, _, err := f.s.AppendMessage(f.ctx, m)
					if err != nil {
						f.errorf("AppendMessage: %v", err)
						return
					}
					mu.Lock()
					got[ci] = append(got[ci], stored.ID)
					mu.Unlock()
				})
			}
		}
		wg.Wait()
		for ci, c := range convs {
			msgs := f.allMessages(c.ID, "", 0)
			if len(msgs) != 1 {
				f.errorf("%s's conversation holds %d messages, want 1", c.Contact.ID, len(msgs))
				continue
			}
			for _, id := range got[ci] {
				if id != msgs[0].ID {
					f.errorf("a delivery of %s's webhook returned message %s, want its own %s", c.Contact.ID, id, msgs[0].ID)
				}
			}
		}
	}},
}

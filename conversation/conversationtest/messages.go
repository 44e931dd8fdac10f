package conversationtest

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
)

// inbound returns a contact's message on c.
func (f *storeFixture) inbound(c *conversation.Conversation, providerID, text string) *conversation.Message {
	f.n++
	return &conversation.Message{
		ID: f.ids(), ConversationID: c.ID, Direction: conversation.Inbound,
		Author: conversation.Author{Kind: conversation.AuthorContact, ID: c.Contact.ID},
		Text:   text, ProviderID: providerID, CreatedAt: suiteEpoch.Add(time.Duration(f.n) * time.Second),
	}
}

// outbound returns an agent's pending message on c, not yet sent.
func (f *storeFixture) outbound(c *conversation.Conversation, text string) *conversation.Message {
	f.n++
	return &conversation.Message{
		ID: f.ids(), ConversationID: c.ID, Direction: conversation.Outbound,
		Author: conversation.Author{Kind: conversation.AuthorAgent, ID: "agent-1"},
		Text:   text, Delivery: conversation.Delivery{Status: conversation.DeliveryPending},
		CreatedAt: suiteEpoch.Add(time.Duration(f.n) * time.Second),
	}
}

func (f *storeFixture) appendNew(m *conversation.Message) *conversation.Message {
	f.t.Helper()
	got, created, err := f.s.AppendMessage(f.ctx, m)
	f.must(err, "AppendMessage")
	if !created {
		f.t.Fatalf("precondition for rule %q: AppendMessage of a new message reported a duplicate", f.rule)
	}
	return got
}

// allMessages pages through every message of c, oldest first.
func (f *storeFixture) allMessages(c conversation.ID, text string, limit int) []*conversation.Message {
	f.t.Helper()
	var out []*conversation.Message
	q := conversation.MessageQuery{ConversationID: c, Text: text, Sort: conversation.Oldest, Limit: limit}
	for pages := 0; ; pages++ {
		if pages > 1000 {
			f.fatalf("Messages never returned an empty Next")
		}
		p, err := f.s.Messages(f.ctx, q)
		f.must(err, "Messages")
		out = append(out, p.Messages...)
		if p.Next == "" {
			return out
		}
		q.Cursor = p.Next
	}
}

var messageCases = []storeCase{
	{"AppendThenList", "AppendMessage stores the message; Messages returns it with every field", func(f *storeFixture) {
		c := f.create(spec{})
		m := f.inbound(c, "wamid.1", "hello")
		m.Attachments = []conversation.Attachment{{URL: "https://example.com/a.ogg", Attachment: channel.Attachment{MIMEType: "audio/ogg", VoiceNote: true, Duration: 3 * time.Second}}}
		f.appendNew(m)
		m.Attachments[0].URL = "changed-after-append"
		got := f.allMessages(c.ID, "", 0)
		if len(got) != 1 {
			f.fatalf("Messages returned %d messages, want 1", len(got))
		}
		g := got[0]
		if g.ID != m.ID || g.ConversationID != c.ID || g.Text != "hello" || g.ProviderID != "wamid.1" ||
			g.Direction != conversation.Inbound || g.Author != m.Author || !g.CreatedAt.Equal(m.CreatedAt) ||
			len(g.Attachments) != 1 || g.Attachments[0].URL != "https://example.com/a.ogg" || !g.Attachments[0].VoiceNote {
			f.errorf("stored message = %+v, want %+v as appended", g, m)
		}
	}},
	{"AppendRefusesBadInput", "AppendMessage fails with ErrInvalid for a malformed message and ErrNotFound for an unknown conversation", func(f *storeFixture) {
		c := f.create(spec{})
		bad := f.inbound(c, "p", "")
		_, _, err := f.s.AppendMessage(f.ctx, bad)
		f.wantErr(err, conversation.ErrInvalid, "append of a message with no content")
		orphan := f.inbound(c, "p", "hi")
		orphan.ConversationID = f.ids()
		_, _, err = f.s.AppendMessage(f.ctx, orphan)
		f.wantErr(err, conversation.ErrNotFound, "append to an unknown conversation")
		m := f.inbound(c, "p1", "hi")
		f.appendNew(m)
		dup := f.inbound(c, "p2", "again")
		dup.ID = m.ID
		_, _, err = f.s.AppendMessage(f.ctx, dup)
		f.wantErr(err, conversation.ErrDuplicateID, "append with a taken message ID")
		if n := len(f.allMessages(c.ID, "", 0)); n != 1 {
			f.errorf("refused appends stored messages: %d messages, want 1", n)
		}
	}},
	{"AppendIdempotent", "inbound messages are idempotent on (touchpoint, sender, provider message ID)", func(f *storeFixture) {
		c := f.create(spec{})
		first := f.appendNew(f.inbound(c, "wamid.X", "hello"))
		retry := f.inbound(c, "wamid.X", "hello")
		got, created, err := f.s.AppendMessage(f.ctx, retry)
		if err != nil || created || got == nil || got.ID != first.ID {
			f.errorf("retried webhook: AppendMessage = %v, created %v, %v; want the first message %s, false, nil", got, created, err, first.ID)
		}
		other := f.create(spec{touchpoint: "tp-sms"})
		if _, created, err := f.s.AppendMessage(f.ctx, f.inbound(other, "wamid.X", "hi")); err != nil || !created {
			f.errorf("the same provider ID on another touchpoint: created %v, %v; want a new message", created, err)
		}
		for i := 0; i < 2; i++ {
			f.appendNew(f.outbound(c, "no provider id yet"))
		}
		if n := len(f.allMessages(c.ID, "", 0)); n != 3 {
			f.errorf("conversation holds %d messages, want 3 (one inbound, two without provider ID)", n)
		}
	}},
	{"ConcurrentDuplicateWebhooks", "concurrent deliveries of one webhook store exactly one message", func(f *storeFixture) {
		c := f.create(spec{})
		const n = 16
		msgs := make([]*conversation.Message, n)
		for i := range msgs {
			msgs[i] = f.inbound(c, "wamid.DUP", "hello")
		}
		var wg sync.WaitGroup
		type result struct {
			id      conversation.ID
			created bool
			err     error
		}
		results := make([]result, n)
		for i := range msgs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				m, created, err := f.s.AppendMessage(f.ctx, msgs[i])
				if m != nil {
					results[i] = result{m.ID, created, err}
				} else {
					results[i] = result{created: created, err: err}
				}
			}()
		}
		wg.Wait()
		created := 0
		var winner conversation.ID
		for _, r := range results {
			if r.err != nil {
				f.errorf("a duplicate append failed: %v", r.err)
			}
			if r.created {
				created++
				winner = r.id
			}
		}
		if created != 1 {
			f.fatalf("%d of %d concurrent duplicates were created, want exactly 1", created, n)
		}
		for _, r := range results {
			if r.id != winner {
				f.errorf("a duplicate returned message %s, want the stored one %s", r.id, winner)
			}
		}
		if got := len(f.allMessages(c.ID, "", 0)); got != 1 {
			f.errorf("conversation holds %d messages, want 1", got)
		}
	}},
	{"DeliveryMonotonic", "delivery status only moves forward; late and duplicate updates change nothing and are not errors", func(f *storeFixture) {
		c := f.create(spec{})
		m := f.appendNew(f.outbound(c, "hi"))
		at := suiteEpoch.Add(time.Hour)
		steps := []struct {
			to          conversation.DeliveryStatus
			wantChanged bool
			want        conversation.DeliveryStatus
		}{
			{conversation.DeliverySent, true, conversation.DeliverySent},
			{conversation.DeliveryDelivered, true, conversation.DeliveryDelivered},
			{conversation.DeliverySent, false, conversation.DeliveryDelivered},      // late
			{conversation.DeliveryDelivered, false, conversation.DeliveryDelivered}, // duplicate
			{conversation.DeliveryRead, true, conversation.DeliveryRead},
			{conversation.DeliveryFailed, false, conversation.DeliveryRead}, // failure after read is late
			{conversation.DeliveryDelivered, false, conversation.DeliveryRead},
		}
		for i, st := range steps {
			got, changed, err := f.s.UpdateDelivery(f.ctx, conversation.DeliveryUpdate{MessageID: m.ID, Status: st.to, At: at.Add(time.Duration(i) * time.Second)})
			if err != nil {
				f.fatalf("step %d (%s): %v", i, st.to, err)
			}
			if changed != st.wantChanged || got.Delivery.Status != st.want {
				f.errorf("step %d: update to %s: changed %v, status %s; want %v, %s", i, st.to, changed, got.Delivery.Status, st.wantChanged, st.want)
			}
		}
	}},
	{"DeliveryFailedTerminal", "failed is terminal and keeps its reason", func(f *storeFixture) {
		c := f.create(spec{})
		m := f.appendNew(f.outbound(c, "hi"))
		u := conversation.DeliveryUpdate{MessageID: m.ID, Status: conversation.DeliveryFailed, Reason: "131047 re-engagement", At: suiteEpoch}
		got, changed, err := f.s.UpdateDelivery(f.ctx, u)
		if err != nil || !changed || got.Delivery.Status != conversation.DeliveryFailed || got.Delivery.Reason != u.Reason {
			f.fatalf("fail: %v changed %v %v; want failed with reason %q", got, changed, err, u.Reason)
		}
		for _, to := range []conversation.DeliveryStatus{conversation.DeliverySent, conversation.DeliveryRead, conversation.DeliveryFailed} {
			got, changed, err := f.s.UpdateDelivery(f.ctx, conversation.DeliveryUpdate{MessageID: m.ID, Status: to, Reason: "other", At: suiteEpoch.Add(time.Minute)})
			if err != nil || changed || got.Delivery.Status != conversation.DeliveryFailed || got.Delivery.Reason != u.Reason {
				f.errorf("update to %s after failure: status %s reason %q changed %v err %v; want failed, %q, unchanged", to, got.Delivery.Status, got.Delivery.Reason, changed, err, u.Reason)
			}
		}
	}},
	{"DeliveryFailureCode", "a failure keeps its code beside its reason, appended or updated", func(f *storeFixture) {
		c := f.create(spec{})
		m := f.appendNew(f.outbound(c, "hi"))
		u := conversation.DeliveryUpdate{MessageID: m.ID, Status: conversation.DeliveryFailed, Reason: "timeout", Code: "temporary", At: suiteEpoch}
		if got, changed, err := f.s.UpdateDelivery(f.ctx, u); err != nil || !changed || got.Delivery.Code != u.Code {
			f.errorf("fail with code %q: code %q changed %v %v", u.Code, got.Delivery.Code, changed, err)
		}
		refused := f.outbound(c, "refused")
		refused.Delivery = conversation.Delivery{Status: conversation.DeliveryFailed, Reason: "opted out", Code: "opted_out", At: suiteEpoch}
		f.appendNew(refused)
		page, err := f.s.Messages(f.ctx, conversation.MessageQuery{ConversationID: c.ID})
		if err != nil {
			f.fatalf("messages: %v", err)
		}
		want := map[conversation.ID]string{m.ID: "temporary", refused.ID: "opted_out"}
		found := 0
		for _, got := range page.Messages {
			if w, ok := want[got.ID]; ok {
				found++
				if got.Delivery.Code != w {
					f.errorf("message %s read back with code %q, want %q", got.ID, got.Delivery.Code, w)
				}
			}
		}
		if found != len(want) {
			f.errorf("read back %d of the %d failed messages", found, len(want))
		}
	}},
	{"DeliveryByProviderID", "a provider ID recorded on a message finds it for status callbacks", func(f *storeFixture) {
		c := f.create(spec{})
		m := f.appendNew(f.outbound(c, "hi"))
		_, changed, err := f.s.UpdateDelivery(f.ctx, conversation.DeliveryUpdate{MessageID: m.ID, ProviderID: "SM123", Status: conversation.DeliverySent, At: suiteEpoch})
		if err != nil || !changed {
			f.fatalf("recording the provider ID: changed %v, %v", changed, err)
		}
		got, changed, err := f.s.UpdateDelivery(f.ctx, conversation.DeliveryUpdate{Touchpoint: c.Touchpoint, ProviderID: "SM123", Status: conversation.DeliveryDelivered, At: suiteEpoch.Add(time.Second)})
		if err != nil || !changed || got.ID != m.ID || got.Delivery.Status != conversation.DeliveryDelivered {
			f.errorf("callback by provider ID: %v changed %v %v; want message %s delivered", got, changed, err, m.ID)
		}
		if _, _, err := f.s.UpdateDelivery(f.ctx, conversation.DeliveryUpdate{Touchpoint: "tp-other", ProviderID: "SM123", Status: conversation.DeliveryRead}); !errors.Is(err, conversation.ErrNotFound) {
			f.errorf("callback on another touchpoint: got %v, want ErrNotFound", err)
		}
		if _, _, err := f.s.UpdateDelivery(f.ctx, conversation.DeliveryUpdate{MessageID: f.ids(), Status: conversation.DeliveryRead}); !errors.Is(err, conversation.ErrNotFound) {
			f.errorf("update of an unknown message: got %v, want ErrNotFound", err)
		}
		// An inbound message's key has its sender: it never matches the
		// outbound message, and callbacks still find that one.
		if _, created, err := f.s.AppendMessage(f.ctx, f.inbound(c, "SM123", "the contact's own")); err != nil || !created {
			f.errorf("an inbound message with the outbound message's provider ID: created %v, %v; want stored as its own", created, err)
		}
		if got, _, err := f.s.UpdateDelivery(f.ctx, conversation.DeliveryUpdate{Touchpoint: c.Touchpoint, ProviderID: "SM123", Status: conversation.DeliveryRead, At: suiteEpoch.Add(2 * time.Second)}); err != nil || got.ID != m.ID {
			f.errorf("callback by provider ID after the inbound message: got %v, %v; want outbound message %s", got, err, m.ID)
		}
	}},
	{"MessagePaging", "Messages pages in append order, newest or oldest first, without repeats or gaps while messages arrive", func(f *storeFixture) {
		c := f.create(spec{})
		var want []conversation.ID
		for i := 0; i < 23; i++ {
			want = append(want, f.appendNew(f.inbound(c, fmt.Sprintf("p%d", i), fmt.Sprintf("message %d", i))).ID)
		}
		got := f.allMessages(c.ID, "", 5)
		if !sameIDs(messageIDs(got), want) {
			f.errorf("oldest first in pages of 5: got %v, want %v", messageIDs(got), want)
		}
		// Newest first, with new messages arriving between pages: the pages
		// continue below the cursor and still list each old message once.
		var seen []conversation.ID
		q := conversation.MessageQuery{ConversationID: c.ID, Sort: conversation.Newest, Limit: 4}
		for pages := 0; pages < 100; pages++ {
			p, err := f.s.Messages(f.ctx, q)
			f.must(err, "Messages newest first")
			if len(p.Messages) > 4 {
				f.errorf("page of %d messages, limit 4", len(p.Messages))
			}
			seen = append(seen, messageIDs(p.Messages)...)
			f.appendNew(f.inbound(c, fmt.Sprintf("late%d", pages), "late"))
			if p.Next == "" {
				break
			}
			q.Cursor = p.Next
		}
		reversed := make([]conversation.ID, len(want))
		for i, id := range want {
			reversed[len(want)-1-i] = id
		}
		if !sameIDs(seen, reversed) {
			f.errorf("newest first while appending: got %v, want %v", seen, reversed)
		}
		_, err := f.s.Messages(f.ctx, conversation.MessageQuery{ConversationID: c.ID, Cursor: "not-a-cursor"})
		f.wantErr(err, conversation.ErrBadCursor, "Messages with a cursor the store never gave")
		_, err = f.s.Messages(f.ctx, conversation.MessageQuery{ConversationID: f.ids()})
		f.wantErr(err, conversation.ErrNotFound, "Messages of an unknown conversation")
	}},
	{"MessageTextSearch", "Messages with Text keeps only messages containing it, ignoring case", func(f *storeFixture) {
		c := f.create(spec{})
		f.appendNew(f.inbound(c, "a", "Where is my ORDER?"))
		f.appendNew(f.inbound(c, "b", "thanks"))
		f.appendNew(f.outbound(c, "Your order ships today"))
		got := f.allMessages(c.ID, "order", 1)
		if len(got) != 2 || got[0].Text != "Where is my ORDER?" || got[1].Text != "Your order ships today" {
			f.errorf("search for %q found %v, want the two order messages", "order", messageTexts(got))
		}
	}},
}

func messageIDs(ms []*conversation.Message) []conversation.ID {
	out := make([]conversation.ID, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}

func messageTexts(ms []*conversation.Message) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Text
	}
	return out
}

func sameIDs(a, b []conversation.ID) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

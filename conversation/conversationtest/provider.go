package conversationtest

import (
	"errors"
	"time"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
)

// providerCases check MessageByProvider, the lookup the Desk makes before
// routing a webhook. A provider retries a webhook until it is acknowledged,
// so the same (touchpoint, sender, provider message ID) must find the
// stored message even after its conversation ended; otherwise the retry
// would open a follow-up conversation.
var providerCases = []storeCase{
	{"ByProviderFindsInbound", "MessageByProvider returns the inbound message its contact appended with that provider ID on that touchpoint", func(f *storeFixture) {
		c := f.create(spec{})
		m := f.appendNew(f.inbound(c, "wamid.IN", "hello"))
		got, err := f.s.MessageByProvider(f.ctx, c.Touchpoint, c.Contact.ID, "wamid.IN")
		if err != nil {
			f.fatalf("MessageByProvider(%q, %q): %v, want the appended message", c.Touchpoint, "wamid.IN", err)
		}
		if got.ID != m.ID || got.ConversationID != c.ID || got.ProviderID != "wamid.IN" || got.Text != "hello" || got.Direction != conversation.Inbound {
			f.errorf("MessageByProvider returned %+v, want message %s of conversation %s as appended", got, m.ID, c.ID)
		}
	}},
	{"ByProviderFindsRecordedOutbound", "MessageByProvider with no sender finds an outbound message by the provider ID UpdateDelivery recorded on it", func(f *storeFixture) {
		c := f.create(spec{})
		m := f.appendNew(f.outbound(c, "hi"))
		if _, err := f.s.MessageByProvider(f.ctx, c.Touchpoint, "", "SM-OUT"); !isNotFound(err) {
			f.errorf("before the provider ID was recorded: got %v, want ErrNotFound", err)
		}
		_, _, err := f.s.UpdateDelivery(f.ctx, conversation.DeliveryUpdate{MessageID: m.ID, ProviderID: "SM-OUT", Status: conversation.DeliverySent, At: suiteEpoch})
		f.must(err, "UpdateDelivery recording the provider ID")
		got, err := f.s.MessageByProvider(f.ctx, c.Touchpoint, "", "SM-OUT")
		if err != nil {
			f.fatalf("after UpdateDelivery recorded %q: %v, want message %s", "SM-OUT", err, m.ID)
		}
		if got.ID != m.ID || got.Direction != conversation.Outbound || got.ProviderID != "SM-OUT" || got.Delivery.Status != conversation.DeliverySent {
			f.errorf("MessageByProvider returned %+v, want outbound message %s, provider ID SM-OUT, sent", got, m.ID)
		}
	}},
	{"ByProviderAfterClose", "MessageByProvider still finds a message after its conversation closed, so a late retry is recognised", func(f *storeFixture) {
		c := f.create(spec{})
		m := f.appendNew(f.inbound(c, "wamid.LATE", "hello"))
		f.closeConv(c)
		got, err := f.s.MessageByProvider(f.ctx, c.Touchpoint, c.Contact.ID, "wamid.LATE")
		if err != nil || got.ID != m.ID {
			f.errorf("after Close: got %v, %v; want message %s", got, err, m.ID)
		}
	}},
	{"ByProviderOtherTouchpoint", "MessageByProvider is keyed on the touchpoint too: the same provider ID elsewhere is another message or none", func(f *storeFixture) {
		c := f.create(spec{})
		m := f.appendNew(f.inbound(c, "wamid.TP", "hello"))
		if got, err := f.s.MessageByProvider(f.ctx, "tp-other", c.Contact.ID, "wamid.TP"); !isNotFound(err) {
			f.errorf("lookup on a touchpoint without the message: got %v, %v; want ErrNotFound", got, err)
		}
		other := f.create(spec{touchpoint: "tp-sms"})
		o := f.appendNew(f.inbound(other, "wamid.TP", "same id, other touchpoint"))
		if got, err := f.s.MessageByProvider(f.ctx, "tp-sms", other.Contact.ID, "wamid.TP"); err != nil || got.ID != o.ID {
			f.errorf("lookup on tp-sms: got %v, %v; want message %s", got, err, o.ID)
		}
		if got, err := f.s.MessageByProvider(f.ctx, c.Touchpoint, c.Contact.ID, "wamid.TP"); err != nil || got.ID != m.ID {
			f.errorf("lookup on %s: got %v, %v; want message %s", c.Touchpoint, got, err, m.ID)
		}
	}},
	{"ByProviderUnknown", "MessageByProvider fails with ErrNotFound for a provider ID never stored", func(f *storeFixture) {
		c := f.create(spec{})
		f.appendNew(f.inbound(c, "wamid.KNOWN", "hello"))
		f.appendNew(f.outbound(c, "no provider id yet"))
		got, err := f.s.MessageByProvider(f.ctx, c.Touchpoint, c.Contact.ID, "wamid.UNKNOWN")
		f.wantErr(err, conversation.ErrNotFound, "MessageByProvider of an unknown provider ID")
		if got != nil {
			f.errorf("MessageByProvider of an unknown provider ID returned message %+v with the error", got)
		}
	}},
	{"ByProviderRefusesBadInput", "MessageByProvider fails with ErrInvalid for an empty touchpoint or provider ID", func(f *storeFixture) {
		c := f.create(spec{})
		f.appendNew(f.inbound(c, "wamid.X", "hello"))
		// The outbound message has no provider ID: an empty ID must not
		// find it.
		f.appendNew(f.outbound(c, "pending"))
		for _, in := range []struct{ what, touchpoint, from, providerID string }{
			{"empty touchpoint", "", c.Contact.ID, "wamid.X"},
			{"empty provider ID", c.Touchpoint, c.Contact.ID, ""},
			{"empty provider ID of an outbound message", c.Touchpoint, "", ""},
			{"both empty", "", "", ""},
		} {
			got, err := f.s.MessageByProvider(f.ctx, in.touchpoint, in.from, in.providerID)
			f.wantErr(err, conversation.ErrInvalid, "MessageByProvider with "+in.what)
			if got != nil {
				f.errorf("MessageByProvider with %s returned message %+v", in.what, got)
			}
		}
	}},
	{"ByProviderReturnsCopy", "MessageByProvider returns a copy: changing it never changes the store", func(f *storeFixture) {
		c := f.create(spec{})
		m := f.inbound(c, "wamid.COPY", "original")
		m.Attachments = []conversation.Attachment{{URL: "https://example.com/a.jpg", Attachment: channel.Attachment{MIMEType: "image/jpeg"}}}
		f.appendNew(m)
		got, err := f.s.MessageByProvider(f.ctx, c.Touchpoint, c.Contact.ID, "wamid.COPY")
		f.must(err, "MessageByProvider")
		got.Text = "changed"
		got.ProviderID = "changed"
		got.Delivery.Status = conversation.DeliveryRead
		got.CreatedAt = got.CreatedAt.Add(time.Hour)
		got.Attachments[0].URL = "changed"
		again, err := f.s.MessageByProvider(f.ctx, c.Touchpoint, c.Contact.ID, "wamid.COPY")
		f.must(err, "MessageByProvider again")
		if again.Text != "original" || again.ProviderID != "wamid.COPY" || again.Delivery.Status != m.Delivery.Status ||
			!again.CreatedAt.Equal(m.CreatedAt) || len(again.Attachments) != 1 || again.Attachments[0].URL != "https://example.com/a.jpg" {
			f.errorf("after changing the returned message the store holds %+v, want it as appended", again)
		}
		if _, err := f.s.MessageByProvider(f.ctx, c.Touchpoint, c.Contact.ID, "changed"); !isNotFound(err) {
			f.errorf("changing the returned ProviderID re-indexed the message: lookup by the new ID got %v, want ErrNotFound", err)
		}
	}},
}

// isNotFound reports whether err matches conversation.ErrNotFound.
func isNotFound(err error) bool { return errors.Is(err, conversation.ErrNotFound) }

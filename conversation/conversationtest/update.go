package conversationtest

import (
	"errors"
	"strings"
	"time"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
)

// updateCases check what Update refuses besides a stale version: a change
// to a field that says which conversation this is, and a reopening into a
// slot another open conversation holds. Both would break, through the back
// door, the slot rules Create keeps: one open conversation per (touchpoint,
// contact, interaction) and one open outbound conversation per (touchpoint,
// contact).
var updateCases = append(identityCases(), []storeCase{
	{"UpdateReopenIntoOccupiedSlot", "Update fails with ErrOpenExists when it would reopen a conversation into an occupied slot, and changes nothing", func(f *storeFixture) {
		old := f.create(spec{})
		f.closeConv(old)
		occupant := f.create(spec{})
		reopen := f.reopened(old.ID)
		err := f.s.Update(f.ctx, reopen)
		f.wantErr(err, conversation.ErrOpenExists, "Update reopening a closed conversation while another holds its slot")
		var ee *conversation.ExistsError
		if errors.As(err, &ee) && ee.Existing != occupant.ID {
			f.errorf("ExistsError.Existing = %s, want the occupant %s", ee.Existing, occupant.ID)
		}
		f.wantUnchanged(old.ID, conversation.Closed, 2)
		f.wantOpen(old.Key(), occupant.ID)

		// Once the slot is free the same reopening is an ordinary update.
		f.closeConv(occupant)
		reopen = f.reopened(old.ID)
		if err := f.s.Update(f.ctx, reopen); err != nil {
			f.fatalf("Update reopening into a free slot: %v", err)
		}
		f.wantOpen(old.Key(), old.ID)
		f.wantErr(f.s.Create(f.ctx, f.newConv(spec{})), conversation.ErrOpenExists, "Create into the slot the reopened conversation holds")
	}},
	{"UpdateReopenIntoOutboundSlot", "Update fails with ErrOutboundExists when it would reopen an outbound conversation while another outbound one is open with the contact, and changes nothing", func(f *storeFixture) {
		custom := func(interaction string, dir conversation.Direction) spec {
			return spec{touchpoint: "tp-custom", kind: channel.Custom, interaction: interaction, dir: dir}
		}
		old := f.create(custom("o-1", conversation.Outbound))
		f.closeConv(old)
		occupant := f.create(custom("o-2", conversation.Outbound))
		// An open inbound conversation with the contact does not count
		// against the outbound rule.
		inbound := f.create(custom("i-1", conversation.Inbound))
		reopen := f.reopened(old.ID)
		err := f.s.Update(f.ctx, reopen)
		f.wantErr(err, conversation.ErrOutboundExists, "Update reopening outbound o-1 while outbound o-2 is open")
		var ee *conversation.ExistsError
		if errors.As(err, &ee) && ee.Existing != occupant.ID {
			f.errorf("ExistsError.Existing = %s, want the open outbound %s", ee.Existing, occupant.ID)
		}
		f.wantUnchanged(old.ID, conversation.Closed, 2)
		if _, err := f.s.FindOpen(f.ctx, old.Key()); !isNotFound(err) {
			f.errorf("the refused reopening claimed its slot: FindOpen(%+v) = %v, want ErrNotFound", old.Key(), err)
		}
		f.wantOpen(occupant.Key(), occupant.ID)

		f.closeConv(occupant)
		reopen = f.reopened(old.ID)
		if err := f.s.Update(f.ctx, reopen); err != nil {
			f.fatalf("Update reopening outbound o-1 once o-2 closed, with inbound %s open: %v", inbound.ID, err)
		}
		f.wantOpen(old.Key(), old.ID)
		f.wantErr(f.s.Create(f.ctx, f.newConv(custom("o-3", conversation.Outbound))), conversation.ErrOutboundExists,
			"Create of an outbound conversation while the reopened one is open")
	}},
}...)

// identityCases returns one case per identity field Update must refuse to
// change (conversation.Store: Touchpoint, Channel, Direction, Contact.ID,
// InteractionID, CreatedAt). Each change rides along with a legitimate one,
// so a store that ignored the field and stored the rest is caught too.
func identityCases() []storeCase {
	fields := []struct {
		field  string
		change func(c *conversation.Conversation)
	}{
		{"Touchpoint", func(c *conversation.Conversation) { c.Touchpoint = "tp-custom-2" }},
		{"Channel", func(c *conversation.Conversation) { c.Channel = channel.WhatsApp }},
		{"Direction", func(c *conversation.Conversation) { c.Direction = conversation.Outbound }},
		{"Contact.ID", func(c *conversation.Conversation) { c.Contact.ID = "contact-2" }},
		{"InteractionID", func(c *conversation.Conversation) { c.InteractionID = "i-2" }},
		{"CreatedAt", func(c *conversation.Conversation) { c.CreatedAt = c.CreatedAt.Add(-time.Hour) }},
	}
	cases := make([]storeCase, len(fields))
	for i, fd := range fields {
		cases[i] = storeCase{
			name: "UpdateRefusesChanged" + strings.ReplaceAll(fd.field, ".", ""),
			rule: "Update fails with ErrInvalid when an identity field changed (" + fd.field + ") and changes nothing",
			run: func(f *storeFixture) {
				c := f.create(spec{touchpoint: "tp-custom", kind: channel.Custom, interaction: "i-1"})
				orig := f.get(c.ID)
				changed := f.get(c.ID)
				changed.Subject = "renamed"
				fd.change(changed)
				f.wantErr(f.s.Update(f.ctx, changed), conversation.ErrInvalid, "Update changing "+fd.field)

				got := f.get(c.ID)
				if got.Version != 1 || got.Subject != "" || got.Touchpoint != orig.Touchpoint || got.Channel != orig.Channel ||
					got.Direction != orig.Direction || got.Contact.ID != orig.Contact.ID ||
					got.InteractionID != orig.InteractionID || !got.CreatedAt.Equal(orig.CreatedAt) {
					f.errorf("a refused Update changed the store: got version %d subject %q %s/%s/%s contact %q interaction %q created %v; want version 1, subject \"\", %s/%s/%s %q %q %v",
						got.Version, got.Subject, got.Touchpoint, got.Channel, got.Direction, got.Contact.ID, got.InteractionID, got.CreatedAt,
						orig.Touchpoint, orig.Channel, orig.Direction, orig.Contact.ID, orig.InteractionID, orig.CreatedAt)
				}
				f.wantOpen(orig.Key(), c.ID)
				if k := changed.Key(); k != orig.Key() {
					if _, err := f.s.FindOpen(f.ctx, k); !isNotFound(err) {
						f.errorf("a refused Update moved the conversation's slot: FindOpen(%+v) = %v, want ErrNotFound", k, err)
					}
				}
			},
		}
	}
	return cases
}

// reopened returns a fresh copy of conversation id with its status set back
// to Queued. The lifecycle never reopens a conversation, but the store is
// the last guard of the slot invariants, so it must hold them against a raw
// write too.
func (f *storeFixture) reopened(id conversation.ID) *conversation.Conversation {
	f.t.Helper()
	c := f.get(id)
	c.Status = conversation.Queued
	c.ClosedAt = time.Time{}
	c.Subject = "reopened"
	return c
}

// wantUnchanged checks that a refused Update left conversation id as it was.
func (f *storeFixture) wantUnchanged(id conversation.ID, status conversation.Status, version int64) {
	f.t.Helper()
	got := f.get(id)
	if got.Status != status || got.Version != version || got.Subject != "" {
		f.errorf("a refused Update changed the store: status %s version %d subject %q; want %s, %d, \"\"", got.Status, got.Version, got.Subject, status, version)
	}
}

// wantOpen checks that FindOpen(k) returns conversation id.
func (f *storeFixture) wantOpen(k conversation.Key, id conversation.ID) {
	f.t.Helper()
	got, err := f.s.FindOpen(f.ctx, k)
	if err != nil || got.ID != id {
		f.errorf("FindOpen(%+v) = %v, %v; want conversation %s", k, got, err, id)
	}
}

package parleytest

import (
	"github.com/parleyhq/parley/conversation"
)

// recordCases check Record, the one write the Desk makes for an inbound
// message: the message and the conversation counting it are stored
// together or not at all, so a failure half-way never leaves a message no
// one counts (DESIGN.md §2: nothing half-applied).
var recordCases = []storeCase{
	{"RecordStoresBoth", "Record stores the message and the conversation's change together and bumps the version", func(f *storeFixture) {
		c := f.create(spec{})
		m := f.inbound(c, "wamid.R1", "hello")
		if _, err := c.Receive(m); err != nil {
			f.fatalf("precondition: Receive: %v", err)
		}
		got, created, err := f.s.Record(f.ctx, c, m)
		if err != nil || !created || got.ID != m.ID {
			f.fatalf("Record: got %v, created=%v, %v; want the message, created", got, created, err)
		}
		if c.Version != 2 {
			f.errorf("c.Version after Record = %d, want 2", c.Version)
		}
		stored := f.get(c.ID)
		if stored.Unread != 1 || stored.Version != 2 {
			f.errorf("stored conversation: unread %d, version %d; want 1 and 2", stored.Unread, stored.Version)
		}
		if msgs := f.allMessages(c.ID, "", 10); len(msgs) != 1 {
			f.errorf("stored %d messages, want 1", len(msgs))
		}
	}},
	{"RecordConflictStoresNeither", "Record with a stale conversation version fails with ErrConflict and stores neither the message nor the change", func(f *storeFixture) {
		c := f.create(spec{})
		stale := c.Clone()
		c.Subject = "moved on"
		f.must(f.s.Update(f.ctx, c), "Update")
		m := f.inbound(stale, "wamid.R2", "hello")
		if _, err := stale.Receive(m); err != nil {
			f.fatalf("precondition: Receive: %v", err)
		}
		_, created, err := f.s.Record(f.ctx, stale, m)
		f.wantErr(err, conversation.ErrConflict, "Record with a stale version")
		if created {
			f.errorf("Record reported created on a conflict")
		}
		if msgs := f.allMessages(c.ID, "", 10); len(msgs) != 0 {
			f.errorf("a failed Record stored %d messages, want 0", len(msgs))
		}
		if _, err := f.s.MessageByProvider(f.ctx, c.Touchpoint, "wamid.R2"); !isNotFound(err) {
			f.errorf("a failed Record left its provider ID behind: %v", err)
		}
		if got := f.get(c.ID); got.Unread != 0 || got.Subject != "moved on" {
			f.errorf("a failed Record changed the conversation: unread %d, subject %q", got.Unread, got.Subject)
		}
	}},
	{"RecordRetryStoresNeither", "Record of a provider ID already stored returns that message, created == false, and changes nothing", func(f *storeFixture) {
		c := f.create(spec{})
		first := f.inbound(c, "wamid.R3", "hello")
		if _, err := c.Receive(first); err != nil {
			f.fatalf("precondition: Receive: %v", err)
		}
		_, _, err := f.s.Record(f.ctx, c, first)
		f.must(err, "first Record")
		retry := f.inbound(c, "wamid.R3", "hello")
		if _, err := c.Receive(retry); err != nil {
			f.fatalf("precondition: Receive: %v", err)
		}
		got, created, err := f.s.Record(f.ctx, c, retry)
		if err != nil || created || got.ID != first.ID {
			f.errorf("Record of a retry: got %v, created=%v, %v; want message %s, not created", got, created, err, first.ID)
		}
		if stored := f.get(c.ID); stored.Unread != 1 || stored.Version != 2 {
			f.errorf("a retried Record changed the conversation: unread %d, version %d; want 1 and 2", stored.Unread, stored.Version)
		}
	}},
	{"RecordRefusesAnotherConversation", "Record refuses a message of another conversation with ErrInvalid and stores neither", func(f *storeFixture) {
		a := f.create(spec{contact: "a"})
		b := f.create(spec{contact: "b"})
		m := f.inbound(b, "wamid.R4", "hello")
		_, _, err := f.s.Record(f.ctx, a, m)
		f.wantErr(err, conversation.ErrInvalid, "Record of b's message with a")
		if msgs := f.allMessages(b.ID, "", 10); len(msgs) != 0 {
			f.errorf("a refused Record stored %d messages in b, want 0", len(msgs))
		}
	}},
}

package conversationtest

import (
	"errors"
	"sync"
	"time"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
)

// conversationCases check the conversation half of the contract: Create,
// Get, FindOpen and Update, the slot rules, and optimistic concurrency.
var conversationCases = []storeCase{
	{"CreateThenGet", "Create stores a copy at Version 1; Get returns it", func(f *storeFixture) {
		c := f.create(spec{name: "Ana", addr: "whatsapp:+14155550100", queues: []string{"sales"}})
		if c.Version != 1 {
			f.errorf("Create set Version %d, want 1", c.Version)
		}
		got := f.get(c.ID)
		if got.ID != c.ID || got.Status != c.Status || got.Touchpoint != c.Touchpoint ||
			got.Contact.ID != c.Contact.ID || got.Contact.Name != "Ana" || got.Version != 1 ||
			!got.CreatedAt.Equal(c.CreatedAt) || len(got.Queues) != 1 || got.Queues[0] != "sales" ||
			len(got.Contact.Addresses) != 1 || got.Contact.Addresses[0] != c.Contact.Addresses[0] {
			f.errorf("Get returned %+v, want what was created: %+v", got, c)
		}
	}},
	{"GetReturnsCopies", "returned values are copies: changing them never changes the store", func(f *storeFixture) {
		c := f.create(spec{queues: []string{"sales"}})
		c.Queues[0] = "changed-after-create"
		got := f.get(c.ID)
		got.Queues[0] = "changed-after-get"
		got.Status = conversation.Closed
		again := f.get(c.ID)
		if again.Queues[0] != "sales" || again.Status != conversation.Queued {
			f.errorf("stored conversation changed through a caller's value: queues %v, status %s", again.Queues, again.Status)
		}
	}},
	{"CreateRefusesDuplicateID", "Create fails with ErrDuplicateID for an existing ID", func(f *storeFixture) {
		c := f.create(spec{})
		dup := f.newConv(spec{contact: "contact-2"})
		dup.ID = c.ID
		f.wantErr(f.s.Create(f.ctx, dup), conversation.ErrDuplicateID, "second Create with the same ID")
	}},
	{"CreateRefusesInvalid", "Create fails with ErrInvalid for a zero ID and changes nothing", func(f *storeFixture) {
		c := f.newConv(spec{})
		c.ID = conversation.ID{}
		f.wantErr(f.s.Create(f.ctx, c), conversation.ErrInvalid, "Create with a zero ID")
	}},
	{"GetUnknown", "Get fails with ErrNotFound for an unknown ID", func(f *storeFixture) {
		_, err := f.s.Get(f.ctx, f.ids())
		f.wantErr(err, conversation.ErrNotFound, "Get of an unknown ID")
	}},
	{"OneOpenPerSlot", "at most one open conversation per (touchpoint, contact, interaction): ErrOpenExists", func(f *storeFixture) {
		first := f.create(spec{})
		second := f.newConv(spec{})
		f.wantErr(f.s.Create(f.ctx, second), conversation.ErrOpenExists, "second open conversation in one slot")
		if _, err := f.s.Get(f.ctx, second.ID); !errors.Is(err, conversation.ErrNotFound) {
			f.errorf("refused Create stored the conversation anyway (Get: %v)", err)
		}
		found, err := f.s.FindOpen(f.ctx, first.Key())
		if err != nil || found.ID != first.ID {
			f.errorf("FindOpen = %v, %v; want the first conversation %s", found, err, first.ID)
		}
		other := f.create(spec{contact: "contact-2"})
		if other.Version != 1 {
			f.errorf("another contact's conversation was not created")
		}
	}},
	{"EndedFreesSlot", "a closed conversation is not open: FindOpen misses it and a follow-up may be created", func(f *storeFixture) {
		c := f.create(spec{})
		f.closeConv(c)
		if _, err := f.s.FindOpen(f.ctx, c.Key()); !errors.Is(err, conversation.ErrNotFound) {
			f.errorf("FindOpen after close: got %v, want ErrNotFound", err)
		}
		p, err := c.FollowUp(f.ids())
		f.must(err, "FollowUp")
		next, _, err := conversation.Start(p, c.CreatedAt.Add(2*time.Hour))
		f.must(err, "Start follow-up")
		if err := f.s.Create(f.ctx, next); err != nil {
			f.errorf("Create of the follow-up after close: %v", err)
		}
		found, err := f.s.FindOpen(f.ctx, c.Key())
		if err != nil || found.ID != next.ID || found.Previous != c.ID {
			f.errorf("FindOpen = %v, %v; want the follow-up %s linked to %s", found, err, next.ID, c.ID)
		}
	}},
	{"CustomInteractions", "custom channel: one open conversation per interaction ID", func(f *storeFixture) {
		a := f.create(spec{touchpoint: "tp-custom", kind: channel.Custom, interaction: "i-1"})
		b := f.create(spec{touchpoint: "tp-custom", kind: channel.Custom, interaction: "i-2"})
		for _, c := range []*conversation.Conversation{a, b} {
			found, err := f.s.FindOpen(f.ctx, c.Key())
			if err != nil || found.ID != c.ID {
				f.errorf("FindOpen(%+v) = %v, %v; want %s", c.Key(), found, err, c.ID)
			}
		}
		f.wantErr(f.s.Create(f.ctx, f.newConv(spec{touchpoint: "tp-custom", kind: channel.Custom, interaction: "i-1"})),
			conversation.ErrOpenExists, "second open conversation for interaction i-1")
	}},
	{"OneOpenOutbound", "at most one open outbound conversation per (touchpoint, contact): ErrOutboundExists", func(f *storeFixture) {
		out := f.create(spec{touchpoint: "tp-custom", kind: channel.Custom, interaction: "o-1", dir: conversation.Outbound})
		err := f.s.Create(f.ctx, f.newConv(spec{touchpoint: "tp-custom", kind: channel.Custom, interaction: "o-2", dir: conversation.Outbound}))
		f.wantErr(err, conversation.ErrOutboundExists, "second open outbound conversation")
		f.create(spec{touchpoint: "tp-custom", kind: channel.Custom, interaction: "in-1"})
		f.closeConv(out)
		f.create(spec{touchpoint: "tp-custom", kind: channel.Custom, interaction: "o-3", dir: conversation.Outbound})
	}},
	{"UpdateBumpsVersion", "Update stores the change and sets Version to one more", func(f *storeFixture) {
		c := f.create(spec{queues: []string{"sales"}})
		_, err := c.Assign("agent-1", conversation.AssignManual, c.CreatedAt.Add(time.Second))
		f.must(err, "Assign")
		if err := f.s.Update(f.ctx, c); err != nil {
			f.fatalf("Update: %v", err)
		}
		if c.Version != 2 {
			f.errorf("Update set Version %d, want 2", c.Version)
		}
		got := f.get(c.ID)
		if got.Version != 2 || got.Status != conversation.Assigned || got.AssigneeID != "agent-1" || !got.BotPaused {
			f.errorf("Get after Update = version %d status %s assignee %q bot paused %v; want 2 assigned agent-1 true",
				got.Version, got.Status, got.AssigneeID, got.BotPaused)
		}
	}},
	{"StaleUpdateConflicts", "an Update based on a stale Version fails with ErrConflict and changes nothing", func(f *storeFixture) {
		c := f.create(spec{queues: []string{"sales"}})
		stale := f.get(c.ID)
		_, err := c.Assign("agent-1", conversation.AssignManual, c.CreatedAt.Add(time.Second))
		f.must(err, "Assign")
		f.must(f.s.Update(f.ctx, c), "first Update")
		_, err = stale.Close(conversation.Closing{Note: "stale"}, c.CreatedAt.Add(2*time.Second))
		f.must(err, "Close on the stale copy")
		err = f.s.Update(f.ctx, stale)
		f.wantErr(err, conversation.ErrConflict, "Update from a stale copy")
		var ce *conversation.ConflictError
		if errors.As(err, &ce) && (ce.Version != 1 || ce.Current != 2) {
			f.errorf("ConflictError = %+v, want Version 1, Current 2", ce)
		}
		got := f.get(c.ID)
		if got.Status != conversation.Assigned || got.ClosingNote != "" || got.Version != 2 {
			f.errorf("stale Update changed the store: status %s note %q version %d", got.Status, got.ClosingNote, got.Version)
		}
	}},
	{"UpdateUnknown", "Update fails with ErrNotFound for an unknown ID", func(f *storeFixture) {
		c := f.newConv(spec{})
		c.Version = 1
		f.wantErr(f.s.Update(f.ctx, c), conversation.ErrNotFound, "Update of a conversation never created")
	}},
	{"ConcurrentWriters", "optimistic concurrency: concurrent read-modify-write loses no update", func(f *storeFixture) {
		c := f.create(spec{})
		const writers, each = 8, 25
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < each; i++ {
					for {
						cur, err := f.s.Get(f.ctx, c.ID)
						if err != nil {
							errs <- err
							return
						}
						cur.Unread++
						err = f.s.Update(f.ctx, cur)
						if err == nil {
							break
						}
						if !errors.Is(err, conversation.ErrConflict) {
							errs <- err
							return
						}
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			f.errorf("a writer failed: %v", err)
		}
		got := f.get(c.ID)
		if got.Unread != writers*each || got.Version != 1+writers*each {
			f.errorf("after %d increments: Unread %d, Version %d; want %d and %d", writers*each, got.Unread, got.Version, writers*each, 1+writers*each)
		}
	}},
	{"ConcurrentCreatesOneSlot", "slot checks and insert are atomic: concurrent creates for one slot, exactly one wins", func(f *storeFixture) {
		const n = 16
		convs := make([]*conversation.Conversation, n)
		for i := range convs {
			convs[i] = f.newConv(spec{})
		}
		var wg sync.WaitGroup
		results := make([]error, n)
		for i := range convs {
			wg.Add(1)
			go func() { defer wg.Done(); results[i] = f.s.Create(f.ctx, convs[i]) }()
		}
		wg.Wait()
		won := 0
		for _, err := range results {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, conversation.ErrOpenExists):
				f.errorf("a losing Create failed with %v, want ErrOpenExists", err)
			}
		}
		if won != 1 {
			f.errorf("%d concurrent creates for one slot succeeded, want exactly 1", won)
		}
	}},
}

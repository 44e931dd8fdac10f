package conversationtest

import (
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/parleyhq/parley/conversation"
)

// recordCases check Record, the one write the Desk makes for an inbound
// message: the message and the conversation counting it are stored
// together or not at all, so a failure half-way never leaves a message no
// one counts.
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
		if _, err := f.s.MessageByProvider(f.ctx, c.Touchpoint, c.Contact.ID, "wamid.R2"); !isNotFound(err) {
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
	{"ConcurrentDuplicateRecords", "concurrent Records of one webhook, each retrying on ErrConflict, store exactly one message, counted once, and return it to every caller", func(f *storeFixture) {
		c := f.create(spec{})
		const n = 16
		msgs := make([]*conversation.Message, n)
		for i := range msgs {
			msgs[i] = f.inbound(c, "wamid.RDUP", "hello")
		}
		results := make([]recordResult, n)
		f.concurrently(n, func(i int) { results[i] = f.recordRetrying(c.ID, msgs[i]) })

		var winner *conversation.Message
		for i, r := range results {
			if r.err != nil {
				f.errorf("caller %d: Record failed: %v", i, r.err)
			}
			if r.created {
				if winner != nil {
					f.errorf("callers stored both %s and %s for one provider ID", winner.ID, msgs[i].ID)
				}
				winner = msgs[i]
			}
		}
		if winner == nil {
			f.fatalf("no caller stored the message: results %+v", results)
		}
		wrong, first := 0, -1
		for i, r := range results {
			if r.stored == nil || r.stored.ID != winner.ID || r.stored.ProviderID != "wamid.RDUP" {
				if wrong++; first < 0 {
					first = i
				}
			}
		}
		if wrong > 0 {
			f.errorf("%d of %d callers got back another message than the stored %s; caller %d got %+v", wrong, n, winner.ID, first, results[first].stored)
		}
		if got := f.allMessages(c.ID, "", 0); len(got) != 1 || got[0].ID != winner.ID {
			f.errorf("conversation holds messages %v, want only %s", messageIDs(got), winner.ID)
		}
		got := f.get(c.ID)
		if got.Unread != 1 || got.Version != 2 || !got.LastInboundAt.Equal(winner.CreatedAt) {
			f.errorf("conversation counts: unread %d, version %d, last inbound %v; want 1, 2 and the stored message's %v",
				got.Unread, got.Version, got.LastInboundAt, winner.CreatedAt)
		}
	}},
	{"ConcurrentRecordsLoseNone", "concurrent Records of different messages, each retrying on ErrConflict, store every message and count each once", func(f *storeFixture) {
		c := f.create(spec{})
		const writers, each = 8, 20
		msgs := make([][]*conversation.Message, writers)
		for w := range msgs {
			for i := 0; i < each; i++ {
				providerID := ""
				if w%2 == 0 { // half without provider IDs, which never deduplicate
					providerID = fmt.Sprintf("wamid.W%d-%d", w, i)
				}
				msgs[w] = append(msgs[w], f.inbound(c, providerID, fmt.Sprintf("writer %d message %d", w, i)))
			}
		}
		f.concurrently(writers, func(w int) {
			for _, m := range msgs[w] {
				r := f.recordRetrying(c.ID, m)
				if r.err != nil || !r.created || r.stored == nil || r.stored.ID != m.ID {
					f.errorf("writer %d: Record of %s = %+v; want it stored and returned", w, m.ID, r)
					return
				}
			}
		})

		pos := make(map[conversation.ID]int)
		for i, m := range f.allMessages(c.ID, "", 0) {
			if _, dup := pos[m.ID]; dup {
				f.errorf("message %s listed twice", m.ID)
			}
			pos[m.ID] = i
		}
		if len(pos) != writers*each {
			f.errorf("conversation holds %d messages, want %d", len(pos), writers*each)
		}
		var lost []conversation.ID
		for w := range msgs {
			last := -1
			for _, m := range msgs[w] {
				p, ok := pos[m.ID]
				if !ok {
					lost = append(lost, m.ID)
					continue
				}
				if p < last {
					f.errorf("writer %d's message %s listed before one it recorded earlier: Messages must keep append order", w, m.ID)
					break
				}
				last = p
			}
		}
		if len(lost) > 0 {
			f.errorf("%d of %d messages were lost, first %s", len(lost), writers*each, lost[0])
		}
		if got := f.get(c.ID); got.Unread != writers*each || got.Version != 1+writers*each {
			f.errorf("after %d Records: unread %d, version %d; want %d and %d", writers*each, got.Unread, got.Version, writers*each, 1+writers*each)
		}
	}},
}

// recordResult is what one caller of recordRetrying got.
type recordResult struct {
	stored  *conversation.Message
	created bool
	err     error
}

// maxRecordAttempts bounds recordRetrying. A writer's Record conflicts only
// when another Record or Update succeeded since its Get, so a correct store
// needs far fewer attempts than this in the suite's concurrent cases; a
// store that reports conflicts forever fails instead of hanging.
const maxRecordAttempts = 1000

// recordRetrying records m the way the Desk does: Get a fresh copy of the
// conversation, Receive m on it, Record both, and on ErrConflict start
// over. It may run on any goroutine: it reports instead of failing.
func (f *storeFixture) recordRetrying(id conversation.ID, m *conversation.Message) recordResult {
	for attempt := 0; attempt < maxRecordAttempts; attempt++ {
		c, err := f.s.Get(f.ctx, id)
		if err != nil {
			return recordResult{err: fmt.Errorf("get: %w", err)}
		}
		if _, err := c.Receive(m); err != nil {
			return recordResult{err: fmt.Errorf("receive on the stored copy: %w", err)}
		}
		// The Desk does work between its read and its write; yielding here
		// lets the other writers in, so the stale-version path is taken.
		runtime.Gosched()
		stored, created, err := f.s.Record(f.ctx, c, m)
		if !errors.Is(err, conversation.ErrConflict) {
			return recordResult{stored, created, err}
		}
	}
	return recordResult{err: fmt.Errorf("still ErrConflict after %d attempts", maxRecordAttempts)}
}

// concurrently runs fn(0) … fn(n-1) on n goroutines released together, so
// they contend as much as they can, and waits for all of them.
func (f *storeFixture) concurrently(n int, fn func(i int)) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			fn(i)
		}()
	}
	close(start)
	wg.Wait()
}

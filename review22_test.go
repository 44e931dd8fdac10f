package parley_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
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
)

// TransferToQueues refuses queues the router would refuse before the
// store is written: an invalid list changes nothing and is an error.
func TestReviewTransferToInvalidQueuesChangesNothing(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		queues []string
	}{
		{"none", nil},
		{"blank", []string{" "}},
		{"control", []string{"sales\x00"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			id := receive(t, f, "wa", wa("+14155550100"), "w1", "hello").Conversation.ID
			require.NoError(t, f.Assign(ctx, "ana", id, "ana"))
			before, err := f.Conversation(ctx, parley.SystemActor, id)
			require.NoError(t, err)

			err = f.TransferToQueues(ctx, "ana", id, tc.queues)
			assert.ErrorIs(t, err, routing.ErrInvalid)
			after, err := f.Conversation(ctx, parley.SystemActor, id)
			require.NoError(t, err)
			assert.Equal(t, before, after, "a refused transfer changes nothing")
		})
	}
}

// leavePending replies in conversation id with the caller leaving before
// the transport answers, so the reply stays pending for Tick.
func leavePending(t *testing.T, f *parleytest.Desk, id conversation.ID) *conversation.Message {
	t.Helper()
	f.Transport.Delay(time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	m, err := f.Reply(ctx, "ana", id, "on it")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	f.Transport.Delay(0)
	require.NotNil(t, m)
	return m
}

// A pending message whose conversation is gone by the next Tick (the
// contact erased, or the history purged) has nothing left to send or
// record: Tick drops it rather than failing for ever, and never hands
// the erased contact's text to the transport.
func TestReviewTickForgetsAPendingMessageOfAnErasedContact(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	id := receive(t, f, "wa", wa("+14155550100"), "w1", "Hello").Conversation.ID
	leavePending(t, f, id)
	_, err := f.Erase(ctx, parley.SystemActor, wa("+14155550100"))
	require.NoError(t, err)

	assert.NoError(t, f.Tick(ctx), "nothing is left to re-drive")
	assert.NoError(t, f.Tick(ctx))
	assert.Empty(t, f.Transport.Sent(), "the erased contact gets nothing")
}

// A pending message whose conversation was closed before Tick re-drives
// it is judged by the rules of now, and its outcome recorded: never left
// pending.
func TestReviewTickRecordsAPendingMessageOfAClosedConversation(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	id := receive(t, f, "wa", wa("+14155550100"), "w1", "Hello").Conversation.ID
	m := leavePending(t, f, id)
	require.NoError(t, f.Close(ctx, "ana", id, "done"))

	require.NoError(t, f.Tick(ctx))
	for _, s := range storedMessages(t, f, id) {
		if s.ID == m.ID {
			assert.NotEqual(t, conversation.DeliveryPending, s.Delivery.Status, "recorded, not left pending")
		}
	}
	require.NoError(t, f.Tick(ctx))
}

// Tick re-driving a pending message races a manual retry of the same
// draft: under -race, the message is sent once and recorded sent.
func TestReviewTickRacesAManualRetry(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	id := receive(t, f, "wa", wa("+14155550100"), "w1", "Hello").Conversation.ID
	draft := parley.Draft{ID: conversation.ID{0x01, 0x9a, 0, 0, 0, 0, 0x70, 0, 0x80, 0, 0, 0, 0, 0, 0, 0x42}, Text: "on it"}
	f.Transport.Delay(time.Hour)
	cctx, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	_, err := f.SendDraft(cctx, "ana", id, draft)
	cancel()
	require.ErrorIs(t, err, context.DeadlineExceeded)
	f.Transport.Delay(0)

	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); assert.NoError(t, f.Tick(ctx)) }()
	go func() {
		defer wg.Done()
		_, err := f.SendDraft(ctx, "ana", id, draft)
		assert.NoError(t, err)
	}()
	wg.Wait()
	require.NoError(t, f.Tick(ctx))
	var sent int
	for _, o := range f.Transport.Sent() {
		if o.MessageID == draft.ID {
			sent++
		}
	}
	assert.GreaterOrEqual(t, sent, 1)
	msgs := storedMessages(t, f, id)
	assert.Equal(t, conversation.DeliverySent, msgs[len(msgs)-1].Delivery.Status)
}

// A carrier that pads a STOP with a NUL ("STOP\x00") still opts the
// contact out: a refused webhook would leave the STOP unhonoured, and
// every retry refused alike.
func TestReviewStopWithANulOptsOut(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	rc, err := f.Receive(ctx, parley.Inbound{Touchpoint: "sms", From: sms("+14155550100"), ProviderID: "s1", Text: "STOP\x00"})
	require.NoError(t, err)
	assert.Equal(t, optout.OptOut, rc.Keyword)
	comp, err := f.Composer(ctx, "ana", rc.Conversation.ID)
	require.NoError(t, err)
	assert.True(t, comp.OptedOut)
}

// Two SMS contacts reusing one provider ID: the STOP opts out its own
// sender only, and each receipt carries its own conversation.
func TestReviewReusedIDWithStopOptsOutItsSenderOnly(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	a := receive(t, f, "sms", sms("+14155550100"), "s1", "STOP")
	b := receive(t, f, "sms", sms("+14155550101"), "s1", "hello")
	assert.False(t, b.Duplicate)
	assert.Equal(t, optout.OptOut, a.Keyword)
	assert.NotEqual(t, optout.OptOut, b.Keyword)
	ca, err := f.Composer(ctx, "ana", a.Conversation.ID)
	require.NoError(t, err)
	cb, err := f.Composer(ctx, "ana", b.Conversation.ID)
	require.NoError(t, err)
	assert.True(t, ca.OptedOut)
	assert.False(t, cb.OptedOut)
	retry := receive(t, f, "sms", sms("+14155550101"), "s1", "hello")
	assert.True(t, retry.Duplicate)
	assert.Equal(t, b.Conversation.ID, retry.Conversation.ID)
}

// An inbound message whose provider ID equals the provider ID the
// transport gave an outbound message: the delivery report updates the
// outbound message, never the contact's.
func TestReviewDeliveryReportMatchesOutboundOnly(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	rc := receive(t, f, "wa", wa("+14155550100"), "fake-1", "hello")
	m, err := f.Reply(ctx, "ana", rc.Conversation.ID, "hi")
	require.NoError(t, err)
	require.Equal(t, "fake-1", m.ProviderID, "precondition: the IDs collide")
	changed, err := f.UpdateDelivery(ctx, parley.DeliveryReport{Touchpoint: "wa", ProviderID: "fake-1", Status: conversation.DeliveryDelivered, At: f.Clock.Now()})
	require.NoError(t, err)
	assert.True(t, changed)
	for _, s := range storedMessages(t, f, rc.Conversation.ID) {
		if s.Direction == conversation.Inbound {
			assert.Equal(t, conversation.DeliveryStatus(0), s.Delivery.Status, "the contact's message is untouched")
		} else {
			assert.Equal(t, conversation.DeliveryDelivered, s.Delivery.Status)
		}
	}
}

// A refused inbound message leaves nothing: no conversation, no event.
func TestReviewRefusedInboundLeavesNothing(t *testing.T) {
	ctx := context.Background()
	huge := strings.Repeat("x", channel.MaxInboundText+1)
	for _, tc := range []struct {
		name string
		in   parley.Inbound
	}{
		{"NULs only", parley.Inbound{Text: "\x00"}},
		{"huge text", parley.Inbound{Text: huge}},
		{"control in name", parley.Inbound{Text: "hi", Name: "Al\x1bice"}},
		{"newline in name", parley.Inbound{Text: "hi", Name: "Al\nice"}},
		{"NUL in provider ID", parley.Inbound{Text: "hi", ProviderID: "w\x00"}},
		{"invalid UTF-8 provider ID", parley.Inbound{Text: "hi", ProviderID: "w\xff"}},
		{"huge provider ID", parley.Inbound{Text: "hi", ProviderID: strings.Repeat("p", 1<<20)}},
		{"white space only", parley.Inbound{Text: " \t\n"}},
		{"negative size", parley.Inbound{Attachments: []conversation.Attachment{{URL: "https://x/a.jpg", Attachment: channel.Attachment{MIMEType: "image/jpeg", Size: -1}}}}},
		{"huge size", parley.Inbound{Attachments: []conversation.Attachment{{URL: "https://x/a.jpg", Attachment: channel.Attachment{MIMEType: "image/jpeg", Size: math.MaxInt64}}}}},
		{"NUL in URL", parley.Inbound{Attachments: []conversation.Attachment{{URL: "https://x/\x00", Attachment: channel.Attachment{MIMEType: "image/jpeg", Size: 10}}}}},
		{"control in MIME", parley.Inbound{Attachments: []conversation.Attachment{{URL: "https://x/a", Attachment: channel.Attachment{MIMEType: "image/jpeg\n", Size: 10}}}}},
		{"control in file name", parley.Inbound{Attachments: []conversation.Attachment{{URL: "https://x/a", Attachment: channel.Attachment{MIMEType: "image/jpeg", Name: "a\x00.jpg", Size: 10}}}}},
		{"NUL in transcript", parley.Inbound{Text: "hi", Transcript: []parley.Turn{{Author: conversation.AuthorBot, Text: "\x00"}}}},
		{"bad author", parley.Inbound{Text: "hi", Transcript: []parley.Turn{{Author: conversation.AuthorKind(99), Text: "a"}}}},
		{"transcript too long", parley.Inbound{Text: "hi", Transcript: make([]parley.Turn, parley.MaxTranscriptTurns+1)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			in := tc.in
			in.Touchpoint, in.From = "wa", wa("+14155550100")
			_, err := f.Receive(ctx, in)
			assert.ErrorIs(t, err, conversation.ErrInvalid)
			page, err := f.Search(ctx, parley.SystemActor, conversation.Query{})
			require.NoError(t, err)
			assert.Empty(t, page.Conversations, "no conversation is left")
			assert.Empty(t, f.Publisher.Names(), "no event")
		})
	}
}

// Transcripts at the limit are imported whole, with the welcome kept.
func TestReviewTranscriptAtTheLimit(t *testing.T) {
	ctx := context.Background()
	for _, n := range []int{255, 256, 257, parley.MaxTranscriptTurns} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			f := newFixture(t)
			turns := make([]parley.Turn, n)
			for i := range turns {
				turns[i] = parley.Turn{Author: conversation.AuthorBot, Text: "turn " + strconv.Itoa(i)}
			}
			rc, err := f.Receive(ctx, parley.Inbound{Touchpoint: "chat", From: channel.Address{Kind: channel.WebChat, ID: "v1"}, ProviderID: "c1", Text: "hi", Transcript: turns})
			require.NoError(t, err)
			var all []*conversation.Message
			q := conversation.MessageQuery{ConversationID: rc.Conversation.ID, Sort: conversation.Oldest, Limit: conversation.MaxLimit}
			for {
				page, err := f.Messages(ctx, parley.SystemActor, q)
				require.NoError(t, err)
				all = append(all, page.Messages...)
				if page.Next == "" {
					break
				}
				q.Cursor = page.Next
			}
			assert.Len(t, all, n+1)
			ids := map[conversation.ID]bool{}
			for _, m := range all {
				assert.False(t, ids[m.ID])
				ids[m.ID] = true
			}
		})
	}
}

// Erase refuses an address that does not parse, and erases nothing.
func TestReviewEraseOddAddresses(t *testing.T) {
	ctx := context.Background()
	for _, addr := range []channel.Address{
		wa("14155550100"), wa("+"), wa(""), wa("+14155550100\x00"),
		wa("+1"), sms("+1415555010a"), {Kind: channel.WebChat, ID: ""}, {Kind: channel.Kind(99), ID: "+14155550100"},
		{},
	} {
		t.Run(fmt.Sprintf("%q", addr.ID), func(t *testing.T) {
			f := newFixture(t)
			id := receive(t, f, "wa", wa("+14155550100"), "w1", "hello").Conversation.ID
			_, err := f.Erase(ctx, parley.SystemActor, addr)
			assert.Error(t, err)
			_, err = f.Conversation(ctx, parley.SystemActor, id)
			assert.NoError(t, err, "nothing erased")
		})
	}
}

// updateFailStore fails every conversation write while failing is set.
type updateFailStore struct {
	conversation.Store
	failing atomic.Bool
}

var errStoreDown = errors.New("store: down")

func (s *updateFailStore) Update(ctx context.Context, c *conversation.Conversation) error {
	if s.failing.Load() {
		return errStoreDown
	}
	return s.Store.Update(ctx, c)
}

// A failed store write leaves the router as the store says: the agent's
// load is what it holds (probed by assigning more than fits) before and
// after Tick, and Tick has nothing to repair.
func TestReviewFailedStoreWriteLeavesTheRouterAsStored(t *testing.T) {
	ctx := context.Background()
	actions := []struct {
		name string
		act  func(f *parleytest.Desk, id conversation.ID) error
		// heldByAna: the store still says ana holds the conversation
		heldByAna bool
	}{
		{"End", func(f *parleytest.Desk, id conversation.ID) error { return f.End(ctx, "ana", id) }, true},
		{"Close", func(f *parleytest.Desk, id conversation.ID) error { return f.Close(ctx, "ana", id, "") }, true},
		{"SendToInbox", func(f *parleytest.Desk, id conversation.ID) error { return f.SendToInbox(ctx, "ana", id) }, true},
		{"TransferToQueues", func(f *parleytest.Desk, id conversation.ID) error {
			return f.TransferToQueues(ctx, "ana", id, []string{"sales"})
		}, true},
		{"Transfer", func(f *parleytest.Desk, id conversation.ID) error { return f.Transfer(ctx, "ana", id, "bo") }, true},
		{"Escalate", func(f *parleytest.Desk, id conversation.ID) error { return f.Escalate(ctx, "ana", id) }, true},
	}
	for _, a := range actions {
		t.Run(a.name, func(t *testing.T) {
			store := &updateFailStore{Store: memory.NewConversationStore()}
			f := newFixture(t, func(c *parley.Config) {
				c.Conversations = store
				c.Agents[0].Capacity = 39 // ana holds one conversation, not two
				c.Agents[1].Capacity = 39
			})
			id := receive(t, f, "wa", wa("+14155550100"), "w1", "hello").Conversation.ID
			other := receive(t, f, "wa", wa("+14155550101"), "w2", "hello").Conversation.ID
			require.NoError(t, f.Assign(ctx, "ana", id, "ana"))

			store.failing.Store(true)
			err := a.act(f, id)
			store.failing.Store(false)
			if a.name != "Escalate" {
				require.ErrorIs(t, err, errStoreDown)
			}
			probe := func(when string) {
				st, who := status(t, f, id)
				require.Equal(t, conversation.Assigned, st, when)
				require.Equal(t, "ana", who, when)
				assert.ErrorIs(t, f.Assign(ctx, "ana", other, "ana"), routing.ErrOverCapacity, "%s: ana is still charged", when)
			}
			probe("after the failure")
			require.NoError(t, f.Tick(ctx))
			probe("after Tick")
			// bo has room for what the store says he holds: nothing.
			require.NoError(t, f.Assign(ctx, "bo", other, "bo"))
		})
	}
}

// Assign whose store write fails leaves the agent uncharged.
func TestReviewFailedAssignLeavesTheAgentFree(t *testing.T) {
	ctx := context.Background()
	store := &updateFailStore{Store: memory.NewConversationStore()}
	f := newFixture(t, func(c *parley.Config) {
		c.Conversations = store
		c.Agents[0].Capacity = 20
	})
	id := receive(t, f, "wa", wa("+14155550100"), "w1", "hello").Conversation.ID
	store.failing.Store(true)
	require.ErrorIs(t, f.Assign(ctx, "ana", id, "ana"), errStoreDown)
	store.failing.Store(false)
	require.NoError(t, f.Tick(ctx))
	st, _ := status(t, f, id)
	require.Equal(t, conversation.Queued, st)
	require.NoError(t, f.Assign(ctx, "ana", id, "ana"), "ana's room is free")
}

// onceFailStore fails the next n conversation writes.
type onceFailStore struct {
	conversation.Store
	n atomic.Int32
}

func (s *onceFailStore) Update(ctx context.Context, c *conversation.Conversation) error {
	if s.n.Add(-1) >= 0 {
		return errStoreDown
	}
	return s.Store.Update(ctx, c)
}

// A transfer the store refuses, whose freed room the router gave at once
// to a waiting conversation, cannot be undone in the router: Tick must
// still bring the router in line with the store, not fail for ever.
func TestReviewTransferUndoneAfterTheRoomWasTaken(t *testing.T) {
	ctx := context.Background()
	store := &onceFailStore{Store: memory.NewConversationStore()}
	f := newFixture(t, withSupervisor, func(c *parley.Config) {
		c.Conversations = store
		touchpointOf(c, "wa").Routing.Mode = routing.Automatic
		c.Agents[0].Capacity = 20 // ana holds one conversation
	})
	require.NoError(t, f.SetPresence(ctx, "bo", routing.Away))
	c1 := receive(t, f, "wa", wa("+14155550100"), "w1", "hello")
	require.Equal(t, routing.Assigned, c1.Routing.Outcome)
	require.Equal(t, "ana", c1.Routing.AgentID)
	c2 := receive(t, f, "wa", wa("+14155550101"), "w2", "hello")
	require.NotEqual(t, routing.Assigned, c2.Routing.Outcome, "precondition: c2 waits")

	store.n.Store(1)
	err := f.Transfer(ctx, "ana", c1.Conversation.ID, "sue")
	require.ErrorIs(t, err, errStoreDown)
	// The router could not give c1 back (ana took c2 meanwhile): the move
	// it made is applied to the store, so both agree.
	_, who := status(t, f, c1.Conversation.ID)
	assert.Equal(t, "sue", who)

	assert.NoError(t, f.Tick(ctx), "Tick repairs the drift")
	assert.NoError(t, f.Tick(ctx), "and has nothing left to repair")
}

// A transfer the store refuses publishes nothing and leaves the
// conversation with its agent.
func TestReviewRefusedTransferPublishesNothing(t *testing.T) {
	ctx := context.Background()
	store := &onceFailStore{Store: memory.NewConversationStore()}
	f := newFixture(t, func(c *parley.Config) { c.Conversations = store })
	id := receive(t, f, "wa", wa("+14155550100"), "w1", "hello").Conversation.ID
	require.NoError(t, f.Assign(ctx, "ana", id, "ana"))
	events := len(f.Publisher.Names())
	before, err := f.Conversation(ctx, parley.SystemActor, id)
	require.NoError(t, err)

	store.n.Store(1)
	require.ErrorIs(t, f.Transfer(ctx, "ana", id, "bo"), errStoreDown)
	assert.Equal(t, f.Publisher.Names()[events:], []string{}, "a refused transfer publishes nothing")
	after, err := f.Conversation(ctx, parley.SystemActor, id)
	require.NoError(t, err)
	assert.Equal(t, before.AssigneeID, after.AssigneeID)
	assert.Equal(t, before.Version, after.Version, "and writes nothing")
}

// Purge runs while webhooks arrive and agents close conversations: under
// -race, nothing open is purged and every message is stored.
func TestReviewPurgeRacesReceive(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	const n = 40
	var wg sync.WaitGroup
	wg.Add(3)
	go func() {
		defer wg.Done()
		for i := range n {
			rc, err := f.Receive(ctx, parley.Inbound{Touchpoint: "wa", From: wa(fmt.Sprintf("+1415555%04d", i)), ProviderID: "w" + strconv.Itoa(i), Text: "hi"})
			if assert.NoError(t, err) && i%2 == 0 {
				assert.NoError(t, f.Close(ctx, parley.SystemActor, rc.Conversation.ID, ""))
			}
		}
	}()
	go func() {
		defer wg.Done()
		for range n {
			_, err := f.Purge(ctx, parley.SystemActor, f.Clock.Now().Add(time.Hour))
			assert.NoError(t, err)
		}
	}()
	go func() {
		defer wg.Done()
		for range n {
			_, err := f.Inbox(ctx, "ana", routing.OldestFirst)
			assert.NoError(t, err)
		}
	}()
	wg.Wait()
	_, err := f.Purge(ctx, parley.SystemActor, f.Clock.Now().Add(time.Hour))
	require.NoError(t, err)
	page, err := f.Search(ctx, parley.SystemActor, conversation.Query{Limit: conversation.MaxLimit})
	require.NoError(t, err)
	assert.Len(t, page.Conversations, n/2, "the open half is kept")
	for _, c := range page.Conversations {
		assert.True(t, c.Status.Open())
		assert.Len(t, storedMessages(t, f, c.ID), 1)
	}
}

// SendSnippet refused for visibility returns no rendered text.
func TestReviewSnippetRefusedRendersNothing(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	id, err := f.Receive(ctx, parley.Inbound{Touchpoint: "wa", From: wa("+14155550100"), ProviderID: "w1", Text: "hi", Name: "Alice Secret"})
	require.NoError(t, err)
	m, err := f.SendSnippet(ctx, "cy", id.Conversation.ID, "greet", nil)
	require.ErrorIs(t, err, routing.ErrNotVisible)
	if m != nil {
		assert.NotContains(t, m.Text, "Alice")
	}
	assert.NotContains(t, err.Error(), "Alice")
	for _, s := range storedMessages(t, f, id.Conversation.ID) {
		assert.NotContains(t, s.Text, "Alice", "nothing stored")
	}
}

// The refusal of an agent who serves the conversation's queue but may not
// see it (another agent holds it) does not claim the agent serves none.
func TestReviewVisibilityErrorTellsTheTruth(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	id := receive(t, f, "wa", wa("+14155550100"), "w1", "hello").Conversation.ID
	require.NoError(t, f.Assign(ctx, "ana", id, "ana"))
	err := f.Close(ctx, "bo", id, "")
	require.ErrorIs(t, err, routing.ErrNotVisible)
	assert.NotContains(t, err.Error(), "in none of them", "bo serves support")
}

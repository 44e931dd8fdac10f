package parley_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/parleytest"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/session"
)

// windowEventsOf returns every WindowEvent the desks published.
func windowEventsOf(desks ...*parleytest.Desk) []parley.WindowEvent {
	var out []parley.WindowEvent
	for _, d := range desks {
		out = append(out, (&windowLog{pub: d.Publisher}).take()...)
	}
	return out
}

// tickAll ticks every desk at once, as processes would.
func tickAll(t *testing.T, desks ...*parleytest.Desk) {
	t.Helper()
	errs := make([]error, len(desks))
	var wg sync.WaitGroup
	for i, d := range desks {
		wg.Go(func() { errs[i] = d.Tick(context.Background()) })
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
}

// Any desk announces a window, whichever desk received the contact's
// message, even one started after that desk died; desks ticking together
// announce each notice once between them.
func TestWindowNoticesComeFromAnyDesk(t *testing.T) {
	tests := []struct {
		name string
		// others desks tick, made before the message (up beside the
		// receiver) or after it (started once the receiver died); the
		// receiver ticks with them when receiverTicks.
		others        int
		madeBefore    bool
		receiverTicks bool
	}{
		{"a desk up beside the receiver", 1, true, false},
		{"a desk started after the receiver died", 1, false, false},
		{"three desks tick together, the receiver among them", 2, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newReplicated(t, routing.Policy{Mode: routing.Automatic})
			received := r.desk(100)
			var desks []*parleytest.Desk
			more := func() {
				for range tt.others {
					desks = append(desks, r.desk(100))
				}
			}
			if tt.madeBefore {
				more()
			}
			rc := receive(t, received, "wa", wa("+14155550300"), "n1", "hello")
			if !tt.madeBefore {
				more()
			}
			if tt.receiverTicks {
				desks = append(desks, received)
			}
			closes := parleytest.Epoch.Add(24 * time.Hour)

			r.clock.Advance(23*time.Hour + 30*time.Minute)
			tickAll(t, desks...)
			tickAll(t, desks...)
			got := windowEventsOf(desks...)
			require.Len(t, got, 1, "window expiring, once between the desks")
			assert.False(t, got[0].Closed)
			assert.Equal(t, rc.Conversation.ID, got[0].ConversationID)
			assert.Equal(t, closes, got[0].ClosesAt)

			r.clock.Advance(30 * time.Minute)
			tickAll(t, desks...)
			tickAll(t, desks...)
			got = slices.DeleteFunc(windowEventsOf(desks...), func(e parley.WindowEvent) bool { return !e.Closed })
			require.Len(t, got, 1, "window closed, once between the desks")
			assert.Equal(t, closes, got[0].ClosesAt)
			assert.Len(t, windowEventsOf(desks...), 2, "nothing more")
		})
	}
}

// Start writes free-form inside the window a message received on another
// desk opened.
func TestStartSeesAWindowAnotherDeskOpened(t *testing.T) {
	r := newReplicated(t, routing.Policy{Mode: routing.Automatic})
	a, b := r.desk(100), r.desk(100)
	ctx := context.Background()
	to := wa("+14155550310")
	rc := receive(t, a, "wa", to, "s1", "hello")
	require.NoError(t, a.Close(ctx, parley.SystemActor, rc.Conversation.ID, "done"))
	r.clock.Advance(time.Hour)

	c, m, err := b.Start(ctx, "ana", parley.Opening{Touchpoint: "wa", To: to, Text: "Your parcel left"})
	require.NoError(t, err, "the window a's message opened is open on b")
	assert.Equal(t, conversation.DeliverySent, m.Delivery.Status)
	assert.Equal(t, parleytest.Epoch, c.LastInboundAt)
}

// ExpiringWindows lists every window on every desk, whichever desk
// received the message that opened it.
func TestExpiringWindowsListsWindowsOfEveryDesk(t *testing.T) {
	r := newReplicated(t, routing.Policy{Mode: routing.Automatic})
	a, b := r.desk(100), r.desk(100)
	ctx := context.Background()
	receive(t, a, "wa", wa("+14155550320"), "x1", "hello")
	r.clock.Advance(time.Hour)
	receive(t, b, "wa", wa("+14155550321"), "x2", "hello")

	for name, d := range map[string]*parleytest.Desk{"a": a, "b": b} {
		got, err := d.ExpiringWindows(ctx, parley.SystemActor, 24*time.Hour)
		require.NoError(t, err)
		require.Len(t, got, 2, name)
		assert.Equal(t, []channel.Address{wa("+14155550320"), wa("+14155550321")}, []channel.Address{got[0].Key.Contact, got[1].Key.Contact}, name)
		assert.Equal(t, 23*time.Hour, got[0].Remaining, name)
	}
}

// Desks sharing a conversation store never give two anonymous visitors
// one number, and a desk started later goes on from the last number.
func TestVisitorNumbersAreUniqueAcrossDesksAndRestarts(t *testing.T) {
	r := newReplicated(t, routing.Policy{Mode: routing.Automatic})
	desks := []*parleytest.Desk{r.desk(100), r.desk(100)}
	const each = 10
	names := make([][]string, len(desks))
	var wg sync.WaitGroup
	for i, d := range desks {
		wg.Go(func() {
			for j := range each {
				from := channel.Address{Kind: channel.WebChat, ID: fmt.Sprintf("v-%d-%d", i, j)}
				rc, err := d.Receive(context.Background(), parley.Inbound{Touchpoint: "chat", From: from, ProviderID: from.ID, Text: "hi"})
				if assert.NoError(t, err) {
					names[i] = append(names[i], rc.Conversation.Contact.Name)
				}
			}
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, ns := range names {
		for _, n := range ns {
			assert.False(t, seen[n], "%s given twice", n)
			seen[n] = true
		}
	}
	for n := 1; n <= len(desks)*each; n++ {
		assert.True(t, seen[conversation.VisitorName(uint64(n))], "%s was skipped", conversation.VisitorName(uint64(n)))
	}

	restarted := r.desk(100)
	rc := receive(t, restarted, "chat", channel.Address{Kind: channel.WebChat, ID: "v-late"}, "late", "hi")
	assert.Equal(t, conversation.VisitorName(uint64(len(desks)*each+1)), rc.Conversation.Contact.Name, "numbers go on after a restart")
}

// A desk slow to claim "window expiring" does not publish it once another
// desk has announced the window closed: the closed notice covers both.
func TestWindowExpiringIsNotPublishedAfterWindowClosed(t *testing.T) {
	r := newReplicated(t, routing.Policy{Mode: routing.Automatic})
	ctx := context.Background()
	rc := receive(t, r.desk(100), "wa", wa("+14155550330"), "l1", "hello")
	r.clock.Advance(23*time.Hour + 30*time.Minute)
	listed, err := r.windows.Notices(ctx, r.clock.Now(), time.Hour)
	require.NoError(t, err)
	require.Len(t, listed, 1, "precondition: the warning is due")
	require.False(t, listed[0].Closed)
	// Another desk announced the window closed after slow listed the
	// warning and before it claimed it.
	marked, err := r.windows.Noticed(ctx, listed[0].Key, listed[0].ExpiresAt, true)
	require.NoError(t, err)
	require.True(t, marked)

	slow := r.desk(100, func(c *parley.Config) { c.Windows = staleNotices{Store: r.windows, notices: listed} })
	require.NoError(t, slow.Tick(ctx))
	assert.Empty(t, windowEventsOf(slow), "window closed went out already")
	_ = rc
}

// staleNotices is a window store that lists the notices it was given, as
// a desk that listed them a moment before sees them.
type staleNotices struct {
	session.Store
	notices []session.Notice
}

func (s staleNotices) Notices(context.Context, time.Time, time.Duration) ([]session.Notice, error) {
	return s.notices, nil
}

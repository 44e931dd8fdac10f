package reporttest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/report"
)

// epoch is the suite's clock: a Monday, 09:00 UTC.
var epoch = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// id is the suite's n-th conversation.
func id(n int) conversation.ID {
	return conversation.ID{0: 0x01, 6: 0x70, 8: 0x80, 14: byte(n >> 8), 15: byte(n)}
}

// script is a conversation's life in events, at minute offsets from
// start.
func script(n int, start time.Duration) []parley.Event {
	h := func(d time.Duration) conversation.EventHeader {
		return conversation.EventHeader{ConversationID: id(n), At: epoch.Add(start + d)}
	}
	contact := conversation.Author{Kind: conversation.AuthorContact, ID: "c"}
	agent := conversation.Author{Kind: conversation.AuthorAgent, ID: "ana"}
	return []parley.Event{
		conversation.StartedEvent{EventHeader: h(0), Touchpoint: "wa", Channel: channel.WhatsApp, Direction: conversation.Inbound,
			ContactID: "c", Status: conversation.Queued},
		conversation.MessageReceivedEvent{EventHeader: h(0), Message: conversation.Message{ConversationID: id(n),
			Direction: conversation.Inbound, Author: contact, Text: "hi", CreatedAt: epoch.Add(start)}},
		parley.OfferedEvent{EventHeader: h(0), AgentID: "bo", Deadline: epoch.Add(start + time.Minute)},
		parley.OfferEndedEvent{EventHeader: h(time.Minute), AgentID: "bo", Expired: true},
		conversation.AssignedEvent{EventHeader: h(2 * time.Minute), AgentID: "ana", Mode: conversation.AssignAuto},
		conversation.MessageSentEvent{EventHeader: h(3 * time.Minute), Message: conversation.Message{ConversationID: id(n),
			Direction: conversation.Outbound, Author: agent, Text: "hello", CreatedAt: epoch.Add(start + 3*time.Minute)}},
		conversation.EndedEvent{EventHeader: h(5 * time.Minute), AgentID: "ana"},
		conversation.ClosedEvent{EventHeader: h(6 * time.Minute), From: conversation.WrapUp, AgentID: "ana", Note: "done"},
	}
}

// RunLog runs the suite of the package's rules against logs newLog
// makes, each empty and of its own.
func RunLog(t *testing.T, newLog func(t *testing.T) report.Log) {
	t.Run("read back in order", func(t *testing.T) { testOrder(t, newLog(t)) })
	t.Run("query", func(t *testing.T) { testQuery(t, newLog(t)) })
	t.Run("nanosecond bounds", func(t *testing.T) { testNanoseconds(t, newLog(t)) })
	t.Run("refusals and stops", func(t *testing.T) { testStops(t, newLog(t)) })
	t.Run("feed", func(t *testing.T) {
		feed, ok := newLog(t).(report.Feed)
		if !ok {
			t.Skip("the log is no report.Feed")
		}
		testFeed(t, feed)
	})
	t.Run("concurrent appends", func(t *testing.T) { testConcurrent(t, newLog(t)) })
	t.Run("follow", func(t *testing.T) {
		feed, ok := newLog(t).(report.Feed)
		if !ok {
			t.Skip("the log is no report.Feed")
		}
		testFollow(t, feed)
	})
}

func appendAll(t *testing.T, log report.Log, events []parley.Event) {
	t.Helper()
	for _, e := range events {
		if err := log.Append(context.Background(), e); err != nil {
			t.Fatalf("Append(%s): %v", e.Name(), err)
		}
	}
}

func read(t *testing.T, log report.Log, q report.LogQuery) []parley.Event {
	t.Helper()
	var got []parley.Event
	if err := log.Events(context.Background(), q, func(e parley.Event) error { got = append(got, e); return nil }); err != nil {
		t.Fatalf("Events: %v", err)
	}
	return got
}

func sameEvents(t *testing.T, what string, got, want []parley.Event) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d events, want %d", what, len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("%s: event %d: got %#v, want %#v", what, i, got[i], want[i])
		}
	}
}

// Rule 1: what was appended reads back, equal and in order.
func testOrder(t *testing.T, log report.Log) {
	want := append(script(1, 0), script(2, time.Minute)...)
	appendAll(t, log, want)
	sameEvents(t, "every event", read(t, log, report.LogQuery{}), want)
}

// Rule 1: selection by conversation and by time.
func testQuery(t *testing.T, log report.Log) {
	one, two := script(1, 0), script(2, 10*time.Minute)
	appendAll(t, log, append(append([]parley.Event(nil), one...), two...))
	cases := []struct {
		name string
		q    report.LogQuery
		want []parley.Event
	}{
		{"one conversation", report.LogQuery{ConversationID: id(2)}, two},
		{"a conversation with no event", report.LogQuery{ConversationID: id(3)}, nil},
		{"since is inclusive", report.LogQuery{Since: epoch.Add(10 * time.Minute)}, two},
		{"until is exclusive", report.LogQuery{Until: epoch.Add(2 * time.Minute)}, one[:4]},
		{"both, and a conversation", report.LogQuery{ConversationID: id(1), Since: epoch.Add(2 * time.Minute), Until: epoch.Add(6 * time.Minute)}, one[4:7]},
		{"sub-microsecond bounds", report.LogQuery{Since: epoch.Add(2*time.Minute - time.Nanosecond), Until: epoch.Add(2*time.Minute + time.Nanosecond)}, one[4:5]},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { sameEvents(t, tc.name, read(t, log, tc.q), tc.want) })
	}
}

// Rule 1: bounds hold to the nanosecond, whatever precision the log
// keeps.
func testNanoseconds(t *testing.T, log report.Log) {
	ev := func(n int, d time.Duration) parley.Event {
		return conversation.AssignedEvent{EventHeader: conversation.EventHeader{ConversationID: id(n), At: epoch.Add(d)}, AgentID: "ana"}
	}
	// 999 ns and 1 001 ns round to the same microsecond as 1 000 ns.
	a, b, c := ev(1, 999), ev(2, 1000), ev(3, 1001)
	appendAll(t, log, []parley.Event{a, b, c})
	cases := []struct {
		name string
		q    report.LogQuery
		want []parley.Event
	}{
		{"since 1000 ns", report.LogQuery{Since: epoch.Add(1000)}, []parley.Event{b, c}},
		{"since 1001 ns", report.LogQuery{Since: epoch.Add(1001)}, []parley.Event{c}},
		{"until 1000 ns", report.LogQuery{Until: epoch.Add(1000)}, []parley.Event{a}},
		{"until 1001 ns", report.LogQuery{Until: epoch.Add(1001)}, []parley.Event{a, b}},
		{"[1000, 1001) ns", report.LogQuery{Since: epoch.Add(1000), Until: epoch.Add(1001)}, []parley.Event{b}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { sameEvents(t, tc.name, read(t, log, tc.q), tc.want) })
	}
}

// Rule 2.
func testStops(t *testing.T, log report.Log) {
	ctx := context.Background()
	if err := log.Append(ctx, nil); !errors.Is(err, report.ErrNilEvent) {
		t.Errorf("Append(nil) = %v, want report.ErrNilEvent", err)
	}
	appendAll(t, log, script(1, 0))
	stop := errors.New("enough")
	n := 0
	err := log.Events(ctx, report.LogQuery{}, func(parley.Event) error {
		n++
		if n == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 2 {
		t.Errorf("a yield error after 2 events: got %v after %d, want it after 2", err, n)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := log.Events(cancelled, report.LogQuery{}, func(parley.Event) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("Events with a cancelled context = %v, want context.Canceled", err)
	}
}

type entry struct {
	pos uint64
	e   parley.Event
}

func after(t *testing.T, feed report.Feed, pos uint64, limit int) []entry {
	t.Helper()
	var got []entry
	err := feed.After(context.Background(), pos, limit, func(p uint64, e parley.Event) error {
		got = append(got, entry{p, e})
		return nil
	})
	if err != nil {
		t.Fatalf("After(%d, %d): %v", pos, limit, err)
	}
	return got
}

// Rule 3: positions, reading after one, limits.
func testFeed(t *testing.T, feed report.Feed) {
	if got := after(t, feed, 0, 0); len(got) != 0 {
		t.Fatalf("an empty feed yielded %d events", len(got))
	}
	want := script(1, 0)
	appendAll(t, feed, want)
	all := after(t, feed, 0, 0)
	if len(all) != len(want) {
		t.Fatalf("After(0) yielded %d events, want %d", len(all), len(want))
	}
	for i, en := range all {
		if en.pos == 0 || (i > 0 && en.pos <= all[i-1].pos) {
			t.Errorf("position %d of event %d does not increase", en.pos, i)
		}
		if !reflect.DeepEqual(en.e, want[i]) {
			t.Errorf("event %d: got %#v, want %#v", i, en.e, want[i])
		}
	}
	cases := []struct {
		name  string
		pos   uint64
		limit int
		want  []entry
	}{
		{name: "after the third", pos: all[2].pos, want: all[3:]},
		{name: "at most two", pos: all[0].pos, limit: 2, want: all[1:3]},
		{name: "after the last: nothing", pos: all[len(all)-1].pos},
		{name: "far beyond: nothing", pos: all[len(all)-1].pos + 1000},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := after(t, feed, tc.pos, tc.limit)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("After(%d, %d): got %d entries, want %d", tc.pos, tc.limit, len(got), len(tc.want))
			}
		})
	}
	more := script(2, time.Hour)
	appendAll(t, feed, more)
	got := after(t, feed, all[len(all)-1].pos, 0)
	if len(got) != len(more) || got[0].pos <= all[len(all)-1].pos {
		t.Errorf("after a second batch: got %d entries from %v, want %d after %d", len(got), got, len(more), all[len(all)-1].pos)
	}
}

// Rule 3: appends from many goroutines each appear once, each
// goroutine's in its order.
func testConcurrent(t *testing.T, log report.Log) {
	const writers, each = 4, 3
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				for _, e := range script(w*each+i+1, time.Duration(i)*time.Hour) {
					if err := log.Append(context.Background(), e); err != nil {
						errs <- err
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("Append: %v", err)
	}
	got := read(t, log, report.LogQuery{})
	if len(got) != writers*each*len(script(0, 0)) {
		t.Fatalf("got %d events, want %d", len(got), writers*each*len(script(0, 0)))
	}
	for n := 1; n <= writers*each; n++ {
		w := (n - 1) / each
		var own []parley.Event
		for _, e := range got {
			if e.Conversation() == id(n) {
				own = append(own, e)
			}
		}
		sameEvents(t, fmt.Sprintf("writer %d, conversation %d", w, n), own, script(n, time.Duration((n-1)%each)*time.Hour))
	}
	if feed, ok := log.(report.Feed); ok {
		all := after(t, feed, 0, 0)
		for i := 1; i < len(all); i++ {
			if all[i].pos <= all[i-1].pos {
				t.Fatalf("positions %d then %d", all[i-1].pos, all[i].pos)
			}
		}
	}
}

// Rule 3: Follow in steps gives what one pass gives.
func testFollow(t *testing.T, feed report.Feed) {
	ctx := context.Background()
	followed, err := report.New(report.Config{})
	if err != nil {
		t.Fatal(err)
	}
	var pos uint64
	var all []parley.Event
	for step := range 3 {
		batch := script(step+1, time.Duration(step)*time.Minute)
		appendAll(t, feed, batch)
		all = append(all, batch...)
		next, err := report.Follow(ctx, feed, followed, pos)
		if err != nil {
			t.Fatalf("Follow step %d: %v", step, err)
		}
		if next <= pos {
			t.Fatalf("Follow step %d: position %d did not move past %d", step, next, pos)
		}
		pos = next
	}
	if again, err := report.Follow(ctx, feed, followed, pos); err != nil || again != pos {
		t.Fatalf("Follow with nothing new = %d, %v; want %d, nil", again, err, pos)
	}
	direct, err := report.New(report.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range all {
		direct.Observe(e)
	}
	if got, want := followed.Total(), direct.Total(); !reflect.DeepEqual(got, want) {
		t.Errorf("followed figures %+v, want %+v", got, want)
	}
	if got := followed.Total(); got.Started != 3 || got.Closed != 3 || got.OffersExpired != 3 || got.FirstResponse.Count != 3 {
		t.Errorf("followed figures: started %d, closed %d, expired offers %d, first responses %d; want 3 of each",
			got.Started, got.Closed, got.OffersExpired, got.FirstResponse.Count)
	}
}

package report_test

import (
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/report"
	"github.com/parleyhq/parley/routing"
)

// dayMix is the benchmarks' stream: open conversations, each started,
// written to, assigned, answered, written to, answered, ended and closed,
// the eight steps interleaved across them, one second apart.
func dayMix(open int) []parley.Event {
	events := make([]parley.Event, 0, 8*open)
	for step := range 8 {
		for i := range open {
			h := conversation.EventHeader{ConversationID: conversation.ID{0: 1, 1: byte(i >> 8), 2: byte(i), 6: 0x70, 8: 0x80},
				At: t0.Add(time.Duration(step*open+i) * time.Second)}
			agent := "agent-" + string(rune('a'+i%26))
			in := conversation.Message{Direction: conversation.Inbound, Author: conversation.Author{Kind: conversation.AuthorContact}}
			out := conversation.Message{Direction: conversation.Outbound, Author: conversation.Author{Kind: conversation.AuthorAgent, ID: agent}}
			var e parley.Event
			switch step {
			case 0:
				e = conversation.StartedEvent{EventHeader: h, Touchpoint: "wa", Channel: channel.WhatsApp, Direction: conversation.Inbound, Status: conversation.Queued}
			case 1, 4:
				e = conversation.MessageReceivedEvent{EventHeader: h, Message: in}
			case 2:
				e = conversation.AssignedEvent{EventHeader: h, AgentID: agent}
			case 3, 5:
				e = conversation.MessageSentEvent{EventHeader: h, Message: out}
			case 6:
				e = conversation.EndedEvent{EventHeader: h, AgentID: agent}
			case 7:
				e = conversation.ClosedEvent{EventHeader: h, From: conversation.WrapUp, AgentID: agent}
			}
			events = append(events, e)
		}
	}
	return events
}

// BenchmarkObserve is one event into the accumulator (events/s =
// 1e9 / ns/op); the bench module's row judges it against 1 million/s.
func BenchmarkObserve(b *testing.B) {
	a, err := report.New(report.Config{Touchpoints: touchpoints()})
	if err != nil {
		b.Fatal(err)
	}
	events := dayMix(1024)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		a.Observe(events[i])
		if i++; i == len(events) {
			i = 0
		}
	}
}

// BenchmarkObserveBusinessHours is BenchmarkObserve with every duration
// in business hours: a French schedule in Europe/Paris, two spans a
// weekday and 30 holidays.
func BenchmarkObserveBusinessHours(b *testing.B) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		b.Fatal(err)
	}
	s := &routing.Schedule{Location: paris}
	for d := time.Monday; d <= time.Friday; d++ {
		s.Week[d] = []routing.Span{{From: 9 * hr, To: 12*hr + 30*mn}, {From: 13*hr + 30*mn, To: 18 * hr}}
	}
	for i := range 30 {
		s.Holidays = append(s.Holidays, time.Date(2026, time.Month(1+i%12), 1+i, 0, 0, 0, 0, paris))
	}
	a, err := report.New(report.Config{BusinessHours: true, Touchpoints: []parley.Touchpoint{{ID: "wa", Queues: []string{"support"}, Hours: s}}})
	if err != nil {
		b.Fatal(err)
	}
	events := dayMix(1024)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		a.Observe(events[i])
		if i++; i == len(events) {
			i = 0
		}
	}
}

// BenchmarkObserveFloor only counts the events by kind under a mutex: the
// least an accumulator does.
func BenchmarkObserveFloor(b *testing.B) {
	var c counter
	events := dayMix(1024)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c.observe(events[i])
		if i++; i == len(events) {
			i = 0
		}
	}
}

type counter struct {
	mu sync.Mutex
	n  [9]int64
}

func (c *counter) observe(e parley.Event) {
	c.mu.Lock()
	switch e.(type) {
	case conversation.StartedEvent:
		c.n[0]++
	case conversation.MessageReceivedEvent:
		c.n[1]++
	case conversation.AssignedEvent:
		c.n[2]++
	case conversation.MessageSentEvent:
		c.n[3]++
	case conversation.EndedEvent:
		c.n[4]++
	case conversation.ClosedEvent:
		c.n[5]++
	default:
		c.n[8]++
	}
	c.mu.Unlock()
}

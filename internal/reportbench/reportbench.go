// Package reportbench is what package report's benchmarks and the bench
// module's reporting rows share, so that both measure the same thing: a
// day's stream of events, the counting floor they are compared with, and
// a French desk's business hours.
package reportbench

import (
	"sync"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
)

// DayMix is the stream: open conversations at once, each started, written
// to, assigned, answered, written to, answered, ended and closed, the
// eight steps interleaved across them one second apart from Monday
// 2 November 2026, 09:00 UTC.
func DayMix(open int) []parley.Event {
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
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

// Counter only counts events by kind under a mutex: the least an
// accumulator does, the floor its benchmarks are compared with.
type Counter struct {
	mu sync.Mutex
	n  [7]int64
}

// Observe counts e.
func (c *Counter) Observe(e parley.Event) {
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
		c.n[6]++
	}
	c.mu.Unlock()
}

// ParisHours is a French desk's schedule: weekdays 09:00–12:30 and
// 13:30–18:00, Saturdays 10:00–13:00, in Europe/Paris, with 30 holidays
// over 2026–2027.
func ParisHours() (*routing.Schedule, error) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return nil, err
	}
	s := &routing.Schedule{Location: paris}
	for d := time.Monday; d <= time.Friday; d++ {
		s.Week[d] = []routing.Span{{From: 9 * time.Hour, To: 12*time.Hour + 30*time.Minute}, {From: 13*time.Hour + 30*time.Minute, To: 18 * time.Hour}}
	}
	s.Week[time.Saturday] = []routing.Span{{From: 10 * time.Hour, To: 13 * time.Hour}}
	for _, md := range [][2]int{{1, 1}, {4, 6}, {5, 1}, {5, 8}, {5, 14}, {5, 25}, {7, 14}, {8, 15}, {11, 1}, {11, 11}, {12, 25}, {12, 26}, {12, 31}, {12, 24}, {3, 30}} {
		for _, y := range []int{2026, 2027} {
			s.Holidays = append(s.Holidays, time.Date(y, time.Month(md[0]), md[1], 0, 0, 0, 0, paris))
		}
	}
	return s, nil
}

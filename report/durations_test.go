package report_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/report"
)

// Rule 15: percentiles within an eighth of the value, or a second.
func TestDurationsPercentile(t *testing.T) {
	cases := []struct {
		name string
		add  []time.Duration
		p    float64
		want time.Duration
	}{
		{name: "empty", p: 0.5, want: 0},
		{name: "one value is every percentile", add: []time.Duration{42 * sec}, p: 0.9, want: 42 * sec},
		{name: "median of small seconds is exact to the second", add: []time.Duration{1 * sec, 2 * sec, 3 * sec, 4 * sec, 5 * sec}, p: 0.5, want: 4 * sec},
		{name: "p0 is the minimum", add: []time.Duration{3 * sec, 9 * sec}, p: 0, want: 3 * sec},
		{name: "p100 is the maximum", add: []time.Duration{3 * sec, 9 * sec}, p: 1, want: 9 * sec},
		// 100 s falls in [96 s, 104 s): its upper bound.
		{name: "large values: the bucket's upper bound", add: []time.Duration{100 * sec, 100 * sec, 10 * hr}, p: 0.5, want: 104 * sec},
		{name: "beyond the last bucket: the maximum", add: []time.Duration{2000 * 24 * hr}, p: 0.5, want: 2000 * 24 * hr},
		{name: "negative counts as zero", add: []time.Duration{-5 * sec}, p: 0.5, want: 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var s report.Durations
			for _, d := range tc.add {
				s.Add(d)
			}
			assert.Equal(t, tc.want, s.Percentile(tc.p))
		})
	}
	t.Run("relative error at most an eighth", func(t *testing.T) {
		for d := 8 * sec; d < 700*24*hr; d = d*9/8 + 7*sec {
			var s report.Durations
			s.Add(0)
			s.Add(d)
			s.Add(30000 * 24 * hr)
			got := s.Percentile(0.5)
			assert.GreaterOrEqual(t, got, d, "%s", d)
			assert.LessOrEqual(t, float64(got-d), float64(d)/8, "%s → %s", d, got)
		}
	})
	t.Run("merge", func(t *testing.T) {
		var a, b report.Durations
		a.Add(2 * sec)
		b.Add(1 * sec)
		b.Add(9 * sec)
		a.Merge(&b)
		assert.Equal(t, int64(3), a.Count)
		assert.Equal(t, sec, a.Min)
		assert.Equal(t, 9*sec, a.Max)
		assert.Equal(t, 4*sec, a.Mean())
	})
}

// The accumulator is safe for concurrent use: eight goroutines, each its
// own conversations, add up to what one would count.
func TestAccumulatorConcurrent(t *testing.T) {
	a, err := report.New(report.Config{Touchpoints: touchpoints()})
	if err != nil {
		t.Fatal(err)
	}
	const workers, each = 8, 200
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				id := conversation.ID{0: byte(w), 1: byte(i), 2: byte(i >> 8), 6: 0x70, 8: 0x80}
				h := func(d time.Duration) conversation.EventHeader {
					return conversation.EventHeader{ConversationID: id, At: at(d)}
				}
				for _, e := range []parley.Event{
					conversation.StartedEvent{EventHeader: h(0), Touchpoint: "wa", Direction: conversation.Inbound, Status: conversation.Queued},
					conversation.MessageReceivedEvent{EventHeader: h(0), Message: conversation.Message{Direction: conversation.Inbound}},
					conversation.AssignedEvent{EventHeader: h(mn), AgentID: "ana"},
					conversation.MessageSentEvent{EventHeader: h(2 * mn), Message: conversation.Message{Direction: conversation.Outbound, Author: conversation.Author{Kind: conversation.AuthorAgent, ID: "ana"}}},
					conversation.ClosedEvent{EventHeader: h(3 * mn), From: conversation.Assigned, AgentID: "ana"},
				} {
					a.Observe(e)
				}
				_ = a.Total()
				_ = a.Leaderboard(at(hr))
			}
		})
	}
	wg.Wait()
	f := a.Total()
	assert.Equal(t, int64(workers*each), f.Started)
	assert.Equal(t, int64(workers*each), f.Handled)
	assert.Equal(t, int64(workers*each)*2*int64(mn), int64(f.FirstResponse.Sum))
	assert.Zero(t, a.Open())
	// Every chat released: the load held stops growing.
	// Every chat released: the load held stops growing (ana's first event
	// was at 09:01).
	assert.InDelta(t, a.Occupancy("ana", at(hr))*59, a.Occupancy("ana", at(2*hr))*119, 1e-9)
}

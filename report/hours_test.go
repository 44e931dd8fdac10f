package report_test

import (
	"testing"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/report"
	"github.com/parleyhq/parley/routing"
)

// Rule 18: a day's spans count once where they overlap, and holidays are
// read as dates in the schedule's zone.
func TestBusinessHoursSpans(t *testing.T) {
	monday := func(spans ...routing.Span) *routing.Schedule {
		s := &routing.Schedule{}
		s.Week[time.Monday] = spans
		return s
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	cases := []durationCase{
		// Monday 08:00 → 18:00 UTC, the first response a whole day of hours.
		{name: "overlapping spans count once: 09–12 and 11–13 is 4h", hours: monday(routing.Span{From: 9 * hr, To: 12 * hr}, routing.Span{From: 11 * hr, To: 13 * hr}), want: []time.Duration{4 * hr}},
		{name: "a span inside another counts once", hours: monday(routing.Span{From: 9 * hr, To: 17 * hr}, routing.Span{From: 10 * hr, To: 11 * hr}), want: []time.Duration{8 * hr}},
		{name: "touching spans join", hours: monday(routing.Span{From: 12 * hr, To: 14 * hr}, routing.Span{From: 9 * hr, To: 12 * hr}), want: []time.Duration{5 * hr}},
		{name: "disjoint spans add", hours: monday(routing.Span{From: 9 * hr, To: 10 * hr}, routing.Span{From: 14 * hr, To: 15 * hr}), want: []time.Duration{2 * hr}},
		{name: "the same span twice counts once", hours: monday(routing.Span{From: 9 * hr, To: 10 * hr}, routing.Span{From: 9 * hr, To: 10 * hr}), want: []time.Duration{hr}},
		{name: "a holiday closes the day", hours: &routing.Schedule{Week: monday(routing.Span{From: 9 * hr, To: 17 * hr}).Week, Holidays: []time.Time{at(-5 * hr), at(24 * hr)}}, want: []time.Duration{0}},
		{name: "holidays are dates in the schedule's zone", hours: &routing.Schedule{Location: paris, Week: monday(routing.Span{From: 9 * hr, To: 17 * hr}).Week,
			// Sunday 23:30 UTC is Monday 00:30 in Paris; 10:00 to 17:00 Paris is 09:00 to 16:00 UTC.
			Holidays: []time.Time{time.Date(2026, 11, 1, 23, 30, 0, 0, time.UTC)}}, want: []time.Duration{0}},
		{name: "a zone's hours: Paris 09–17 is 08–16 UTC", hours: &routing.Schedule{Location: paris, Week: monday(routing.Span{From: 9 * hr, To: 17 * hr}).Week},
			want: []time.Duration{8 * hr}},
	}
	for i := range cases {
		tc := &cases[i]
		tc.cfg.BusinessHours = true
		tc.cfg.Touchpoints = []parley.Touchpoint{{ID: "wa", Queues: []string{"support"}, Hours: tc.hours}}
		tc.events = []parley.Event{started(1, -hr), fromContact(1, -hr), assigned(1, 0, "ana"), agentSays(1, 9*hr, "ana")}
	}
	runDurations(t, cases, func(f *report.Figures) report.Durations { return f.FirstResponse })
}

package report_test

import (
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/reportbench"
	"github.com/parleyhq/parley/report"
)

// observeLoop feeds events round and round to observe, one event an op.
func observeLoop(b *testing.B, events []parley.Event, observe func(parley.Event)) {
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		observe(events[i])
		if i++; i == len(events) {
			i = 0
		}
	}
}

// BenchmarkObserve is one event into the accumulator (events/s =
// 1e9 / ns/op); the bench module's row judges it against 1 million/s.
func BenchmarkObserve(b *testing.B) {
	a, err := report.New(report.Config{Touchpoints: touchpoints()})
	if err != nil {
		b.Fatal(err)
	}
	observeLoop(b, reportbench.DayMix(1024), a.Observe)
}

// BenchmarkObserveBusinessHours is BenchmarkObserve with every duration
// in business hours: a French schedule in Europe/Paris with 30 holidays.
func BenchmarkObserveBusinessHours(b *testing.B) {
	hours, err := reportbench.ParisHours()
	if err != nil {
		b.Fatal(err)
	}
	a, err := report.New(report.Config{BusinessHours: true, Touchpoints: []parley.Touchpoint{{ID: "wa", Queues: []string{"support"}, Hours: hours}}})
	if err != nil {
		b.Fatal(err)
	}
	observeLoop(b, reportbench.DayMix(1024), a.Observe)
}

// BenchmarkObserveFloor only counts the events by kind under a mutex: the
// least an accumulator does.
func BenchmarkObserveFloor(b *testing.B) {
	var c reportbench.Counter
	observeLoop(b, reportbench.DayMix(1024), c.Observe)
}

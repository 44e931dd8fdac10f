package main

import (
	"fmt"
	"testing"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/internal/reportbench"
	"github.com/parleyhq/parley/report"
)

// The reporting case: 1 024 conversations open at once, each started,
// written to, assigned, answered twice, ended and closed, the eight steps
// interleaved across them one second apart. One op is one event.
const reportOpen = 1024

func reportRows(o options) []row {
	events := reportbench.DayMix(reportOpen)
	hours, err := reportbench.ParisHours()
	if err != nil {
		panic(err)
	}
	floor := fastest(o, 3, reportFloor(events))
	wallClock := report.Config{Touchpoints: []parley.Touchpoint{{ID: "wa", Queues: []string{"support"}}}}
	business := report.Config{Touchpoints: []parley.Touchpoint{{ID: "wa", Queues: []string{"support"}, Hours: hours}}, BusinessHours: true}
	var rows []row
	for _, c := range []struct {
		what string
		cfg  report.Config
	}{
		{"", wallClock},
		{", business hours (Europe/Paris, 30 holidays)", business},
	} {
		acc := fastest(o, 3, reportObserve(events, c.cfg))
		perSec := 0.0
		if acc.NsPerOp > 0 {
			perSec = 1e9 / acc.NsPerOp
		}
		rows = append(rows, row{
			Path:   fmt.Sprintf("report.Accumulator.Observe, %d open conversations%s (one event)", reportOpen, c.what),
			Parley: acc,
			Peer:   "counting floor (type switch + count under a mutex)",
			Other:  floor,
			Ratio:  fmt.Sprintf("%.1f M events/s; %.1f× the floor", perSec/1e6, slower(acc, floor)),
			Goal:   "≥ 1 M events/s on one core, 0 allocs",
			OK:     perSec >= 1e6 && acc.AllocsPerOp == 0,
			pick:   fastestRound,
		})
	}
	return rows
}

func reportLoop(events []parley.Event, observe func(b *testing.B) func(parley.Event)) func(b *testing.B) {
	return func(b *testing.B) {
		o := observe(b)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			o(events[i])
			if i++; i == len(events) {
				i = 0
			}
		}
	}
}

func reportObserve(events []parley.Event, cfg report.Config) func(b *testing.B) {
	return reportLoop(events, func(b *testing.B) func(parley.Event) {
		a, err := report.New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		return a.Observe
	})
}

func reportFloor(events []parley.Event) func(b *testing.B) {
	return reportLoop(events, func(*testing.B) func(parley.Event) {
		var c reportbench.Counter
		return c.Observe
	})
}

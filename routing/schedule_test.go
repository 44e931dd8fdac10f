package routing_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/routing"
)

func TestSchedule(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	require.NoError(t, err)
	day := []routing.Span{{From: 9 * time.Hour, To: 12 * time.Hour}, {From: 13 * time.Hour, To: 18 * time.Hour}}
	s := routing.Schedule{
		Location: paris,
		Week:     [7][]routing.Span{time.Monday: day, time.Tuesday: day, time.Wednesday: day, time.Thursday: day, time.Friday: day},
		Holidays: []time.Time{time.Date(2026, 12, 25, 0, 0, 0, 0, paris)},
	}
	require.NoError(t, s.Validate())
	at := func(y int, m time.Month, d, h, mi int) time.Time { return time.Date(y, m, d, h, mi, 0, 0, paris) }
	cases := []struct {
		name string
		t    time.Time
		open bool
		next time.Time
	}{
		{"monday morning", at(2026, 3, 2, 10, 0), true, at(2026, 3, 2, 10, 0)},
		{"opening minute is open", at(2026, 3, 2, 9, 0), true, at(2026, 3, 2, 9, 0)},
		{"closing minute is closed", at(2026, 3, 2, 12, 0), false, at(2026, 3, 2, 13, 0)},
		{"before opening", at(2026, 3, 2, 7, 30), false, at(2026, 3, 2, 9, 0)},
		{"friday evening waits for monday", at(2026, 3, 6, 19, 0), false, at(2026, 3, 9, 9, 0)},
		{"the same instant written in UTC", time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC), true, time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC)},
		{"holiday is closed", at(2026, 12, 25, 10, 0), false, at(2026, 12, 28, 9, 0)},
		{"the Monday after the clocks change opens at the written hour", at(2026, 3, 30, 8, 59), false, at(2026, 3, 30, 9, 0)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.open, s.Open(c.t))
			assert.True(t, c.next.Equal(s.NextOpening(c.t)), "next opening: got %s, want %s", s.NextOpening(c.t), c.next)
		})
	}
	t.Run("a schedule that never opens", func(t *testing.T) {
		assert.False(t, routing.Schedule{}.Open(t0))
		assert.True(t, routing.Schedule{}.NextOpening(t0).IsZero())
	})
	t.Run("bad spans are refused", func(t *testing.T) {
		bad := routing.Schedule{Week: [7][]routing.Span{time.Monday: {{From: 10 * time.Hour, To: 9 * time.Hour}}}}
		assert.ErrorIs(t, bad.Validate(), routing.ErrInvalid)
		bad = routing.Schedule{Week: [7][]routing.Span{time.Monday: {{From: 0, To: 25 * time.Hour}}}}
		assert.ErrorIs(t, bad.Validate(), routing.ErrInvalid)
	})
}

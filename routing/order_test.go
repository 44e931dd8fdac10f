package routing_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/parleyhq/parley/routing"
)

// Order.Compare is the inbox order (priority, then age),
// the one Router.Inbox sorts by and a host's own inbox can use.
func TestOrderCompare(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	old := routing.Item{Enqueued: t0}
	young := routing.Item{Enqueued: t0.Add(time.Minute)}
	urgent := routing.Item{Enqueued: t0.Add(time.Hour), Priority: 1}
	closing := routing.Item{Enqueued: t0.Add(2 * time.Minute), WindowCloses: t0.Add(time.Hour)}
	closingLater := routing.Item{Enqueued: t0.Add(-time.Minute), WindowCloses: t0.Add(2 * time.Hour)}
	tests := []struct {
		name  string
		order routing.Order
		x, y  routing.Item
		want  int
	}{
		{"oldest first: the older before", routing.OldestFirst, old, young, -1},
		{"newest first: the younger before", routing.NewestFirst, young, old, -1},
		{"priority before age, oldest first", routing.OldestFirst, urgent, old, -1},
		{"priority before age, newest first", routing.NewestFirst, urgent, young, -1},
		{"same instant: equal", routing.OldestFirst, old, old, 0},
		{"window closing first: a window before none", routing.WindowClosingFirst, closing, old, -1},
		{"window closing first: the sooner window before", routing.WindowClosingFirst, closing, closingLater, -1},
		{"window closing first: priority still first", routing.WindowClosingFirst, urgent, closing, -1},
		{"window ignored when oldest first", routing.OldestFirst, closingLater, closing, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.order.Compare(&tt.x, &tt.y))
			assert.Equal(t, -tt.want, tt.order.Compare(&tt.y, &tt.x), "antisymmetric")
		})
	}
}

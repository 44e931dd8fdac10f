package optout_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/parleyhq/parley/optout"
)

// TestClassifyAllocs guards that Classify allocates nothing on ASCII
// messages. It counts allocations, not time.
func TestClassifyAllocs(t *testing.T) {
	tests := []struct {
		name string
		body string
		want optout.Action
	}{
		{"keyword", "Stop.", optout.OptOut},
		{"phrase", " opt  out ", optout.OptOut},
		{"not a keyword", "Can I change my delivery address?", optout.None},
		{"short non-keyword", "ok", optout.None},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got optout.Action
			allocs := testing.AllocsPerRun(100, func() { got = optout.Classify(tt.body) })
			assert.Zero(t, allocs, "allocations per Classify")
			assert.Equal(t, tt.want, got)
		})
	}
}

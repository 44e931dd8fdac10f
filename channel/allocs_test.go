package channel_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/parleyhq/parley/channel"
)

// TestCountSMSAllocs guards CountSMS's promise not to allocate, on the
// three benchmark inputs. It counts allocations, not time, so it is safe on a busy
// machine.
func TestCountSMSAllocs(t *testing.T) {
	tests := []struct {
		name string
		text string
	}{
		{"150 ASCII", benchASCII},
		{"300 UCS-2 with emoji", benchUCS2},
		{"1 KB GSM with extension characters", benchGSM},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c channel.SMSCount
			allocs := testing.AllocsPerRun(100, func() { c = channel.CountSMS(tt.text) })
			assert.Zero(t, allocs, "allocations per CountSMS")
			assert.Positive(t, c.Segments)
		})
	}
	t.Run("CheckText on a fitting text", func(t *testing.T) {
		caps := channel.SMS.Capabilities()
		allocs := testing.AllocsPerRun(100, func() { _ = caps.CheckText(benchGSM) })
		assert.Zero(t, allocs)
	})
}

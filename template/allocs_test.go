package template_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/template"
)

// TestRenderAllocs guards the allocation promises of the Render methods for
// the 4-variable snippet: 1 allocation (the result), 0 into a caller's
// buffer with room. It counts allocations, not time.
func TestRenderAllocs(t *testing.T) {
	tp, err := template.Parse(benchBody)
	require.NoError(t, err)
	got, err := tp.Render(benchVars)
	require.NoError(t, err)
	require.Equal(t, benchWant, got)

	buf := make([]byte, 0, 256) // the caller's buffer, with room
	tests := []struct {
		name string
		want float64
		run  func()
	}{
		{"Render", 1, func() { got, _ = tp.Render(benchVars) }},
		{"AppendRender into a buffer with room", 0, func() { buf, _ = tp.AppendRender(buf[:0], benchVars) }},
		{"RenderFunc", 1, func() {
			got, _ = tp.RenderFunc(func(p string) (string, bool) { v, ok := benchVars[p]; return v, ok })
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, testing.AllocsPerRun(100, tt.run))
		})
	}
	assert.Equal(t, benchWant, string(buf))
}

package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHandWrittenRowJudgesRenderAgainstTheHandWrittenCode(t *testing.T) {
	floor := figures{NsPerOp: 50, BytesPerOp: 96, AllocsPerOp: 1}
	hand := figures{NsPerOp: 100, BytesPerOp: 96, AllocsPerOp: 1}
	for _, tc := range []struct {
		name   string
		render figures
		want   bool
	}{
		{"faster than the hand-written", figures{NsPerOp: 90, AllocsPerOp: 1}, true},
		{"at the goal", figures{NsPerOp: 110, AllocsPerOp: 1}, true},
		{"over the goal", figures{NsPerOp: 111, AllocsPerOp: 1}, false},
		{"fast but a second allocation", figures{NsPerOp: 90, AllocsPerOp: 2}, false},
		// 3× the copy floor does not matter: the copy floor has no goal.
		{"far above the copy floor", figures{NsPerOp: 105, AllocsPerOp: 1}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := handWrittenRow(tc.render, hand, floor)
			assert.Equal(t, tc.want, r.OK, "ratio %s", r.Ratio)
			assert.Equal(t, tc.render, r.Parley)
			assert.Equal(t, hand, r.Other)
			assert.Equal(t, "≤ 1.1× the hand-written, 1 alloc", r.Goal)
			assert.Contains(t, r.Ratio, "the copy floor's 50.0 ns")
		})
	}
}

func TestCopyFloorRowIsReportedWithoutATimeGoal(t *testing.T) {
	floor := figures{NsPerOp: 50, BytesPerOp: 96, AllocsPerOp: 1}
	for _, tc := range []struct {
		name   string
		render figures
		want   bool
	}{
		{"close to the floor", figures{NsPerOp: 60, AllocsPerOp: 1}, true},
		{"far above the floor", figures{NsPerOp: 500, AllocsPerOp: 1}, true},
		{"a second allocation", figures{NsPerOp: 60, AllocsPerOp: 2}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := copyFloorRow(tplPath, tc.render, floor)
			assert.Equal(t, tc.want, r.OK, "ratio %s", r.Ratio)
			assert.Equal(t, "copy-the-result floor", r.Peer)
			assert.NotContains(t, r.Goal, "×", "the copy floor has no ratio goal")
		})
	}
}

func TestHandRenderMatchesTheCase(t *testing.T) {
	got, err := handRender(tplVars)
	require.NoError(t, err)
	assert.Equal(t, tplWant, got)
	assert.Equal(t, "template Render (90 B, 4 vars)", tplPath)

	_, err = handRender(map[string]string{"agent.name": "Bruno"})
	assert.Error(t, err, "a missing variable is refused, as Render refuses it")
}

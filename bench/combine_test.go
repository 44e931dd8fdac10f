package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// roundsOf is three rounds of one row, made from template with each
// round's parley figures, peer time and score.
func roundsOf(template row, parley []figures, peer []float64, score []float64) [][]row {
	all := make([][]row, len(parley))
	for i := range all {
		r := template
		r.Parley = parley[i]
		if peer != nil {
			r.Other = figures{NsPerOp: peer[i]}
		}
		if score != nil {
			r.score = score[i]
		}
		all[i] = []row{r}
	}
	return all
}

func times(vs ...float64) []figures {
	fs := make([]figures, len(vs))
	for i, v := range vs {
		fs[i] = figures{NsPerOp: v}
	}
	return fs
}

func TestCombinePicksTheRoundItsRuleNames(t *testing.T) {
	for _, tc := range []struct {
		name   string
		row    row
		parley []figures
		peer   []float64
		score  []float64
		want   int // the round shown
	}{
		{"absolute goal: the fastest round", row{Path: "p", pick: fastestRound}, times(300, 250, 400), []float64{1, 1, 1}, nil, 1},
		{"absolute goal ignores the ratio", row{Path: "p", pick: fastestRound}, times(300, 250, 400), []float64{100, 10, 100}, nil, 1},
		{"ratio goal: the median ratio", row{Path: "p", pick: medianRound}, times(200, 150, 100), []float64{100, 100, 40}, nil, 0},
		{"ratio goal ignores the absolute time", row{Path: "p", pick: medianRound}, times(100, 200, 300), []float64{100, 100, 100}, nil, 1},
		{"score goal: the median score", row{Path: "p", pick: medianScore}, times(1, 2, 3), []float64{1, 1, 1}, []float64{2.0, 0.5, 1.2}, 2},
		{"no times: the median bytes", row{Path: "p"}, []figures{{BytesPerOp: 900}, {BytesPerOp: 700}, {BytesPerOp: 1100}}, nil, nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			all := roundsOf(tc.row, tc.parley, tc.peer, tc.score)
			got := combine(all)
			require.Len(t, got, 1)
			assert.Equal(t, all[tc.want][0], got[0])
		})
	}
}

func TestCombineKeepsRowOrderAndChecksRoundsAgree(t *testing.T) {
	a := row{Path: "template Render", Peer: "text/template", Parley: figures{NsPerOp: 1}, Other: figures{NsPerOp: 10}}
	b := row{Path: "template Render", Peer: "valyala/fasttemplate", Parley: figures{NsPerOp: 1}, Other: figures{NsPerOp: 3}}
	got := combine([][]row{{a, b}, {a, b}, {a, b}})
	assert.Equal(t, []row{a, b}, got)

	// Same path, another peer: a reordering the path alone would miss.
	assert.Panics(t, func() { combine([][]row{{a, b}, {b, a}, {a, b}}) })
	assert.Panics(t, func() { combine([][]row{{a, b}, {a}, {a, b}}) }, "a round with fewer rows")
	assert.Panics(t, func() { combine([][]row{{a}, {a, b}, {a}}) }, "a round with more rows")
}

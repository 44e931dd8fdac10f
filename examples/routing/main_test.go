package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRoutingSimulation runs the simulation as `go run` would and checks
// the capacity rules showed in its output: weights charged and freed, no
// agent over capacity, a conversation waiting until room frees.
func TestRoutingSimulation(t *testing.T) {
	var out strings.Builder
	require.NoError(t, run(&out))
	story := out.String()
	for _, want := range []string{
		"c1  webchat  assigned to ana (30)",
		"ana  30/100  ben   0/100  cleo   0/100",
		"c2  voice    escalated on ben (20 → 51)",
		"ben  56/100",
		"c3  voice    refused: cleo 55+51 > 100",
		"c11 webchat  waiting: no agent has room",
		"c1  released, c11 assigned to ana (30)",
		"ana      90    10  c11 c10 c7",
		"ben      86    14  c9 c4 c2",
		"cleo     80    20  c12 c8 c6 c5 c3",
	} {
		assert.Contains(t, story, want)
	}
}

// TestRoutingSimulationIsDeterministic runs it twice: fixed times and the
// least-loaded tie-breaks make the output the same every time.
func TestRoutingSimulationIsDeterministic(t *testing.T) {
	var a, b strings.Builder
	require.NoError(t, run(&a))
	require.NoError(t, run(&b))
	assert.Equal(t, a.String(), b.String())
}

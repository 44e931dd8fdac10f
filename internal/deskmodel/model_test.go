package deskmodel

import (
	"flag"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// -seed replays a run; -ops sets its length. CI runs the default budget;
// a long local run: go test -run TestModel ./internal/deskmodel -ops 1000000
var (
	seedFlag = flag.Int64("seed", 0, "model test: seed to replay (0: from the time)")
	opsFlag  = flag.Int("ops", DefaultOps, "model test: operations per run")
)

func TestModel(t *testing.T) {
	Run(t, Memory, Options{Seed: *seedFlag, Ops: *opsFlag})
}

func TestModelConcurrent(t *testing.T) {
	RunConcurrent(t, Memory, Options{Seed: *seedFlag, Ops: *opsFlag})
}

// One seed gives one Summary on the same stores: what lets a run on other
// stores be compared with a run on memory.
func TestRunIsDeterministic(t *testing.T) {
	opts := Options{Seed: 7, Ops: 1000}
	first := Run(t, Memory, opts)
	require.NotEmpty(t, first.State)
	assert.Equal(t, first, Run(t, Memory, opts))
}

// A desk routing through a shared routing log decides as one routing on
// its own: the same seed gives the same run.
func TestModelSharedRouting(t *testing.T) {
	opts := Options{Seed: *seedFlag, Ops: min(*opsFlag, 20000)}
	shared := opts
	shared.SharedRouting = true
	got := Run(t, Memory, shared)
	opts.Seed = got.Seed
	assert.Equal(t, Run(t, Memory, opts), got, "seed %d: the run through a routing log (actual) against the desk's own router (expected)", got.Seed)
}

func TestModelConcurrentSharedRouting(t *testing.T) {
	RunConcurrent(t, Memory, Options{Seed: *seedFlag, Ops: *opsFlag, SharedRouting: true})
}

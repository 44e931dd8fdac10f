package routing

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestConvTableMatchesMap drives the conversation table and a Go map with
// the same random puts and removes, through growth and wrapped probe runs,
// and checks every ID the map holds (and some it does not) after each step.
func TestConvTableMatchesMap(t *testing.T) {
	for _, c := range []struct {
		name string
		ids  int // distinct IDs in play: few keeps the table small and wrapping
	}{
		{"few IDs, small table", 12},
		{"many IDs, growth", 3000},
	} {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, 4))
			tab := newConvTable()
			ref := make(map[string]*itemState)
			for step := range 20000 {
				id := fmt.Sprintf("conv-%d", rng.IntN(c.ids))
				if rng.IntN(3) > 0 {
					st, h, i := tab.find(id)
					require.Equal(t, ref[id], st, "step %d: find %s", step, id)
					if st == nil {
						st = &itemState{item: Item{ConversationID: id}}
						tab.put(h, i, st)
						ref[id] = st
					}
				} else {
					tab.remove(id)
					delete(ref, id)
				}
				require.Equal(t, len(ref), tab.n, "step %d: count", step)
				if step%97 == 0 {
					for id, st := range ref {
						require.Same(t, st, tab.get(id), "step %d: get %s", step, id)
					}
					require.Nil(t, tab.get("never-put"))
				}
			}
		})
	}
}

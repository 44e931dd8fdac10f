package memory

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/conversation"
)

func testID(n uint64) conversation.ID {
	var id conversation.ID
	binary.BigEndian.PutUint64(id[:8], n>>16)
	binary.BigEndian.PutUint64(id[8:], n)
	return id
}

// The index answers as a map would, whatever the order IDs come in: mostly
// increasing (one generator), a little out of order (generators
// interleaving), far out of order (derived IDs), removed and added again.
func TestIDIndexAgreesWithAMap(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3, 20261201} {
		r := rand.New(rand.NewPCG(seed, seed))
		var x idIndex
		model := map[conversation.ID]msgRef{}
		var added []conversation.ID
		next := uint64(1 << 40)
		for step := range 20_000 {
			var id conversation.ID
			switch k := r.IntN(100); {
			case k < 60: // the next ID of one generator
				next += 1 + r.Uint64N(1<<20)
				id = testID(next)
			case k < 75: // a little behind: another generator
				id = testID(next - r.Uint64N(1<<22))
			case k < 85: // far behind: derived from an old ID
				id = testID(r.Uint64N(next))
			case k < 95 && len(added) > 0: // remove one
				gone := added[r.IntN(len(added))]
				x.remove(gone)
				delete(model, gone)
				continue
			default: // look one up, present or not
				if len(added) > 0 && r.IntN(2) == 0 {
					id = added[r.IntN(len(added))]
				} else {
					id = testID(r.Uint64N(next + 1<<30))
				}
				require.Equal(t, model[id], x.find(id), "seed %d step %d: find %x", seed, step, id)
				continue
			}
			if _, ok := model[id]; ok {
				require.NotZero(t, x.find(id), "seed %d step %d: %x is stored", seed, step, id)
				continue
			}
			require.Zero(t, x.find(id), "seed %d step %d: %x is not stored yet", seed, step, id)
			ref := msgRef(step + 1)
			x.add(id, ref)
			model[id] = ref
			added = append(added, id)
		}
		for _, id := range added {
			assert.Equal(t, model[id], x.find(id), "seed %d: %x at the end", seed, id)
		}
		for i := 1; i < x.n; i++ {
			prev, cur := x.at(i-1), x.at(i)
			require.False(t, cur.less(prev.hi, prev.lo), "seed %d: the slice is sorted at %d", seed, i)
		}
		assert.NotEmpty(t, x.others, "seed %d: far-out-of-order IDs went to the map", seed)
	}
}

// A new ID after every stored one is appended without touching the map,
// and looking it up allocates nothing.
func TestIDIndexAppendsInOrder(t *testing.T) {
	var x idIndex
	for i := range 1000 {
		x.add(testID(uint64(i+1)<<20), msgRef(i+1))
	}
	assert.Equal(t, 1000, x.n)
	assert.Nil(t, x.others, "no ID went to the map")
	allocs := testing.AllocsPerRun(100, func() {
		if x.find(testID(500<<20)) != 500 {
			t.Fatal("wrong ref")
		}
	})
	assert.Zero(t, allocs)
}

// A removed ID leaves a mark in the slice; added again, near the end or
// far from it (then into the map), it is found with its new reference.
func TestIDIndexReAdd(t *testing.T) {
	var x idIndex
	for i := range 200 {
		x.add(testID(uint64(i+1)<<20), msgRef(i+1))
	}
	near, far := testID(190<<20), testID(10<<20)
	for _, id := range []conversation.ID{near, far} {
		x.remove(id)
		require.Zero(t, x.find(id), "%x removed", id)
		x.add(id, 999)
		assert.Equal(t, msgRef(999), x.find(id), "%x added again", id)
	}
	assert.Contains(t, x.others, far, "the far one went to the map")
	assert.Equal(t, msgRef(11), x.find(testID(11<<20)), "its neighbours are untouched")
}

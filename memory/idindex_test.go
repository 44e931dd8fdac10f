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

// testRecords stands for the store's records: the index reads the IDs it
// sorts by from them.
type testRecords struct {
	recs msgSlabs
	x    idIndex
}

// add stores a record with id and indexes it.
func (r *testRecords) add(id conversation.ID) msgRef {
	ref, rec := r.recs.add()
	rec.id = id
	r.x.add(&r.recs, id, ref)
	return ref
}

// erase does what eraseRecord does to the index and the record.
func (r *testRecords) erase(id conversation.ID, ref msgRef) {
	r.x.remove(id, ref)
	*r.recs.at(ref) = msgRecord{id: id, flags: flagErased}
}

func (r *testRecords) find(id conversation.ID) msgRef { return r.x.find(&r.recs, id) }

// The index answers as a map would, whatever the order IDs come in: mostly
// increasing (one generator), a little out of order (generators
// interleaving), far out of order (derived IDs), removed and added again.
func TestIDIndexAgreesWithAMap(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3, 20261201} {
		r := rand.New(rand.NewPCG(seed, seed))
		var s testRecords
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
				if ref, ok := model[gone]; ok {
					s.erase(gone, ref)
					delete(model, gone)
				}
				continue
			default: // look one up, present or not
				if len(added) > 0 && r.IntN(2) == 0 {
					id = added[r.IntN(len(added))]
				} else {
					id = testID(r.Uint64N(next + 1<<30))
				}
				require.Equal(t, model[id], s.find(id), "seed %d step %d: find %x", seed, step, id)
				continue
			}
			if _, ok := model[id]; ok {
				require.NotZero(t, s.find(id), "seed %d step %d: %x is stored", seed, step, id)
				continue
			}
			require.Zero(t, s.find(id), "seed %d step %d: %x is not stored yet", seed, step, id)
			model[id] = s.add(id)
			added = append(added, id)
		}
		for _, id := range added {
			assert.Equal(t, model[id], s.find(id), "seed %d: %x at the end", seed, id)
		}
		for i := 1; i < s.x.n; i++ {
			prev := s.recs.at(*s.x.at(i - 1)).id
			hi, lo := idKey(&prev)
			require.False(t, s.x.less(&s.recs, i, hi, lo), "seed %d: the slice is sorted at %d", seed, i)
		}
		assert.NotEmpty(t, s.x.others, "seed %d: far-out-of-order IDs went to the map", seed)
	}
}

// A new ID after every stored one is appended without touching the map,
// and looking it up allocates nothing.
func TestIDIndexAppendsInOrder(t *testing.T) {
	var s testRecords
	for i := range 1000 {
		s.add(testID(uint64(i+1) << 20))
	}
	assert.Equal(t, 1000, s.x.n)
	assert.Nil(t, s.x.others, "no ID went to the map")
	allocs := testing.AllocsPerRun(100, func() {
		if s.find(testID(500<<20)) != 500 {
			t.Fatal("wrong ref")
		}
	})
	assert.Zero(t, allocs)
}

// An erased ID keeps its place in the slice and is not found; added
// again, near the end or far from it, it takes that place back and is
// found with its new reference. One in the map is deleted from it.
func TestIDIndexReAdd(t *testing.T) {
	var s testRecords
	for i := range 200 {
		s.add(testID(uint64(i+1) << 20))
	}
	near, far := testID(190<<20), testID(10<<20)
	for _, id := range []conversation.ID{near, far} {
		s.erase(id, s.find(id))
		require.Zero(t, s.find(id), "%x erased", id)
		ref := s.add(id)
		assert.Equal(t, ref, s.find(id), "%x added again", id)
	}
	assert.Nil(t, s.x.others, "both took their old places")
	assert.Equal(t, 200, s.x.n)
	assert.Equal(t, msgRef(11), s.find(testID(11<<20)), "their neighbours are untouched")

	// Far out of order and never stored: into the map, then out.
	odd := testID(5<<20 + 1)
	ref := s.add(odd)
	require.Contains(t, s.x.others, odd)
	s.erase(odd, ref)
	assert.NotContains(t, s.x.others, odd)
	assert.Zero(t, s.find(odd))
}

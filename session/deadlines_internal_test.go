package session

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
)

// checkIndexes verifies every index: each entry sits where its position
// says, no key is after its instant, a parent's key is never after its
// children's, and an entry is in exactly the indexes its fields put it in.
func checkIndexes(t *testing.T, tr *Tracker) {
	t.Helper()
	for i := range tr.idx {
		h := &tr.idx[i]
		for j, e := range h.es {
			require.Equal(t, j, e.pos[i], "index %d: position", i)
			require.False(t, e.keys[i].After(e.instant(i)), "index %d: a key is a lower bound of its instant", i)
			if j > 0 {
				require.False(t, h.es[(j-1)/2].keys[i].After(e.keys[i]), "index %d: heap order", i)
			}
		}
	}
	for _, es := range tr.windows {
		for _, e := range es {
			for i := range tr.idx {
				assert.Equal(t, e.in(i), e.pos[i] >= 0, "index %d membership", i)
			}
		}
	}
}

// Random touches (the window moving later, the key staying behind),
// forgets, notices dealt with and prunes: after each step the indexes hold
// their invariants, and Due and Notices answer what a scan of every window
// would.
func TestDeadlinesAgreeWithAScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 22))
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	tr := NewTracker(nil)
	biz := channel.Address{Kind: channel.WhatsApp, ID: "+14155550100"}
	contact := func(i int) channel.Address {
		return channel.Address{Kind: channel.WhatsApp, ID: fmt.Sprintf("+4477009%05d", i)}
	}
	now := t0
	for step := range 3000 {
		now = now.Add(time.Duration(rng.IntN(90)) * time.Minute)
		c := contact(rng.IntN(60))
		switch r := rng.IntN(10); {
		case r < 6:
			_, err := tr.Touch(Key{Business: biz, Contact: c}, now.Add(-time.Duration(rng.IntN(30))*time.Minute))
			require.NoError(t, err)
		case r < 7:
			tr.Forget(c)
		case r < 9:
			for _, n := range tr.Notices(now, time.Hour) {
				tr.Noticed(n.Key, n.ExpiresAt, n.Closed)
			}
		default:
			tr.Prune(now.Add(-48 * time.Hour))
		}
		checkIndexes(t, tr)

		until := now.Add(time.Duration(rng.IntN(30)) * time.Hour)
		var want []Key
		for _, es := range tr.windows {
			for _, e := range es {
				if !e.closes.IsZero() && !e.closes.After(until) {
					want = append(want, e.key)
				}
			}
		}
		var got []Key
		for _, d := range tr.Due(until) {
			got = append(got, d.Key)
		}
		byKey := func(a, b Key) int { return compareAddress(a.Contact, b.Contact) }
		slices.SortFunc(want, byKey)
		slices.SortFunc(got, byKey)
		require.Equal(t, want, got, "step %d: Due(%s)", step, until)
		checkIndexes(t, tr)
	}
}

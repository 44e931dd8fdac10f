package memory

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTextIndexFindsWhatAScanFinds checks the text index against the rule
// it implements, on many contacts whose strings share long prefixes (so
// lookups land inside the runs' sampled keys, between them and on them):
// candidates returns exactly the contacts holding a string that contains
// the query once case-folded, before and after some are erased.
func TestTextIndexFindsWhatAScanFinds(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "B", "5", "ß", "K", "\u212a", " "}
	randText := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	var x textIndex
	const n = 3000
	contacts := make([]contactEntry, n)
	held := make([][]string, n)
	for i := range contacts {
		for _, s := range []string{randText(1 + rng.IntN(12)), fmt.Sprintf("+1415555%04d", i), "Ana Lima"} {
			x.add(&contacts[i], uint32(i), s)
			held[i] = append(held[i], string(fold(nil, s)))
		}
	}
	require.Greater(t, len(x.runs[0].offs), textSampleMin*textTop, "the first run has top keys")
	erased := map[int]bool{}
	for i := 0; i < n; i += 7 {
		x.erase(&contacts[i], uint32(i))
		erased[i] = true
	}
	queries := []string{"5550042", "+1415", "0042", "ana lima", "zzz", "5550042x", "aB5ßaB5ßaB", "K", "kk"}
	for range 300 {
		queries = append(queries, randText(1+rng.IntN(10)))
	}
	for _, q := range queries {
		t.Run(q, func(t *testing.T) {
			want := []uint32{}
			fq := string(fold(nil, q))
			for i, ss := range held {
				if !erased[i] && slices.ContainsFunc(ss, func(s string) bool { return strings.Contains(s, fq) }) {
					want = append(want, uint32(i))
				}
			}
			hits, long, ok := x.candidates(q, nil)
			got := slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(hits), long...))))
			if len(want) > maxTextHits/3 {
				return // may be left to the scan
			}
			require.True(t, ok)
			assert.Equal(t, want, append([]uint32{}, got...))
		})
	}
}

// FuzzTextKey checks the rule lookups rest on: keys order suffixes as
// their bytes do, and for a query of at most 8 bytes a suffix is below
// the query, or holds it, exactly as its key says.
func FuzzTextKey(f *testing.F) {
	for _, s := range [][3]string{{"+14155550042", "Ana Lima", "5550"}, {"ab", "abc", "ab"}, {"Straße", "STRASSE", "ss"}, {"a\x00", "a", "a\x00"}} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, a, b, q string) {
		if !utf8.ValidString(q) || q == "" {
			return
		}
		fq := fold(nil, q)
		if len(fq) > 8 {
			return
		}
		var x textIndex
		contacts := make([]contactEntry, 2)
		x.add(&contacts[0], 0, a)
		x.add(&contacts[1], 1, b)
		if len(x.runs) == 0 {
			return
		}
		var offs []uint32
		for _, r := range x.runs {
			offs = append(offs, r.offs...)
		}
		qk := queryKey(fq)
		qhi := qk | ^uint64(0)>>(8*len(fq))
		for _, p := range offs {
			kp := x.key(p)
			assert.Equal(t, x.comparePrefix(p, fq) < 0, kp < qk, "suffix %d below the query", p)
			assert.Equal(t, x.comparePrefix(p, fq) == 0, qk <= kp && kp <= qhi, "suffix %d holds the query", p)
			for _, o := range offs {
				if c := x.compare(p, o); c < 0 {
					assert.LessOrEqual(t, kp, x.key(o), "suffixes %d < %d", p, o)
				}
			}
		}
	})
}

// TestLowerBoundKey checks the branch-free search the text index's top
// keys use against slices.BinarySearch: how many keys are below k.
func TestLowerBoundKey(t *testing.T) {
	tests := []struct {
		name string
		ks   []uint64
	}{
		{"none", nil},
		{"one", []uint64{5}},
		{"two", []uint64{5, 9}},
		{"repeats", []uint64{1, 3, 3, 3, 7, 7, 9}},
		{"odd length", []uint64{2, 4, 6, 8, 10, 12, 14, 16, 18}},
		{"extremes", []uint64{0, 1, 1 << 63, ^uint64(0)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, k := range []uint64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 17, 18, 19, 1 << 63, ^uint64(0)} {
				want, _ := slices.BinarySearch(tc.ks, k)
				assert.Equal(t, want, lowerBoundKey(tc.ks, k), "k=%d", k)
			}
		})
	}
}

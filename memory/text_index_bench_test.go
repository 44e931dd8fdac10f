package memory

import (
	"fmt"
	"testing"
)

// BenchmarkTextCandidates is the text index's lookup alone, over the
// strings of n contacts as BenchmarkSearchText stores them: a name shared
// by many and a number each. Its cost should not grow with n (goal: ≤ 2×
// from 10 000 to 1 000 000).
func BenchmarkTextCandidates(b *testing.B) {
	names := []string{"Ana Lima", "Bruno Costa", "Carla Dias", "Davi Rocha", "Eva Melo"}
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("stored=%d", n), func(b *testing.B) {
			if testing.Short() && n > 10_000 {
				b.Skip("short: 10 000 contacts only")
			}
			var x textIndex
			contacts := make([]contactEntry, n)
			for i := range contacts {
				x.add(&contacts[i], uint32(i), names[i%len(names)])
				x.add(&contacts[i], uint32(i), fmt.Sprintf("+1415%07d", i))
			}
			queries := make([]string, 1<<12)
			for i := range queries {
				queries[i] = fmt.Sprintf("%07d", i*7919%n)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				q := queries[i%len(queries)]
				if got, _, ok := x.candidates(q, nil); !ok || len(got) == 0 {
					b.Fatal(q, ok, got)
				}
			}
		})
	}
}

package report

import (
	"math/bits"
	"time"
)

// sketchBuckets is the size of a [Durations] histogram: whole seconds 0–7
// exactly, then eight buckets per doubling up to 2^26 s (about 776 days);
// longer durations share the last bucket.
const sketchBuckets = 192

// Durations summarises a set of durations in fixed memory (rule 15):
// count, sum, minimum and maximum exactly, percentiles from a histogram
// of [sketchBuckets] buckets whose width is at most an eighth of their
// lower bound, so a percentile is within 12.5 % (or one second) of the
// true value. The zero value is empty and ready to use.
type Durations struct {
	// Count is how many durations were added.
	Count int64
	// Sum is their total; Min and Max the extremes (zero when empty).
	Sum, Min, Max time.Duration
	hist          [sketchBuckets]uint32
}

// bucket returns the histogram bucket of d.
func bucket(d time.Duration) int {
	v := uint64(0)
	if d > 0 {
		v = uint64(d / time.Second)
	}
	if v < 8 {
		return int(v)
	}
	e := bits.Len64(v)
	i := (e-3)*8 + int(v>>(e-4)) - 8
	return min(i, sketchBuckets-1)
}

// upper returns the smallest duration above bucket i.
func upper(i int) time.Duration {
	if i < 8 {
		return time.Duration(i+1) * time.Second
	}
	e := i/8 + 3
	mant := uint64(i%8 + 8 + 1)
	return time.Duration(mant<<(e-4)) * time.Second
}

// Add records one duration; a negative one counts as zero.
func (s *Durations) Add(d time.Duration) {
	d = max(d, 0)
	if s.Count == 0 || d < s.Min {
		s.Min = d
	}
	if d > s.Max {
		s.Max = d
	}
	s.Count++
	s.Sum += d
	s.hist[bucket(d)]++
}

// Merge adds every duration of o to s.
func (s *Durations) Merge(o *Durations) {
	if o.Count == 0 {
		return
	}
	if s.Count == 0 || o.Min < s.Min {
		s.Min = o.Min
	}
	s.Max = max(s.Max, o.Max)
	s.Count += o.Count
	s.Sum += o.Sum
	for i, n := range o.hist {
		s.hist[i] += n
	}
}

// Mean returns Sum / Count, zero when empty.
func (s *Durations) Mean() time.Duration {
	if s.Count == 0 {
		return 0
	}
	return s.Sum / time.Duration(s.Count)
}

// Percentile returns the duration at or below which a share p (0 to 1)
// of the durations fall: the upper bound of the bucket holding the
// ceil(p·Count)-th smallest, kept within [Min, Max]. It is zero when
// empty; p ≤ 0 gives Min and p ≥ 1 gives Max.
func (s *Durations) Percentile(p float64) time.Duration {
	switch {
	case s.Count == 0:
		return 0
	case p <= 0:
		return s.Min
	case p >= 1:
		return s.Max
	}
	rank := int64(p * float64(s.Count))
	if float64(rank) < p*float64(s.Count) {
		rank++
	}
	var seen int64
	for i, n := range s.hist {
		seen += int64(n)
		if seen >= rank {
			return min(max(upper(i), s.Min), s.Max)
		}
	}
	return s.Max
}

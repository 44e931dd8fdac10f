package report

import (
	"cmp"
	"slices"
	"time"

	"github.com/parleyhq/parley/routing"
)

// openHours is a touchpoint's schedule read once for rule 18: each
// weekday's spans sorted and merged, so that overlapping spans count once,
// and the holidays as a set of local dates.
type openHours struct {
	loc      *time.Location
	week     [7][]routing.Span
	holidays map[int]struct{}
}

// newOpenHours reads s; nil for no schedule (always open).
func newOpenHours(s *routing.Schedule) *openHours {
	if s == nil {
		return nil
	}
	h := &openHours{loc: s.Location, holidays: make(map[int]struct{}, len(s.Holidays))}
	if h.loc == nil {
		h.loc = time.UTC
	}
	for d, spans := range s.Week {
		h.week[d] = mergeSpans(spans)
	}
	for _, day := range s.Holidays {
		y, m, d := day.In(h.loc).Date()
		h.holidays[dateKey(y, m, d)] = struct{}{}
	}
	return h
}

// mergeSpans returns spans sorted, empty ones dropped, overlapping or
// touching ones joined.
func mergeSpans(spans []routing.Span) []routing.Span {
	out := make([]routing.Span, 0, len(spans))
	for _, sp := range spans {
		if sp.To > sp.From {
			out = append(out, sp)
		}
	}
	slices.SortFunc(out, func(a, b routing.Span) int { return cmp.Compare(a.From, b.From) })
	merged := out[:0]
	for _, sp := range out {
		if n := len(merged); n > 0 && sp.From <= merged[n-1].To {
			merged[n-1].To = max(merged[n-1].To, sp.To)
			continue
		}
		merged = append(merged, sp)
	}
	return merged
}

func dateKey(y int, m time.Month, d int) int { return y*512 + int(m)*32 + d }

// openBetween returns how much of [from, to) the schedule is open (rule
// 18): each local day's merged spans, holidays skipped, clipped to the
// interval. It costs one step per local day the interval covers.
func (h *openHours) openBetween(from, to time.Time) time.Duration {
	if !to.After(from) {
		return 0
	}
	y, m, d := from.In(h.loc).Date()
	var open time.Duration
	for day := time.Date(y, m, d, 0, 0, 0, 0, h.loc); day.Before(to); {
		dy, dm, dd := day.Date()
		if _, closed := h.holidays[dateKey(dy, dm, dd)]; !closed {
			for _, sp := range h.week[day.Weekday()] {
				a, b := wall(dy, dm, dd, sp.From, h.loc), wall(dy, dm, dd, sp.To, h.loc)
				if a.Before(from) {
					a = from
				}
				if b.After(to) {
					b = to
				}
				if b.After(a) {
					open += b.Sub(a)
				}
			}
		}
		day = time.Date(dy, dm, dd+1, 0, 0, 0, 0, h.loc)
	}
	return open
}

// wall is the instant of local wall-clock offset off on a date, as
// routing.Schedule reads its spans.
func wall(y int, m time.Month, d int, off time.Duration, loc *time.Location) time.Time {
	h := int(off / time.Hour)
	mi := int(off % time.Hour / time.Minute)
	sec := int(off % time.Minute / time.Second)
	ns := int(off % time.Second)
	return time.Date(y, m, d, h, mi, sec, ns, loc)
}

package report

import (
	"slices"
	"time"

	"github.com/parleyhq/parley/routing"
)

// openBetween returns how much of [from, to) the schedule is open (rule
// 18): the opening spans of each local day, holidays skipped, clipped to
// the interval. It costs one step per local day the interval covers.
func openBetween(s *routing.Schedule, from, to time.Time) time.Duration {
	if !to.After(from) {
		return 0
	}
	loc := s.Location
	if loc == nil {
		loc = time.UTC
	}
	lf := from.In(loc)
	y, m, d := lf.Date()
	var open time.Duration
	for day := time.Date(y, m, d, 0, 0, 0, 0, loc); day.Before(to); {
		dy, dm, dd := day.Date()
		if !holiday(s, loc, dy, dm, dd) {
			for _, sp := range s.Week[day.Weekday()] {
				a, b := wall(dy, dm, dd, sp.From, loc), wall(dy, dm, dd, sp.To, loc)
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
		day = time.Date(dy, dm, dd+1, 0, 0, 0, 0, loc)
	}
	return open
}

func holiday(s *routing.Schedule, loc *time.Location, y int, m time.Month, d int) bool {
	return slices.ContainsFunc(s.Holidays, func(h time.Time) bool {
		hy, hm, hd := h.In(loc).Date()
		return hy == y && hm == m && hd == d
	})
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

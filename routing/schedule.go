package routing

import (
	"slices"
	"time"
)

// Span is one opening period within a day, as offsets from local midnight:
// [From, To). To may be 24h, the end of the day; a night shift across
// midnight is two spans, one on each day.
type Span struct {
	From, To time.Duration
}

// Schedule is a weekly business-hours schedule in a time zone, with
// holidays (outside business hours the host may send an
// away message). The zero value is never open. A Schedule is a value:
// safe to share once built.
type Schedule struct {
	// Location is the schedule's time zone; nil means UTC.
	Location *time.Location
	// Week holds each weekday's opening spans, indexed by time.Weekday.
	Week [7][]Span
	// Holidays are dates (read in Location: only year, month and day
	// count) on which the schedule stays closed.
	Holidays []time.Time
}

// Validate reports a span outside [0, 24h] or empty (ErrInvalid).
func (s Schedule) Validate() error {
	for d, spans := range s.Week {
		for _, sp := range spans {
			if sp.From < 0 || sp.To > 24*time.Hour || sp.From >= sp.To {
				return invalidf("schedule span %s–%s on %s", sp.From, sp.To, time.Weekday(d))
			}
		}
	}
	return nil
}

func (s Schedule) loc() *time.Location {
	if s.Location == nil {
		return time.UTC
	}
	return s.Location
}

func (s Schedule) holiday(y int, m time.Month, d int) bool {
	return slices.ContainsFunc(s.Holidays, func(h time.Time) bool {
		hy, hm, hd := h.In(s.loc()).Date()
		return hy == y && hm == m && hd == d
	})
}

// Open reports whether the schedule is open at t.
func (s Schedule) Open(t time.Time) bool {
	lt := t.In(s.loc())
	y, m, d := lt.Date()
	if s.holiday(y, m, d) {
		return false
	}
	for _, sp := range s.Week[lt.Weekday()] {
		// Compare wall-clock instants, so days with a daylight-saving
		// change still open at the written hour.
		if !lt.Before(wall(y, m, d, sp.From, lt.Location())) && lt.Before(wall(y, m, d, sp.To, lt.Location())) {
			return true
		}
	}
	return false
}

// NextOpening returns t when the schedule is open at t, else the first
// opening after t; the zero time when it never opens within two years
// (no spans, or holidays covering every open day).
func (s Schedule) NextOpening(t time.Time) time.Time {
	if s.Open(t) {
		return t
	}
	lt := t.In(s.loc())
	y, m, d := lt.Date()
	for day := 0; day <= 2*366; day++ {
		date := time.Date(y, m, d+day, 0, 0, 0, 0, lt.Location())
		dy, dm, dd := date.Date()
		if s.holiday(dy, dm, dd) {
			continue
		}
		var first time.Time
		for _, sp := range s.Week[date.Weekday()] {
			at := wall(dy, dm, dd, sp.From, lt.Location())
			if at.After(t) && (first.IsZero() || at.Before(first)) && s.Open(at) {
				first = at
			}
		}
		if !first.IsZero() {
			return first
		}
	}
	return time.Time{}
}

// wall is the instant of local wall-clock offset off on the given date.
func wall(y int, m time.Month, d int, off time.Duration, loc *time.Location) time.Time {
	h := int(off / time.Hour)
	mi := int(off % time.Hour / time.Minute)
	sec := int(off % time.Minute / time.Second)
	ns := int(off % time.Second)
	return time.Date(y, m, d, h, mi, sec, ns, loc)
}

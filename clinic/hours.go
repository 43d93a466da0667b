package clinic

import (
	"slices"
	"time"
)

// Covers reports whether [start, end) lies inside one of the shifts of its local day. It is
// how changed hours find the bookings that no longer fit.
func (h WeeklyHours) Covers(loc *time.Location, start, end time.Time) bool {
	loc = orUTC(loc)
	ls, le := start.In(loc), end.In(loc)
	if DateOf(ls, loc) != DateOf(le.Add(-time.Nanosecond), loc) {
		return false
	}
	from := ClockTime(ls.Hour()*60 + ls.Minute())
	to := ClockTime(le.Hour()*60 + le.Minute())
	if to == 0 {
		to = 24 * 60
	}
	for _, sh := range h[ls.Weekday()] {
		if sh.Start <= from && to <= sh.End {
			return true
		}
	}
	return false
}

// UnionHours joins several weekly hours into the stretches when at least one of them is at
// work: the clinic's opening hours are its therapists' hours put together.
func UnionHours(all ...WeeklyHours) WeeklyHours {
	var out WeeklyHours
	for wd := range out {
		var day []Shift
		for _, h := range all {
			day = append(day, h[wd]...)
		}
		day = slices.Clone(sortedShifts(day))
		var merged []Shift
		for _, sh := range day {
			if n := len(merged); n > 0 && sh.Start <= merged[n-1].End {
				merged[n-1].End = max(merged[n-1].End, sh.End)
				continue
			}
			merged = append(merged, sh)
		}
		out[wd] = merged
	}
	return out
}

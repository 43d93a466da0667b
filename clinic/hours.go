package clinic

import "time"

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

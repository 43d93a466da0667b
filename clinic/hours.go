package clinic

import (
	"slices"
	"strings"
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

// FormatShifts writes a day's shifts as "09:00-12:30, 13:30-18:00"; ParseShifts reads it back.
func FormatShifts(shifts []Shift) string {
	parts := make([]string, len(shifts))
	for i, sh := range shifts {
		parts[i] = sh.Start.String() + "-" + sh.End.String()
	}
	return strings.Join(parts, ", ")
}

// ParseShifts reads what FormatShifts writes; empty is no shifts.
func ParseShifts(s string) ([]Shift, error) {
	var out []Shift
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		from, to, _ := strings.Cut(part, "-")
		a, err := ParseClock(strings.TrimSpace(from))
		if err != nil {
			return nil, err
		}
		b, err := ParseClock(strings.TrimSpace(to))
		if err != nil {
			return nil, err
		}
		out = append(out, Shift{a, b})
	}
	return out, nil
}

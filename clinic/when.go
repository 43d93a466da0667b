package clinic

import (
	"strconv"
	"time"
)

// Dates and times are written one way for people, on every page and in every email, in the
// clinic's zone: "Mon 7 Dec" for a day, "Mon 7 Dec, 10:30" for a moment, "10:30" for a time
// on a day already named. On the night the clocks go back the repeated hour happens twice, so
// a time in it names its zone ("02:30 AEDT", then "02:30 AEST") and the two are told apart.
// ISO dates (2026-12-07) are for forms, links and storage, never for reading.

// Dates writes dates and times in the clinic's zone. Today decides whether a year is
// needed: a day in another year than today's carries it ("Mon 29 Dec 2025").
type Dates struct {
	Loc   *time.Location
	Today Date
}

func (w Dates) loc() *time.Location {
	if w.Loc == nil {
		return time.UTC
	}
	return w.Loc
}

// Day writes a calendar day: "Mon 7 Dec".
func (w Dates) Day(d Date) string {
	t := time.Date(d.Y, d.M, d.D, 12, 0, 0, 0, time.UTC)
	if d.Y != w.Today.Y && w.Today.Y != 0 {
		return t.Format("Mon 2 Jan 2006")
	}
	return t.Format("Mon 2 Jan")
}

// Born writes a date of birth, always with its year: "2 Mar 1985".
func (w Dates) Born(d Date) string {
	return time.Date(d.Y, d.M, d.D, 12, 0, 0, 0, time.UTC).Format("2 Jan 2006")
}

// DayOf writes the day an instant falls on.
func (w Dates) DayOf(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return w.Day(DateOf(t, w.loc()))
}

// Clock writes the time of day of an instant: "10:30", or "02:30 AEST" in an hour that
// happens twice.
func (w Dates) Clock(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	l := t.In(w.loc())
	if RepeatedHour(t, w.loc()) {
		return l.Format("15:04 MST")
	}
	return l.Format("15:04")
}

// When writes an instant: "Mon 7 Dec, 10:30".
func (w Dates) When(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return w.DayOf(t) + ", " + w.Clock(t)
}

// WhenZoned writes an instant for email, with its year and its zone always named: an email
// is kept and read out of its moment, perhaps in another zone or the morning after a clock
// change. "Mon 7 Dec 2026, 10:30 AEDT".
func (w Dates) WhenZoned(t time.Time) string {
	return t.In(w.loc()).Format("Mon 2 Jan 2006, 15:04 MST")
}

// RepeatedHour reports whether the clock shows the same time at another instant close by:
// the hour the clocks go back through (half an hour where the change is half an hour). The
// clock at t+d shows t's time when the zone's offset there is d less than at t, so only the
// offsets are compared: a day's list asks this of every time on it, and formatting seven
// times for each was a tenth of the therapist's day page.
func RepeatedHour(t time.Time, loc *time.Location) bool {
	_, off := t.In(loc).Zone()
	for _, d := range []time.Duration{-2 * time.Hour, -time.Hour, -30 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour} {
		if _, o := t.Add(d).In(loc).Zone(); time.Duration(off-o)*time.Second == d {
			return true
		}
	}
	return false
}

// Count writes a number of things with the noun in the singular or the plural as it needs:
// Count(1, "hour", "hours") is "1 hour".
func Count(n int, one, many string) string {
	if n == 1 || n == -1 {
		return strconv.Itoa(n) + " " + one
	}
	return strconv.Itoa(n) + " " + many
}

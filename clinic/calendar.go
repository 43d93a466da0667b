package clinic

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Date is a civil date in the clinic's zone, with no time of day and no
// zone of its own. Booking ranges, horizons and course spacing count in
// these days because that is how people count them: "next Tuesday" is a
// date, not 168 hours.
type Date struct {
	Y int
	M time.Month
	D int
}

// DateOf returns the civil date of the instant t as seen in loc.
func DateOf(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(orUTC(loc)).Date()
	return Date{y, m, d}
}

// ParseDate reads an ISO date such as "2027-10-03" and rejects dates that
// do not exist ("2027-02-30").
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("parse date %q: want YYYY-MM-DD", s)
	}
	return Date{t.Year(), t.Month(), t.Day()}, nil
}

func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Y, d.M, d.D)
}

// midnightUTC reads the date as a UTC midnight; day arithmetic done there
// cannot be disturbed by a DST change.
func (d Date) midnightUTC() time.Time {
	return time.Date(d.Y, d.M, d.D, 0, 0, 0, 0, time.UTC)
}

// AddDays returns the date n calendar days later (earlier for negative n).
func (d Date) AddDays(n int) Date {
	y, m, day := d.midnightUTC().AddDate(0, 0, n).Date()
	return Date{y, m, day}
}

// DaysUntil returns the number of calendar days from d to e.
func (d Date) DaysUntil(e Date) int {
	return int(e.midnightUTC().Sub(d.midnightUTC()).Hours() / 24)
}

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	return d.midnightUTC().Compare(e.midnightUTC())
}

// Before reports whether d is an earlier day than e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is a later day than e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.midnightUTC().Weekday() }

// IsZero reports whether d is the zero Date (no date set).
func (d Date) IsZero() bool { return d == Date{} }

// localSeconds is the wall clock of midnight at the start of d, counted
// like Unix seconds but without any zone offset applied.
func (d Date) localSeconds() int64 { return d.midnightUTC().Unix() }

// DateRange is an inclusive range of civil dates.
type DateRange struct {
	From, To Date
}

// Contains reports whether d lies in the range, ends included.
func (r DateRange) Contains(d Date) bool {
	return !d.Before(r.From) && !d.After(r.To)
}

// ClockTime is a wall-clock time of day in minutes since local midnight.
// 24:00 (1440) is allowed as the end of a shift that runs to midnight.
type ClockTime int

// Clock returns the ClockTime h:m.
func Clock(h, m int) ClockTime { return ClockTime(h*60 + m) }

// ParseClock reads "HH:MM" on the 24-hour clock, "24:00" included.
func ParseClock(s string) (ClockTime, error) {
	digit := func(i int) int { return int(s[i] - '0') }
	if len(s) != 5 || s[2] != ':' || !isDigits(s[:2]) || !isDigits(s[3:]) {
		return 0, fmt.Errorf("parse clock %q: want HH:MM", s)
	}
	h, m := digit(0)*10+digit(1), digit(3)*10+digit(4)
	if m > 59 || Clock(h, m) > 24*60 {
		return 0, fmt.Errorf("parse clock %q: not a time of day", s)
	}
	return Clock(h, m), nil
}

func isDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func (c ClockTime) String() string {
	return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60)
}

// Shift is one stretch of working time on a weekday, in local wall-clock
// time. Split days and lunch breaks are two shifts.
type Shift struct {
	Start, End ClockTime
}

// WeeklyHours holds a therapist's shifts for each weekday, indexed by
// time.Weekday (Sunday is 0). A weekday with no shifts is a day off.
type WeeklyHours [7][]Shift

// Validate reports shifts that end before they start, fall outside the day
// or overlap another shift on the same weekday. Overlapping shifts would
// make the same start appear from two grids.
func (h WeeklyHours) Validate() error {
	for wd, shifts := range h {
		s := sortedShifts(shifts)
		for i, sh := range s {
			if sh.Start < 0 || sh.End > 24*60 || sh.Start >= sh.End {
				return fmt.Errorf("%v shift %v-%v: %w", time.Weekday(wd), sh.Start, sh.End, ErrBadShift)
			}
			if i > 0 && sh.Start < s[i-1].End {
				return fmt.Errorf("%v shifts %v-%v and %v-%v overlap: %w",
					time.Weekday(wd), s[i-1].Start, s[i-1].End, sh.Start, sh.End, ErrBadShift)
			}
		}
	}
	return nil
}

// ErrBadShift marks working hours that cannot be scheduled against.
var ErrBadShift = errors.New("invalid working hours")

func sortedShifts(s []Shift) []Shift {
	cmp := func(a, b Shift) int { return int(a.Start - b.Start) }
	if slices.IsSortedFunc(s, cmp) {
		return s
	}
	return slices.SortedFunc(slices.Values(s), cmp)
}

// Interval is a half-open span of time [Start, End) between two instants.
type Interval struct {
	Start, End time.Time
}

// Overlaps reports whether the two half-open intervals share any instant;
// back-to-back intervals do not overlap.
func (i Interval) Overlaps(j Interval) bool {
	return i.Start.Before(j.End) && j.Start.Before(i.End)
}

// span is a half-open interval in Unix seconds.
type span struct{ s, e int64 }

// unionSpans merges interval lists into sorted, disjoint spans, so one
// forward cursor can answer "is [u, end) free?" for increasing u.
func unionSpans(lists ...[]Interval) []span {
	n := 0
	for _, l := range lists {
		n += len(l)
	}
	all := make([]span, 0, n)
	for _, l := range lists {
		for _, iv := range l {
			if s, e := iv.Start.Unix(), ceilUnix(iv.End); s < e {
				all = append(all, span{s, e})
			}
		}
	}
	return mergeSpans(all)
}

// mergeSpans sorts spans and merges those that overlap or touch, in place.
func mergeSpans(all []span) []span {
	byStart := func(a, b span) int { return cmp.Compare(a.s, b.s) }
	if !slices.IsSortedFunc(all, byStart) {
		slices.SortFunc(all, byStart)
	}
	out := all[:0]
	for _, sp := range all {
		if n := len(out); n > 0 && sp.s <= out[n-1].e {
			out[n-1].e = max(out[n-1].e, sp.e)
			continue
		}
		out = append(out, sp)
	}
	return out
}

// Service is something a client can book.
type Service struct {
	ID          int64
	Key, Name   string
	Duration    time.Duration // the client's time with the therapist
	BufferAfter time.Duration // cleanup and notes; blocks therapist and room
	NeedsRoom   bool
}

// Blocks returns the time a booking of s at start takes from the therapist
// and the room: the appointment plus its buffer. Busy intervals passed to
// FreeTimes are built with it.
func (s Service) Blocks(start time.Time) Interval {
	return Interval{start, start.Add(s.Duration + s.BufferAfter)}
}

// TherapistCalendar is everything the slot search needs to know about one
// therapist for the dates asked about.
type TherapistCalendar struct {
	TherapistID int64
	Hours       WeeklyHours
	// DateHours are one-off hours for a date, replacing the weekly hours
	// that day; a date with no shifts is a day away.
	DateHours map[Date][]Shift
	TimeOff   []Interval
	// Busy holds existing appointments, each already extended by its own
	// buffer (Service.Blocks). When rescheduling, leave out the appointment
	// being moved.
	Busy []Interval
	// Offers lists the IDs of the services this therapist performs.
	Offers []int64
}

func (t TherapistCalendar) offers(serviceID int64) bool {
	return slices.Contains(t.Offers, serviceID)
}

// RoomCalendar holds the bookings of one treatment room, each extended by
// its buffer.
type RoomCalendar struct {
	RoomID int64
	Busy   []Interval
}

// ErrNonexistentLocalTime is returned for a wall-clock time that is skipped
// when the clocks go forward (02:30 on 2027-10-03 in Sydney).
var ErrNonexistentLocalTime = errors.New("that time does not exist on this day because the clocks go forward")

// ParseLocalStart reads a date ("2027-10-03") and a wall-clock time
// ("02:30") in loc and returns the instant, in UTC.
//
// A time skipped by a DST change is rejected with ErrNonexistentLocalTime.
// A time that happens twice when clocks go back resolves to its first
// occurrence (still on daylight time); a form that must reach the second
// occurrence posts the instant of a slot from FreeTimes instead, or offers
// the choice from LocalInstants.
func ParseLocalStart(loc *time.Location, date, clock string) (time.Time, error) {
	d, err := ParseDate(date)
	if err != nil {
		return time.Time{}, err
	}
	c, err := ParseClock(clock)
	if err != nil {
		return time.Time{}, err
	}
	if c >= 24*60 {
		return time.Time{}, fmt.Errorf("parse clock %q: a start must be before 24:00", clock)
	}
	at := LocalInstants(loc, d, c)
	if len(at) == 0 {
		return time.Time{}, fmt.Errorf("%v %v: %w", d, c, ErrNonexistentLocalTime)
	}
	return at[0], nil
}

// LocalInstants returns every instant, in UTC and ascending, at which the
// wall clock in loc reads c on day d: none in a DST gap, two in the
// repeated hour, one otherwise.
func LocalInstants(loc *time.Location, d Date, c ClockTime) []time.Time {
	var out []time.Time
	for _, u := range wallInstants(orUTC(loc), d.localSeconds()+int64(c)*60) {
		out = append(out, time.Unix(u, 0).UTC())
	}
	return out
}

// wallInstants returns the Unix instants whose wall clock in loc equals the
// local seconds l. Offsets are sampled a day either side, which finds both
// sides of any single transition near l.
func wallInstants(loc *time.Location, l int64) []int64 {
	before, after := offsetAt(loc, l-86400), offsetAt(loc, l+86400)
	var out []int64
	for _, off := range []int64{before, after} {
		u := l - off
		if offsetAt(loc, u) == off && !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	slices.Sort(out)
	return out
}

// resolveWall maps a wall-clock bound to the first instant at which the
// clock reads l or later. That one rule gives both documented answers: a
// time inside a DST gap maps forward to the end of the gap (02:30 becomes
// 03:00), and a repeated time maps to its first occurrence.
func resolveWall(loc *time.Location, l int64) int64 {
	before, after := offsetAt(loc, l-86400), offsetAt(loc, l+86400)
	if before == after {
		return l - before
	}
	if at := wallInstants(loc, l); len(at) > 0 {
		return at[0]
	}
	start, _ := time.Unix(l-before, 0).In(loc).ZoneBounds()
	return start.Unix()
}

func offsetAt(loc *time.Location, u int64) int64 {
	_, off := time.Unix(u, 0).In(loc).Zone()
	return int64(off)
}

func orUTC(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}

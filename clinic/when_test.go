package clinic

import (
	"testing"
	"time"
)

func TestDatesAndTimesAreWrittenOneWay(t *testing.T) {
	syd, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		t.Fatal(err)
	}
	// 5 April 2026: clocks go back from 03:00 AEDT to 02:00 AEST, so 02:30 happens twice.
	first := time.Date(2026, 4, 4, 15, 30, 0, 0, time.UTC) // 02:30 AEDT
	second := first.Add(time.Hour)                         // 02:30 AEST
	w := Dates{Loc: syd, Today: Date{2026, time.December, 5}}
	for _, tc := range []struct {
		name, got, want string
	}{
		{"a day", w.Day(Date{2026, time.December, 7}), "Mon 7 Dec"},
		{"a moment", w.When(time.Date(2026, 12, 7, 10, 30, 0, 0, syd)), "Mon 7 Dec, 10:30"},
		{"a time", w.Clock(time.Date(2026, 12, 7, 9, 5, 0, 0, syd)), "09:05"},
		{"the first 02:30 on the autumn change", w.When(first), "Sun 5 Apr, 02:30 AEDT"},
		{"the second 02:30", w.When(second), "Sun 5 Apr, 02:30 AEST"},
		{"the hour before the change is plain", w.Clock(first.Add(-time.Hour)), "01:30"},
		{"the hour after it is plain", w.Clock(second.Add(time.Hour)), "03:30"},
		{"the spring change repeats nothing", w.Clock(time.Date(2026, 10, 4, 3, 30, 0, 0, syd)), "03:30"},
		{"email names the zone always", w.WhenZoned(time.Date(2026, 12, 7, 10, 30, 0, 0, syd)), "Mon 7 Dec 2026, 10:30 AEDT"},
		{"a day in another year carries it", w.Day(Date{2025, time.December, 29}), "Mon 29 Dec 2025"},
		{"one hour", Count(1, "hour", "hours"), "1 hour"},
		{"two hours", Count(2, "hour", "hours"), "2 hours"},
		{"no days", Count(0, "day", "days"), "0 days"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: %q; want %q", tc.name, tc.got, tc.want)
		}
	}
}

// TestRepeatedHourIsTheClockShowingTwice checks RepeatedHour against its definition, the same
// time written at another instant within two hours, for every quarter hour around clock changes
// of a whole hour (Sydney) and of half an hour (Lord Howe Island), forward and back.
func TestRepeatedHourIsTheClockShowingTwice(t *testing.T) {
	byDefinition := func(t time.Time, loc *time.Location) bool {
		wall := t.In(loc).Format("2006-01-02 15:04")
		for _, d := range []time.Duration{-2 * time.Hour, -time.Hour, -30 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour} {
			if t.Add(d).In(loc).Format("2006-01-02 15:04") == wall {
				return true
			}
		}
		return false
	}
	for _, zone := range []string{"Australia/Sydney", "Australia/Lord_Howe"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		repeated := 0
		for _, day := range []time.Time{time.Date(2026, 4, 4, 12, 0, 0, 0, time.UTC), time.Date(2026, 10, 3, 12, 0, 0, 0, time.UTC)} {
			for at := day; at.Before(day.Add(24 * time.Hour)); at = at.Add(15 * time.Minute) {
				got, want := RepeatedHour(at, loc), byDefinition(at, loc)
				if got != want {
					t.Errorf("%s %s: RepeatedHour %v; the clock says %v", zone, at.In(loc).Format("2 Jan 15:04 MST"), got, want)
				}
				if got {
					repeated++
				}
			}
		}
		if repeated == 0 {
			t.Errorf("%s: no repeated time found around its clock changes", zone)
		}
	}
}

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

package clinic

import (
	"testing"
	"time"
)

func TestRetentionMinorRule(t *testing.T) {
	d := func(y int, m time.Month, day int) Date { return Date{y, m, day} }
	tests := []struct {
		name string
		f    RetentionFact
		want Date
	}{
		{"adult: seven years after the last contact",
			RetentionFact{FirstContact: d(2015, 1, 5), LastContact: d(2019, 6, 1), Birth: d(1980, 3, 3)}, d(2026, 6, 1)},
		{"birth unknown: seven years",
			RetentionFact{FirstContact: d(2015, 1, 5), LastContact: d(2019, 6, 1)}, d(2026, 6, 1)},
		{"seen at 12, last at 14: kept until 25",
			RetentionFact{FirstContact: d(2014, 2, 1), LastContact: d(2016, 2, 1), Birth: d(2002, 1, 10)}, d(2027, 1, 10)},
		{"seen as a minor, last contact late: seven years is later than 25",
			RetentionFact{FirstContact: d(2015, 2, 1), LastContact: d(2024, 2, 1), Birth: d(2000, 1, 10)}, d(2031, 2, 1)},
		{"first seen on the 18th birthday: an adult",
			RetentionFact{FirstContact: d(2018, 1, 10), LastContact: d(2018, 1, 10), Birth: d(2000, 1, 10)}, d(2025, 1, 10)},
		{"first seen the day before turning 18: a minor",
			RetentionFact{FirstContact: d(2018, 1, 9), LastContact: d(2018, 1, 9), Birth: d(2000, 1, 10)}, d(2025, 1, 10)},
		{"born on 29 February, seen at 10",
			RetentionFact{FirstContact: d(2010, 5, 1), LastContact: d(2010, 5, 1), Birth: d(2000, 2, 29)}, d(2025, 3, 1)},
	}
	for _, tc := range tests {
		if got := tc.f.KeptUntil(7); got != tc.want {
			t.Errorf("%s: kept until %v, want %v", tc.name, got, tc.want)
		}
		if tc.f.PastRetention(tc.want, 7) || !tc.f.PastRetention(tc.want.AddDays(1), 7) {
			t.Errorf("%s: past retention should start the day after %v", tc.name, tc.want)
		}
	}
}

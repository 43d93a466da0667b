package clinic

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func sydney(tb testing.TB) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		tb.Fatalf("load zone: %v", err)
	}
	return loc
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in      string
		want    Date
		wantErr bool
	}{
		{"2027-10-03", Date{2027, time.October, 3}, false},
		{"2028-02-29", Date{2028, time.February, 29}, false},
		{"2027-02-29", Date{}, true},
		{"2027-13-01", Date{}, true},
		{"3/10/2027", Date{}, true},
		{"", Date{}, true},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseDate(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestParseClock(t *testing.T) {
	tests := []struct {
		in      string
		want    ClockTime
		wantErr bool
	}{
		{"09:00", Clock(9, 0), false},
		{"13:30", 810, false},
		{"00:00", 0, false},
		{"24:00", 1440, false},
		{"24:15", 0, true},
		{"12:60", 0, true},
		{"9:00", 0, true},
		{"+1:00", 0, true},
		{"09-00", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseClock(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseClock(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
	if got, want := Clock(9, 5).String(), "09:05"; got != want {
		t.Errorf("Clock(9, 5).String() = %q, want %q", got, want)
	}
}

func TestDateArithmeticAcrossDST(t *testing.T) {
	loc := sydney(t)
	// 2027-10-03 is 23 hours long in Sydney; calendar days must not care.
	d := Date{2027, time.October, 1}
	if got, want := d.AddDays(3), (Date{2027, time.October, 4}); got != want {
		t.Errorf("AddDays(3) = %v, want %v", got, want)
	}
	if got, want := d.DaysUntil(Date{2027, time.November, 1}), 31; got != want {
		t.Errorf("DaysUntil = %d, want %d", got, want)
	}
	if got, want := d.AddDays(-1), (Date{2027, time.September, 30}); got != want {
		t.Errorf("AddDays(-1) = %v, want %v", got, want)
	}
	late := time.Date(2027, time.October, 3, 23, 30, 0, 0, loc)
	if got, want := DateOf(late, loc), (Date{2027, time.October, 3}); got != want {
		t.Errorf("DateOf(%v) = %v, want %v (UTC is %v)", late, got, want, late.UTC())
	}
	if got, want := (Date{2027, time.October, 3}).Weekday(), time.Sunday; got != want {
		t.Errorf("Weekday = %v, want %v", got, want)
	}
}

func TestParseLocalStart(t *testing.T) {
	loc := sydney(t)
	tests := []struct {
		name        string
		date, clock string
		want        string // RFC 3339 in UTC
		wantErr     error
	}{
		{"ordinary winter time", "2027-07-01", "10:00", "2027-07-01T00:00:00Z", nil},
		{"ordinary summer time", "2027-01-04", "10:00", "2027-01-03T23:00:00Z", nil},
		{"gap start does not exist", "2027-10-03", "02:00", "", ErrNonexistentLocalTime},
		{"gap middle does not exist", "2027-10-03", "02:30", "", ErrNonexistentLocalTime},
		{"gap end exists", "2027-10-03", "03:00", "2027-10-02T16:00:00Z", nil},
		{"just before the gap", "2027-10-03", "01:59", "2027-10-02T15:59:00Z", nil},
		{"repeated time takes daylight time", "2027-04-04", "02:30", "2027-04-03T15:30:00Z", nil},
		{"after the repeat", "2027-04-04", "03:00", "2027-04-03T17:00:00Z", nil},
		{"24:00 is not a start", "2027-04-04", "24:00", "", nil},
		{"bad date", "2027-04-31", "09:00", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseLocalStart(loc, tt.date, tt.clock)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("got %v, want an error", got)
				}
				if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
					t.Fatalf("error %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if got := got.Format(time.RFC3339); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestLocalInstants(t *testing.T) {
	loc := sydney(t)
	tests := []struct {
		d    Date
		c    ClockTime
		want []string
	}{
		{Date{2027, time.April, 4}, Clock(2, 15), []string{"02:15 AEDT", "02:15 AEST"}},
		{Date{2027, time.April, 4}, Clock(1, 59), []string{"01:59 AEDT"}},
		{Date{2027, time.October, 3}, Clock(2, 15), nil},
		{Date{2027, time.October, 3}, Clock(3, 0), []string{"03:00 AEDT"}},
	}
	for _, tt := range tests {
		var got []string
		for _, at := range LocalInstants(loc, tt.d, tt.c) {
			got = append(got, at.In(loc).Format("15:04 MST"))
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("LocalInstants(%v %v) = %q, want %q", tt.d, tt.c, got, tt.want)
		}
	}
}

func TestWeeklyHoursValidate(t *testing.T) {
	split := WeeklyHours{time.Monday: {{Clock(13, 30), Clock(18, 0)}, {Clock(9, 0), Clock(12, 30)}}}
	tests := []struct {
		name string
		h    WeeklyHours
		ok   bool
	}{
		{"split day in any order", split, true},
		{"to midnight", WeeklyHours{time.Friday: {{Clock(18, 0), Clock(24, 0)}}}, true},
		{"overlap", WeeklyHours{time.Monday: {{Clock(9, 0), Clock(13, 0)}, {Clock(12, 30), Clock(18, 0)}}}, false},
		{"backwards", WeeklyHours{time.Monday: {{Clock(18, 0), Clock(9, 0)}}}, false},
		{"empty shift", WeeklyHours{time.Monday: {{Clock(9, 0), Clock(9, 0)}}}, false},
		{"past midnight", WeeklyHours{time.Monday: {{Clock(22, 0), Clock(25, 0)}}}, false},
	}
	for _, tt := range tests {
		err := tt.h.Validate()
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrBadShift)) {
			t.Errorf("%s: Validate() = %v, want ok %v", tt.name, err, tt.ok)
		}
	}
}

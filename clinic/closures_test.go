package clinic

import (
	"errors"
	"slices"
	"testing"
	"time"
)

// A closure takes out the whole local day, including the day the clocks go forward (23
// hours long) and the day they go back (25 hours): the days either side keep their times,
// and the 23:00 start the evening before is not eaten by a day counted as 24 hours.
func TestClosureAcrossDSTChanges(t *testing.T) {
	loc := sydney(t)
	for _, tt := range []struct {
		name   string
		closed Date
	}{
		{"clocks go forward", Date{2027, time.October, 3}},
		{"clocks go back", Date{2027, time.April, 4}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var h WeeklyHours
			for wd := range h {
				h[wd] = []Shift{{0, Clock(24, 0)}}
			}
			q := SlotQuery{Location: loc, Now: time.Date(tt.closed.Y, tt.closed.M, tt.closed.D-5, 9, 0, 0, 0, loc),
				From: tt.closed.AddDays(-1), To: tt.closed.AddDays(1), Service: Service{ID: 1, Duration: time.Hour},
				Therapists: []TherapistCalendar{{TherapistID: 1, Hours: h, Offers: []int64{1}}}, Closed: []Date{tt.closed}}
			perDay := map[Date]int{}
			for _, s := range FreeTimes(q) {
				perDay[DateOf(s.Start, loc)]++
			}
			if perDay[tt.closed] != 0 {
				t.Errorf("%d times offered on the closed day", perDay[tt.closed])
			}
			// 00:00 to 23:00 on a 15-minute grid: 93 starts on a plain day.
			for _, d := range []Date{tt.closed.AddDays(-1), tt.closed.AddDays(1)} {
				if perDay[d] != 93 {
					t.Errorf("%v: %d times, want 93", d, perDay[d])
				}
			}
			last := time.Date(tt.closed.Y, tt.closed.M, tt.closed.D-1, 23, 0, 0, 0, loc)
			if err := CheckSlot(q, last, 1); err != nil {
				t.Errorf("23:00 the evening before: %v", err)
			}
			first := time.Date(tt.closed.Y, tt.closed.M, tt.closed.D, 0, 0, 0, 0, loc)
			if err := CheckSlot(q, first, 1); !errors.Is(err, ErrClinicClosed) {
				t.Errorf("midnight of the closed day: %v, want ErrClinicClosed", err)
			}
		})
	}
}

// One-off hours for a date replace the weekly hours that day only: a longer day on the
// Sunday the clocks go forward, and a day away.
func TestDateHoursReplaceTheWeeklyHours(t *testing.T) {
	loc := sydney(t)
	spring := Date{2027, time.October, 3} // a Sunday; no weekly hours on Sundays
	q := SlotQuery{Location: loc, Now: time.Date(2027, time.September, 28, 9, 0, 0, 0, loc), From: spring, To: spring.AddDays(1),
		Service: Service{ID: 1, Duration: time.Hour}, Grid: time.Hour,
		Therapists: []TherapistCalendar{{TherapistID: 1, Hours: weekdays(Shift{Clock(9, 0), Clock(12, 0)}), Offers: []int64{1},
			DateHours: map[Date][]Shift{spring: {{Clock(1, 0), Clock(5, 0)}}, spring.AddDays(1): nil}}}}
	got := show(FreeTimes(q), loc, "2 15:04 MST")
	// 01:00 AEST; 02:00 does not exist; 03:00 and 04:00 AEDT. Monday is a day away.
	if want := []string{"3 01:00 AEST", "3 03:00 AEDT", "3 04:00 AEDT"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if err := CheckSlot(q, time.Date(2027, time.October, 4, 9, 0, 0, 0, loc), 1); !errors.Is(err, ErrSlotOutsideHours) {
		t.Errorf("the day away: %v", err)
	}
}

package clinic

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

// courseQuery books with therapist 1 on weekdays, from a Monday, with a
// horizon long enough for any course.
func courseQuery(t *testing.T, now string) SlotQuery {
	q := mondayQuery(t)
	q.Now = at(t, now)
	q.HorizonDays = 120
	return q
}

func firstSlot(t *testing.T, q SlotQuery, start string) Slot {
	t.Helper()
	s, err := SlotAt(q, at(t, start), 1)
	if err != nil {
		t.Fatalf("first session %s: %v", start, err)
	}
	return s
}

func showCourse(ps []Proposal, loc *time.Location) []string {
	var out []string
	for _, p := range ps {
		if !p.Found {
			out = append(out, fmt.Sprintf("none in %v..%v", p.Window.From, p.Window.To))
			continue
		}
		out = append(out, p.Slot.Start.In(loc).Format("Mon 2006-01-02 15:04 MST"))
	}
	return out
}

func wholeDays(t *testing.T, from, to string) Interval {
	return iv(t, from+" 00:00", to+" 00:00")
}

func TestProposeCourse(t *testing.T) {
	tests := []struct {
		name     string
		sessions int
		spacing  Spacing
		mod      func(q *SlotQuery)
		want     []string
	}{
		{"weekly at the same time", 4, Spacing{}, nil, []string{
			"Thu 2027-03-04 10:00 AEDT", "Thu 2027-03-11 10:00 AEDT", "Thu 2027-03-18 10:00 AEDT", "Thu 2027-03-25 10:00 AEDT",
		}},
		{"full target day moves to the nearest day, earlier on a tie", 3, Spacing{}, func(q *SlotQuery) {
			q.Therapists[0].Busy = []Interval{iv(t, "2027-03-11 09:00", "2027-03-11 18:00")}
		}, []string{
			"Thu 2027-03-04 10:00 AEDT", "Wed 2027-03-10 10:00 AEDT", "Thu 2027-03-18 10:00 AEDT",
		}},
		{"target day and the day before full", 3, Spacing{}, func(q *SlotQuery) {
			q.Therapists[0].Busy = []Interval{iv(t, "2027-03-10 09:00", "2027-03-11 18:00")}
		}, []string{
			"Thu 2027-03-04 10:00 AEDT", "Fri 2027-03-12 10:00 AEDT", "Thu 2027-03-18 10:00 AEDT",
		}},
		{"usual time taken: nearest time that day, earlier on a tie", 2, Spacing{}, func(q *SlotQuery) {
			q.Therapists[0].Busy = []Interval{iv(t, "2027-03-11 10:00", "2027-03-11 11:00")}
		}, []string{
			"Thu 2027-03-04 10:00 AEDT", "Thu 2027-03-11 09:00 AEDT",
		}},
		{"nothing in the window: marked, and the next keeps its target", 3, Spacing{}, func(q *SlotQuery) {
			q.Therapists[0].TimeOff = []Interval{wholeDays(t, "2027-03-07", "2027-03-15")}
		}, []string{
			"Thu 2027-03-04 10:00 AEDT", "none in 2027-03-07..2027-03-14", "Thu 2027-03-18 10:00 AEDT",
		}},
		{"target on a day off moves inside min..max", 3, Spacing{Target: 9, Min: 3, Max: 10}, nil, []string{
			"Thu 2027-03-04 10:00 AEDT", "Fri 2027-03-12 10:00 AEDT", "Mon 2027-03-22 10:00 AEDT",
		}},
		{"single session", 1, Spacing{}, nil, []string{"Thu 2027-03-04 10:00 AEDT"}},
		{"invalid spacing", 3, Spacing{Target: 14, Min: 3, Max: 21}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := courseQuery(t, "2027-03-01 08:00")
			if tt.mod != nil {
				tt.mod(&q)
			}
			first := firstSlot(t, q, "2027-03-04 10:00")
			got := showCourse(ProposeCourse(q, first, tt.sessions, tt.spacing), q.Location)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestProposeCourseAcrossDST(t *testing.T) {
	tests := []struct {
		name, now, first string
		want             []string
		gap              time.Duration // real time between the first two sessions
	}{
		{"clocks go forward", "2027-09-27 08:00", "2027-09-30 10:00",
			[]string{"Thu 2027-09-30 10:00 AEST", "Thu 2027-10-07 10:00 AEDT", "Thu 2027-10-14 10:00 AEDT"},
			7*24*time.Hour - time.Hour},
		{"clocks go back", "2027-03-29 08:00", "2027-04-01 10:00",
			[]string{"Thu 2027-04-01 10:00 AEDT", "Thu 2027-04-08 10:00 AEST", "Thu 2027-04-15 10:00 AEST"},
			7*24*time.Hour + time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := courseQuery(t, tt.now)
			ps := ProposeCourse(q, firstSlot(t, q, tt.first), 3, DefaultSpacing())
			if got := showCourse(ps, q.Location); !slices.Equal(got, tt.want) {
				t.Fatalf("got %q\nwant %q", got, tt.want)
			}
			if got := ps[1].Slot.Start.Sub(ps[0].Slot.Start); got != tt.gap {
				t.Errorf("real time between sessions %v, want %v", got, tt.gap)
			}
			for _, p := range ps {
				if err := CheckSlot(q, p.Slot.Start, p.Slot.TherapistID); err != nil {
					t.Errorf("session %d at %v cannot be booked: %v", p.Session, p.Slot.Start.In(q.Location), err)
				}
			}
		})
	}
}

func TestSpacingValidate(t *testing.T) {
	tests := []struct {
		s  Spacing
		ok bool
	}{
		{DefaultSpacing(), true},
		{Spacing{Target: 3, Min: 3, Max: 3}, true},
		{Spacing{Target: 4, Min: 3, Max: 5}, true},
		{Spacing{Target: 7, Min: 2, Max: 10}, false},
		{Spacing{Target: 7, Min: 3, Max: 11}, true}, // inside sports recovery's 3 to 14
		{Spacing{Target: 7, Min: 3, Max: 15}, false},
		{Spacing{Target: 28, Min: 14, Max: 42}, true},
		{Spacing{Target: 28, Min: 10, Max: 42}, false}, // no kind spans both
		{Spacing{Target: 2, Min: 3, Max: 10}, false},
		{Spacing{Target: 10, Min: 3, Max: 9}, false},
		{Spacing{}, false},
	}
	for _, tt := range tests {
		err := tt.s.Validate()
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrBadSpacing)) {
			t.Errorf("%+v.Validate() = %v, want ok %v", tt.s, err, tt.ok)
		}
	}
}

func TestSessionWindow(t *testing.T) {
	on := func(days ...int) []Proposal {
		var ps []Proposal
		for i, d := range days {
			day := Date{2027, time.March, 1}.AddDays(d - 1)
			p := Proposal{Session: i + 1, Target: day, Day: day, Found: true}
			if d < 0 { // not found; its target was 7 days after the previous
				p = Proposal{Session: i + 1, Target: ps[i-1].Target.AddDays(7)}
			}
			ps = append(ps, p)
		}
		return ps
	}
	weekly := on(4, 11, 18, 25)
	tests := []struct {
		name   string
		ps     []Proposal
		k      int
		want   string
		wantOK bool
	}{
		{"middle session: after the previous, before the next", weekly, 1, "2027-03-08..2027-03-14", true},
		{"last session: after the previous only", weekly, 3, "2027-03-21..2027-03-28", true},
		{"first session: before the next", weekly, 0, "2027-03-01..2027-03-08", true},
		{"next not found: after the previous only", on(4, 11, -1), 1, "2027-03-07..2027-03-14", true},
		{"previous not found: after its target", on(4, -1, 18), 2, "2027-03-14..2027-03-21", true},
		{"neighbours too far apart", on(4, 11, 1+31), 1, "", false},
		{"first of one", on(4), 0, "", false},
		{"out of range", weekly, 4, "", false},
	}
	for _, tt := range tests {
		w, ok := SessionWindow(tt.ps, tt.k, DefaultSpacing())
		got := fmt.Sprintf("%v..%v", w.From, w.To)
		if ok != tt.wantOK || (ok && got != tt.want) {
			t.Errorf("%s: SessionWindow = %s, %v; want %s, %v", tt.name, got, ok, tt.want, tt.wantOK)
		}
	}
}

// The spacing of a course is the narrowest kind that allows its target.
func TestCourseSpacingByKind(t *testing.T) {
	for target, want := range map[int]Spacing{3: {3, 3, 10}, 7: {7, 3, 10}, 10: {10, 3, 10}, 14: {14, 3, 14},
		21: {21, 14, 42}, 28: {28, 14, 42}, 42: {42, 14, 42}} {
		if got, ok := CourseSpacing(target); !ok || got != want {
			t.Errorf("CourseSpacing(%d) = %+v, %v; want %+v", target, got, ok, want)
		}
	}
	for _, target := range []int{0, 1, 2, 43, 90} {
		if got, ok := CourseSpacing(target); ok {
			t.Errorf("CourseSpacing(%d) = %+v; want none", target, got)
		}
	}
	if got := CourseMaintenance.Spacing(); got != (Spacing{28, 14, 42}) {
		t.Errorf("maintenance: %+v", got)
	}
}

// Every course booking and move keeps each session Min to Max days after the one before it
// that stands, counted in the clinic's days.
func TestCheckCourseSpacing(t *testing.T) {
	syd, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		t.Fatal(err)
	}
	day := func(d, h int) time.Time { return time.Date(2027, 3, d, h, 0, 0, 0, syd) }
	remedial, recovery, maintenance := CourseRemedial.Spacing(), CourseRecovery.Spacing(), CourseMaintenance.Spacing()
	tests := []struct {
		name    string
		starts  []time.Time
		spacing Spacing
		want    string
	}{
		{"weekly", []time.Time{day(1, 10), day(8, 10), day(15, 10)}, remedial, ""},
		{"three days, late then early in the day", []time.Time{day(1, 20), day(4, 7)}, remedial, ""},
		{"one day apart", []time.Time{day(1, 10), day(2, 10)}, remedial,
			"Session 2 would be 1 day after session 1; this course's sessions are 3 to 10 days apart."},
		{"eleven days apart", []time.Time{day(1, 10), day(8, 10), day(19, 10)}, remedial,
			"Session 3 would be 11 days after session 2; this course's sessions are 3 to 10 days apart."},
		{"the same day", []time.Time{day(1, 10), day(1, 15)}, remedial,
			"Session 2 would be on the same day as session 1; this course's sessions are 3 to 10 days apart."},
		{"out of order", []time.Time{day(8, 10), day(1, 10)}, remedial,
			"Session 2 would be before session 1; this course's sessions are 3 to 10 days apart."},
		{"a cancelled session is skipped", []time.Time{day(1, 10), {}, day(8, 10)}, remedial, ""},
		{"counted from the last that stands", []time.Time{day(1, 10), {}, day(12, 10)}, remedial,
			"Session 3 would be 11 days after session 1; this course's sessions are 3 to 10 days apart."},
		{"sports recovery, a fortnight", []time.Time{day(1, 10), day(15, 10), day(29, 10)}, recovery, ""},
		{"maintenance, monthly", []time.Time{day(1, 10), day(29, 10)}, maintenance, ""},
		{"maintenance, a week", []time.Time{day(1, 10), day(8, 10)}, maintenance,
			"Session 2 would be 7 days after session 1; this course's sessions are 14 to 42 days apart."},
		{"a plan's own, narrower", []time.Time{day(1, 10), day(4, 10)}, Spacing{Target: 7, Min: 5, Max: 9},
			"Session 2 would be 3 days after session 1; this course's sessions are 5 to 9 days apart."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckCourseSpacing(tt.starts, tt.spacing, syd)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
	if err := CheckCourseSpacing([]time.Time{day(1, 10)}, Spacing{Target: 14, Min: 3, Max: 21}, syd); !errors.Is(err, ErrBadSpacing) {
		t.Errorf("a spacing no kind allows: %v", err)
	}
}

// Every result class's course can be booked as the result page promises: its first visit (the
// longer one with assessment) then the course's sessions at a spacing some kind of course
// allows; the undifferentiated result books its assessment visit alone.
func TestEveryResultCourseBooks(t *testing.T) {
	for _, p := range AssessmentScoringV1().Plans {
		c, b := p.Course, p.Course.Booking()
		t.Run(fmt.Sprint(p.Classes), func(t *testing.T) {
			if slices.Contains(p.Classes, ComplaintUndifferentiated) {
				if b != (CourseBooking{Service: "remedial_initial_75", Sessions: 1}) {
					t.Errorf("undifferentiated books %+v; want the assessment visit only", b)
				}
				return
			}
			if b.Sessions != c.Sessions || b.Service != c.Service || b.SpacingDays != c.SpacingDays {
				t.Errorf("books %+v; want the course %+v", b, c)
			}
			if want := c.FirstVisitService; (want == c.Service && b.FirstService != "") || (want != c.Service && b.FirstService != want) {
				t.Errorf("first visit %q; want %q", b.FirstService, want)
			}
			if _, ok := CourseSpacing(b.SpacingDays); !ok {
				t.Errorf("spacing %d days: no kind of course allows it", b.SpacingDays)
			}
		})
	}
}

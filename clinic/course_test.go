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
		{Spacing{Target: 7, Min: 3, Max: 11}, false},
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

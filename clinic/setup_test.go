package clinic

import (
	"reflect"
	"testing"
	"time"
)

func TestServiceValidation(t *testing.T) {
	good := ServiceSpec{Name: "Remedial 60", Duration: time.Hour, Buffer: 15 * time.Minute, PriceCents: 9500, Kind: KindFollowUp}
	for _, tt := range []struct {
		name  string
		edit  func(*ServiceSpec)
		field string
	}{
		{"off the 5-minute grid", func(s *ServiceSpec) { s.Duration = 62 * time.Minute }, "duration"},
		{"too short", func(s *ServiceSpec) { s.Duration = 0 }, "duration"},
		{"negative price", func(s *ServiceSpec) { s.PriceCents = -1 }, "price"},
		{"buffer longer than the service", func(s *ServiceSpec) { s.Duration, s.Buffer = 30*time.Minute, 45*time.Minute }, "buffer"},
		{"buffer off the grid", func(s *ServiceSpec) { s.Buffer = 7 * time.Minute }, "buffer"},
		{"unknown kind", func(s *ServiceSpec) { s.Kind = "spa" }, "kind"},
		{"course of one", func(s *ServiceSpec) { s.Kind, s.CourseSessions, s.SpacingDays = KindCourse, 1, 7 }, "course_sessions"},
		{"course spaced a month", func(s *ServiceSpec) { s.Kind, s.CourseSessions, s.SpacingDays = KindCourse, 4, 30 }, "spacing_days"},
	} {
		s := good
		tt.edit(&s)
		errs := s.Validate()
		if len(errs) != 1 || errs[tt.field] == "" {
			t.Errorf("%s: got %v, want one message for %s", tt.name, errs, tt.field)
		}
	}
	s := good
	s.CourseSessions, s.SpacingDays = 4, 30 // ignored: not a course
	if errs := s.Validate(); len(errs) != 0 || s.CourseSessions != 1 {
		t.Errorf("a valid follow-up: %v, %d sessions", errs, s.CourseSessions)
	}
}

func TestParsePrice(t *testing.T) {
	for in, want := range map[string]int{"85": 8500, "85.5": 8550, "$1,200.05": 120005, "0": 0, "-5": -500, "0.99": 99} {
		if got, err := ParsePrice(in); err != nil || got != want {
			t.Errorf("ParsePrice(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "abc", "1.234", "1e3", "85.", "."} {
		if _, err := ParsePrice(in); err == nil {
			t.Errorf("ParsePrice(%q) accepted", in)
		}
	}
	if got := FormatPrice(9550); got != "$95.50" {
		t.Errorf("FormatPrice = %q", got)
	}
}

func TestBookingBlockers(t *testing.T) {
	texts := func(f ReadinessFacts) []string {
		var out []string
		for _, b := range BookingBlockers(f) {
			out = append(out, b.Text)
		}
		return out
	}
	if got := texts(ReadinessFacts{}); !reflect.DeepEqual(got, []string{"The clinic has no phone number yet", "No service yet", "No therapist yet"}) {
		t.Errorf("empty clinic: %q", got)
	}
	f := ReadinessFacts{Phone: "02 9000 0000", Services: []ServiceFact{{1, "Remedial 60", true}, {2, "Remedial 30", false}},
		Therapists: []TherapistFact{{10, "Sam", []int64{2}, false}, {11, "Kim", []int64{2}, true}}}
	want := []string{"No treatment room yet", "No therapist offers Remedial 60", "Sam has no hours"}
	if got := texts(f); !reflect.DeepEqual(got, want) {
		t.Errorf("half set up: %q, want %q", got, want)
	}
	if !BookingOpen(f) {
		t.Error("closed although Kim, with hours, offers Remedial 30, which needs no room")
	}
	f.Therapists[1].HasHours = false
	if BookingOpen(f) {
		t.Error("open although nobody with hours offers anything")
	}
	f.Therapists[1].HasHours = true
	f.Rooms, f.Therapists[0].Offers, f.Therapists[0].HasHours = 1, []int64{1, 2}, true
	if got := BookingBlockers(f); len(got) != 0 {
		t.Errorf("ready clinic: %v", got)
	}
}

func TestUnionHoursAreTheClinicsOpeningHours(t *testing.T) {
	var sam, kim WeeklyHours
	sam[time.Monday] = []Shift{{Clock(9, 0), Clock(13, 0)}, {Clock(14, 0), Clock(17, 0)}}
	kim[time.Monday] = []Shift{{Clock(12, 0), Clock(15, 0)}}
	kim[time.Saturday] = []Shift{{Clock(8, 0), Clock(12, 0)}}
	got := UnionHours(sam, kim)
	if want := []Shift{{Clock(9, 0), Clock(17, 0)}}; !reflect.DeepEqual(got[time.Monday], want) {
		t.Errorf("Monday = %v, want %v", got[time.Monday], want)
	}
	if len(got[time.Sunday]) != 0 || len(got[time.Saturday]) != 1 {
		t.Errorf("Sunday %v, Saturday %v", got[time.Sunday], got[time.Saturday])
	}
}

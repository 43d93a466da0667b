package clinic

import (
	"math"
	"slices"
	"testing"
	"time"
)

func TestParseReportPeriod(t *testing.T) {
	today := Date{2026, time.March, 10}
	p, errs := ParseReportPeriod("", "", today)
	if len(errs) != 0 || p.To != today || p.From != (Date{2025, time.March, 11}) {
		t.Errorf("default period = %v %v, want the year up to today", p, errs)
	}
	for _, tc := range []struct{ from, to, field string }{
		{"2026-02-30", "", "from"},
		{"", "yesterday", "to"},
		{"2026-03-01", "2026-02-28", "to"},
		{"2020-01-01", "2026-01-01", "to"},
	} {
		if _, errs := ParseReportPeriod(tc.from, tc.to, today); errs[tc.field] == "" {
			t.Errorf("%q-%q: no message for %s: %v", tc.from, tc.to, tc.field, errs)
		}
	}
}

// The period ends at the midnight after its last day, also across the day
// Sydney's clocks go forward (a 23-hour day).
func TestReportPeriodBoundsAcrossDST(t *testing.T) {
	syd, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		t.Skip(err)
	}
	from, to := ReportPeriod{Date{2026, time.October, 4}, Date{2026, time.October, 4}}.Bounds(syd)
	if h := to.Sub(from).Hours(); h != 23 {
		t.Errorf("4 October 2026 in Sydney lasts %v hours, want 23", h)
	}
}

func TestAttendanceByHand(t *testing.T) {
	mon := Date{2026, time.March, 9} // a Monday
	tue := mon.AddDays(1)
	// Sam: 4 sessions on Monday (1 no-show, 1 late cancel) over two lines, Kim: 2 on Tuesday (1 no-show).
	facts := []AttendanceFact{
		{TherapistID: 1, TherapistName: "Sam", Day: mon, Sessions: 3, NoShows: 1},
		{TherapistID: 1, TherapistName: "Sam", Day: mon, Sessions: 1, LateCancels: 1},
		{TherapistID: 2, TherapistName: "Kim", Day: tue, Sessions: 2, NoShows: 1},
	}
	r := Attendance(ReportPeriod{}, facts)
	if r.Total.Sessions != 6 || r.Total.NoShows != (Share{2, 6}) || r.Total.LateCancels != (Share{1, 6}) || r.Total.Lost.Percent() != "50%" {
		t.Errorf("total = %+v", r.Total)
	}
	if len(r.ByTherapist) != 2 || r.ByTherapist[0].Label != "Kim" || r.ByTherapist[0].Lost != (Share{1, 2}) ||
		r.ByTherapist[1].Label != "Sam" || r.ByTherapist[1].Lost != (Share{2, 4}) {
		t.Errorf("by therapist = %+v", r.ByTherapist)
	}
	if len(r.ByWeekday) != 2 || r.ByWeekday[0].Label != "Monday" || r.ByWeekday[0].Sessions != 4 ||
		r.ByWeekday[1].Label != "Tuesday" || r.ByWeekday[1].NoShows != (Share{1, 2}) {
		t.Errorf("by weekday = %+v", r.ByWeekday)
	}
	if !r.Total.Lost.Small() {
		t.Error("6 sessions should be flagged as a small number")
	}
}

func TestOutcomesByHand(t *testing.T) {
	trp, relax := PlanLayerRemedialTriggerPoint, PlanLayerRelaxation
	facts := []OutcomeFact{
		// Plan 1, neck: pain 6 -> 3 (+3, improved), PSFS 4 -> 5 (+1, no change). Counts as meaningful.
		{PlanID: 1, Class: "neck", Layers: []PlanLayer{trp}, Position: 1, Measure: MeasurePain, Baseline: 6, Current: 3},
		{PlanID: 1, Class: "neck", Layers: []PlanLayer{trp}, Position: 2, Measure: MeasurePSFS, Baseline: 4, Current: 5},
		// Plan 2, neck: pain 5 -> 5 (0). Not meaningful.
		{PlanID: 2, Class: "neck", Layers: []PlanLayer{trp, relax}, Position: 1, Measure: MeasurePain, Baseline: 5, Current: 5},
		// Plan 3, no class: PSFS mean 3 -> 6 (+3, improved) but pain 2 -> 5 (worse): not meaningful.
		{PlanID: 3, Layers: []PlanLayer{relax}, Position: 1, Measure: MeasurePSFSMean, Baseline: 3, Current: 6},
		{PlanID: 3, Layers: []PlanLayer{relax}, Position: 2, Measure: MeasurePain, Baseline: 2, Current: 5},
	}
	r := Outcomes(ReportPeriod{}, facts)
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	// Pain: +3, 0, -3 over 3 plans -> mean 0. Function: +1, +3 over 2 plans -> mean 2.
	if tot := r.Total; tot.Plans != 3 || tot.PainPlans != 3 || !near(tot.PainChange, 0) ||
		tot.FunctionPlans != 2 || !near(tot.FunctionChange, 2) || tot.Meaningful != (Share{1, 3}) {
		t.Errorf("total = %+v", tot)
	}
	if len(r.ByClass) != 2 {
		t.Fatalf("by class = %+v", r.ByClass)
	}
	// Neck: pain (+3 + 0)/2 = 1.5; function +1 over 1 plan; 1 of 2 meaningful.
	if neck := r.ByClass[1]; neck.Label != "neck" || neck.Plans != 2 || !near(neck.PainChange, 1.5) ||
		neck.FunctionPlans != 1 || !near(neck.FunctionChange, 1) || neck.Meaningful != (Share{1, 2}) || !neck.Small() {
		t.Errorf("neck = %+v", neck)
	}
	if none := r.ByClass[0]; none.Label != NoClass || none.Plans != 1 || !near(none.PainChange, -3) || none.Meaningful.Count != 0 {
		t.Errorf("no class = %+v", none)
	}
	// Trigger point: plans 1 and 2. Relaxation: plans 2 and 3, pain (0 - 3)/2 = -1.5.
	if len(r.ByModality) != 2 || r.ByModality[0].Plans != 2 || r.ByModality[0].Meaningful != (Share{1, 2}) ||
		r.ByModality[1].Label != "Relaxation" || !near(r.ByModality[1].PainChange, -1.5) || r.ByModality[1].Meaningful.Count != 0 {
		t.Errorf("by modality = %+v", r.ByModality)
	}
}

func TestUtilisationByHand(t *testing.T) {
	syd, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		t.Skip(err)
	}
	at := func(d, h, m int) time.Time { return time.Date(2026, time.March, d, h, m, 0, 0, syd) }
	var samWeek, kimWeek WeeklyHours
	samWeek[time.Monday] = []Shift{{Start: Clock(9, 0), End: Clock(17, 0)}}
	kimWeek[time.Tuesday] = []Shift{{Start: Clock(9, 0), End: Clock(13, 0)}}
	f := UtilisationFacts{
		Therapists: []UtilTherapist{
			// Sam: Monday 8 hours less 2 off = 360 minutes. Kim: Tuesday 240 minutes.
			{ID: 1, Name: "Sam", Hours: samWeek, TimeOff: []Interval{{at(9, 12, 0), at(9, 14, 0)}}},
			{ID: 2, Name: "Kim", Hours: kimWeek},
		},
		Rooms: []UtilRoom{{ID: 1, Name: "Room 1"}, {ID: 2, Name: "Room 2"}},
		Booked: []UtilBooked{
			{TherapistID: 1, RoomID: 1, Minutes: 120}, // two hours on Monday
			{TherapistID: 2, RoomID: 2, Minutes: 90},
		},
	}
	r := Utilisation(ReportPeriod{Date{2026, time.March, 9}, Date{2026, time.March, 15}}, f, syd)
	want := []UtilRow{{"Kim", Share{90, 240}}, {"Sam", Share{120, 360}}}
	if !slices.Equal(r.ByTherapist, want) || r.Total.Booked != (Share{210, 600}) || r.Total.Booked.Percent() != "35%" {
		t.Errorf("therapists = %+v total %+v", r.ByTherapist, r.Total)
	}
	// Rooms are open while anyone works: 360 + 240 minutes.
	if wantRooms := []UtilRow{{"Room 1", Share{120, 600}}, {"Room 2", Share{90, 600}}}; !slices.Equal(r.ByRoom, wantRooms) {
		t.Errorf("rooms = %+v", r.ByRoom)
	}
}

// A shift from midnight to 06:00 on the night Sydney's clocks go forward is five hours.
func TestUtilisationAcrossDST(t *testing.T) {
	syd, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		t.Skip(err)
	}
	var week WeeklyHours
	week[time.Sunday] = []Shift{{Start: Clock(0, 0), End: Clock(6, 0)}}
	day := Date{2026, time.October, 4}
	r := Utilisation(ReportPeriod{day, day}, UtilisationFacts{Therapists: []UtilTherapist{{ID: 1, Name: "Sam", Hours: week}}}, syd)
	if got := r.Total.Booked.Of; got != 300 {
		t.Errorf("available minutes = %d, want 300", got)
	}
}

func TestClientsByHand(t *testing.T) {
	p := ReportPeriod{Date{2026, time.March, 1}, Date{2026, time.March, 31}}
	conv := []ConversionFact{{"neck", true}, {"neck", false}, {"", true}}
	// Client 1 finished one course and came back, then left a second unfinished and did not;
	// client 2 finished a course without coming back, and a maintenance visit then booked again.
	courses := []CourseFact{
		{ClientID: 1, Kind: KindCourse, Sessions: 4, Attended: 4, Rebooked: true},
		{ClientID: 1, Kind: KindCourse, Sessions: 4, Attended: 3},
		{ClientID: 2, Kind: KindCourse, Sessions: 3, Attended: 3},
		{ClientID: 2, Kind: KindMaintenance, Sessions: 1, Attended: 1, Rebooked: true},
	}
	r := Clients(p, ClientsSeen{Seen: 3, New: 2}, conv, courses)
	if r.Seen != 3 || r.New != 2 || r.Returning != 1 {
		t.Errorf("seen %d new %d returning %d, want 3, 2, 1", r.Seen, r.New, r.Returning)
	}
	wantConv := []CountRow{{"Not classified", Share{1, 1}}, {"neck", Share{1, 2}}, {"All assessments", Share{2, 3}}}
	if !slices.Equal(r.Conversion, wantConv) {
		t.Errorf("conversion = %+v", r.Conversion)
	}
	// Completion counts courses: 2 of the 3 course-session courses, the maintenance one, 3 of 4.
	// Rebooking counts clients, once each: of the course clients only client 1 came back (after
	// the first course); client 2 came back after the maintenance visit, so both did overall.
	wantDone := []CountRow{{"Course session", Share{2, 3}}, {"Maintenance", Share{1, 1}}, {"All courses", Share{3, 4}}}
	wantAgain := []CountRow{{"Course session", Share{1, 2}}, {"Maintenance", Share{1, 1}}, {"All clients", Share{2, 2}}}
	if !slices.Equal(r.Completion, wantDone) || !slices.Equal(r.Rebooking, wantAgain) {
		t.Errorf("completion = %+v, rebooking = %+v", r.Completion, r.Rebooking)
	}
}

// Day numbers computed with the zone's spans give the clinic's date of every
// minute across both of Sydney's clock changes in a year.
func TestZoneSpansGiveTheClinicsDays(t *testing.T) {
	syd, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		t.Skip(err)
	}
	from := time.Date(2026, time.January, 1, 0, 0, 0, 0, syd)
	to := from.AddDate(1, 0, 0)
	spans := ZoneSpans(syd, from, to)
	if len(spans) != 3 {
		t.Fatalf("spans = %+v, want three (daylight, standard, daylight)", spans)
	}
	for _, at := range []time.Time{
		time.Date(2026, time.April, 5, 2, 30, 0, 0, syd), time.Date(2026, time.April, 4, 23, 59, 0, 0, syd),
		time.Date(2026, time.October, 4, 0, 30, 0, 0, syd), time.Date(2026, time.October, 4, 3, 0, 0, 0, syd),
		time.Date(2026, time.October, 3, 23, 30, 0, 0, syd), time.Date(2026, time.December, 31, 23, 59, 0, 0, syd),
	} {
		off := spans[len(spans)-1].Offset
		for _, sp := range spans[:len(spans)-1] {
			if at.Before(sp.Until) {
				off = sp.Offset
				break
			}
		}
		if got, want := DayNumber((at.Unix()+int64(off))/86400), DateOf(at, syd); got != want {
			t.Errorf("%v: day %v, want %v", at, got, want)
		}
	}
}

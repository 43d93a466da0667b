package store

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"testing"
	"time"

	"allium/clinic"
	"allium/internal/testkit"
)

// reportSummaries reads client_first_visit, course_ends and client_visits as
// "client 3: 1764550800" lines.
func reportSummaries(t *testing.T, s *Store, fromBookings bool) map[string]int64 {
	t.Helper()
	firsts := `SELECT 'client ' || client_id, first_at FROM client_first_visit`
	ends := `SELECT 'course ' || course_id || ' ends', last_at FROM course_ends
		UNION ALL SELECT 'course ' || course_id || ' attended', attended FROM course_ends`
	visits := `SELECT 'visit ' || client_id || ' at ' || starts_at, coalesce(prev_at, -1) FROM client_visits`
	next := `SELECT 'course ' || course_id || ' next', coalesce(next_at, -1) FROM course_next`
	made := `SELECT 'assessment ' || assessment_id || ' booked', coalesce(made_at, -1) FROM assessment_bookings`
	if fromBookings { // the definitions, worked out from every booking as the migration does
		firsts = `SELECT 'client ' || client_id, min(starts_at) FROM appointments
			WHERE status NOT IN ('cancelled', 'no_show') GROUP BY client_id`
		ends = `SELECT 'course ' || course_id || ' ends', max(starts_at) FROM appointments
			WHERE course_id IS NOT NULL AND status <> 'cancelled' GROUP BY course_id
			UNION ALL SELECT 'course ' || course_id || ' attended', sum(status IN ('checked_in', 'completed')) FROM appointments
			WHERE course_id IS NOT NULL AND status <> 'cancelled' GROUP BY course_id`
		visits = `SELECT 'visit ' || client_id || ' at ' || starts_at,
				coalesce(lag(starts_at) OVER (PARTITION BY client_id ORDER BY starts_at), -1)
			FROM (SELECT DISTINCT client_id, starts_at FROM appointments WHERE status NOT IN ('cancelled', 'no_show'))`
		next = `SELECT 'course ' || c.id || ' next', coalesce((SELECT min(b.starts_at) FROM appointments b
				WHERE b.client_id = c.client_id AND b.status <> 'cancelled' AND b.starts_at > max(a.starts_at)), -1)
			FROM courses c JOIN appointments a ON a.course_id = c.id WHERE a.status <> 'cancelled' GROUP BY c.id`
		made = `SELECT 'assessment ' || a.id || ' booked', coalesce((SELECT min(b.created_at) FROM appointments b
				WHERE b.client_id = a.client_id AND b.starts_at >= a.updated_at AND b.created_at >= a.updated_at), -1)
			FROM assessments a WHERE a.status = 'submitted' AND a.client_id IS NOT NULL`
	}
	out := map[string]int64{}
	for _, q := range []string{firsts, ends, visits, next, made} {
		rows, err := s.r.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var k string
			var v int64
			if err := rows.Scan(&k, &v); err != nil {
				t.Fatal(err)
			}
			out[k] = v
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}
	maps.Copy(out, reportDaysOf(t, s, testkit.Sydney(), fromBookings))
	return out
}

// reportDaysOf reads report_days as "day 2026-12-01 therapist 2 room 1 sessions" lines, or
// works them out from every booking, the day being the date of its start in the clinic's zone.
func reportDaysOf(t *testing.T, s *Store, loc *time.Location, fromBookings bool) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	add := func(day clinic.Date, therapist, room int64, counts [4]int64) {
		k := fmt.Sprintf("day %s therapist %d room %d ", day, therapist, room)
		for i, name := range []string{"sessions", "no-shows", "late cancellations", "seconds booked"} {
			out[k+name] += counts[i]
		}
	}
	q := `SELECT day, therapist_id, room_id, sessions, no_shows, late_cancels, booked_secs FROM report_days`
	if fromBookings {
		q = `SELECT starts_at, therapist_id, coalesce(room_id, 0), status <> 'cancelled' OR late_cancel = 1,
			status = 'no_show', status = 'cancelled' AND late_cancel = 1,
			CASE WHEN status <> 'cancelled' THEN ends_at - starts_at ELSE 0 END
			FROM appointments WHERE status <> 'cancelled' OR late_cancel = 1`
	}
	rows, err := s.r.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var at, therapist, room int64
		var c [4]int64
		if err := rows.Scan(&at, &therapist, &room, &c[0], &c[1], &c[2], &c[3]); err != nil {
			t.Fatal(err)
		}
		day := clinic.DayNumber(at)
		if fromBookings {
			day = clinic.DateOf(time.Unix(at, 0), loc)
		}
		add(day, therapist, room, c)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestReportSummariesFollowEveryChange: the first visits, course ends and visits the clients
// report reads stay what the bookings say through booking, moving, cancelling, a no-show, a
// completed session and a merge of two client records.
func TestReportSummariesFollowEveryChange(t *testing.T) {
	c := newCacheClinic(t)
	ctx := context.Background()
	check := func(step string) {
		t.Helper()
		if got, want := reportSummaries(t, c.s, false), reportSummaries(t, c.s, true); !maps.Equal(got, want) {
			t.Errorf("after %s: summaries %v; the bookings give %v", step, got, want)
		}
	}
	assess := func(client any, at time.Time) int64 {
		t.Helper()
		r, err := c.s.w.Exec(`INSERT INTO assessments (token_hash, client_id, status, created_at, updated_at)
			VALUES (randomblob(16), ?, 'submitted', ?, ?)`, client, unix(at), unix(at))
		if err != nil {
			t.Fatal(err)
		}
		id, _ := r.LastInsertId()
		return id
	}
	assess(c.alex, c.s.now())
	assess(c.sam, c.s.now())
	visitor := assess(nil, c.s.now().Add(-time.Hour)) // submitted before its person signed in
	check("submitting assessments")
	course := c.book(t, c.alex, c.a, c.tenAM, c.nextMonday)
	single := c.book(t, c.sam, c.b, c.afternoon)
	check("booking")
	if _, err := c.s.w.Exec(`UPDATE assessments SET client_id = ?, updated_at = ? WHERE id = ?`,
		c.sam, unix(c.s.now()), visitor); err != nil {
		t.Fatal(err)
	}
	check("linking an assessment to its client")
	first, second := course.Appointments[0], course.Appointments[1]
	if _, err := c.s.Reschedule(ctx, System, second.ID, c.nextMonday.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	check("moving the course's last session")
	if _, err := c.s.Cancel(ctx, System, first.ID, "test"); err != nil {
		t.Fatal(err)
	}
	check("cancelling the first session")
	if got := reportSummaries(t, c.s, false); got[clientKey(c.alex)] != unix(c.nextMonday.Add(2*time.Hour)) {
		t.Errorf("Alex's first visit after the first was cancelled = %d; want the moved second session", got[clientKey(c.alex)])
	}
	c.s.Now = func() time.Time { return c.nextMonday.Add(5 * time.Hour) } // after every session
	if _, err := c.s.SetStatus(ctx, System, second.ID, clinic.ApptCompleted); err != nil {
		t.Fatal(err)
	}
	check("completing a session")
	if _, err := c.s.SetStatus(ctx, System, single.Appointments[0].ID, clinic.ApptNoShow); err != nil {
		t.Fatal(err)
	}
	check("a no-show")
	if got := reportSummaries(t, c.s, false); len(got) != 5+4*2+3 { // Alex, his one visit left, the course's end, attended and next; two days' counts; three assessments
		t.Errorf("summaries after Sam's only session was missed = %v; want Sam gone", got)
	}
	later := c.book(t, c.sam, c.b, c.nextMonday.Add(4*24*time.Hour))
	if err := c.s.MergeClients(ctx, Actor{Role: clinic.RoleOwner}, c.alex, c.sam); err != nil {
		t.Fatal(err)
	}
	check("merging Sam's record into Alex's")
	c.s.Now = func() time.Time { return c.nextMonday.Add(-48 * time.Hour) }
	c.book(t, c.alex, c.a, c.nextMonday.Add(3*24*time.Hour)) // between Alex's visit and Sam's last, now Alex's
	check("booking a visit before a client's next one")
	if _, err := c.s.w.Exec(`DELETE FROM appointments WHERE id = ?`, later.Appointments[0].ID); err != nil {
		t.Fatal(err)
	}
	check("deleting a booking")
}

// TestClientsSeenByHand: in November 2026 (the clock stands at the 25th) Alex came back after
// a visit the year before, Sam's first visit came after a no-show and Lee's after a
// cancellation, so both are new; Kim was missed and is booked after today, so not seen. Alex
// saw both therapists, Sam therapist A and Lee therapist B: each sees two clients, one new.
func TestClientsSeenByHand(t *testing.T) {
	c := newCacheClinic(t)
	ctx := context.Background()
	_, lee := mustCreateClient(t, c.s, "Lee", "lee@x.test")
	_, kim := mustCreateClient(t, c.s, "Kim", "kim@x.test")
	at := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, c.loc) }
	sessions := []struct {
		client, therapist int64
		start             time.Time
		status            clinic.ApptStatus
	}{
		{c.alex, c.a, at(2025, time.June, 1, 10), clinic.ApptCompleted},
		{c.alex, c.a, at(2026, time.November, 3, 10), clinic.ApptCompleted},
		{c.alex, c.b, at(2026, time.November, 10, 10), clinic.ApptCompleted},
		{c.sam, c.a, at(2026, time.October, 20, 10), clinic.ApptNoShow},
		{c.sam, c.a, at(2026, time.November, 1, 0), clinic.ApptCompleted}, // the period's first minute
		{c.sam, c.a, at(2026, time.November, 5, 10), clinic.ApptCancelled},
		{lee, c.b, at(2026, time.September, 9, 10), clinic.ApptCancelled},
		{lee, c.b, at(2026, time.November, 20, 10), clinic.ApptCompleted},
		{kim, c.a, at(2026, time.November, 12, 10), clinic.ApptNoShow},
		{kim, c.b, at(2026, time.November, 28, 10), clinic.ApptBooked},
	}
	err := c.s.Bulk(ctx, System, func(b *BulkLoad) error {
		for _, x := range sessions {
			if err := b.AddAppointment(BulkAppointment{ClientID: x.client, TherapistID: x.therapist, ServiceID: c.sv.ID,
				Start: x.start, End: x.start.Add(time.Hour), BusyUntil: x.start.Add(75 * time.Minute), Status: x.status,
				CreatedAt: x.start.AddDate(0, 0, -7)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	p := clinic.ReportPeriod{From: clinic.Date{Y: 2026, M: time.November, D: 1}, To: clinic.Date{Y: 2026, M: time.November, D: 30}}
	from, to := p.Bounds(c.loc)
	for _, who := range []struct {
		name string
		by   Actor
	}{{"the owner", Actor{Role: clinic.RoleOwner}}, {"therapist A", Actor{UserID: c.a, Role: clinic.RoleTherapist}},
		{"therapist B", Actor{UserID: c.b, Role: clinic.RoleTherapist}}} {
		seen, _, _, err := c.s.ClientsFacts(ctx, who.by, from, to)
		if err != nil {
			t.Fatal(err)
		}
		want := clinic.ClientsSeen{Seen: 2, New: 1}
		if who.by.Role == clinic.RoleOwner {
			want = clinic.ClientsSeen{Seen: 3, New: 2}
		}
		if seen != want {
			t.Errorf("%s: %+v; want %+v", who.name, seen, want)
		}
	}
}

// TestReportDaysFollowTheClinicsZone: four sessions around the night Sydney's clocks go
// forward (4 October 2026, 02:00) fall on 3, 4, 4 and 5 October there; when the clinic moves
// to Singapore's zone the same instants fall on 3, 3, 4 and 4 October, and report_days is
// recounted so. A report asked in a zone other than the clinic's counts from the bookings.
func TestReportDaysFollowTheClinicsZone(t *testing.T) {
	c := newCacheClinic(t)
	ctx := context.Background()
	owner := Actor{Role: clinic.RoleOwner}
	at := func(d, h, m int) time.Time { return time.Date(2026, time.October, d, h, m, 0, 0, c.loc) }
	err := c.s.Bulk(ctx, System, func(b *BulkLoad) error {
		for _, st := range []time.Time{at(3, 23, 30), at(4, 0, 30), at(4, 3, 30), at(5, 0, 30)} {
			if err := b.AddAppointment(BulkAppointment{ClientID: c.alex, TherapistID: c.a, ServiceID: c.sv.ID,
				Start: st, End: st.Add(time.Hour), BusyUntil: st.Add(time.Hour), Status: clinic.ApptCompleted,
				CreatedAt: st.AddDate(0, 0, -7)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sessionsByDay := func(loc *time.Location) map[int]int {
		t.Helper()
		p := clinic.ReportPeriod{From: clinic.Date{Y: 2026, M: time.October, D: 1}, To: clinic.Date{Y: 2026, M: time.October, D: 10}}
		from, to := p.Bounds(loc)
		facts, err := c.s.AttendanceFacts(ctx, owner, from, to, loc)
		if err != nil {
			t.Fatal(err)
		}
		out := map[int]int{}
		for _, f := range facts {
			out[f.Day.D] += f.Sessions
		}
		util, err := c.s.UtilisationFacts(ctx, owner, from, to, loc)
		if err != nil {
			t.Fatal(err)
		}
		if len(util.Booked) != 1 || util.Booked[0].Minutes != 240 {
			t.Errorf("booked in %s = %+v; want 240 minutes", loc, util.Booked)
		}
		return out
	}
	if got, want := sessionsByDay(c.loc), map[int]int{3: 1, 4: 2, 5: 1}; !maps.Equal(got, want) {
		t.Errorf("sessions by day in Sydney = %v; want %v", got, want)
	}
	// On the 4th at 01:00 the day's second session has not begun, and it is not counted.
	now := c.s.Now
	c.s.Now = func() time.Time { return at(4, 1, 0) }
	p := clinic.ReportPeriod{From: clinic.Date{Y: 2026, M: time.October, D: 1}, To: clinic.Date{Y: 2026, M: time.October, D: 10}}
	from, to := p.Bounds(c.loc)
	facts, err := c.s.AttendanceFacts(ctx, owner, from, to, c.loc)
	if err != nil {
		t.Fatal(err)
	}
	if len(facts) != 2 || facts[0].Sessions+facts[1].Sessions != 2 {
		t.Errorf("attendance on the 4th at 01:00 = %+v; want a session on the 3rd and one on the 4th", facts)
	}
	c.s.Now = now
	// A period that ends on the 3rd counts the half hour of the 23:30 session before midnight.
	p.To = clinic.Date{Y: 2026, M: time.October, D: 3}
	from, to = p.Bounds(c.loc)
	if util, err := c.s.UtilisationFacts(ctx, owner, from, to, c.loc); err != nil || len(util.Booked) != 1 || util.Booked[0].Minutes != 30 {
		t.Errorf("booked to the 3rd = %+v (%v); want 30 minutes", util.Booked, err)
	}
	sg, err := time.LoadLocation("Asia/Singapore")
	if err != nil {
		t.Skip(err)
	}
	set, err := c.s.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	set.TimeZone = sg.String()
	if err := c.s.SaveSettings(ctx, owner, set); err != nil {
		t.Fatal(err)
	}
	if got, want := reportDaysOf(t, c.s, sg, false), reportDaysOf(t, c.s, sg, true); !maps.Equal(got, want) {
		t.Errorf("report_days in Singapore's zone = %v; the bookings give %v", got, want)
	}
	if got, want := sessionsByDay(sg), map[int]int{3: 2, 4: 2}; !maps.Equal(got, want) {
		t.Errorf("sessions by day in Singapore = %v; want %v", got, want)
	}
	if got, want := sessionsByDay(c.loc), map[int]int{3: 1, 4: 2, 5: 1}; !maps.Equal(got, want) {
		t.Errorf("sessions by day in Sydney, asked of a clinic in Singapore = %v; want %v", got, want)
	}
}

func clientKey(id int64) string { return "client " + strconv.FormatInt(id, 10) }

// TestRebookingCountsWithinThePlansSpacing: two clients each finish a course on 9 December and
// book again nine days later. Sam's course, outside any plan, allows the default 10 days
// between sessions, so Sam booked again in time; Alex's course is part of a plan that allows
// at most 7, so Alex did not.
func TestRebookingCountsWithinThePlansSpacing(t *testing.T) {
	c := newCacheClinic(t)
	ctx := context.Background()
	day := func(d, h int) time.Time { return time.Date(2026, 12, d, h, 0, 0, 0, c.loc) }
	c.book(t, c.alex, c.a, day(1, 10)) // Alex's first visit, before the plan
	d := clinic.NewTreatmentPlanDraft(c.s.now())
	d.Layers = []clinic.PlanLayer{clinic.PlanLayerRemedialTriggerPoint}
	d.Goals = []clinic.Goal{{Description: "Sleep through the night", Measure: clinic.MeasurePain, Baseline: 6, Target: 2}}
	d.TargetDays, d.MaxDays = 5, 7
	therapist := Actor{UserID: c.a, Role: clinic.RoleTherapist}
	plan, err := c.s.CreatePlan(ctx, therapist, NewPlan{ClientID: c.alex, Draft: d})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.s.ApplyPlanEvent(ctx, therapist, plan, clinic.PlanEventStart, ""); err != nil {
		t.Fatal(err)
	}
	alexCourse := c.book(t, c.alex, c.a, day(2, 10), day(9, 10))
	samCourse := c.book(t, c.sam, c.b, day(2, 13), day(9, 13))
	c.book(t, c.alex, c.a, day(18, 10))
	c.book(t, c.sam, c.b, day(18, 13))
	var joined int64
	if err := c.s.r.QueryRow(`SELECT coalesce(plan_id, 0) FROM courses WHERE id = ?`, alexCourse.CourseID).Scan(&joined); err != nil || joined != plan {
		t.Fatalf("Alex's course is in plan %d (%v); want %d", joined, err, plan)
	}
	c.s.Now = func() time.Time { return day(31, 9) }
	p := clinic.ReportPeriod{From: clinic.Date{Y: 2026, M: time.December, D: 1}, To: clinic.Date{Y: 2026, M: time.December, D: 15}}
	from, to := p.Bounds(c.loc)
	_, _, courses, err := c.s.ClientsFacts(ctx, Actor{Role: clinic.RoleOwner}, from, to)
	if err != nil {
		t.Fatal(err)
	}
	rebooked := map[int64]bool{}
	for _, f := range courses {
		rebooked[f.ClientID] = f.Rebooked
	}
	if want := map[int64]bool{c.alex: false, c.sam: true}; !maps.Equal(rebooked, want) || len(courses) != 2 {
		t.Errorf("rebooked by client = %v from %d courses (Sam's is %d); want %v from 2", rebooked, len(courses), samCourse.CourseID, want)
	}
}

// TestBulkPlansGiveTheReportsTheirData: the large demo's plans. With every course planned, a
// course that is over gets an assessment, a plan it belongs to and a reassessment the outcome
// report counts; a course still running gets a running plan and no reassessment; and each
// plan brings the assessments that led nowhere.
func TestBulkPlansGiveTheReportsTheirData(t *testing.T) {
	c := newCacheClinic(t)
	ctx := context.Background()
	now := c.s.now()
	course := func(b *BulkLoad, client, therapist int64, first time.Time, status clinic.ApptStatus) {
		t.Helper()
		booked := first.AddDate(0, 0, -5)
		id, err := b.AddCourse(client, therapist, c.sv.ID, 4, booked)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 4 {
			st := first.AddDate(0, 0, 7*i)
			if err := b.AddAppointment(BulkAppointment{ClientID: client, TherapistID: therapist, ServiceID: c.sv.ID,
				CourseID: id, CourseIndex: i + 1, Start: st, End: st.Add(time.Hour), BusyUntil: st.Add(75 * time.Minute),
				Status: status, CreatedAt: booked}); err != nil {
				t.Fatal(err)
			}
		}
	}
	err := c.s.Bulk(ctx, System, func(b *BulkLoad) error {
		course(b, c.alex, c.a, now.AddDate(0, -2, 0), clinic.ApptCompleted)
		course(b, c.sam, c.b, now.AddDate(0, 0, 7), clinic.ApptBooked)
		return b.AddPlans(PlanHistory{Loc: c.loc, Now: now, Share: 1, Unplanned: 2, Seed: 1,
			Layers: map[int64]clinic.PlanLayer{c.sv.ID: clinic.PlanLayerTuiNa}})
	})
	if err != nil {
		t.Fatal(err)
	}
	var plans, running, assessments, linked int
	if err := c.s.r.QueryRow(`SELECT (SELECT count(*) FROM treatment_plans),
		(SELECT count(*) FROM treatment_plans WHERE status = 'active' AND client_id = ?),
		(SELECT count(*) FROM assessments WHERE status = 'submitted'),
		(SELECT count(*) FROM courses WHERE plan_id IS NOT NULL)`, c.sam).Scan(&plans, &running, &assessments, &linked); err != nil {
		t.Fatal(err)
	}
	if plans != 2 || running != 1 || assessments != 6 || linked != 2 {
		t.Errorf("%d plans (%d running for Sam), %d assessments, %d courses in a plan; want 2 (1), 6, 2", plans, running, assessments, linked)
	}
	facts, err := c.s.OutcomeFacts(ctx, Actor{Role: clinic.RoleOwner}, now.AddDate(-1, 0, 0), now)
	if err != nil {
		t.Fatal(err)
	}
	r := clinic.Outcomes(clinic.ReportPeriod{}, facts)
	if r.Total.Plans != 1 || r.Total.PainPlans != 1 || len(r.ByModality) != 1 || r.ByModality[0].Label != "Tui na" {
		t.Errorf("outcomes = %+v; want Alex's one plan, with a pain goal, under Tui na", r)
	}
}

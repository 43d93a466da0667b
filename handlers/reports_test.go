package handlers_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
	"time"

	"allium/clinic"
	"allium/store"
)

// A clinic with figures worked out by hand: Sam has three past sessions with Alex (one
// attended, one no-show, one cancelled late) and one plan whose pain went from 6 to 3 at its
// reassessment, a meaningful change. The owner and Sam see them; another therapist sees none.
func TestReportsShowTheClinicsFigures(t *testing.T) {
	t.Parallel()
	w := newChartWorld(t)
	ctx := context.Background()
	desk := store.Actor{UserID: w.p.Reception.ID, Role: clinic.RoleReception}
	// A course of three, three days apart, from the day after tomorrow at 08:00.
	d := clinic.DateOf(w.ta.Clock.Now(), w.loc).AddDays(2)
	at := func(n int) time.Time { return time.Date(d.Y, d.M, d.D+n, 8, 0, 0, 0, w.loc) }
	b, err := w.ta.Store.BookCourse(ctx, store.System, store.BookingRequest{ClientID: w.clientID, ServiceID: w.service,
		TherapistID: w.therapist, Starts: []time.Time{at(0), at(3), at(6)}, Consent: true})
	if err != nil {
		t.Fatal(err)
	}
	appts := []int64{b.Appointments[0].ID, b.Appointments[1].ID, b.Appointments[2].ID}
	plan := w.activePlan(t)
	if _, err := w.ta.Store.RecordReassessment(ctx, w.sam, plan.ID, store.ReassessmentInput{
		Current: map[int64]float64{plan.Goals[0].ID: 3}, Decision: clinic.DecisionGoalMet}); err != nil {
		t.Fatal(err)
	}
	w.ta.Clock.Set(at(3).Add(15 * time.Minute)) // a no-show is known once the session has begun
	if _, err := w.ta.Store.SetStatus(ctx, desk, appts[1], "no_show"); err != nil {
		t.Fatal(err)
	}
	w.ta.Clock.Set(at(6).Add(-12 * time.Hour)) // inside the last session's cancellation window
	if a, err := w.ta.Store.Cancel(ctx, desk, appts[2], "unwell"); err != nil || !a.LateCancel {
		t.Fatalf("late cancel: %v %+v", err, a)
	}
	w.ta.Clock.Advance(3 * 24 * time.Hour)
	tom := w.ta.mustUser(t, clinic.RoleTherapist, "tom@clinic.test", "Tom Other", testPassword)

	for _, who := range []store.User{w.p.Owner, w.p.Therapist} {
		u := w.as(t, who)
		r := u.get("/reports/attendance")
		r.wantStatus(http.StatusOK)
		for _, want := range []string{"Sam Okafor * 3 1 1 2 67%", "All sessions * 3 1 1 2 67%", "<svg"} {
			if !strings.Contains(r.text(), want) && !strings.Contains(r.Body, want) {
				t.Errorf("%s: attendance report lacks %q:\n%s", who.Name, want, r.text())
			}
		}
		r = u.get("/reports/utilisation")
		r.wantStatus(http.StatusOK)
		// Sam works 07:00-21:00 every day: 14 hours a day over the default year (365 days)
		// is 5110 hours; two of the three one-hour sessions held their hour (the no-show's
		// was held for the client, the late cancellation's was given back).
		if want := "Sam Okafor 2.0 5110.0 0%"; !strings.Contains(r.text(), want) {
			t.Errorf("%s: utilisation report lacks %q:\n%s", who.Name, want, r.text())
		}
		r = u.get("/reports/clients")
		r.wantStatus(http.StatusOK)
		// Alex is new (the first session was in the period); the course of three (a service of
		// the course kind) ended with the no-show, with no session checked in, and Alex, its one
		// client, booked nothing after it.
		for _, want := range []string{"New (first session in the period) 1 Returning 0",
			"Every session attended Share Course session * 1 0 0% All courses * 1 0 0%",
			"Booked again within the spacing Share Course session * 1 0 0% All clients * 1 0 0%"} {
			if !strings.Contains(r.text(), want) {
				t.Errorf("%s: clients report lacks %q:\n%s", who.Name, want, r.text())
			}
		}
		r = u.get("/reports/outcomes")
		r.wantStatus(http.StatusOK)
		// One plan, pain 6 -> 3: +3.0 points, no function goal, meaningful in 1 of 1.
		if want := "All plans * 1 1 3.0 0 - 1 100%"; !strings.Contains(r.text(), want) {
			t.Errorf("%s: outcome report lacks %q:\n%s", who.Name, want, r.text())
		}
	}

	// A month without a clock change counts the same.
	if r := w.as(t, w.p.Owner).get("/reports/attendance?from=2026-03-01&to=2026-03-31"); !strings.Contains(r.text(), "Sam Okafor * 3 1 1 2 67%") {
		t.Errorf("March alone:\n%s", r.text())
	}

	r := w.as(t, tom).get("/reports/attendance")
	r.wantStatus(http.StatusOK)
	if strings.Contains(r.text(), "Sam Okafor") || !strings.Contains(r.text(), "All sessions * 0 0 0 0 -") {
		t.Errorf("another therapist sees Sam's caseload:\n%s", r.text())
	}

	csvResp := w.as(t, w.p.Owner).get("/reports/attendance?format=csv")
	csvResp.wantStatus(http.StatusOK)
	if ct := csvResp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("CSV content type %q", ct)
	}
	recs, err := csv.NewReader(strings.NewReader(csvResp.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, rec := range recs {
		if rec[0] == "By therapist" && rec[1] == "Sam Okafor" && strings.Join(rec[2:], ",") == "3,1,1,2,67%,yes" {
			found = true
		}
	}
	if !found {
		t.Errorf("CSV lacks Sam's line: %q", recs)
	}
}

func TestReportPeriodErrorsBesideTheFields(t *testing.T) {
	t.Parallel()
	w := newChartWorld(t)
	r := w.as(t, w.p.Owner).get("/reports/outcomes?from=2026-05-01&to=2026-04-01")
	r.wantStatus(http.StatusUnprocessableEntity)
	if !strings.Contains(r.text(), "The end must be on or after the start.") {
		t.Errorf("no message beside the field:\n%s", r.text())
	}
}

package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"allium/clinic"
	"allium/store"
)

// De-identifying a client on the owner's approval removes who they were and what was
// written about them, and leaves every report's figures as they were.
func TestDeidentifyKeepsTheReportsFigures(t *testing.T) {
	t.Parallel()
	w := newChartWorld(t)
	ctx := context.Background()
	appts := w.book(t, 3)
	plan := w.activePlan(t)
	w.signNote(t, appts[0], plan, 4)
	if _, err := w.ta.Store.RecordReassessment(ctx, w.sam, plan.ID, store.ReassessmentInput{
		Current: map[int64]float64{plan.Goals[0].ID: 3}, Decision: clinic.DecisionGoalMet, Rationale: "Alex can reverse the car"}); err != nil {
		t.Fatal(err)
	}
	owner := store.Actor{UserID: w.p.Owner.ID, Role: clinic.RoleOwner}
	period := clinic.ReportPeriod{From: clinic.Date{Y: 2026, M: 1, D: 1}, To: clinic.Date{Y: 2026, M: 12, D: 31}}
	from, to := period.Bounds(w.loc)
	figures := func() []any {
		t.Helper()
		att, err := w.ta.Store.AttendanceFacts(ctx, owner, from, to, w.loc)
		if err != nil {
			t.Fatal(err)
		}
		out, err := w.ta.Store.OutcomeFacts(ctx, owner, from, to)
		if err != nil {
			t.Fatal(err)
		}
		util, err := w.ta.Store.UtilisationFacts(ctx, owner, from, to, w.loc)
		if err != nil {
			t.Fatal(err)
		}
		v, c, k, err := w.ta.Store.ClientsFacts(ctx, owner, from, to)
		if err != nil {
			t.Fatal(err)
		}
		return []any{clinic.Attendance(period, att), clinic.Outcomes(period, out),
			clinic.Utilisation(period, util, w.loc), clinic.Clients(period, v, c, k)}
	}

	w.ta.Clock.Set(time.Date(2034, 1, 1, 9, 0, 0, 0, w.loc))
	before := figures()
	mei := w.as(t, w.p.Owner)
	if r := mei.get("/admin/retention"); strings.Contains(r.text(), "Alex Chen") {
		t.Fatal("listed before the nightly job ran")
	}
	if n, err := w.ta.Store.ListRetentionDue(ctx); err != nil || n != 1 {
		t.Fatalf("retention job listed %d (%v), want Alex", n, err)
	}
	r := mei.get("/admin/retention")
	if !strings.Contains(r.text(), "Alex Chen") {
		t.Fatalf("Alex is not on the owner's list:\n%s", r.text())
	}
	if rec, err := w.ta.Store.ClientRecord(ctx, owner, w.clientID); err != nil || rec.Details.Name != "Alex Chen" {
		t.Fatalf("listing changed the record: %v %+v", err, rec.Details)
	}
	path := fmt.Sprintf("/admin/retention/%d", w.clientID)
	mei.postForm(path, "/admin/retention", nil).wantRedirect("/admin/retention")

	rec, err := w.ta.Store.ClientRecord(ctx, owner, w.clientID)
	if err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf("%+v", rec)
	for _, gone := range []string{"Alex", "alex.chen@example.com", "Turn my head", "Reports less pain"} {
		if strings.Contains(body, gone) {
			t.Errorf("%q is still in the record after de-identification: %s", gone, body)
		}
	}
	if len(rec.Bookings) != 3 || len(rec.Outcomes) != 2 {
		t.Errorf("de-identification dropped rows: %d bookings, %d scores", len(rec.Bookings), len(rec.Outcomes))
	}
	if after := figures(); !reflect.DeepEqual(before, after) {
		t.Errorf("the reports changed:\nbefore %+v\nafter  %+v", before, after)
	}
	log, err := w.ta.Store.AuditLog(ctx, owner, store.AuditFilter{ClientID: w.clientID, RecordType: "client"})
	if err != nil || len(log) == 0 || log[0].Action != "deidentify" {
		t.Errorf("no audit row for the de-identification: %v %+v", err, log)
	}
	// Alex can no longer sign in.
	alex := w.ta.client(t)
	r = alex.postForm("/signin", "/signin", map[string][]string{"email": {"alex.chen@example.com"}, "password": {testPassword}})
	if r.StatusCode == http.StatusSeeOther {
		t.Error("a de-identified client can still sign in")
	}
}

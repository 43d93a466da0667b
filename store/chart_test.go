package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"allium/clinic"
	"allium/internal/testkit"
)

// chartFixture is a clinic with two therapists, reception and two clients. Sam treats Alex;
// Kim has never seen Alex.
type chartFixture struct {
	s                *Store
	clock            *testClock
	sam, kim, desk   Actor
	alex, bea        Actor // the two clients, acting for themselves
	alexID, beaID    int64
	serviceID        int64
	samUser, kimUser User
}

func newChartFixture(t *testing.T) *chartFixture {
	t.Helper()
	s, clock := newTestStore(t)
	f := &chartFixture{s: s, clock: clock}
	f.samUser = mustCreateUser(t, s, clinic.RoleTherapist, "sam@example.com", "")
	f.kimUser = mustCreateUser(t, s, clinic.RoleTherapist, "kim@example.com", "")
	rec := mustCreateUser(t, s, clinic.RoleReception, "jo@example.com", "")
	f.sam = Actor{UserID: f.samUser.ID, Role: clinic.RoleTherapist, IP: "192.0.2.7"}
	f.kim = Actor{UserID: f.kimUser.ID, Role: clinic.RoleTherapist}
	f.desk = Actor{UserID: rec.ID, Role: clinic.RoleReception}
	alexUser, alexID := mustCreateClient(t, s, "Alex Chen", "alex@example.com")
	beaUser, beaID := mustCreateClient(t, s, "Bea Ng", "bea@example.com")
	f.alexID, f.beaID = alexID, beaID
	f.alex = Actor{UserID: alexUser.ID, Role: clinic.RoleClient, ClientID: alexID}
	f.bea = Actor{UserID: beaUser.ID, Role: clinic.RoleClient, ClientID: beaID}
	f.serviceID = mustService(t, s, clinic.Service{Key: "r60", Name: "Remedial 60", Duration: time.Hour})
	return f
}

// appt inserts an appointment directly: the booking rules are not what these tests are about.
func (f *chartFixture) appt(t *testing.T, clientID int64, therapist Actor, start time.Time, status string) int64 {
	t.Helper()
	var id int64
	err := f.s.w.QueryRow(`INSERT INTO appointments (client_id, therapist_id, service_id, starts_at, ends_at, busy_until,
		status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, clientID, therapist.UserID,
		f.serviceID, start.Unix(), start.Add(time.Hour).Unix(), start.Add(time.Hour).Unix(), status, start.Unix(),
		start.Unix()).Scan(&id)
	if err != nil {
		t.Fatalf("insert appointment: %v", err)
	}
	return id
}

// consent records Alex's consent to treatment, which starting a plan needs.
func (f *chartFixture) consent(t *testing.T) {
	t.Helper()
	if err := f.s.RecordTreatmentConsent(context.Background(), f.sam, f.alexID); err != nil {
		t.Fatal(err)
	}
}

// submitAssessment files a submitted self-assessment result under a client.
func (f *chartFixture) submitAssessment(t *testing.T, clientID int64, r clinic.AssessmentResult) int64 {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	now := f.clock.Now().Unix()
	if err := f.s.w.QueryRow(`INSERT INTO assessments (token_hash, client_id, status, answers, result, created_at, updated_at)
		VALUES (randomblob(16), ?, 'submitted', '{"pain_now":["6"]}', ?, ?, ?) RETURNING id`, clientID, string(b), now, now).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func painGoal() clinic.Goal {
	return clinic.Goal{Description: "Sleep on my right side", Measure: clinic.MeasurePain, Baseline: 6, Target: 2}
}

// plan drafts a plan for Alex with the given layers.
func (f *chartFixture) plan(t *testing.T, layers ...clinic.PlanLayer) int64 {
	t.Helper()
	if len(layers) == 0 {
		layers = []clinic.PlanLayer{clinic.PlanLayerRemedialTriggerPoint}
	}
	d := clinic.NewTreatmentPlanDraft(f.clock.Now())
	d.Layers, d.Goals = layers, []clinic.Goal{painGoal()}
	id, err := f.s.CreatePlan(context.Background(), f.sam, NewPlan{ClientID: f.alexID, Draft: d})
	if err != nil {
		t.Fatalf("CreatePlan: %v", err)
	}
	return id
}

func (f *chartFixture) mustEvent(t *testing.T, planID int64, ev clinic.PlanEvent, want clinic.PlanStatus) {
	t.Helper()
	got, err := f.s.ApplyPlanEvent(context.Background(), f.sam, planID, ev, "test")
	if err != nil || got != want {
		t.Fatalf("ApplyPlanEvent(%s) = %q, %v; want %q", ev, got, err, want)
	}
}

func (f *chartFixture) status(t *testing.T, planID int64) clinic.PlanStatus {
	t.Helper()
	p, err := f.s.PlanByID(context.Background(), f.sam, planID)
	if err != nil {
		t.Fatalf("PlanByID: %v", err)
	}
	return p.Status
}

func (f *chartFixture) reassess(t *testing.T, planID int64, d clinic.ReassessDecision, score float64) (ReassessmentResult, error) {
	t.Helper()
	p, err := f.s.PlanByID(context.Background(), f.sam, planID)
	if err != nil {
		t.Fatal(err)
	}
	cur := map[int64]float64{}
	for _, g := range p.Goals {
		cur[g.ID] = score
	}
	return f.s.RecordReassessment(context.Background(), f.sam, planID, ReassessmentInput{Current: cur, Decision: d,
		Rationale: "compared with baseline"})
}

// activePlan is a started plan for Alex, who has consented and is seen by Sam.
func (f *chartFixture) activePlan(t *testing.T, layers ...clinic.PlanLayer) int64 {
	t.Helper()
	id := f.plan(t, layers...)
	f.mustEvent(t, id, clinic.PlanEventStart, clinic.PlanActive)
	return id
}

func TestPlanTransitionsThroughTheStore(t *testing.T) {
	ctx := context.Background()
	type step struct {
		ev   clinic.PlanEvent
		want clinic.PlanStatus
	}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"start", []step{{clinic.PlanEventStart, clinic.PlanActive}}},
		{"abandon a draft", []step{{clinic.PlanEventAbandon, clinic.PlanCancelled}}},
		{"hold and resume", []step{{clinic.PlanEventStart, clinic.PlanActive}, {clinic.PlanEventHold, clinic.PlanOnHold},
			{clinic.PlanEventResume, clinic.PlanActive}}},
		{"discontinue", []step{{clinic.PlanEventStart, clinic.PlanActive}, {clinic.PlanEventDiscontinue, clinic.PlanDiscontinued}}},
		{"refer at any point", []step{{clinic.PlanEventStart, clinic.PlanActive}, {clinic.PlanEventRefer, clinic.PlanReferred}}},
		{"reassessment due by hand", []step{{clinic.PlanEventStart, clinic.PlanActive},
			{clinic.PlanEventReassessmentDue, clinic.PlanReassessDue}}},
		{"discontinue while on hold", []step{{clinic.PlanEventStart, clinic.PlanActive}, {clinic.PlanEventHold, clinic.PlanOnHold},
			{clinic.PlanEventDiscontinue, clinic.PlanDiscontinued}}},
		{"mark a draft in error", []step{{clinic.PlanEventMarkError, clinic.PlanEnteredInError}}},
		{"mark an active plan in error", []step{{clinic.PlanEventStart, clinic.PlanActive},
			{clinic.PlanEventMarkError, clinic.PlanEnteredInError}}},
		{"refer while on hold", []step{{clinic.PlanEventStart, clinic.PlanActive}, {clinic.PlanEventHold, clinic.PlanOnHold},
			{clinic.PlanEventRefer, clinic.PlanReferred}}},
		{"discontinue at the review", []step{{clinic.PlanEventStart, clinic.PlanActive},
			{clinic.PlanEventReassessmentDue, clinic.PlanReassessDue}, {clinic.PlanEventDiscontinue, clinic.PlanDiscontinued}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newChartFixture(t)
			f.appt(t, f.alexID, f.sam, testEpoch.Add(-24*time.Hour), "completed")
			f.consent(t)
			id := f.plan(t)
			for _, st := range tc.steps {
				f.mustEvent(t, id, st.ev, st.want)
			}
			last := tc.steps[len(tc.steps)-1]
			if got := f.status(t, id); got != last.want {
				t.Errorf("stored status %q; want %q", got, last.want)
			}
			if n := countRows(t, f.s, "plan_events", "plan_id = ?", id); n != len(tc.steps) {
				t.Errorf("%d plan events; want %d", n, len(tc.steps))
			}
			p, _ := f.s.PlanByID(ctx, f.sam, id)
			if got := p.Events[len(p.Events)-1]; got.To != last.want || got.Actor != "sam" {
				t.Errorf("last event %+v; want to %q by sam", got, last.want)
			}
		})
	}
}

func TestPlanEventsThatDoNotApplyAreRefused(t *testing.T) {
	ctx := context.Background()
	f := newChartFixture(t)
	f.appt(t, f.alexID, f.sam, testEpoch.Add(-24*time.Hour), "completed")
	f.consent(t)
	id := f.activePlan(t)
	for _, tc := range []struct {
		ev      clinic.PlanEvent
		wantErr any
	}{
		{clinic.PlanEventResume, new(*clinic.ErrPlanTransition)},
		{clinic.PlanEventStart, new(*clinic.ErrPlanTransition)},
		{clinic.PlanEventAbandon, new(*clinic.ErrPlanTransition)},
	} {
		_, err := f.s.ApplyPlanEvent(ctx, f.sam, id, tc.ev, "")
		if !errors.Is(err, ErrConflict) || !errors.As(err, tc.wantErr) {
			t.Errorf("%s on an active plan: %v; want ErrConflict with %T", tc.ev, err, tc.wantErr)
		}
	}
	for _, ev := range []clinic.PlanEvent{clinic.PlanEventGoalMet, clinic.PlanEventExtend, clinic.PlanEventChangeApproach} {
		if _, err := f.s.ApplyPlanEvent(ctx, f.sam, id, ev, ""); !errors.Is(err, ErrConflict) {
			t.Errorf("%s without a reassessment: %v; want ErrConflict", ev, err)
		}
	}
	if got := f.status(t, id); got != clinic.PlanActive {
		t.Errorf("status after refused events %q; want active", got)
	}
}

func TestPlanStartGuards(t *testing.T) {
	ctx := context.Background()
	f := newChartFixture(t)
	f.appt(t, f.alexID, f.sam, testEpoch.Add(-24*time.Hour), "completed")
	id := f.plan(t)
	_, err := f.s.ApplyPlanEvent(ctx, f.sam, id, clinic.PlanEventStart, "")
	var noConsent *clinic.ErrPlanNeedsConsent
	if !errors.As(err, &noConsent) {
		t.Fatalf("start without consent: %v; want ErrPlanNeedsConsent", err)
	}
	f.consent(t)
	f.submitAssessment(t, f.alexID, clinic.AssessmentResult{
		Safety:   clinic.AssessmentSafety{Outcome: clinic.SafetyDefer, Headline: "Fever today: wait until it has passed"},
		Cautions: []clinic.AssessmentCaution{{Code: "varicose", Label: "Varicose veins", Action: "local_avoid"}}})
	_, err = f.s.ApplyPlanEvent(ctx, f.sam, id, clinic.PlanEventStart, "")
	var open *clinic.ErrPlanOpenFlag
	if !errors.As(err, &open) || len(open.Flags) != 1 || open.Flags[0].Code != "safety" {
		t.Fatalf("start with an open defer flag: %v; want ErrPlanOpenFlag naming only the defer flag", err)
	}
	if err := f.s.ClearFlag(ctx, f.sam, f.alexID, "safety", ""); !errors.Is(err, ErrInvalidRecord) {
		t.Errorf("clear a flag without a note: %v; want ErrInvalidRecord", err)
	}
	if err := f.s.ClearFlag(ctx, f.sam, f.alexID, "safety", "Fever gone; spoke with Alex on the phone"); err != nil {
		t.Fatal(err)
	}
	f.mustEvent(t, id, clinic.PlanEventStart, clinic.PlanActive)
}

func TestReassessmentDecisionsMoveThePlan(t *testing.T) {
	for _, tc := range []struct {
		name     string
		decision clinic.ReassessDecision
		score    float64
		want     clinic.PlanStatus
	}{
		{"goal met", clinic.DecisionGoalMet, 2, clinic.PlanCompleted},
		{"monthly maintenance", clinic.DecisionMaintenance, 2, clinic.PlanCompleted},
		{"extend", clinic.DecisionExtend, 4, clinic.PlanExtended},
		{"change approach", clinic.DecisionChangeApproach, 6, clinic.PlanChanged},
		{"refer", clinic.DecisionRefer, 8, clinic.PlanReferred},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newChartFixture(t)
			f.appt(t, f.alexID, f.sam, testEpoch.Add(-24*time.Hour), "completed")
			f.consent(t)
			id := f.activePlan(t)
			res, err := f.reassess(t, id, tc.decision, tc.score)
			if err != nil || res.Status != tc.want {
				t.Fatalf("RecordReassessment = %q, %v; want %q", res.Status, err, tc.want)
			}
			p, err := f.s.PlanByID(context.Background(), f.sam, id)
			if err != nil {
				t.Fatal(err)
			}
			if p.Status != tc.want || len(p.Reassessments) != 1 || p.Reassessments[0].Decision != tc.decision {
				t.Fatalf("plan %q with %d reassessments; want %q with one %q", p.Status, len(p.Reassessments), tc.want, tc.decision)
			}
			// Via reassess_due: due, then the decision.
			if got := []clinic.PlanStatus{p.Events[1].To, p.Events[2].To}; got[0] != clinic.PlanReassessDue || got[1] != tc.want {
				t.Errorf("events after start go to %v; want reassess_due then %q", got, tc.want)
			}
			g := p.Reassessments[0].Goals[0]
			if g.Baseline != 6 || g.Current != tc.score || g.Gain != 6-tc.score {
				t.Errorf("goal compared %+v; want baseline 6, now %g", g, tc.score)
			}
			if n := len(p.Goals[0].Readings); n != 1 || p.Goals[0].Readings[0].Value != tc.score {
				t.Errorf("readings %+v; want the reassessment's score", p.Goals[0].Readings)
			}
		})
	}
}

func TestExtensionAndMaintenanceDates(t *testing.T) {
	ctx := context.Background()
	f := newChartFixture(t)
	f.appt(t, f.alexID, f.sam, testEpoch.Add(-24*time.Hour), "completed")
	f.consent(t)
	id := f.activePlan(t)
	if _, err := f.reassess(t, id, clinic.DecisionExtend, 4); err != nil {
		t.Fatal(err)
	}
	p, _ := f.s.PlanByID(ctx, f.sam, id)
	today := clinic.DateOf(testEpoch, mustSydney(t))
	// First session a week out, four sessions a week apart: the review is three weeks later.
	if want := today.AddDays(7 + 21); p.ExtensionsUsed != 1 || p.ExtensionSessions != 4 || p.ReassessmentDate != want {
		t.Errorf("extended plan: %d extensions, %d sessions, review %s; want 1, 4, %s", p.ExtensionsUsed,
			p.ExtensionSessions, p.ReassessmentDate, want)
	}
	f.mustEvent(t, id, clinic.PlanEventHold, clinic.PlanOnHold)
	// A plan held during its extension goes back to the extension.
	f.mustEvent(t, id, clinic.PlanEventResume, clinic.PlanExtended)
	_, err := f.reassess(t, id, clinic.DecisionExtend, 4)
	var used *clinic.ErrPlanExtensionUsed
	if !errors.As(err, &used) {
		t.Fatalf("second extension: %v; want ErrPlanExtensionUsed", err)
	}
	if p2, _ := f.s.PlanByID(ctx, f.sam, id); p2.Status != clinic.PlanExtended || len(p2.Reassessments) != 1 {
		t.Errorf("after a refused extension: %q with %d reassessments; want it untouched", p2.Status, len(p2.Reassessments))
	}
	res, err := f.reassess(t, id, clinic.DecisionMaintenance, 2)
	if err != nil {
		t.Fatal(err)
	}
	p, _ = f.s.PlanByID(ctx, f.sam, id)
	if want := today.AddDays(28); res.Status != clinic.PlanCompleted || p.MaintenanceDue != want {
		t.Errorf("maintenance: %q due %s; want completed, due %s", res.Status, p.MaintenanceDue, want)
	}
}

func mustSydney(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestRehabPlanCompletesOnlyAfterItsReferralIsSent(t *testing.T) {
	ctx := context.Background()
	f := newChartFixture(t)
	f.appt(t, f.alexID, f.sam, testEpoch.Add(-24*time.Hour), "completed")
	f.consent(t)
	id := f.activePlan(t, clinic.PlanLayerRemedialTriggerPoint, clinic.PlanLayerRehabReferral)
	_, err := f.reassess(t, id, clinic.DecisionGoalMet, 2)
	var need *clinic.ErrPlanNeedsReferral
	if !errors.As(err, &need) {
		t.Fatalf("complete a rehab plan without a referral: %v; want ErrPlanNeedsReferral", err)
	}
	if got := f.status(t, id); got != clinic.PlanActive {
		t.Errorf("status after a refused completion %q; want active (nothing stored)", got)
	}
	rid, err := f.s.CreateReferral(ctx, f.sam, clinic.Referral{ClientID: f.alexID, PlanID: id, Target: "physiotherapist",
		Reason: "structural_or_load_deficit", Urgency: "routine", Letter: "Dear colleague,"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.reassess(t, id, clinic.DecisionGoalMet, 2); !errors.As(err, &need) {
		t.Fatalf("with a draft referral: %v; want ErrPlanNeedsReferral until it is sent", err)
	}
	if err := f.s.MarkReferralSent(ctx, f.sam, rid); err != nil {
		t.Fatal(err)
	}
	if res, err := f.reassess(t, id, clinic.DecisionGoalMet, 2); err != nil || res.Status != clinic.PlanCompleted {
		t.Fatalf("after the referral is sent: %q, %v; want completed", res.Status, err)
	}
}

func TestPlanBecomesDueByDateOrSessions(t *testing.T) {
	ctx := context.Background()
	f := newChartFixture(t)
	f.appt(t, f.alexID, f.sam, testEpoch.Add(-24*time.Hour), "completed")
	f.consent(t)
	byDate := f.activePlan(t)
	f.clock.Advance(20 * 24 * time.Hour)
	if got := f.status(t, byDate); got != clinic.PlanActive {
		t.Fatalf("before the review date: %q; want active", got)
	}
	f.clock.Advance(2 * 24 * time.Hour) // day 22 = the 4th session at 7-day spacing
	if got := f.status(t, byDate); got != clinic.PlanReassessDue {
		t.Fatalf("on the review date: %q; want reassess_due", got)
	}
	if _, err := f.s.ApplyPlanEvent(ctx, f.sam, byDate, clinic.PlanEventDiscontinue, ""); err != nil {
		t.Fatal(err)
	}

	bySessions := f.activePlan(t)
	p, _ := f.s.PlanByID(ctx, f.sam, bySessions)
	for i := range p.PlannedSessions {
		appt := f.appt(t, f.alexID, f.sam, f.clock.Now().Add(-time.Duration(i+1)*time.Hour), "completed") // a note is signed once its session has started
		if _, err := f.s.SignNote(ctx, f.sam, appt, clinic.SessionNote{PlanID: bySessions, Subjective: "better"}); err != nil {
			t.Fatal(err)
		}
	}
	p, _ = f.s.PlanByID(ctx, f.sam, bySessions)
	if p.SessionsDone != 4 || p.Status != clinic.PlanReassessDue {
		t.Errorf("after 4 signed sessions: %d done, %q; want 4 and reassess_due", p.SessionsDone, p.Status)
	}
}

func TestCourseBookedDuringAPlanJoinsIt(t *testing.T) {
	ctx := context.Background()
	f := newChartFixture(t)
	f.appt(t, f.alexID, f.sam, testEpoch.Add(-24*time.Hour), "completed")
	f.consent(t)
	course := func() int64 {
		var id int64
		if err := f.s.w.QueryRow(`INSERT INTO courses (client_id, therapist_id, service_id, sessions, created_at)
			VALUES (?, ?, ?, 4, 0) RETURNING id`, f.alexID, f.sam.UserID, f.serviceID).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	planOf := func(course int64) int64 {
		var p int64
		f.s.w.QueryRow(`SELECT coalesce(plan_id, 0) FROM courses WHERE id = ?`, course).Scan(&p)
		return p
	}
	early := course()
	id := f.activePlan(t)
	first, second := course(), course()
	if planOf(early) != 0 || planOf(first) != id || planOf(second) != 0 {
		t.Fatalf("courses' plans: before %d, first %d, second %d; want 0, %d, 0", planOf(early), planOf(first), planOf(second), id)
	}
	if _, err := f.reassess(t, id, clinic.DecisionExtend, 4); err != nil {
		t.Fatal(err)
	}
	if ext := course(); planOf(ext) != id {
		t.Errorf("the extension's course joined plan %d; want %d", planOf(ext), id)
	}
	if err := f.s.LinkCourse(ctx, f.sam, id, early); err != nil {
		t.Fatal(err)
	}
	if err := f.s.LinkCourse(ctx, f.sam, id, early); !errors.Is(err, ErrConflict) {
		t.Errorf("link a linked course again: %v; want ErrConflict", err)
	}
}

// noteFixture is Alex with an active plan and one appointment with Sam.
func noteFixture(t *testing.T) (*chartFixture, int64, int64) {
	t.Helper()
	f := newChartFixture(t)
	appt := f.appt(t, f.alexID, f.sam, testEpoch.Add(-2*time.Hour), "completed")
	f.consent(t)
	return f, f.activePlan(t), appt
}

func TestSignedNoteCannotChange(t *testing.T) {
	ctx := context.Background()
	f, planID, appt := noteFixture(t)
	p, _ := f.s.PlanByID(ctx, f.sam, planID)
	goal := p.Goals[0].ID
	minutes := 20
	draft := clinic.SessionNote{PlanID: planID, Subjective: "Slept better", Objective: "Upper trap less ropy",
		Treatments: []clinic.NoteTreatment{{Technique: "trp_pressure_release", Region: "upper_trap", Side: clinic.SideRight,
			Muscle: "trap_upper", Minutes: &minutes, Pressure: "firm"}}, Scores: map[int64]float64{goal: 4}}
	noteID, err := f.s.SaveNoteDraft(ctx, f.sam, appt, draft)
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := f.s.PlanByID(ctx, f.sam, planID); len(p.Goals[0].Readings) != 0 {
		t.Errorf("a draft's score is on the chart: %+v", p.Goals[0].Readings)
	}
	draft.Subjective = "Slept much better"
	if _, err := f.s.SignNote(ctx, f.sam, appt, draft); err != nil {
		t.Fatal(err)
	}
	for name, try := range map[string]func() error{
		"save draft": func() error {
			_, err := f.s.SaveNoteDraft(ctx, f.sam, appt, clinic.SessionNote{Subjective: "rewritten"})
			return err
		},
		"sign again": func() error {
			_, err := f.s.SignNote(ctx, f.sam, appt, clinic.SessionNote{Subjective: "rewritten"})
			return err
		},
	} {
		if err := try(); !errors.Is(err, ErrNoteSigned) || !errors.Is(err, ErrConflict) {
			t.Errorf("%s after signing: %v; want ErrNoteSigned and ErrConflict", name, err)
		}
	}
	for _, q := range []string{
		`UPDATE session_notes SET subjective = 'rewritten' WHERE id = ?`,
		`UPDATE session_notes SET status = 'draft', signed_at = NULL WHERE id = ?`,
		`DELETE FROM session_notes WHERE id = ?`,
		`UPDATE note_treatments SET pressure = 'light' WHERE note_id = ?`,
		`DELETE FROM note_treatments WHERE note_id = ?`,
		`INSERT INTO note_treatments (note_id, position, technique) VALUES (?, 9, 'effleurage')`,
		`UPDATE outcome_readings SET value = 0 WHERE note_id = ?`,
		`DELETE FROM outcome_readings WHERE note_id = ?`,
	} {
		if _, err := f.s.w.Exec(q, noteID); err == nil || !errors.Is(translate(err), ErrConflict) {
			t.Errorf("raw %q on a signed note: %v; want the trigger to abort it", q, err)
		}
	}
	n, err := f.s.NoteByID(ctx, f.sam, noteID)
	if err != nil {
		t.Fatal(err)
	}
	if n.Subjective != "Slept much better" || !n.Signed() || len(n.Treatments) != 1 || n.Treatments[0].Pressure != "firm" ||
		n.Editable || n.SignedBy != "sam" {
		t.Errorf("signed note read back %+v; want the signed text, locked, signed by sam", n)
	}
	if p, _ := f.s.PlanByID(ctx, f.sam, planID); len(p.Goals[0].Readings) != 1 || p.Goals[0].Readings[0].Session != 1 {
		t.Errorf("readings after signing %+v; want the score as session 1", p.Goals[0].Readings)
	}
}

func TestAddendaExtendOnlySignedNotes(t *testing.T) {
	ctx := context.Background()
	f, planID, appt := noteFixture(t)
	noteID, err := f.s.SaveNoteDraft(ctx, f.sam, appt, clinic.SessionNote{PlanID: planID, Subjective: "draft"})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.s.AddAddendum(ctx, f.sam, noteID, "too early"); !errors.Is(err, ErrConflict) {
		t.Errorf("addendum to a draft: %v; want ErrConflict", err)
	}
	if _, err := f.s.SignNote(ctx, f.sam, appt, clinic.SessionNote{PlanID: planID, Subjective: "final"}); err != nil {
		t.Fatal(err)
	}
	if err := f.s.AddAddendum(ctx, f.sam, noteID, "Client rang next day: no soreness."); err != nil {
		t.Fatal(err)
	}
	if err := f.s.AddAddendum(ctx, f.sam, noteID, "   "); !errors.Is(err, ErrInvalidRecord) {
		t.Errorf("blank addendum: %v; want ErrInvalidRecord", err)
	}
	if err := f.s.AddAddendum(ctx, f.desk, noteID, "reception note"); !errors.Is(err, ErrNotFound) {
		t.Errorf("addendum by reception: %v; want ErrNotFound", err)
	}
	n, _ := f.s.NoteByID(ctx, f.sam, noteID)
	if len(n.Addenda) != 1 || n.Addenda[0].Text != "Client rang next day: no soreness." || n.Addenda[0].Author != "sam" ||
		!n.Addenda[0].At.Equal(testEpoch) {
		t.Errorf("addenda %+v; want one by sam now", n.Addenda)
	}
	for _, q := range []string{`UPDATE note_addenda SET text = 'x' WHERE note_id = ?`, `DELETE FROM note_addenda WHERE note_id = ?`} {
		if _, err := f.s.w.Exec(q, noteID); err == nil {
			t.Errorf("raw %q: want the trigger to abort it", q)
		}
	}
}

func TestOnlyTheAppointmentsTherapistWritesItsNote(t *testing.T) {
	ctx := context.Background()
	f, planID, appt := noteFixture(t)
	f.appt(t, f.alexID, f.kim, testEpoch.Add(24*time.Hour), "booked") // Kim treats Alex too
	cancelled := f.appt(t, f.alexID, f.sam, testEpoch.Add(48*time.Hour), "cancelled")
	for _, tc := range []struct {
		name string
		by   Actor
		appt int64
		want error
	}{
		{"another treating therapist", f.kim, appt, ErrForbidden},
		{"reception", f.desk, appt, ErrNotFound},
		{"the client", f.alex, appt, ErrNotFound},
		{"the owner", Actor{UserID: 99, Role: clinic.RoleOwner}, appt, ErrForbidden},
		{"a cancelled appointment", f.sam, cancelled, ErrConflict},
	} {
		_, err := f.s.SaveNoteDraft(ctx, tc.by, tc.appt, clinic.SessionNote{PlanID: planID, Subjective: "x"})
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: %v; want %v", tc.name, err, tc.want)
		}
	}
	if n := countRows(t, f.s, "session_notes", ""); n != 0 {
		t.Errorf("%d notes saved; want none", n)
	}
}

func TestClinicalRecordsAreHiddenFromOthers(t *testing.T) {
	ctx := context.Background()
	f, planID, appt := noteFixture(t)
	noteID, err := f.s.SignNote(ctx, f.sam, appt, clinic.SessionNote{PlanID: planID, Subjective: "private"})
	if err != nil {
		t.Fatal(err)
	}
	fid, err := f.s.RecordFindings(ctx, f.sam, clinic.Findings{ClientID: f.alexID, Kind: "initial", Complaint: "neck"})
	if err != nil {
		t.Fatal(err)
	}
	rid, err := f.s.CreateReferral(ctx, f.sam, clinic.Referral{ClientID: f.alexID, Target: "gp", Reason: "other",
		Urgency: "routine", Letter: "Dear Doctor"}, false)
	if err != nil {
		t.Fatal(err)
	}
	reads := map[string]func(Actor) error{
		"chart":    func(by Actor) error { _, err := f.s.ClientChart(ctx, by, f.alexID); return err },
		"plan":     func(by Actor) error { _, err := f.s.PlanByID(ctx, by, planID); return err },
		"note":     func(by Actor) error { _, err := f.s.NoteByID(ctx, by, noteID); return err },
		"appt":     func(by Actor) error { _, err := f.s.NoteForAppointment(ctx, by, appt); return err },
		"findings": func(by Actor) error { _, err := f.s.FindingsByID(ctx, by, fid); return err },
		"referral": func(by Actor) error { _, err := f.s.ReferralByID(ctx, by, rid); return err },
	}
	for who, by := range map[string]Actor{"reception": f.desk, "the client": f.alex, "another client": f.bea,
		"a therapist who never saw Alex": f.kim, "no one": {Role: "anonymous"}} {
		for what, read := range reads {
			if err := read(by); !errors.Is(err, ErrNotFound) {
				t.Errorf("%s reads the %s: %v; want ErrNotFound", who, what, err)
			}
		}
	}
	for who, by := range map[string]Actor{"the treating therapist": f.sam, "the owner": {Role: clinic.RoleOwner}} {
		for what, read := range reads {
			if err := read(by); err != nil {
				t.Errorf("%s reads the %s: %v", who, what, err)
			}
		}
	}
	if _, err := f.s.MyPlans(ctx, f.desk); !errors.Is(err, ErrNotFound) {
		t.Errorf("reception's own plans: %v; want ErrNotFound", err)
	}
	mine, err := f.s.MyPlans(ctx, f.alex)
	if err != nil || len(mine) != 1 || mine[0].Sessions[0].NoteID != 0 || mine[0].Events != nil {
		t.Errorf("Alex's plans %+v, %v; want one, without notes or history", mine, err)
	}
	if theirs, err := f.s.MyPlans(ctx, f.bea); err != nil || len(theirs) != 0 {
		t.Errorf("Bea's plans %d, %v; want none", len(theirs), err)
	}
}

func TestChartReadsAndWritesAreAudited(t *testing.T) {
	ctx := context.Background()
	f, planID, appt := noteFixture(t)
	noteID, err := f.s.SaveNoteDraft(ctx, f.sam, appt, clinic.SessionNote{PlanID: planID, Subjective: "draft"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.SignNote(ctx, f.sam, appt, clinic.SessionNote{PlanID: planID, Subjective: "final"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.NoteByID(ctx, Actor{Role: clinic.RoleOwner, IP: "198.51.100.4"}, noteID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.ClientChart(ctx, f.sam, f.alexID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.NoteByID(ctx, f.desk, noteID); err == nil {
		t.Fatal("reception read the note")
	}
	for _, tc := range []struct {
		action, recordType string
		recordID           int64
		by                 any
		want               int
	}{
		{"create", "plan", planID, f.sam.UserID, 1},
		{"plan_start", "plan", planID, f.sam.UserID, 1},
		{"update", "note", noteID, f.sam.UserID, 1},
		{"sign", "note", noteID, f.sam.UserID, 1},
		{"view", "note", noteID, nil, 1},
		{"view", "chart", f.alexID, f.sam.UserID, 1},
	} {
		where := "action = ? AND record_type = ? AND record_id = ? AND client_id = ? AND actor_id IS ?"
		if n := countAudit(t, f.s, where, tc.action, tc.recordType, tc.recordID, f.alexID, tc.by); n != tc.want {
			t.Errorf("audit %s %s %d by %v: %d rows; want %d", tc.action, tc.recordType, tc.recordID, tc.by, n, tc.want)
		}
	}
	if n := countAudit(t, f.s, "actor_id = ?", f.desk.UserID); n != 0 {
		t.Errorf("reception's refused read left %d audit rows; want none (nothing was read)", n)
	}
	if n := countAudit(t, f.s, "action = 'view' AND address = '198.51.100.4'"); n != 1 {
		t.Errorf("owner's view from 198.51.100.4: %d rows; want 1", n)
	}
}

func TestFindingsAreCheckedAndKeptAsWritten(t *testing.T) {
	ctx := context.Background()
	f := newChartFixture(t)
	f.appt(t, f.alexID, f.sam, testEpoch.Add(-time.Hour), "completed")
	hostile := "<script>alert(1)</script> \u202Eevil\u202C " + strings.Repeat("x", 10*1024)
	two, five := 2, 5
	good := clinic.Findings{ClientID: f.alexID, Kind: "initial", Complaint: hostile, Regions: []string{"shoulder_r", "neck"},
		Channels: []string{"SI", "GB"},
		Palpation: []clinic.PalpationFinding{{Region: "upper_trap", Side: clinic.SideRight, Muscle: "trap_upper", Type: "trigger_point",
			Tenderness: &two, Tone: "hypertonic", Texture: "ropy", Signs: clinic.TriggerPointSigns{SpotTenderness: true,
				RecognisedPain: true, Twitch: true}, TrPStatus: "active"}},
		Points: []clinic.PointFinding{{Code: "gb 21", Side: clinic.SideRight, Role: "local"}, {Code: "liv3", Role: "root"}}}
	id, err := f.s.RecordFindings(ctx, f.sam, good)
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.s.FindingsByID(ctx, f.sam, id)
	if err != nil {
		t.Fatal(err)
	}
	p := got.Palpation[0]
	switch {
	case got.Complaint != hostile:
		t.Errorf("complaint not kept as written (%d bytes; want %d)", len(got.Complaint), len(hostile))
	case got.Points[0].Code != "GB21" || got.Points[1].Code != "LR3":
		t.Errorf("points %+v; want the canonical GB21 and LR3", got.Points)
	case !p.Signs.SpotTenderness || p.Signs.TautBand || !p.Signs.RecognisedPain || p.Signs.Referral || !p.Signs.Twitch:
		t.Errorf("trigger point signs %+v; want each sign as recorded", p.Signs)
	case *p.Tenderness != 2 || strings.Join(got.Regions, " ") != "shoulder_r neck":
		t.Errorf("tenderness %d, regions %v", *p.Tenderness, got.Regions)
	}
	for _, tc := range []struct {
		name  string
		edit  func(*clinic.Findings)
		field string
	}{
		{"unknown acupoint", func(f *clinic.Findings) { f.Points = []clinic.PointFinding{{Code: "GB45"}} }, "point.0.code"},
		{"made-up channel", func(f *clinic.Findings) { f.Points = []clinic.PointFinding{{Code: "XY3"}} }, "point.0.code"},
		{"tenderness grade V", func(f *clinic.Findings) { f.Palpation[0].Tenderness = &five }, "palp.0.tenderness"},
		{"unknown muscle", func(f *clinic.Findings) { f.Palpation[0].Muscle = "biceps_femoris_x" }, "palp.0.muscle"},
		{"unknown region", func(f *clinic.Findings) { f.Palpation[0].Region = "elbow" }, "palp.0.region"},
		{"body chart area", func(f *clinic.Findings) { f.Regions = []string{"tail"} }, "regions"},
		{"kind", func(f *clinic.Findings) { f.Kind = "final" }, "kind"},
	} {
		bad := good
		bad.Palpation = append([]clinic.PalpationFinding(nil), good.Palpation...)
		tc.edit(&bad)
		if probs := bad.Validate(); probs[tc.field] == "" {
			t.Errorf("%s: problems %v; want one for %s", tc.name, probs, tc.field)
		}
		if _, err := f.s.RecordFindings(ctx, f.sam, bad); !errors.Is(err, ErrInvalidRecord) {
			t.Errorf("%s: RecordFindings %v; want ErrInvalidRecord", tc.name, err)
		}
	}
	if _, err := f.s.w.Exec(`UPDATE findings SET complaint = 'x' WHERE id = ?`, id); err == nil {
		t.Error("raw update of findings: want the trigger to abort it")
	}
}

func TestConfirmAssessmentClass(t *testing.T) {
	ctx := context.Background()
	f := newChartFixture(t)
	f.appt(t, f.alexID, f.sam, testEpoch.Add(-time.Hour), "completed")
	aid := f.submitAssessment(t, f.alexID, clinic.AssessmentResult{Primary: clinic.ComplaintSystemic})
	if err := f.s.ConfirmAssessmentClass(ctx, f.kim, aid, "mechanical"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a therapist who never saw Alex: %v; want ErrNotFound", err)
	}
	if err := f.s.ConfirmAssessmentClass(ctx, f.sam, aid, "sideways"); !errors.Is(err, ErrInvalidRecord) {
		t.Errorf("unknown class: %v; want ErrInvalidRecord", err)
	}
	if err := f.s.ConfirmAssessmentClass(ctx, f.sam, aid, "mechanical"); err != nil {
		t.Fatal(err)
	}
	ch, err := f.s.ClientChart(ctx, f.sam, f.alexID)
	if err != nil {
		t.Fatal(err)
	}
	if a := ch.Assessment; a == nil || a.ConfirmedClass != "mechanical" || a.ConfirmedBy != "sam" || a.Result.Primary != clinic.ComplaintSystemic {
		t.Errorf("assessment %+v; want the scored class kept and mechanical confirmed by sam", a)
	}
}

// When the last planned session of a plan's course is completed at the desk, the plan moves to
// reassessment due at once, with the reason on its history: reception's recall list and the
// client's nudges read the plan's status, not the chart page.
func TestCompletingTheLastSessionMakesThePlanDue(t *testing.T) {
	ctx := context.Background()
	f := newChartFixture(t)
	id, appts := f.planCourse(t, 0)
	stored := func() clinic.PlanStatus {
		var st clinic.PlanStatus
		if err := f.s.w.QueryRow(`SELECT status FROM treatment_plans WHERE id = ?`, id).Scan(&st); err != nil {
			t.Fatal(err)
		}
		return st
	}
	for i, a := range appts {
		f.clock.Set(f.clock.Now().Add(time.Duration(i*7*24+2) * time.Hour))
		if _, err := f.s.SetStatus(ctx, f.desk, a, clinic.ApptCompleted); err != nil {
			t.Fatal(err)
		}
		want := clinic.PlanActive
		if i == len(appts)-1 {
			want = clinic.PlanReassessDue
		}
		if got := stored(); got != want {
			t.Fatalf("after session %d is completed, the stored plan is %q; want %q", i+1, got, want)
		}
	}
	p, err := f.s.PlanByID(ctx, f.sam, id)
	if err != nil {
		t.Fatal(err)
	}
	if last := p.Events[len(p.Events)-1]; last.To != clinic.PlanReassessDue || last.Reason != "planned sessions done" {
		t.Errorf("the plan's last event: %+v; want reassessment due, planned sessions done", last)
	}
}

// TestRecallListFollowsThePlans: the recall list names a plan whose reassessment is due, then,
// once the reassessment chose maintenance, the maintenance visit when it comes; a client
// discharged and not seen for three months is lapsed. Reception's marks are remembered: a
// contacted entry stays, marked; a snoozed one comes back after the snooze; a dismissed one
// does not.
func TestRecallListFollowsThePlans(t *testing.T) {
	ctx := context.Background()
	f := newChartFixture(t)
	f.appt(t, f.alexID, f.sam, testEpoch.Add(-24*time.Hour), "completed")
	f.appt(t, f.beaID, f.sam, testEpoch.Add(-48*time.Hour), "completed")
	f.consent(t)
	if _, err := f.s.w.Exec(`UPDATE clients SET consent_treatment_at = 1 WHERE id = ?`, f.beaID); err != nil {
		t.Fatal(err)
	}
	alexPlan := f.activePlan(t)
	d := clinic.NewTreatmentPlanDraft(f.clock.Now())
	d.Layers, d.Goals = []clinic.PlanLayer{clinic.PlanLayerRemedialTriggerPoint}, []clinic.Goal{painGoal()}
	beaPlan, err := f.s.CreatePlan(ctx, f.sam, NewPlan{ClientID: f.beaID, Draft: d})
	if err != nil {
		t.Fatal(err)
	}
	f.mustEvent(t, beaPlan, clinic.PlanEventStart, clinic.PlanActive)
	f.mustEvent(t, beaPlan, clinic.PlanEventDiscontinue, clinic.PlanDiscontinued)
	list := func() string {
		t.Helper()
		got, err := f.s.RecallList(ctx, f.desk, f.clock.Now().AddDate(0, -6, 0), 50)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, rc := range got {
			out = append(out, fmt.Sprintf("%s %s %s", rc.ClientName, rc.Reason, rc.Mark))
		}
		return strings.Join(out, "; ")
	}
	if got := list(); got != "" {
		t.Fatalf("with a plan under way and a discharge yesterday: %q; want nothing", got)
	}
	f.clock.Advance(28 * 24 * time.Hour) // past the review date; the plan moves when the chart is read
	f.status(t, alexPlan)
	if got, want := list(), "Alex Chen reassess_due "; got != want {
		t.Fatalf("review date passed: %q; want %q", got, want)
	}
	mark := func(reason clinic.RecallReason, ref int64, m clinic.RecallMark) {
		t.Helper()
		if err := f.s.MarkRecall(ctx, f.desk, reason, ref, m); err != nil {
			t.Fatal(err)
		}
	}
	mark(clinic.RecallReassessDue, alexPlan, clinic.RecallContacted)
	if got, want := list(), "Alex Chen reassess_due contacted"; got != want {
		t.Errorf("contacted: %q; want %q", got, want)
	}
	mark(clinic.RecallReassessDue, alexPlan, clinic.RecallSnoozed)
	if got := list(); got != "" {
		t.Errorf("snoozed: %q; want it away", got)
	}
	f.clock.Advance(clinic.RecallSnoozeDays * 24 * time.Hour)
	if got, want := list(), "Alex Chen reassess_due snoozed"; got != want {
		t.Errorf("after the snooze: %q; want %q", got, want)
	}
	if _, err := f.reassess(t, alexPlan, clinic.DecisionMaintenance, 2); err != nil {
		t.Fatal(err)
	}
	if got := list(); got != "" {
		t.Errorf("maintenance not yet due: %q; want nothing", got)
	}
	f.clock.Advance(60 * 24 * time.Hour) // maintenance due; Bea last seen 104 days ago
	if got, want := list(), "Alex Chen maintenance_due ; Bea Ng lapsed "; got != want {
		t.Errorf("later: %q; want %q", got, want)
	}
	mark(clinic.RecallLapsed, beaPlan, clinic.RecallDismissed)
	if got, want := list(), "Alex Chen maintenance_due "; got != want {
		t.Errorf("Bea dismissed: %q; want %q", got, want)
	}
	// Reception emails Alex the prompt to book: queued through the outbox, the entry contacted.
	if to, err := f.s.RemindMaintenance(ctx, f.desk, alexPlan); err != nil || to != "alex@example.com" {
		t.Fatalf("reminder: to %q, %v", to, err)
	}
	rows, err := f.s.Outbox(ctx, f.desk, OutboxFilter{RefType: "plan", RefID: alexPlan})
	if err != nil || len(rows) != 1 || rows[0].Kind != string(clinic.ReminderMaintenanceDue) || rows[0].To != "alex@example.com" {
		t.Errorf("the reminder in the outbox: %+v (%v); want one maintenance prompt to Alex", rows, err)
	}
	if got, want := list(), "Alex Chen maintenance_due contacted"; got != want {
		t.Errorf("after the reminder: %q; want %q", got, want)
	}
	if _, err := f.s.RemindMaintenance(ctx, f.desk, beaPlan); !errors.Is(err, ErrConflict) {
		t.Errorf("a maintenance reminder for a discontinued plan: %v; want a conflict", err)
	}
	if err := f.s.MarkRecall(ctx, f.alex, clinic.RecallLapsed, beaPlan, clinic.RecallSnoozed); !errors.Is(err, ErrNotFound) {
		t.Errorf("a client marking the recall list: %v; want not found", err)
	}
}

// A course booked from a plan is the plan's: staff only, for the plan's own client, while the
// plan is drafted or under way; it keeps the plan's spacing and is linked to it.
func TestACourseBookedFromItsPlanIsLinked(t *testing.T) {
	ctx := context.Background()
	f := newChartFixture(t)
	f.appt(t, f.alexID, f.sam, testEpoch.Add(-24*time.Hour), "completed")
	f.consent(t)
	plan := f.activePlan(t)
	th := f.samUser.ID
	mustCalendar(t, f.s, th, testkit.EveryDay(9, 17), mustSydney(t), f.serviceID)
	day := func(n int) time.Time { return time.Date(2026, 3, 16+n, 10, 0, 0, 0, mustSydney(t)) }
	req := BookingRequest{ClientID: f.alexID, ServiceID: f.serviceID, TherapistID: th, Starts: []time.Time{day(0), day(7)},
		PlanID: plan, Consent: true}
	if _, err := f.s.BookCourse(ctx, f.alex, req); !errors.Is(err, ErrNotFound) {
		t.Errorf("a client booking with a plan: %v; want not found", err)
	}
	other := req
	other.ClientID = f.beaID
	if _, err := f.s.BookCourse(ctx, f.desk, other); !errors.Is(err, ErrConflict) {
		t.Errorf("another client's plan: %v; want a conflict", err)
	}
	b, err := f.s.BookCourse(ctx, f.desk, req)
	if err != nil {
		t.Fatal(err)
	}
	var linked int64
	var sp clinic.Spacing
	if err := f.s.w.QueryRow(`SELECT coalesce(plan_id, 0), spacing_days, spacing_min, spacing_max FROM courses WHERE id = ?`,
		b.CourseID).Scan(&linked, &sp.Target, &sp.Min, &sp.Max); err != nil {
		t.Fatal(err)
	}
	if linked != plan || sp != (clinic.Spacing{Target: clinic.DefaultTargetDays, Min: clinic.DefaultMinDays, Max: clinic.DefaultMaxDays}) {
		t.Errorf("the course: plan %d, spacing %+v; want plan %d at the plan's spacing", linked, sp, plan)
	}
}

// planCourse is a started three-session plan for Alex, reviewed reviewDays after it starts (0:
// the draft's default, the last session's day), with a course of three booked sessions a week
// apart, the first an hour from now, linked to it; it returns the plan and the sessions.
func (f *chartFixture) planCourse(t *testing.T, reviewDays int) (int64, []int64) {
	t.Helper()
	ctx := context.Background()
	var appts []int64
	for i := range 3 {
		appts = append(appts, f.appt(t, f.alexID, f.sam, f.clock.Now().Add(time.Duration(i*7*24+1)*time.Hour), "booked"))
	}
	f.consent(t)
	d := clinic.NewTreatmentPlanDraft(f.clock.Now())
	d.Layers, d.Goals, d.PlannedSessions = []clinic.PlanLayer{clinic.PlanLayerRemedialTriggerPoint}, []clinic.Goal{painGoal()}, 3
	if reviewDays > 0 {
		d.ReassessmentDate = f.clock.Now().AddDate(0, 0, reviewDays)
	}
	id, err := f.s.CreatePlan(ctx, f.sam, NewPlan{ClientID: f.alexID, Draft: d})
	if err != nil {
		t.Fatal(err)
	}
	f.mustEvent(t, id, clinic.PlanEventStart, clinic.PlanActive)
	var courseID int64
	if err := f.s.w.QueryRow(`INSERT INTO courses (client_id, therapist_id, service_id, sessions, spacing_days, spacing_min,
		spacing_max, plan_id, created_at) VALUES (?, ?, ?, 3, 7, 3, 10, ?, 0) RETURNING id`, f.alexID, f.samUser.ID, f.serviceID,
		id).Scan(&courseID); err != nil {
		t.Fatal(err)
	}
	for i, a := range appts {
		if _, err := f.s.w.Exec(`UPDATE appointments SET course_id = ?, course_index = ? WHERE id = ?`, courseID, i+1, a); err != nil {
			t.Fatal(err)
		}
	}
	return id, appts
}

// completeAll records each session completed at the desk an hour after it starts, which leaves
// the clock on the last one's day, where the desk may still undo it.
func (f *chartFixture) completeAll(t *testing.T, appts []int64) {
	t.Helper()
	for _, a := range appts {
		var start int64
		if err := f.s.w.QueryRow(`SELECT starts_at FROM appointments WHERE id = ?`, a).Scan(&start); err != nil {
			t.Fatal(err)
		}
		f.clock.Set(time.Unix(start, 0).Add(time.Hour))
		if _, err := f.s.SetStatus(context.Background(), f.desk, a, clinic.ApptCompleted); err != nil {
			t.Fatal(err)
		}
	}
}

// planEventsSince is the plan's history after its first n events, as "event from -> to (reason)".
func planEventsSince(t *testing.T, p clinic.TreatmentPlan, n int) []string {
	t.Helper()
	var out []string
	for _, e := range p.Events[n:] {
		out = append(out, fmt.Sprintf("%s %s -> %s (%s)", e.Event, e.From, e.To, e.Reason))
	}
	return out
}

// TestUndoingTheLastCompletionTakesThePlanBack: the desk completes a course's last session, which
// makes its plan due for reassessment (its review is set a week later); undoing the completion on
// the day puts the plan back to active, in the undo's transaction, on the plan's history and the
// audit log; completing the session again makes the plan due again.
func TestUndoingTheLastCompletionTakesThePlanBack(t *testing.T) {
	ctx := context.Background()
	f := newChartFixture(t)
	id, appts := f.planCourse(t, 21)
	f.completeAll(t, appts)
	p, err := f.s.PlanByID(ctx, f.sam, id)
	if err != nil || p.Status != clinic.PlanReassessDue {
		t.Fatalf("after the last session: %q, %v; want reassess_due", p.Status, err)
	}
	before := len(p.Events)

	f.clock.Advance(10 * time.Minute)
	last := appts[len(appts)-1]
	if _, err := f.s.UndoStatus(ctx, f.desk, last); err != nil {
		t.Fatal(err)
	}
	// Read as the plan page reads it: the read's own due check must not move it forward again.
	p, err = f.s.PlanByID(ctx, f.sam, id)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != clinic.PlanActive || p.SessionsDone != 2 {
		t.Errorf("after the undo the plan is %q with %d sessions done; want active with 2", p.Status, p.SessionsDone)
	}
	want := []string{"session_undone reassess_due -> active (completion undone)"}
	if got := planEventsSince(t, p, before); !slices.Equal(got, want) {
		t.Errorf("plan history after the undo: %q; want %q", got, want)
	}
	var audited int
	if err := f.s.w.QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'plan_session_undone' AND record_type = 'plan'
		AND record_id = ? AND client_id = ? AND detail = 'reassess_due -> active'`, id, f.alexID).Scan(&audited); err != nil || audited != 1 {
		t.Errorf("audit rows of the plan's move back: %d, %v; want 1", audited, err)
	}

	f.clock.Advance(10 * time.Minute)
	if _, err := f.s.SetStatus(ctx, f.desk, last, clinic.ApptCompleted); err != nil {
		t.Fatal(err)
	}
	p, err = f.s.PlanByID(ctx, f.sam, id)
	if err != nil {
		t.Fatal(err)
	}
	want = append(want, "reassessment_due active -> reassess_due (planned sessions done)")
	if got := planEventsSince(t, p, before); p.Status != clinic.PlanReassessDue || !slices.Equal(got, want) {
		t.Errorf("after completing again: %q, history %q; want reassess_due, %q", p.Status, got, want)
	}
}

// TestUndoLeavesAPlanThatMovedOn: once a person has moved the plan after the completion (a
// reassessment extended it, it was discontinued) or had marked it due themselves, undoing the
// completion leaves the plan where they put it: that was a decision about the client, not a
// consequence of the desk's record. A plan whose review day has come stays due as well: the
// date alone makes it due, as the next read of the chart would find.
func TestUndoLeavesAPlanThatMovedOn(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name       string
		reviewDays int
		move       func(t *testing.T, f *chartFixture, plan int64, appts []int64)
		want       clinic.PlanStatus
	}{
		{"extended at its reassessment", 21, func(t *testing.T, f *chartFixture, plan int64, appts []int64) {
			f.completeAll(t, appts)
			if res, err := f.reassess(t, plan, clinic.DecisionExtend, 4); err != nil || res.Status != clinic.PlanExtended {
				t.Fatalf("extend: %q, %v", res.Status, err)
			}
		}, clinic.PlanExtended},
		{"discontinued", 21, func(t *testing.T, f *chartFixture, plan int64, appts []int64) {
			f.completeAll(t, appts)
			f.mustEvent(t, plan, clinic.PlanEventDiscontinue, clinic.PlanDiscontinued)
		}, clinic.PlanDiscontinued},
		{"marked due by the therapist before the last session", 21, func(t *testing.T, f *chartFixture, plan int64, appts []int64) {
			f.completeAll(t, appts[:2])
			f.mustEvent(t, plan, clinic.PlanEventReassessmentDue, clinic.PlanReassessDue)
			f.completeAll(t, appts[2:])
		}, clinic.PlanReassessDue},
		{"the last session given on its review day", 14, func(t *testing.T, f *chartFixture, plan int64, appts []int64) {
			f.completeAll(t, appts)
		}, clinic.PlanReassessDue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newChartFixture(t)
			id, appts := f.planCourse(t, tt.reviewDays)
			tt.move(t, f, id, appts)
			p, err := f.s.PlanByID(ctx, f.sam, id)
			if err != nil {
				t.Fatal(err)
			}
			before := len(p.Events)
			f.clock.Advance(10 * time.Minute)
			if _, err := f.s.UndoStatus(ctx, f.desk, appts[len(appts)-1]); err != nil {
				t.Fatal(err)
			}
			p, err = f.s.PlanByID(ctx, f.sam, id)
			if err != nil {
				t.Fatal(err)
			}
			if got := planEventsSince(t, p, before); p.Status != tt.want || len(got) != 0 {
				t.Errorf("after the undo: %q, new history %q; want %q and nothing new", p.Status, got, tt.want)
			}
		})
	}
}

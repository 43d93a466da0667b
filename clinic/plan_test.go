package clinic

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

var allPlanEvents = []PlanEvent{
	PlanEventStart, PlanEventReassessmentDue, PlanEventGoalMet, PlanEventExtend, PlanEventRefer,
	PlanEventChangeApproach, PlanEventHold, PlanEventResume, PlanEventDiscontinue, PlanEventAbandon,
	PlanEventMarkError, PlanEventSessionUndone,
}

var everyPlanStatus = []PlanStatus{
	PlanDraft, PlanActive, PlanReassessDue, PlanCompleted, PlanExtended, PlanReferred, PlanChanged,
	PlanOnHold, PlanDiscontinued, PlanCancelled, PlanEnteredInError,
}

// planReadyFacts passes every guard, so only the table decides.
func planReadyFacts(s PlanStatus) PlanFacts {
	return PlanFacts{Status: s, Layers: []PlanLayer{PlanLayerRemedialTriggerPoint}, HasTreatmentConsent: true}
}

// TestNextPlanStatusTable walks every status and event: the listed pairs
// move the plan, every other pair is refused with ErrPlanTransition.
func TestNextPlanStatusTable(t *testing.T) {
	type pair struct {
		from PlanStatus
		ev   PlanEvent
	}
	want := map[pair]PlanStatus{
		{PlanDraft, PlanEventStart}:                PlanActive,
		{PlanDraft, PlanEventAbandon}:              PlanCancelled,
		{PlanActive, PlanEventReassessmentDue}:     PlanReassessDue,
		{PlanExtended, PlanEventReassessmentDue}:   PlanReassessDue,
		{PlanReassessDue, PlanEventGoalMet}:        PlanCompleted,
		{PlanReassessDue, PlanEventExtend}:         PlanExtended,
		{PlanReassessDue, PlanEventChangeApproach}: PlanChanged,
		{PlanReassessDue, PlanEventSessionUndone}:  PlanActive,
		{PlanActive, PlanEventRefer}:               PlanReferred,
		{PlanExtended, PlanEventRefer}:             PlanReferred,
		{PlanReassessDue, PlanEventRefer}:          PlanReferred,
		{PlanOnHold, PlanEventRefer}:               PlanReferred,
		{PlanActive, PlanEventHold}:                PlanOnHold,
		{PlanExtended, PlanEventHold}:              PlanOnHold,
		{PlanOnHold, PlanEventResume}:              PlanActive,
		{PlanActive, PlanEventDiscontinue}:         PlanDiscontinued,
		{PlanExtended, PlanEventDiscontinue}:       PlanDiscontinued,
		{PlanReassessDue, PlanEventDiscontinue}:    PlanDiscontinued,
		{PlanOnHold, PlanEventDiscontinue}:         PlanDiscontinued,
		{PlanDraft, PlanEventMarkError}:            PlanEnteredInError,
		{PlanActive, PlanEventMarkError}:           PlanEnteredInError,
		{PlanReassessDue, PlanEventMarkError}:      PlanEnteredInError,
		{PlanCompleted, PlanEventMarkError}:        PlanEnteredInError,
		{PlanExtended, PlanEventMarkError}:         PlanEnteredInError,
		{PlanReferred, PlanEventMarkError}:         PlanEnteredInError,
		{PlanChanged, PlanEventMarkError}:          PlanEnteredInError,
		{PlanOnHold, PlanEventMarkError}:           PlanEnteredInError,
		{PlanDiscontinued, PlanEventMarkError}:     PlanEnteredInError,
		{PlanCancelled, PlanEventMarkError}:        PlanEnteredInError,
	}
	for _, from := range everyPlanStatus {
		for _, ev := range allPlanEvents {
			got, err := NextPlanStatus(planReadyFacts(from), ev)
			to, ok := want[pair{from, ev}]
			if ok {
				if err != nil || got != to {
					t.Errorf("%s --%s--> got %q, %v; want %q", from, ev, got, err, to)
				}
				continue
			}
			var te *ErrPlanTransition
			if !errors.As(err, &te) || te.From != from || te.Event != ev || got != from {
				t.Errorf("%s --%s--> got %q, %v; want ErrPlanTransition and status unchanged", from, ev, got, err)
			}
		}
	}
}

func TestNextPlanStatusGuards(t *testing.T) {
	dvt := PlanFlag{Code: "suspected_dvt", Action: "refer_before_treatment"}
	rehab := []PlanLayer{PlanLayerRemedialTriggerPoint, PlanLayerRehabReferral}
	tests := []struct {
		name    string
		facts   PlanFacts
		ev      PlanEvent
		want    PlanStatus
		wantErr any
	}{
		{"start with refer flag open", PlanFacts{Status: PlanDraft, OpenFlags: []PlanFlag{dvt}, HasTreatmentConsent: true}, PlanEventStart, PlanDraft, new(*ErrPlanOpenFlag)},
		{"start with defer flag open", PlanFacts{Status: PlanDraft, OpenFlags: []PlanFlag{{"acute_fever", "defer"}}, HasTreatmentConsent: true}, PlanEventStart, PlanDraft, new(*ErrPlanOpenFlag)},
		{"start with clearance pending", PlanFacts{Status: PlanDraft, OpenFlags: []PlanFlag{{"recent_surgery", "clearance_required"}}, HasTreatmentConsent: true}, PlanEventStart, PlanDraft, new(*ErrPlanOpenFlag)},
		{"start with only a local-avoid flag", PlanFacts{Status: PlanDraft, OpenFlags: []PlanFlag{{"varicose_veins", "local_avoid"}}, HasTreatmentConsent: true}, PlanEventStart, PlanActive, nil},
		{"start without consent", PlanFacts{Status: PlanDraft}, PlanEventStart, PlanDraft, new(*ErrPlanNeedsConsent)},
		{"complete rehab plan without referral", PlanFacts{Status: PlanReassessDue, Layers: rehab}, PlanEventGoalMet, PlanReassessDue, new(*ErrPlanNeedsReferral)},
		{"complete rehab plan with referral", PlanFacts{Status: PlanReassessDue, Layers: rehab, ReferralRecorded: true}, PlanEventGoalMet, PlanCompleted, nil},
		{"refer rehab plan without referral recorded yet", PlanFacts{Status: PlanReassessDue, Layers: rehab}, PlanEventRefer, PlanReferred, nil},
		{"first extension", PlanFacts{Status: PlanReassessDue}, PlanEventExtend, PlanExtended, nil},
		{"second extension", PlanFacts{Status: PlanReassessDue, ExtensionsUsed: 1}, PlanEventExtend, PlanReassessDue, new(*ErrPlanExtensionUsed)},
		{"resume during extension course", PlanFacts{Status: PlanOnHold, ExtensionsUsed: 1}, PlanEventResume, PlanExtended, nil},
		{"session undone during extension course", PlanFacts{Status: PlanReassessDue, ExtensionsUsed: 1}, PlanEventSessionUndone, PlanExtended, nil},
		{"guard does not open a missing transition", PlanFacts{Status: PlanActive, ExtensionsUsed: 1}, PlanEventExtend, PlanActive, new(*ErrPlanTransition)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NextPlanStatus(tt.facts, tt.ev)
			if got != tt.want {
				t.Errorf("got status %q, want %q", got, tt.want)
			}
			if tt.wantErr == nil {
				if err != nil {
					t.Errorf("got error %v, want none", err)
				}
				return
			}
			if err == nil || !errors.As(err, tt.wantErr) {
				t.Errorf("got error %v (%T), want %T", err, err, tt.wantErr)
			}
		})
	}
}

func TestPlanErrorsExplain(t *testing.T) {
	_, err := NextPlanStatus(PlanFacts{Status: PlanDraft, OpenFlags: []PlanFlag{
		{"suspected_dvt", "refer_before_treatment"}, {"bruising", "local_avoid"}, {"fever", "defer"},
	}}, PlanEventStart)
	var fe *ErrPlanOpenFlag
	if !errors.As(err, &fe) {
		t.Fatalf("got %v, want ErrPlanOpenFlag", err)
	}
	if got := len(fe.Flags); got != 2 {
		t.Errorf("got %d blocking flags, want 2 (local_avoid does not block)", got)
	}
	for _, want := range []string{"suspected_dvt", "fever"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("got %q, want it to name %s", err, want)
		}
	}
	_, err = NextPlanStatus(PlanFacts{Status: PlanCompleted}, PlanEventExtend)
	if got, want := err.Error(), `"extend" does not apply to a plan that is "completed"`; !strings.Contains(got, want) {
		t.Errorf("got %q, want it to contain %q", got, want)
	}
}

func TestAllowedPlanEvents(t *testing.T) {
	tests := []struct {
		name  string
		facts PlanFacts
		want  []PlanEvent
	}{
		{"draft blocked by a flag", PlanFacts{Status: PlanDraft, HasTreatmentConsent: true, OpenFlags: []PlanFlag{{"dvt", "refer_before_treatment"}}}, []PlanEvent{PlanEventAbandon}},
		{"draft ready", planReadyFacts(PlanDraft), []PlanEvent{PlanEventStart, PlanEventAbandon}},
		{"active", planReadyFacts(PlanActive), []PlanEvent{PlanEventReassessmentDue, PlanEventRefer, PlanEventHold, PlanEventDiscontinue}},
		{"review after extension", PlanFacts{Status: PlanReassessDue, ExtensionsUsed: 1}, []PlanEvent{PlanEventGoalMet, PlanEventChangeApproach, PlanEventRefer, PlanEventDiscontinue}},
		{"completed", planReadyFacts(PlanCompleted), nil},
	}
	for _, tt := range tests {
		if got := AllowedPlanEvents(tt.facts); !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestDueTakenBack: undoing a completion takes a plan back from its review only when the plan
// rules put it there at or after that completion, nothing has moved it since, and Due no longer
// holds without the session; it goes back to the course it was running.
func TestDueTakenBack(t *testing.T) {
	done := time.Date(2026, 3, 11, 11, 0, 0, 0, time.UTC)
	today := Date{2026, 3, 11}
	auto := PlanEventRecord{Event: PlanEventReassessmentDue, From: PlanActive, To: PlanReassessDue, At: done, Automatic: true}
	due := func(edit func(*TreatmentPlan)) TreatmentPlan {
		p := TreatmentPlan{Status: PlanReassessDue, PlannedSessions: 3, SessionsDone: 2, ReassessmentDate: Date{2026, 3, 20},
			Events: []PlanEventRecord{{Event: PlanEventStart, To: PlanActive}, auto}}
		if edit != nil {
			edit(&p)
		}
		p.Facts = PlanFacts{Status: p.Status, ExtensionsUsed: p.ExtensionsUsed}
		return p
	}
	tests := []struct {
		name string
		plan TreatmentPlan
		want bool
	}{
		{"the course is short of a session again", due(nil), true},
		{"the extension course is short of a session again", due(func(p *TreatmentPlan) {
			p.ExtensionsUsed, p.ExtensionSessions, p.SessionsDone = 1, 2, 4
		}), true},
		{"the session still counts (its note is signed)", due(func(p *TreatmentPlan) { p.SessionsDone = 3 }), false},
		{"the review date has come", due(func(p *TreatmentPlan) { p.ReassessmentDate = today }), false},
		{"marked due by a person", due(func(p *TreatmentPlan) { p.Events[1].Automatic = false }), false},
		{"due before this completion", due(func(p *TreatmentPlan) { p.Events[1].At = done.Add(-time.Hour) }), false},
		{"due again after a later completion", due(func(p *TreatmentPlan) { p.Events[1].At = done.Add(time.Hour) }), true},
		{"reassessed and extended since", due(func(p *TreatmentPlan) {
			p.Status, p.ExtensionsUsed = PlanExtended, 1
			p.Events = append(p.Events, PlanEventRecord{Event: PlanEventExtend, From: PlanReassessDue, To: PlanExtended, At: done})
		}), false},
		{"discontinued since", due(func(p *TreatmentPlan) {
			p.Status = PlanDiscontinued
			p.Events = append(p.Events, PlanEventRecord{Event: PlanEventDiscontinue, From: PlanReassessDue, To: PlanDiscontinued, At: done})
		}), false},
	}
	for _, tt := range tests {
		if got := tt.plan.DueTakenBack(done, today); got != tt.want {
			t.Errorf("%s: DueTakenBack = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestPlanStatusLabelAndTerminal(t *testing.T) {
	if got, want := PlanReassessDue.Label(), "Reassessment due"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	for _, s := range everyPlanStatus {
		want := !slices.Contains([]PlanStatus{PlanDraft, PlanActive, PlanReassessDue, PlanExtended, PlanOnHold}, s)
		if got := s.Terminal(); got != want {
			t.Errorf("%s.Terminal() = %v, want %v", s, got, want)
		}
		if !s.Valid() {
			t.Errorf("%s.Valid() = false", s)
		}
	}
	if PlanStatus("paused").Valid() {
		t.Error(`"paused" is valid, want not`)
	}
}

func planTestDay(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func TestDefaultReassessmentDate(t *testing.T) {
	start := planTestDay(2027, 3, 1)
	tests := []struct {
		sessions, spacing int
		want              time.Time
	}{
		{4, 7, planTestDay(2027, 3, 22)},  // last session, day 21
		{5, 7, planTestDay(2027, 3, 29)},  // last session falls on day 28
		{6, 7, planTestDay(2027, 3, 29)},  // day 35 capped at day 28
		{3, 10, planTestDay(2027, 3, 21)}, // day 20
		{6, 3, planTestDay(2027, 3, 16)},  // intensive: day 15
	}
	for _, tt := range tests {
		if got := DefaultReassessmentDate(start, tt.sessions, tt.spacing); !got.Equal(tt.want) {
			t.Errorf("%d sessions every %d days: got %s, want %s", tt.sessions, tt.spacing, got.Format(time.DateOnly), tt.want.Format(time.DateOnly))
		}
	}
	// A start given as a local evening keeps its own calendar day.
	syd := reminderTestZone(t, "Australia/Sydney")
	got := DefaultReassessmentDate(time.Date(2027, 3, 1, 23, 30, 0, 0, syd), 4, 7)
	if want := planTestDay(2027, 3, 22); !got.Equal(want) {
		t.Errorf("local start: got %s, want %s", got.Format(time.DateOnly), want.Format(time.DateOnly))
	}
}

func validPlanDraft() TreatmentPlanDraft {
	d := NewTreatmentPlanDraft(planTestDay(2027, 3, 1))
	d.Layers = []PlanLayer{PlanLayerTuiNa, PlanLayerRehabReferral}
	d.Goals = []Goal{
		{Description: "Turn head to reverse the car", Measure: MeasurePain, Baseline: 6, Target: 2},
		{Description: "Reach the top shelf", Measure: MeasurePSFS, Activity: "reach overhead shelf", Baseline: 4, Target: 8},
	}
	return d
}

func TestTreatmentPlanDraftValidate(t *testing.T) {
	if errs := validPlanDraft().Validate(); len(errs) != 0 {
		t.Fatalf("valid draft: got %v, want no errors", errs)
	}
	tests := []struct {
		name   string
		change func(*TreatmentPlanDraft)
		field  string
	}{
		{"no layers", func(d *TreatmentPlanDraft) { d.Layers = nil }, "layers"},
		{"rehab only", func(d *TreatmentPlanDraft) { d.Layers = []PlanLayer{PlanLayerRehabReferral} }, "layers"},
		{"unknown layer", func(d *TreatmentPlanDraft) { d.Layers = []PlanLayer{"reiki"} }, "layers"},
		{"layer twice", func(d *TreatmentPlanDraft) { d.Layers = []PlanLayer{PlanLayerTuiNa, PlanLayerTuiNa} }, "layers"},
		{"two sessions", func(d *TreatmentPlanDraft) { d.PlannedSessions = 2 }, "planned_sessions"},
		{"seven sessions", func(d *TreatmentPlanDraft) { d.PlannedSessions = 7 }, "planned_sessions"},
		{"min two days", func(d *TreatmentPlanDraft) { d.MinDays = 2 }, "min_days"},
		{"target under min", func(d *TreatmentPlanDraft) { d.TargetDays = 2; d.MinDays = 3 }, "target_days"},
		{"max under target", func(d *TreatmentPlanDraft) { d.MaxDays = 6 }, "max_days"},
		{"max over two weeks", func(d *TreatmentPlanDraft) { d.MaxDays = 15 }, "max_days"},
		{"no start", func(d *TreatmentPlanDraft) { d.StartDate = time.Time{} }, "start_date"},
		{"review on start day", func(d *TreatmentPlanDraft) { d.ReassessmentDate = d.StartDate }, "reassessment_date"},
		{"no goals", func(d *TreatmentPlanDraft) { d.Goals = nil }, "goals"},
		{"goal without words", func(d *TreatmentPlanDraft) { d.Goals[0].Description = " " }, "goals.0.description"},
		{"unknown measure", func(d *TreatmentPlanDraft) { d.Goals[0].Measure = "vas" }, "goals.0.measure"},
		{"psfs without activity", func(d *TreatmentPlanDraft) { d.Goals[1].Activity = "" }, "goals.1.activity"},
		{"pain baseline 11", func(d *TreatmentPlanDraft) { d.Goals[0].Baseline = 11 }, "goals.0.baseline"},
		{"pain target negative", func(d *TreatmentPlanDraft) { d.Goals[0].Target = -1 }, "goals.0.target"},
		{"pain target above baseline", func(d *TreatmentPlanDraft) { d.Goals[0].Target = 7 }, "goals.0.target"},
		{"psfs target below baseline", func(d *TreatmentPlanDraft) { d.Goals[1].Target = 3 }, "goals.1.target"},
		{"psfs target equals baseline", func(d *TreatmentPlanDraft) { d.Goals[1].Target = 4 }, "goals.1.target"},
	}
	for _, tt := range tests {
		d := validPlanDraft()
		tt.change(&d)
		errs := d.Validate()
		if _, ok := errs[tt.field]; !ok || len(errs) != 1 {
			t.Errorf("%s: got %v, want one error on %q", tt.name, errs, tt.field)
		}
	}
}

func TestEffectiveReassessmentDate(t *testing.T) {
	d := validPlanDraft()
	if got, want := d.EffectiveReassessmentDate(), planTestDay(2027, 3, 22); !got.Equal(want) {
		t.Errorf("default: got %s, want %s", got.Format(time.DateOnly), want.Format(time.DateOnly))
	}
	d.ReassessmentDate = planTestDay(2027, 3, 25)
	if got, want := d.EffectiveReassessmentDate(), planTestDay(2027, 3, 25); !got.Equal(want) {
		t.Errorf("chosen: got %s, want %s", got.Format(time.DateOnly), want.Format(time.DateOnly))
	}
}

func TestParsePlanLayer(t *testing.T) {
	tests := []struct {
		in   string
		want PlanLayer
		ok   bool
	}{
		{"tui_na", PlanLayerTuiNa, true},
		{"eastern_systemic", PlanLayerTuiNa, true},
		{" Remedial_TRP ", PlanLayerRemedialTriggerPoint, true},
		{"relaxation_parasympathetic", PlanLayerRelaxation, true},
		{"cupping", "", false},
	}
	for _, tt := range tests {
		if got, ok := ParsePlanLayer(tt.in); got != tt.want || ok != tt.ok {
			t.Errorf("ParsePlanLayer(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
